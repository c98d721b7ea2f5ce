"""The right form of each command, shown with every parse failure."""

from __future__ import annotations

from bot.parsing.commands import Command

USAGE: dict[Command, str] = {
    Command.ADD: (
        "/add <name> [cat <category>] [unit <unit>] [min <qty>] [price <money>] "
        "[cost <money>] [barcode <code>] [supplier <name>] [warn <days>] [lead <days>]"
    ),
    Command.RESTOCK: (
        "/restock <name> <qty> [exp <date>] [cost <money>] [price <money>] "
        "[reorder <date>] [note <text>]"
    ),
    Command.SELL: "/sell <name> <qty>",
    Command.REMOVE: ("/remove <name> <qty> [damage|expired|adjustment|sale|return] [note <text>]"),
    Command.COUNT: "/count <name> <qty>",
    Command.INVENTORY: "/inventory [low|out|expiring|expired] [cat <category>] "
    "[sort name|qty|expiry|days]",
    Command.PRODUCTS: "/products [<category>]",
    Command.HISTORY: "/history [<name>]",
    Command.STOCK: "/stock <name>",
    Command.EDIT: "/edit <name>",
    Command.DELETE: "/delete <name>",
}

# The form of one line of a multi-line (batch) message.
LINE_USAGE: dict[Command, str] = {
    Command.RESTOCK: "one product per line: <name> <qty> [exp <date>] [cost <money>] …, "
    "e.g. milk 20 exp 20 dec",
    Command.SELL: "one product per line: <name> <qty>, e.g. milk 2",
    Command.REMOVE: "one product per line: <name> <qty> [damage|expired|…] [note <text>], "
    "e.g. milk 2 damage",
    Command.COUNT: "one product per line: <name> = <qty>, e.g. milk = 18",
}
