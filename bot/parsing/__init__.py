"""The chat commands' grammar: text after a command becomes a typed command, or a
ParseError that says what was wrong and shows the right form.

Pure: no Telegram, no database. Whether a product exists, whether a date is in the past
and whether a quantity is allowed by the rules are the bot's and the domain's business.

Grammar rules shared by every command:
- Words are separated by spaces; "double quotes" (also “curly” and „low“ ones) keep
  anything together, so `"7 up" 3` names the product `7 up`.
- Keywords (`exp`, `cost`, `cat`, …) are case-insensitive and only count when not quoted
  and not the first word, so `/add cat food` adds a product called "cat food".
- For stock commands the quantity is the last word before the first keyword when it is a
  bare number; `name = qty` and `name: qty` work too. A missing quantity (or name) is not
  an error: the command comes back with `None` there, so the bot can ask for it.

The package, by reason to change: `words` (the tokenizer), `values` (quantities, money,
days), `dates` and `date_words` (dates people type, their words per language), `commands`
(the typed results), `sentence` (head and keywords, shared by the commands), `grammar`
(each command and the entry points), `usage` (the right form of each command) and
`settings` (the values of /settings).
"""

from bot.parsing.commands import (
    AddProduct,
    Command,
    CountProduct,
    DeleteProduct,
    EditProduct,
    ParsedCommand,
    RemoveProduct,
    RestockProduct,
    SellProduct,
    ShowHistory,
    ShowInventory,
    ShowProducts,
    ShowStock,
    StockCommand,
)
from bot.parsing.dates import (
    ABSOLUTE_DAY_FIRST,
    DATE_USAGE,
    ShopDates,
    parse_date,
)
from bot.parsing.errors import (
    ParseError,
)
from bot.parsing.grammar import (
    CANCEL_WORDS,
    STOCK_VERBS,
    UNDO_WORDS,
    as_lines,
    bare_word,
    command_of,
    is_batch,
    parse_add,
    parse_command,
    parse_count,
    parse_delete,
    parse_edit,
    parse_edit_change,
    parse_history,
    parse_inventory,
    parse_lines,
    parse_products,
    parse_remove,
    parse_restock,
    parse_sell,
    parse_stock,
    split_command,
)
from bot.parsing.settings import (
    parse_alert_time,
    parse_currency,
    parse_near_expiry_days,
    parse_timezone,
)
from bot.parsing.usage import (
    LINE_USAGE,
    USAGE,
)
from bot.parsing.values import (
    means_no_value,
    parse_days,
    parse_money,
    parse_quantity,
)
from bot.parsing.words import (
    Word,
    split_words,
)

__all__ = [
    "ABSOLUTE_DAY_FIRST",
    "CANCEL_WORDS",
    "DATE_USAGE",
    "LINE_USAGE",
    "STOCK_VERBS",
    "UNDO_WORDS",
    "USAGE",
    "AddProduct",
    "Command",
    "CountProduct",
    "DeleteProduct",
    "EditProduct",
    "ParseError",
    "ParsedCommand",
    "RemoveProduct",
    "RestockProduct",
    "SellProduct",
    "ShopDates",
    "ShowHistory",
    "ShowInventory",
    "ShowProducts",
    "ShowStock",
    "StockCommand",
    "Word",
    "as_lines",
    "bare_word",
    "command_of",
    "is_batch",
    "means_no_value",
    "parse_add",
    "parse_alert_time",
    "parse_command",
    "parse_count",
    "parse_currency",
    "parse_date",
    "parse_days",
    "parse_delete",
    "parse_edit",
    "parse_edit_change",
    "parse_history",
    "parse_inventory",
    "parse_lines",
    "parse_money",
    "parse_near_expiry_days",
    "parse_products",
    "parse_quantity",
    "parse_remove",
    "parse_restock",
    "parse_sell",
    "parse_stock",
    "parse_timezone",
    "split_command",
    "split_words",
]
