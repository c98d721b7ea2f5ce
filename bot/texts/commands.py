"""The command menu, /help, and the words of any step (cancelled, expired)."""

from __future__ import annotations

from bot.callbacks import Kept
from bot.i18n import N_

# The command menu (setMyCommands): every description once; each role's menu names its
# commands in the order it shows them.
COMMAND_DESCRIPTIONS = {
    "stock": N_("Product card: on hand, batches, quick buttons"),
    "restock": N_("Add stock: /restock milk 20 exp 20 dec"),
    "sell": N_("Record a sale: /sell milk 2"),
    "remove": N_("Remove stock: /remove milk 1 damage"),
    "count": N_("Stocktake: /count milk 18"),
    "undo": N_("Undo your last movement"),
    "dashboard": N_("Low, out, near expiry, expired at a glance"),
    "inventory": N_("All stock, with filters"),
    "low": N_("Low and out of stock"),
    "expiring": N_("Near expiry"),
    "add": N_("New product: /add oat milk cat dairy unit l min 5"),
    "edit": N_("Change a product"),
    "delete": N_("Archive a product"),
    "products": N_("The catalog"),
    "history": N_("Recent movements"),
    "export": N_("CSV of stock and ledger"),
    "import": N_("Catalog and stock from a CSV or XLSX file"),
    "reorder": N_("What to reorder, by supplier"),
    "report": N_("Sales, waste and stock value over 8 weeks"),
    "language": N_("English or Russian: /language ru"),
    "alerts": N_("Choose which alerts reach you"),
    "invite": N_("Invite staff (or /invite owner)"),
    "team": N_("Members and roles"),
    "settings": N_("Timezone, expiry window, alert time, currency"),
    "quiet": N_("Quiet hours for alerts: /quiet 22:00-07:00"),
    "mute": N_("Mute a product's alerts: /mute milk"),
    "newshop": N_("Create another shop"),
    "shop": N_("Switch shop"),
    "help": N_("How to use the bot"),
    "cancel": N_("Leave the current step"),
}
_EVERYDAY = ("stock", "restock", "sell", "remove", "count", "undo", "dashboard", "inventory")
_LOOKING = ("low", "expiring")
_CATALOG = ("products", "history", "export", "reorder", "alerts")
_MANAGING = ("add", "edit", "delete", "import")
_OWNING = ("report", "invite", "team", "settings", "quiet", "mute", "newshop")
_LAST = ("shop", "language", "help", "cancel")
STAFF_MENU = (*_EVERYDAY, *_LOOKING, *_CATALOG, *_LAST)
OWNER_MENU = (*_EVERYDAY, *_LOOKING, *_MANAGING, *_CATALOG, *_OWNING, *_LAST)
STAFF_COMMANDS = [(name, COMMAND_DESCRIPTIONS[name]) for name in STAFF_MENU]
OWNER_COMMANDS = [(name, COMMAND_DESCRIPTIONS[name]) for name in OWNER_MENU]


HELP = N_(
    "<b>Stock</b>\n"
    "/restock <i>name qty</i> [exp <i>date</i>] [cost <i>x</i>] [price <i>x</i>] "
    "[reorder <i>date</i>] [note <i>text</i>]\n"
    "/sell <i>name qty</i> · /remove <i>name qty</i> [damage|expired|adjustment|return]\n"
    "/count <i>name qty</i> — stocktake · /undo — undo your last movement\n"
    "Several lines after /restock or /count act as a batch, e.g.\n"
    "<code>/count\nmilk = 18\nbread = 4</code>\n\n"
    "<b>Look</b>\n"
    "/stock <i>name</i> · /dashboard · /inventory [low|out|expiring|expired] "
    "[cat <i>x</i>] [sort name|qty|expiry|days] · /low · /expiring · /products · "
    "/history [<i>name</i>] · /export\n\n"
    "<b>Alerts</b>\n"
    "/reorder — what to order, by supplier · /alerts — which alerts reach you\n\n"
    "<b>Owners</b>\n"
    "/add <i>name</i> [cat <i>x</i>] [unit <i>x</i>] [min <i>qty</i>] [price <i>x</i>] "
    "[cost <i>x</i>] [barcode <i>x</i>] · /edit <i>name</i> · /delete <i>name</i> · "
    "/import — the catalog from a CSV or XLSX file · "
    "/report — 8 weeks of sales, waste and stock value · "
    "/invite [owner] · /team · /settings · /quiet 22:00-07:00 · /mute <i>name</i> · "
    "/newshop <i>name</i>\n"
    "In a group (as its admin): /link [<i>shop</i>] · /unlink\n\n"
    "Names with spaces work: <code>/restock whole milk 2</code>; quotes allow anything: "
    '<code>/sell "7 up" 3</code>. /cancel leaves any step. /language ru — по-русски.'
)

STATE_LOST_PLAIN = N_(
    "⚠️ I lost track of that step (the session store is unavailable). "
    "Please type the whole command, e.g. /restock milk 20."
)
FLOW_CANCELLED = N_("Cancelled.")
# What ✖️ Keep under a question left as it was.
KEPT = {
    Kept.MOVEMENT: N_("Kept: nothing was undone."),
    Kept.PRODUCT: N_("Kept: the product stays in the catalog."),
    Kept.ARCHIVED: N_("Kept: the product stays archived; nothing was added."),
    Kept.MEMBER: N_("Kept: nobody was removed."),
}
NOTHING_TO_CANCEL = N_("Nothing to cancel. /undo takes back your last change.")
FLOW_EXPIRED = N_("That step has expired. Please start the command again.")
TYPE_AGAIN = N_("type the command again")
