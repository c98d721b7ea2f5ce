"""Stock movements: /restock, /sell, /remove, /count, /undo, batches of lines, the card's
quick-adjust buttons, and the guided steps that ask for what a command left out.

The package, by reason to change: `reading` (a command's text as a typed command and
the ledger change it asks for), `replies` (the confirmation and the questions), `single`
(one movement, or the first missing piece asked for), `batch` (one movement a line),
`steps` (the answers to a guided step, and the choices that complete a command), `card`
(the card and its quick-adjust buttons) and `undo`.
"""

from bot.handlers.stock.card import on_adjust, record_known, show_card
from bot.handlers.stock.reading import (
    RESTOCK_DETAILS,
    message_args,
    names_a_product,
    reading,
    restated_command,
    stock_change,
)
from bot.handlers.stock.replies import (
    PRODUCT_BUTTONS,
    here_of,
    product_buttons,
    signed,
    undoable,
)
from bot.handlers.stock.single import proceed, run_stock_text, stock_command
from bot.handlers.stock.steps import (
    continue_amount,
    continue_reason,
    continue_stock,
    on_pick,
    on_prompt,
)
from bot.handlers.stock.undo import on_undo, undo_command

__all__ = [
    "PRODUCT_BUTTONS",
    "RESTOCK_DETAILS",
    "continue_amount",
    "continue_reason",
    "continue_stock",
    "here_of",
    "message_args",
    "names_a_product",
    "on_adjust",
    "on_pick",
    "on_prompt",
    "on_undo",
    "proceed",
    "product_buttons",
    "reading",
    "record_known",
    "restated_command",
    "run_stock_text",
    "show_card",
    "signed",
    "stock_change",
    "stock_command",
    "undo_command",
    "undoable",
]
