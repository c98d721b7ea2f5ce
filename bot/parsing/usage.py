"""The right form of each command, shown with every parse failure."""

from __future__ import annotations

from bot.i18n import N_
from bot.parsing.commands import Command

USAGE: dict[Command, str] = {
    Command.ADD: N_(
        "/add <name> [cat <category>] [unit <unit>] [min <qty>] [price <money>] "
        "[cost <money>] [barcode <code>] [supplier <name>] [warn <days>] [lead <days>]"
    ),
    Command.RESTOCK: N_(
        "/restock <name> <qty> [exp <date>] [cost <money>] [price <money>] "
        "[reorder <date>] [note <text>]"
    ),
    Command.SELL: N_("/sell <name> <qty>"),
    Command.REMOVE: N_(
        "/remove <name> <qty> [damage|expired|adjustment|sale|return] [note <text>]"
    ),
    Command.COUNT: N_("/count <name> <qty>"),
    Command.INVENTORY: N_(
        "/inventory [low|out|expiring|expired] [cat <category>] [sort name|qty|expiry|days]"
    ),
    Command.PRODUCTS: N_("/products [<category>]"),
    Command.HISTORY: N_("/history [<name>]"),
    Command.STOCK: N_("/stock <name>"),
    Command.EDIT: N_(
        "/edit <name> [name <new name>] [price <money>] [min <qty>] [cat <category>] …"
    ),
    Command.DELETE: N_("/delete <name>"),
}

# The form of one line of a multi-line (batch) message.
LINE_USAGE: dict[Command, str] = {
    Command.RESTOCK: N_(
        "one product per line: <name> <qty> [exp <date>] [cost <money>] …, e.g. milk 20 exp 20 dec"
    ),
    Command.SELL: N_("one product per line: <name> <qty>, e.g. milk 2"),
    Command.REMOVE: N_(
        "one product per line: <name> <qty> [damage|expired|…] [note <text>], e.g. milk 2 damage"
    ),
    Command.COUNT: N_("one product per line: <name> = <qty>, e.g. milk = 18"),
}
