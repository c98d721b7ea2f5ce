"""Everything the bot says, in English: replies, prompts, button labels, the command
menu, alert messages and the wording of core's refusals; and the one formatter for
numbers, money and dates. Output is Telegram HTML: user-typed text is always escaped.

This is the language module: handlers, keyboards and the alert view take every word
from here and build none of their own, so a second language is one more module with the
same names (or these strings extracted into a gettext catalog with Babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from html import escape
from zoneinfo import ZoneInfo

from bot import i18n
from bot.callbacks import EditableField, PromptKind, SettingsField
from bot.i18n import N_, _, ngettext
from core.access import OwnerAction
from core.alert_model import (
    AlertKind,
    AlertPreferences,
    AlertSettings,
    BatchLine,
    CrossingAlert,
    Digest,
    ReorderList,
)
from core.errors import (
    DomainError,
    GroupAction,
    GroupAdminOnly,
    GroupNotLinked,
    InsufficientStock,
    Invalid,
    InviteInvalid,
    InviteRefusal,
    MovementNotFound,
    NoActiveShop,
    NotAMember,
    NothingToUndo,
    OwnerOnly,
    ProductExists,
    SharedIdentity,
    ShopNotFound,
    ShownElsewhere,
    UndoRefusal,
    UndoRefused,
    UnitMismatch,
    ValueRefused,
)
from core.forecast import DEFAULT_LEAD_DAYS, NoEstimate, Velocity
from core.imports import ImportPlan, Outcome, RowPlan
from core.inventory import (
    Dashboard,
    DashboardBox,
    HistoryEntry,
    InventoryLine,
    InventoryPage,
    ProductCard,
)
from core.ledger import MovementResult
from core.limits import shortened
from core.model import Member, Movement, Product, Reason, Role, Shop
from core.quantities import FigureRefused, format_quantity
from core.report_model import WeeklyReport
from core.status import ExpiryStatus, Status, StockStatus, stock_status
from core.takings import Takings

MAX_MESSAGE = 4096
MAX_TOAST = 200

STOCK_BADGE = {StockStatus.LOW: N_("🟠 low"), StockStatus.OUT: N_("🔴 out of stock")}
EXPIRY_BADGE = {
    ExpiryStatus.NEAR_EXPIRY: N_("🟠 near expiry"),
    ExpiryStatus.EXPIRED: N_("🔴 expired"),
}

REASON_VERB = {
    Reason.RESTOCK: N_("Restocked"),
    Reason.SALE: N_("Sold"),
    Reason.DAMAGE: N_("Written off (damaged)"),
    Reason.EXPIRED: N_("Written off (expired)"),
    Reason.ADJUSTMENT: N_("Adjusted"),
    Reason.RETURN: N_("Returned to supplier"),
    Reason.UNDO: N_("Undone"),
    Reason.IMPORT: N_("Imported"),
}

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


def h(text: str) -> str:
    return escape(text, quote=False)


def plain_qty(value: Decimal, unit: str = "") -> str:
    """A quantity and its unit as plain text, for refusals (escaped where they are sent)."""
    return f"{format_quantity(value)} {unit}".strip()


def qty(value: Decimal, unit: str = "") -> str:
    return h(plain_qty(value, unit))


def money(value: Decimal | None, shop: Shop) -> str:
    if value is None:
        return "—"
    if i18n.current() != i18n.SOURCE:
        return i18n.money(value, shop.currency)
    return f"{value:.2f} {shop.currency}"


def day(value: date | None) -> str:
    if value is None:
        return "—"
    if i18n.current() != i18n.SOURCE:
        return i18n.day(value)
    return value.strftime("%-d %b %Y")


def moment(value: datetime, shop: Shop) -> str:
    local = value.astimezone(ZoneInfo(shop.timezone))
    if i18n.current() != i18n.SOURCE:
        return i18n.moment(local)
    return local.strftime("%-d %b %H:%M")


def figure_refused(shown: str, refused: FigureRefused) -> str:
    """Why a typed quantity or amount was refused, with what would be taken."""
    if refused.why == "too_large" and refused.limit is not None:
        return f"“{shown}” is too large: the most is {refused.limit:,}."
    if refused.why == "too_precise":
        places = {2: "two", 3: "three"}.get(refused.places or 0, str(refused.places))
        return f"“{shown}” has more than {places} decimal places."
    if refused.why == "negative":
        return "An amount cannot be negative."
    return f"“{shown}” is not a number."


def badges(status: Status) -> str:
    parts = [STOCK_BADGE.get(status.stock, ""), EXPIRY_BADGE.get(status.expiry, "")]
    return " · ".join(_(p) for p in parts if p)


# --- onboarding -----------------------------------------------------------------------

WELCOME_NEW = N_(
    "👋 <b>Welcome to stockbot</b> — your shop's stock, run from this chat.\n\n"
    "• Create your shop: <code>/newshop Corner Cafe</code>\n"
    "• Or join one: open the invite link an owner sent you.\n\n"
    "/help shows everything I can do."
)


ROLE_NAME = {Role.OWNER: N_("owner"), Role.STAFF: N_("staff")}


def welcome_back(shop: Shop, member: Member) -> str:
    return _(
        "👋 Welcome back to <b>{shop}</b> ({role}).\n"
        "Try /dashboard, /stock <i>name</i> or /restock <i>name qty</i>. /help lists everything."
    ).format(shop=h(shop.name), role=_(ROLE_NAME[member.role]))


def shop_created(shop: Shop) -> str:
    return _(
        "🏪 <b>{shop}</b> is ready and you are its owner.\n\n"
        "Next: add products with <code>/add milk cat dairy unit l min 5</code>, then "
        "<code>/restock milk 20 exp 20 dec</code>. Invite staff with /invite.\n"
        "Settings: timezone {timezone}, currency {currency}, near-expiry {days} days. "
        "Set your timezone now (it decides when stock counts as expired and when the daily "
        "alert comes), or later in /settings."
    ).format(
        shop=h(shop.name),
        timezone=shop.timezone,
        currency=shop.currency,
        days=shop.near_expiry_days,
    )


def invite_created(link: str, code: str, role: Role, expires: datetime, shop: Shop) -> str:
    return _(
        "🔗 Invite to <b>{shop}</b> as <b>{role}</b>, valid once, until {until}:\n{link}\n\n"
        "Or they can send me: <code>/start {code}</code>"
    ).format(
        shop=h(shop.name),
        role=_(ROLE_NAME[role]),
        until=moment(expires, shop),
        link=h(link),
        code=h(code),
    )


def joined(shop: Shop, member: Member) -> str:
    return _("✅ You joined <b>{shop}</b> as {role}. Try /dashboard.").format(
        shop=h(shop.name), role=_(ROLE_NAME[member.role])
    )


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
    "/report — 8 weeks of sales, waste and stock value · "
    "/invite [owner] · /team · /settings · /quiet 22:00-07:00 · /mute <i>name</i> · "
    "/newshop <i>name</i>\n"
    "In a group (as its admin): /link [<i>shop</i>] · /unlink\n\n"
    "Names with spaces work: <code>/restock whole milk 2</code>; quotes allow anything: "
    '<code>/sell "7 up" 3</code>. /cancel leaves any step.'
)

STATE_LOST_PLAIN = N_(
    "⚠️ I lost track of that step (the session store is unavailable). "
    "Please type the whole command, e.g. /restock milk 20."
)
FLOW_CANCELLED = N_("Cancelled.")
NOTHING_TO_CANCEL = N_("Nothing to cancel.")
FLOW_EXPIRED = N_("That step has expired. Please start the command again.")
TYPE_AGAIN = N_("type the command again")


def signed_quantity(delta: Decimal) -> str:
    """A quick adjustment as its button and confirmation show it: +5, −1."""
    return ("+" if delta > 0 else "−") + format_quantity(abs(delta))


def adjusted_toast(label: str, product: Product) -> str:
    return f"{label} → {format_quantity(product.on_hand)} {product.unit}"


def input_refused(problem: str, usage: str, line: int | None = None) -> str:
    """What was wrong with what was typed, and the right form (`line`: of a pasted list)."""
    where = _("Line {line}: ").format(line=line) if line else ""
    # A constant (a command's form, a marked message) is said in the reader's language.
    return f"⚠️ {where}{_(problem)}\n" + _("Use: {usage}").format(usage=_(usage))


def refused(reason: str) -> str:
    return f"⚠️ {reason}"


OWNER_ACTION_WORDS = {
    OwnerAction.ADD_PRODUCTS: N_("add products"),
    OwnerAction.EDIT_PRODUCTS: N_("edit products"),
    OwnerAction.ATTACH_BARCODES: N_("attach barcodes"),
    OwnerAction.DELETE_PRODUCTS: N_("delete products"),
    OwnerAction.RESTORE_PRODUCTS: N_("restore products"),
    OwnerAction.IMPORT: N_("import a spreadsheet"),
    OwnerAction.CHANGE_SETTINGS: N_("change settings"),
    OwnerAction.MUTE_ALERTS: N_("mute a product's alerts"),
    OwnerAction.SET_QUIET_HOURS: N_("set quiet hours"),
    OwnerAction.MANAGE_GROUPS: N_("manage the shop's groups"),
    OwnerAction.LINK_GROUP: N_("link a group to the shop"),
    OwnerAction.SET_PRICE: N_("change the store price"),
    OwnerAction.SEE_REPORT: N_("see the weekly report"),
    OwnerAction.MANAGE_TEAM: N_("manage the team"),
    OwnerAction.REMOVE_MEMBERS: N_("remove members"),
    OwnerAction.CHANGE_ROLES: N_("change roles"),
    OwnerAction.INVITE: N_("invite people"),
    OwnerAction.CHANGE_LANGUAGE: N_("change the shop's language"),
}


UNDO_REFUSALS = {
    UndoRefusal.UNDO_OF_UNDO: N_("An undo cannot itself be undone; record a new movement instead."),
    UndoRefusal.NOT_YOURS: N_("You can only undo your own movements; ask an owner."),
    UndoRefusal.CHANGED_NOTHING: N_("That count changed nothing, so there is nothing to undo."),
    UndoRefusal.ALREADY_UNDONE: N_("This movement was already undone."),
    UndoRefusal.STOCK_USED: N_(
        "Cannot undo: the stock it added has since been used (only {left} of that batch left)."
    ),
}


INVALID_VALUES = {
    Invalid.NOTE_TOO_LONG: N_("A note can be at most {limit} characters."),
    Invalid.NOT_A_REMOVAL_REASON: N_("“{reason}” is not a reason to remove stock."),
    Invalid.COUNT_NEGATIVE: N_("A counted quantity cannot be negative."),
    Invalid.ADJUSTMENT_ZERO: N_("An adjustment must change the quantity."),
    Invalid.PRODUCT_NEEDS_NAME: N_("A product needs a name."),
    Invalid.THRESHOLD_NEGATIVE: N_("The low-stock threshold cannot be negative."),
    Invalid.WARNING_DAYS_RANGE: N_("The expiry warning must be between 0 and 365 days."),
    Invalid.LEAD_DAYS_RANGE: N_("The lead time must be between 0 and {limit} days."),
    Invalid.PRODUCT_NEEDS_UNIT: N_("A product needs a unit such as pcs, kg or l."),
    Invalid.SHOP_NEEDS_NAME: N_("A shop needs a name, e.g. /newshop Corner Cafe"),
    Invalid.LAST_OWNER: N_("A shop must keep at least one owner."),
    Invalid.BAD_CURRENCY: N_("A currency is a three-letter code such as EUR or USD."),
    Invalid.NEAR_EXPIRY_DAYS_RANGE: N_("Near-expiry days must be between 0 and 365."),
}

QUANTITY_NOT_POSITIVE = {
    "restock": N_("The quantity to restock must be more than 0."),
    "remove": N_("The quantity to remove must be more than 0."),
}

NEW_PRODUCT_NEEDS_NAME = N_("A product needs a name, e.g. /add oat milk cat dairy unit l")


def _value_refused(error: ValueRefused) -> str:
    if error.code is Invalid.QUANTITY_NOT_POSITIVE:
        return _(QUANTITY_NOT_POSITIVE[str(error.values["action"])])
    if error.code is Invalid.PRODUCT_NEEDS_NAME and error.values.get("adding"):
        return _(NEW_PRODUCT_NEEDS_NAME)
    return _(INVALID_VALUES[error.code]).format(**error.values)


SETTLED_REFUSALS: dict[type[DomainError], str] = {
    NotAMember: N_("You are not a member of this shop. Ask one of its owners for an invite."),
    NoActiveShop: N_(
        "You are not in a shop yet. Create one with /newshop <name> "
        "or ask an owner for an invite link."
    ),
    GroupNotLinked: N_(
        "This group is not linked to a shop yet. An owner of a shop who is an admin "
        "of this group can link it by sending /link here."
    ),
    SharedIdentity: N_(
        "I can't tell who you are: you are writing anonymously or as a channel. "
        "Write as yourself and send it again."
    ),
    ShownElsewhere: N_("That button belongs to another shop's chat. Use it in our private chat."),
    ShopNotFound: N_("That shop does not exist."),
    MovementNotFound: N_("There is no movement to undo."),
}

GROUP_ADMIN_ACTIONS = {
    GroupAction.LINK: N_("link it to a shop"),
    GroupAction.UNLINK: N_("unlink it (or an owner of its shop)"),
}

INVITE_REFUSALS = {
    InviteRefusal.UNKNOWN: N_("the code is unknown"),
    InviteRefusal.USED: N_("it was already used"),
    InviteRefusal.EXPIRED: N_("it has expired; ask the owner for a new one"),
}


def why(error: DomainError) -> str:
    """A refusal of core in this chat's words, as plain text (the sender escapes it):
    core gives a code and values; an error that has no wording here yet says its own."""
    if isinstance(error, OwnerOnly):
        action = _(OWNER_ACTION_WORDS[OwnerAction(error.action)])
        return _("Only an owner can {action}.").format(action=action)
    if isinstance(error, InsufficientStock):
        return _("Only {on_hand} of {product} on hand; cannot remove {requested}.").format(
            on_hand=plain_qty(error.on_hand, error.unit),
            product=error.product,
            requested=format_quantity(error.requested),
        )
    if isinstance(error, NothingToUndo):
        return _("You made no change in the last {hours} hours that can be undone.").format(
            hours=error.hours
        )
    if isinstance(error, UndoRefused):
        left = plain_qty(error.left, error.unit) if error.left is not None else ""
        return _(UNDO_REFUSALS[error.why]).format(left=left)
    if isinstance(error, ValueRefused):
        return _value_refused(error)
    if type(error) in SETTLED_REFUSALS:
        return _(SETTLED_REFUSALS[type(error)])
    if isinstance(error, UnitMismatch):
        mismatch = _("{product} is counted in {unit}, not {typed}: give the quantity in {unit}.")
        return mismatch.format(product=error.product, unit=error.unit, typed=error.typed)
    if isinstance(error, ProductExists):
        return _("A product called “{name}” already exists.").format(name=error.name)
    if isinstance(error, GroupAdminOnly):
        action = _(GROUP_ADMIN_ACTIONS[error.action])
        return _("Only an admin of this group can {action}.").format(action=action)
    if isinstance(error, InviteInvalid):
        return _("This invite cannot be used: {why}.").format(why=_(INVITE_REFUSALS[error.why]))
    return error.message


STEP_LOST = N_(
    "⚠️ That looks like the answer to a question I no longer have: the step expired or "
    "was lost (e.g. in a restart), so nothing was recorded. Please type the whole "
    "command, e.g. <code>/sell milk 3</code>, <code>/count milk 18</code> or "
    "<code>/restock milk 10 exp 2027-06-01</code>."
)


def unknown_command(name: str) -> str:
    return _("🤔 I don't know /{name}. /help lists what I can do.").format(name=h(name))


# Told once a minute per chat while updates fail for our own reasons (the database is
# restarting): the reply will come, late, rather than seem lost.
RETRYING = N_(
    "⏳ I'm having trouble saving right now and will keep trying — no need to send it again."
)


def recorded_unanswered(what: str | None) -> str:
    """The process handling `what` stopped after recording it and before confirming it:
    told later, so the person does not do it a second time."""
    if what is None:
        return _(
            "⚠️ I restarted before confirming your last tap or message. It was recorded: "
            "/history shows it, so there is no need to repeat it."
        )
    return _(
        "⚠️ I restarted before confirming “{what}”. It was recorded: /history shows it, "
        "so there is no need to send it again."
    ).format(what=h(shortened(what)))


UNEXPECTED_ERROR = N_(
    "😕 Something went wrong on my side and I could not finish your last request. "
    "Please check /history and try again."
)
BUTTON_EXPIRED = N_("This button is no longer valid.")


# --- movements ------------------------------------------------------------------------


def movement_done(result: MovementResult, shop: Shop, *, counted: bool) -> str:
    """Costs show where core gave them: to whoever may see them, where they may."""
    """`counted`: a stocktake set the stock (else an adjustment is a correction by an
    amount, e.g. the card's ±…)."""
    movement = result.movement
    product = result.product
    if movement is None or movement.quantity == 0:
        return _("✅ Count matches: <b>{name}</b> {on_hand}.").format(
            name=h(product.name), on_hand=qty(product.on_hand, product.unit)
        )
    amount = abs(movement.quantity)
    verb = _(REASON_VERB[movement.reason])
    if movement.reason is Reason.ADJUSTMENT:
        sign = "+" if movement.quantity > 0 else "−"
        verb = _("Counted") if counted else _("Adjusted")
        line = f"✅ {verb} <b>{h(product.name)}</b>: {sign}{qty(amount, product.unit)}"
    else:
        line = f"✅ {verb} {qty(amount, product.unit)} <b>{h(product.name)}</b>"
    details = []
    if movement.expiry:
        details.append(_("exp {day}").format(day=day(movement.expiry)))
    if movement.cost is not None:
        details.append(_("cost {money}").format(money=money(movement.cost, shop)))
    if movement.price is not None:
        details.append(_("price {money}").format(money=money(movement.price, shop)))
    if movement.reorder_date:
        details.append(_("reorder {day}").format(day=day(movement.reorder_date)))
    if details:
        line += f" ({', '.join(details)})"
    line += "\n" + _("On hand: <b>{on_hand}</b>").format(on_hand=qty(product.on_hand, product.unit))
    status_line = stock_alert_hint(product)
    if status_line:
        line += f" {status_line}"
    if result.expired_on_arrival:
        line += "\n" + _("⚠️ That expiry date is already past: this batch counts as expired.")
    if result.replayed:
        line += "\n" + _("(Already recorded — this message was processed before.)")
    return line


def stock_alert_hint(product: Product) -> str:
    status = stock_status(product)
    if status is StockStatus.LOW:
        return _("{badge} (min {threshold})").format(
            badge=_(STOCK_BADGE[status]), threshold=qty(product.threshold)
        )
    return _(STOCK_BADGE[status]) if status in STOCK_BADGE else ""


def undone(result: MovementResult) -> str:
    product = result.product
    on_hand = _("<b>{name}</b> on hand: {on_hand}.").format(
        name=h(product.name), on_hand=qty(product.on_hand, product.unit)
    )
    if result.reversed is None:  # a replay: what it reversed was said the first time
        return _("↩️ Undone. {on_hand}").format(on_hand=on_hand)
    return _("↩️ Undone: {change}.").format(change=change_of(result.reversed, product)) + (
        f"\n{on_hand}"
    )


def undo_question(movement: Movement, product: Product, shop: Shop) -> str:
    return _(
        "↩️ Undo your change of {when}: {change}?\n"
        "It is not the change you just made, so nothing is undone until you tap Undo."
    ).format(when=moment(movement.created_at, shop), change=change_of(movement, product))


def change_of(movement: Movement, product: Product) -> str:
    """A movement in a few words: `Sold 3 pcs croissant (#12)`."""
    amount = qty(abs(movement.quantity), product.unit)
    if movement.reason is Reason.ADJUSTMENT:
        sign = "+" if movement.quantity > 0 else "−"
        return _("Adjusted <b>{name}</b> by {amount} (#{id})").format(
            name=h(product.name), amount=f"{sign}{amount}", id=movement.id
        )
    verb = _(REASON_VERB[movement.reason])
    return f"{verb} {amount} <b>{h(product.name)}</b> (#{movement.id})"


# --- views ----------------------------------------------------------------------------


def inventory_line(line: InventoryLine) -> str:
    product = line.product
    text = f"• <b>{h(product.name)}</b> — {qty(product.on_hand, product.unit)}"
    if line.expiring:
        going = ", ".join(
            f"{qty(b.quantity, product.unit)} exp {day(b.expiry)}" for b in line.expiring[:3]
        )
        more = f" +{len(line.expiring) - 3} more" if len(line.expiring) > 3 else ""
        text = f"• <b>{h(product.name)}</b> — {going}{more} (of {qty(product.on_hand)} on hand)"
    elif product.earliest_expiry and product.on_hand > 0:
        text += f", exp {day(product.earliest_expiry)}"
    if line.pace is not None and line.pace.days_left is not None and product.on_hand > 0:
        text += f", ≈ {days_left(line.pace.days_left)}"
    badge = badges(line.status)
    return f"{text} {badge}" if badge else text


FILTER_TITLE = {
    "all": N_("Inventory"),
    "low": N_("Low and out of stock"),
    "out": N_("Out of stock"),
    "expiring": N_("Near expiry"),
    "expired": N_("Expired"),
}


def inventory_page(page: InventoryPage) -> str:
    query = page.query
    title = _(FILTER_TITLE[query.status.value])
    if query.category:
        title += f" · {h(query.category)}"
    count = ngettext("{count} product", "{count} products", page.total).format(count=page.total)
    header = f"📦 <b>{title}</b> — {count}"
    if page.total == 0:
        return (
            f"{header}\n" + _("Nothing here. 🎉")
            if query.status.value != "all"
            else f"{header}\n" + _("No products yet. Owners add them with <code>/add name</code>.")
        )
    body = "\n".join(inventory_line(line) for line in page.lines)
    footer = "\n" + _("Page {page}/{pages} · sorted by {sort}").format(
        page=query.page + 1, pages=page.pages, sort=query.sort.value
    )
    return f"{header}\n{body}{footer if page.pages > 1 else ''}"


def dashboard(board: Dashboard) -> str:
    def box(icon: str, title: str, shown: DashboardBox) -> str:
        if not shown.count:
            return f"{icon} <b>{title}: 0</b>"
        names = ", ".join(h(line.product.name) for line in shown.first)
        more = f" +{shown.count - len(shown.first)} more" if shown.count > len(shown.first) else ""
        return f"{icon} <b>{title}: {shown.count}</b>\n   {names}{more}"

    products = ngettext("{count} product", "{count} products", board.products).format(
        count=board.products
    )
    return "\n".join(
        [
            f"🏠 <b>{h(board.shop.name)}</b> — {day(board.today)}, {products}",
            box("🟠", _("Low and out of stock"), board.low),
            box("🔴", _("Out of stock"), board.out),
            box("🟠", _("Near expiry"), board.near_expiry),
            box("🔴", _("Expired"), board.expired),
            takings(board.takings, board.shop),
        ]
    )


def takings(taken: Takings, shop: Shop) -> str:
    text = _("💶 Sales today: <b>{today}</b> · this week: {week}").format(
        today=money(taken.today, shop), week=money(taken.this_week, shop)
    )
    if taken.stock_at_cost is not None:
        text += "\n" + _("📦 Stock at cost: {value}").format(value=money(taken.stock_at_cost, shop))
    return text


def product_card(card: ProductCard) -> str:
    product, shop = card.product, card.shop
    lines = [
        f"📦 <b>{h(product.name)}</b>" + (f" · {h(product.category)}" if product.category else "")
    ]
    on_hand = _("On hand: <b>{on_hand}</b>").format(on_hand=qty(product.on_hand, product.unit))
    if product.threshold > 0:
        on_hand += _(" (min {threshold})").format(threshold=qty(product.threshold))
    badge = badges(card.status)
    lines.append(f"{on_hand} {badge}".rstrip())
    if card.batches:
        lines.append(_("Batches (first to go first):"))
        for batch in card.batches[:8]:
            expiry = (
                _("exp {day}").format(day=day(batch.expiry)) if batch.expiry else _("no expiry")
            )
            mark = ""
            if batch.expiry and batch.expiry < card.today:
                mark = " 🔴"
            lines.append(f"  • {qty(batch.quantity, product.unit)}, {expiry}{mark}")
        if len(card.batches) > 8:
            lines.append("  • " + _("… and {more} more").format(more=len(card.batches) - 8))
    prices = _("Price: {money}").format(money=money(product.price, shop))
    if card.shows_costs:
        prices += " · " + _("Cost: {money}").format(money=money(product.cost, shop))
    lines.append(prices)
    if product.reorder_date:
        lines.append(_("Reorder: {day}").format(day=day(product.reorder_date)))
    if product.supplier:
        lines.append(_("Supplier: {supplier}").format(supplier=h(product.supplier)))
    if product.barcodes:
        lines.append(_("Barcode: {codes}").format(codes=", ".join(h(b) for b in product.barcodes)))
    if card.pace is not None and product.on_hand > 0:
        lines.append(pace_line(card.pace, product.unit))
    return "\n".join(lines)


PACE_MISSING = {
    NoEstimate.NEW: N_("Days left: not enough history yet (under a week)"),
    NoEstimate.FEW_SALES: N_("Days left: too few sales yet to tell"),
    NoEstimate.NOT_SELLING: N_("Days left: no sales in the last 28 days"),
}


def pace_line(pace: Velocity, unit: str) -> str:
    if pace.per_day is None or pace.days_left is None:
        return _(PACE_MISSING[pace.missing or NoEstimate.FEW_SALES])
    per_day = format_quantity(Decimal(str(round(pace.per_day, 1))))
    return _("⏳ ≈ {left} (selling ~{per_day} {unit}/day)").format(
        left=days_left(pace.days_left), per_day=per_day, unit=h(unit)
    )


def days_left(days: int) -> str:
    if days < 1:
        return _("under a day left")
    return ngettext("{days} day left", "{days} days left", days).format(days=days)


def products_list(products: list[Product], shop: Shop, category: str | None) -> str:
    title = _("🧺 <b>Products</b>") + (f" · {h(category)}" if category else "")
    if not products:
        return f"{title}\n" + _("None yet. Owners add them with <code>/add name</code>.")
    rows = []
    for product in products:
        extra = f" · {h(product.category)}" if product.category and not category else ""
        price = f" · {money(product.price, shop)}" if product.price is not None else ""
        rows.append(f"• {h(product.name)} ({h(product.unit)}){extra}{price}")
    return f"{title} — {len(products)}\n" + "\n".join(rows)


def history(entries: list[HistoryEntry], shop: Shop, product: Product | None) -> str:
    title = _("🧾 <b>History</b>") + (f" · {h(product.name)}" if product else "")
    if product is not None and product.archived:
        title += " " + _("(archived)")
    if not entries:
        return f"{title}\n" + _("No movements yet.")
    rows = [title]
    for entry in entries:
        rows.append(history_line(entry, shop))
    return "\n".join(rows)


# A movement's reason as a history line names it (the English is the stored value).
REASON_WORD = {
    Reason.RESTOCK: N_("restock"),
    Reason.SALE: N_("sale"),
    Reason.DAMAGE: N_("damage"),
    Reason.EXPIRED: N_("expired"),
    Reason.ADJUSTMENT: N_("adjustment"),
    Reason.RETURN: N_("return"),
    Reason.UNDO: N_("undo"),
    Reason.IMPORT: N_("import"),
}


def history_line(entry: HistoryEntry, shop: Shop) -> str:
    movement: Movement = entry.movement
    if movement.quantity == 0:  # only a stocktake that matched the books records nothing
        change = f"<b>{h(entry.product_name)}</b> {_(COUNT_MATCHED)}"
    else:
        sign = "+" if movement.quantity > 0 else "−"
        reason = (
            _(REASON_WORD[movement.reason])
            if movement.counted is None
            else _("counted {figure}").format(figure=qty(movement.counted, entry.unit))
        )
        change = (
            f"{sign}{qty(abs(movement.quantity), entry.unit)} <b>{h(entry.product_name)}</b> "
            f"{reason}"
        )
    text = f"#{movement.id} {moment(movement.created_at, shop)} {change} · {h(entry.user_name)}"
    if movement.sale_price is not None:
        text += " · " + _("{price} each").format(price=money(movement.sale_price, shop))
    if movement.note:
        text += f" · “{h(movement.note)}”"
    if entry.undone:
        text = _("<s>{line}</s> (undone)").format(line=text)
    return text


def team(members: list[Member], shop: Shop) -> str:
    rows = [_("👥 <b>Team of {shop}</b>").format(shop=h(shop.name))]
    for member in members:
        rows.append(f"• {h(member.name or str(member.user_id))} — {_(ROLE_NAME[member.role])}")
    rows.append(_("Invite more with /invite (staff) or /invite owner."))
    return "\n".join(rows)


def settings_text(shop: Shop, quiet: AlertSettings, *, owner: bool = True) -> str:
    dates = _("day first (01.06.2026)") if shop.day_first else _("month first (06/01/2026)")
    text = _(
        "⚙️ <b>Settings of {shop}</b>\n"
        "Timezone: {timezone}\nCurrency: {currency}\n"
        "Near-expiry window: {days} days\n"
        "Daily alert time: {time}\n"
        "Dates: {dates}"
    ).format(
        shop=h(shop.name),
        timezone=shop.timezone,
        currency=shop.currency,
        days=shop.near_expiry_days,
        time=shop.alert_time.strftime("%H:%M"),
        dates=dates,
    )
    if quiet.quiet_start is None or quiet.quiet_end is None:
        text += "\n" + _("Quiet hours: off")
    else:
        text += "\n" + _("Quiet hours: {start}–{end}").format(
            start=quiet.quiet_start.strftime("%H:%M"), end=quiet.quiet_end.strftime("%H:%M")
        )
    if not owner:
        return f"{text}\n\n" + _("Only an owner can change these.")
    return f"{text}\n\n" + _(
        "Change one with the buttons or e.g. "
        "<code>/settings timezone Europe/Berlin</code>, <code>/settings expiry 5</code>, "
        "<code>/settings alert 07:30</code>, <code>/settings currency USD</code>, "
        "<code>/settings dates month-first</code>. Alerts: /alerts, /quiet, /mute."
    )


def utf16_length(text: str) -> int:
    """Telegram's measure of a text: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


MORE_NOT_SHOWN = N_("… (more not shown)")


def truncate(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` cut at a line break to fit Telegram's limit. Counted on the HTML as sent,
    which is never shorter than what Telegram counts (tags and entities only shrink
    when parsed), and lines are cut whole, so no tag is left open."""
    if utf16_length(text) <= limit:
        return text
    more = "\n" + _(MORE_NOT_SHOWN)
    room = limit - utf16_length(more)
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        used += utf16_length(line) + 1
        if used > room:
            break
        kept.append(line)
    return "\n".join(kept) + more


def toast(text: str) -> str:
    """A callback answer's text fitted to Telegram's 200 characters."""
    if utf16_length(text) <= MAX_TOAST:
        return text
    cut = text[: MAX_TOAST - 1]
    while utf16_length(cut) > MAX_TOAST - 1:
        cut = cut[:-1]
    return cut + "…"


def quoted(value: str) -> str:
    """Someone's input quoted back in a reply: escaped, and shortened, since it may be
    as long as a whole message."""
    return f"“{h(shortened(value))}”"


# --- guided steps and prompts ---------------------------------------------------------

ASK_REPLY = N_("<i>Reply to this message, or /cancel.</i>")
# What a stock command asks for when the quantity is missing, by command (or the card's
# custom amount, `PromptKind.AMOUNT`).
QUANTITY_PROMPT = {
    "restock": N_(
        "How many {unit} of <b>{name}</b> arrived? You may add "
        "<code>exp 20 dec</code>, <code>cost 1.20</code>, <code>price 2.00</code>."
    ),
    "sell": N_("How many {unit} of <b>{name}</b> were sold?"),
    "remove": N_("How many {unit} of <b>{name}</b> to remove?"),
    "count": N_("How many {unit} of <b>{name}</b> did you count?"),
    PromptKind.AMOUNT.value: N_(
        "By how much? e.g. <code>+3</code> or <code>-2</code> ({unit} of <b>{name}</b>)"
    ),
}
PRODUCT_PROMPT = N_("Which product? Type its name and quantity, e.g. <code>milk 20</code>.")
SIGNED_QUANTITY_USAGE = N_("+3 or -2")
REASON_USAGE = N_("damage, expired, adjustment, sale or return")


STOCKTAKE_USAGE = N_("the number you counted, e.g. 12, or skip; /cancel stops the count")
SKIP_WORD = "skip"
SKIP_BUTTON = N_("⏭ Skip")
STOP_BUTTON = N_("✖️ Stop")


def stocktake_prompt(category: str, position: int, total: int, product: Product) -> str:
    return _(
        "🧮 Counting <b>{category}</b> · {position} of {total}\n"
        "How many {unit} of <b>{name}</b> are there? (a number, or skip)"
    ).format(
        category=h(category),
        position=position,
        total=total,
        unit=h(product.unit),
        name=h(product.name),
    )


def stocktake_skipped(product: Product) -> str:
    return _("⏭ Skipped <b>{name}</b>.").format(name=h(product.name))


def stocktake_done(category: str, counted: int, total: int) -> str:
    return ngettext(
        "🧮 Count of <b>{category}</b> done: {counted} of {total} products counted.",
        "🧮 Count of <b>{category}</b> done: {counted} of {total} products counted.",
        total,
    ).format(category=h(category), counted=counted, total=total)


def quantity_prompt(command: str, product: Product) -> str:
    return _(QUANTITY_PROMPT[command]).format(unit=h(product.unit), name=h(product.name))


def why_leaving(quantity: Decimal, product: Product) -> str:
    return _("Why are {amount} of <b>{name}</b> leaving?").format(
        amount=qty(quantity, product.unit), name=h(product.name)
    )


def not_a_reason(reason: str) -> str:
    return _("{reason} is not a reason.").format(reason=quoted(reason))


def did_you_mean(name: str) -> str:
    return _("🤔 No product called {name}. Did you mean:").format(name=quoted(name))


def batch_report_header(applied: int, lines: int) -> str:
    return ngettext(
        "📋 <b>{applied} of {lines} lines applied</b>",
        "📋 <b>{applied} of {lines} lines applied</b>",
        lines,
    ).format(applied=applied, lines=lines)


def batch_line_unreadable(line: int | None, message: str) -> str:
    return _("❌ Line {line}: {problem}").format(line=line, problem=h(message))


def line_needs_reason() -> str:
    return _("say why it leaves: {reasons}, e.g. milk 2 damage.").format(reasons=_(REASON_USAGE))


def batch_line_refused(name: str, why: str) -> str:
    return f"❌ {h(shortened(name))}: {h(why)}"


UNDONE_TOAST = N_("Undone")
CHOICE_NOT_YOURS = N_("This choice belongs to someone else's command.")


# --- the catalog ----------------------------------------------------------------------

NAME_PROMPT = N_(
    "What is the new product called? You can add details too, e.g. "
    "<code>oat milk cat dairy unit l min 5 price 2.40</code>."
)
PRODUCT_NEEDS_NAME = N_("The product needs a name.")
WHICH_PRODUCT = N_("Which product?")
SEND_A_VALUE = N_("Send a value.")
FIELD_PROMPT = {
    EditableField.NAME: N_("Send the new name."),
    EditableField.CATEGORY: N_("Send the category, e.g. dairy."),
    EditableField.UNIT: N_("Choose or type the unit."),
    EditableField.THRESHOLD: N_("Send the low-stock threshold (reorder point), e.g. 5."),
    EditableField.PRICE: N_("Send the store price, e.g. 2.40."),
    EditableField.COST: N_("Send the supplier price, e.g. 1.10."),
    EditableField.BARCODE: N_("Send the barcode."),
    EditableField.SUPPLIER: N_("Send the supplier's name."),
    EditableField.WARNING_DAYS: N_("Warn how many days before expiry? e.g. 3"),
    EditableField.LEAD_DAYS: N_("How many days from ordering to delivery? e.g. 5"),
}
FIELD_LABEL = {
    EditableField.NAME: N_("Name"),
    EditableField.CATEGORY: N_("Category"),
    EditableField.UNIT: N_("Unit"),
    EditableField.THRESHOLD: N_("Min (low at)"),
    EditableField.PRICE: N_("Price"),
    EditableField.COST: N_("Cost"),
    EditableField.BARCODE: N_("Barcode"),
    EditableField.SUPPLIER: N_("Supplier"),
    EditableField.WARNING_DAYS: N_("Expiry warning days"),
    EditableField.LEAD_DAYS: N_("Lead time (days)"),
}


def product_added(product: Product) -> str:
    return _(
        "✅ Added <b>{name}</b> ({unit}). Restock it with <code>/restock {name} 10</code>."
    ).format(name=h(product.name), unit=h(product.unit))


def editing(product: Product) -> str:
    return _("✏️ Editing <b>{name}</b>. What should change?").format(name=h(product.name))


def product_saved(product: Product) -> str:
    return _("✅ Saved <b>{name}</b>. Anything else?").format(name=h(product.name))


def ask_archive(product: Product) -> str:
    question = _(
        "🗑 Archive <b>{name}</b>? It leaves the catalog and lists; its history stays."
    ).format(name=h(product.name))
    if product.on_hand > 0:
        question += "\n" + _(
            "⚠️ It still has {on_hand} on hand: that stock leaves the lists with it "
            "(restoring the product brings it back)."
        ).format(on_hand=qty(product.on_hand, product.unit))
    return question


ARCHIVED_TOAST = N_("Archived")


def offer_restore(name: str) -> str:
    return _(
        "🗄 <b>{name}</b> is archived. Restore it, with its stock and history? "
        "(To start afresh instead, add it under another name.)"
    ).format(name=h(name))


def restore_button(name: str) -> str:
    return _("♻️ Restore {name}").format(name=shortened(name, 40))


def restored(product: Product) -> str:
    return _("♻️ <b>{name}</b> restored, with {on_hand} on hand and its history.").format(
        name=h(product.name), on_hand=qty(product.on_hand, product.unit)
    )


def archived(product: Product) -> str:
    return _("🗑 <b>{name}</b> archived. Its history stays.").format(name=h(product.name))


# --- shops, team, settings ------------------------------------------------------------

NEWSHOP_USAGE = N_("/newshop <name>, e.g. /newshop Corner Cafe")
SHOP_NEEDS_NAME = N_("Give the shop a name.")
SHOP_NAME_PROMPT = N_("What is the new shop called? e.g. <code>Corner Cafe</code>")
CARD_PROMPT = N_("Which product? Type its name (or a barcode).")
INVITE_USAGE = N_("/invite [owner]")
SETTINGS_USAGE = N_(
    "/settings timezone <Area/City> | currency <code> | expiry <days> | alert <HH:MM> | "
    "dates day-first|month-first | quiet 22:00-07:00|off"
)
SAY_WHICH_SETTING = N_("Say which setting and its new value.")
CHOOSE_DATE_ORDER = N_("Choose day-first or month-first.")


def comma_or_thousands(typed: str, thousands: str, decimal: str) -> str:
    """`1,000` reads as a thousand and as 1 with a decimal comma: ask which is meant."""
    point = typed.replace(",", ".")
    return (
        f"Is “{typed}” {thousands} or {decimal}? For {thousands}, write it without the comma; "
        f"for {decimal}, write {point} with a point."
    )


def date_in_other_order(typed: str, *, day_first: bool) -> str:
    """A date that only makes sense read the other way round (`12/25/2026` in a shop that
    reads day first): say how the shop reads dates and where that is changed."""
    if day_first:
        return (
            f"“{typed}” is not a date here: this shop reads dates day first (25/12/2026). "
            "For month first, an owner can send /settings dates month-first."
        )
    return (
        f"“{typed}” is not a date here: this shop reads dates month first (12/25/2026). "
        "For day first, an owner can send /settings dates day-first."
    )


DATE_ORDER_CHOICES = (("day-first", "01.06.2026"), ("month-first", "06/01/2026"))
SETTING_PROMPTS = {
    SettingsField.TIMEZONE: N_("Send the shop's timezone, e.g. <code>Europe/Berlin</code>."),
    SettingsField.CURRENCY: N_("Send the currency code, e.g. <code>EUR</code>."),
    SettingsField.NEAR_EXPIRY_DAYS: N_("How many days before expiry should I warn? e.g. 7"),
    SettingsField.ALERT_TIME: N_("At what time should the daily alert come? e.g. 08:00"),
    SettingsField.DATE_ORDER: N_("How do you write dates?"),
    SettingsField.QUIET_HOURS: N_(
        "When should alerts wait? e.g. <code>22:00-07:00</code>, or <code>off</code>."
    ),
}
SETTINGS_LABELS = {
    SettingsField.TIMEZONE: N_("🌍 Timezone"),
    SettingsField.CURRENCY: N_("💱 Currency"),
    SettingsField.NEAR_EXPIRY_DAYS: N_("⌛ Near-expiry days"),
    SettingsField.ALERT_TIME: N_("⏰ Alert time"),
    SettingsField.DATE_ORDER: N_("📅 Date order"),
    SettingsField.QUIET_HOURS: N_("🌙 Quiet hours"),
}


def not_a_role(word: str) -> str:
    return f"{quoted(word)} is not a role."


def member_name(member: Member) -> str:
    return member.name or str(member.user_id)


def member_removed(member: Member) -> str:
    return _("Removed {name}.").format(name=member_name(member))


def role_changed(member: Member) -> str:
    return _("{name} is now {role}.").format(
        name=member_name(member), role=_(ROLE_NAME[member.role])
    )


def your_shops(choices: list[tuple[Shop, Member]]) -> str:
    lines = [f"• {h(shop.name)} ({_(ROLE_NAME[member.role])})" for shop, member in choices]
    return _("🏪 <b>Your shops</b>") + "\n" + "\n".join(lines)


def now_working_in(shop: Shop) -> str:
    return _("Now working in {shop}.").format(shop=shop.name)


def settings_saved(shop: Shop, quiet: AlertSettings) -> str:
    return _("✅ Saved.") + "\n\n" + settings_text(shop, quiet)


# --- looking and exporting ------------------------------------------------------------

STOCK_USAGE = N_("/stock <name>, e.g. /stock milk")


def chart_title(product: Product, first: datetime, last: datetime) -> str:
    """Plain text (matplotlib draws it); `first` and `last` on the shop's clock."""
    heading = _("{name} — on hand ({unit})").format(name=product.name, unit=product.unit)
    if first.date() == last.date():
        span = f"{_chart_day(first, year=True)}, {first:%H:%M}–{last:%H:%M}"
    elif first.year == last.year:
        span = f"{_chart_day(first, year=False)} – {_chart_day(last, year=True)}"
    else:
        span = f"{_chart_day(first, year=True)} – {_chart_day(last, year=True)}"
    return f"{heading}\n{span}"


def _chart_day(value: datetime, *, year: bool) -> str:
    if i18n.current() == i18n.SOURCE:
        return value.strftime("%-d %b %Y" if year else "%-d %b")
    return i18n.short_day(value.date()) + (f" {value.year}" if year else "")


def chart_threshold(product: Product) -> str:
    return _("low at {amount} {unit}").format(
        amount=f"{product.threshold.normalize():f}", unit=product.unit
    )


def chart_caption(product: Product, days: int) -> str:
    return ngettext("📈 {name}: last {days} days", "📈 {name}: last {days} days", days).format(
        name=h(product.name), days=days
    )


EXPORT_PREPARING = N_("⏳ Preparing the export…")
EXPORT_READY = N_("✅ Export ready.")
EXPORT_STOCK_CAPTION = N_("📦 Stock snapshot")


# English says "movements" even for one (the same words as before); Russian needs its forms.
def export_progress(rows: int) -> str:
    return ngettext(
        "⏳ Preparing the export… {rows} movements so far",
        "⏳ Preparing the export… {rows} movements so far",
        rows,
    ).format(rows=rows)


def export_ledger_caption(rows: int) -> str:
    return ngettext("🧾 Ledger: {rows} movements", "🧾 Ledger: {rows} movements", rows).format(
        rows=rows
    )


# --- button labels --------------------------------------------------------------------

CANCEL_BUTTON = N_("✖️ Cancel")
DONE_BUTTON = N_("✔️ Done")
EDIT_DONE_TOAST = N_("Done")
COUNT_MATCHED = N_("count matched")
CARD_BUTTON = N_("📦 Card")
UNDO_BUTTON = N_("↩️ Undo")
UNDO_ALL_BUTTON = N_("↩️ Undo all")
CUSTOM_AMOUNT_BUTTON = "±…"
SELL_BUTTON = N_("💶 Sell…")
RESTOCK_BUTTON = N_("📥 Restock…")
COUNT_BUTTON = N_("🧮 Count…")
HISTORY_BUTTON = N_("🧾 History")
CHART_BUTTON = N_("📈 Chart")
REFRESH_BUTTON = N_("🔄 Refresh")
OLDER_BUTTON = N_("Older ›")
ALL_STOCK_BUTTON = N_("📦 All stock ›")
ARCHIVE_YES_BUTTON = N_("🗑 Yes, archive it")
KEEP_BUTTON = N_("✖️ Keep")
SORT_LABELS = {"name": N_("A–Z"), "qty": N_("Qty"), "expiry": N_("Expiry"), "days": N_("Days left")}
REASON_BUTTONS = (
    (Reason.SALE, N_("💶 Sale")),
    (Reason.DAMAGE, N_("💥 Damage")),
    (Reason.EXPIRED, N_("⌛ Expired")),
    (Reason.ADJUSTMENT, N_("🧮 Adjustment")),
    (Reason.RETURN, N_("↩️ Return")),
)
DASHBOARD_LOW_BUTTON = N_("🟠 Low")
DASHBOARD_OUT_BUTTON = N_("🔴 Out")
DASHBOARD_NEAR_EXPIRY_BUTTON = N_("🟠 Near expiry")
DASHBOARD_EXPIRED_BUTTON = N_("🔴 Expired")


def undo_button(label: str = "") -> str:
    return f"{UNDO_BUTTON} {label}".strip()


def undo_movement_button(movement_id: int) -> str:
    return f"↩️ #{movement_id}"


def product_button(product: Product) -> str:
    return f"📦 {product.name}"


def view_button(label: str, count: int) -> str:
    return f"{label} ({count}) ›"


def role_button(member: Member, role: Role) -> str:
    return f"Make {member_name(member)} {role.value}"


def remove_member_button(member: Member) -> str:
    return f"🚫 Remove {member_name(member)}"


def shop_button(shop: Shop, active: bool) -> str:
    return ("✅ " if active else "") + shop.name


# --- alerts ---------------------------------------------------------------------------

SECTION_LINES = 10  # lines per digest section before "… and N more"

KIND_LABEL = {
    AlertKind.LOW: N_("Low stock"),
    AlertKind.OUT: N_("Out of stock"),
    AlertKind.EXPIRY: N_("Expired and expiring"),
    AlertKind.REORDER: N_("Reorder dates"),
}
REORDER_REASON_LABEL = {
    "out": N_("out"),
    "low": N_("low"),
    "reorder_due": N_("reorder date due"),
    "running_out": N_("runs out within its lead time"),
}
NO_SUGGESTION = N_("too few sales to suggest an amount")
ALERT_RESTOCK_BUTTON = N_("📦 Restock…")
ALERT_CARD_BUTTON = N_("🗂 Open card")
SNOOZE_BUTTON = N_("😴 Snooze 1 day")
ORDERED_BUTTON = N_("✅ Ordered")
WRITE_OFF_BUTTON = N_("🗑 Write off expired")
VIEW_EXPIRED_BUTTON = N_("View expired")
VIEW_EXPIRING_BUTTON = N_("View expiring")
VIEW_OUT_BUTTON = N_("View out")
VIEW_LOW_BUTTON = N_("View low")
REORDER_LIST_BUTTON = N_("🧾 Reorder list")
QUIET_USAGE = N_("Use: /quiet 22:00-07:00, or /quiet off")
MUTE_USAGE = N_("Use: /mute <product> or /unmute <product>")


def crossing_text(alert: CrossingAlert) -> str:
    product = alert.product
    name = f"<b>{h(product.name)}</b>"
    if alert.kind is AlertKind.OUT:
        head = _("🔴 {name} is out of stock.").format(name=name)
    else:
        head = _("🟠 {name} is running low: {on_hand} left (reorder point {threshold}).").format(
            name=name,
            on_hand=qty(alert.on_hand, product.unit),
            threshold=qty(product.threshold, product.unit),
        )
    reminder = _("⏰ Reminder, snoozed yesterday.") + "\n" if alert.reminder else ""
    supplier = (
        "\n" + _("Supplier: {supplier}").format(supplier=h(product.supplier))
        if product.supplier
        else ""
    )
    return f"{reminder}{head}{supplier}\n<i>{h(alert.shop.name)}</i>"


def _section(title: str, lines: list[str]) -> str:
    shown = lines[:SECTION_LINES]
    more = len(lines) - len(shown)
    tail = [_("… and {more} more").format(more=more)] if more else []
    return "\n".join([f"<b>{title} ({len(lines)})</b>", *shown, *tail])


def _batch_line(line: BatchLine, verb: str) -> str:
    product, batch = line.product, line.batch
    return f"• {h(product.name)} — {qty(batch.quantity, product.unit)}, {verb} {day(batch.expiry)}"


def _product_line(product: Product, extra: str = "") -> str:
    return f"• {h(product.name)}{extra}"


def digest_text(digest: Digest) -> str:
    sections = [f"☀️ <b>{h(digest.shop.name)}</b> — {day(digest.day)}"]
    if digest.expired:
        expired = [_batch_line(x, _("expired")) for x in digest.expired]
        sections.append(_section(_("🔴 Expired"), expired))
    if digest.expiring:
        expiring = [_batch_line(x, _("good until")) for x in digest.expiring]
        sections.append(_section(_("🟠 Expiring soon"), expiring))
    if digest.out:
        sections.append(_section(_("🔴 Out of stock"), [_product_line(p) for p in digest.out]))
    if digest.low:
        lines = [
            _product_line(
                p,
                _(" — {on_hand} (min {threshold})").format(
                    on_hand=qty(p.on_hand, p.unit), threshold=qty(p.threshold, p.unit)
                ),
            )
            for p in digest.low
        ]
        sections.append(_section(_("🟠 Low stock"), lines))
    if digest.running_out:
        lines = [
            _product_line(
                r.product,
                _(" — {on_hand}, ≈ {left} (delivery takes {lead} d)").format(
                    on_hand=qty(r.product.on_hand, r.product.unit),
                    left=days_left(r.days_left),
                    lead=r.lead_days,
                ),
            )
            for r in digest.running_out
        ]
        sections.append(_section(_("⏳ Runs out before a delivery would come"), lines))
    if digest.reorder_due:
        lines = [
            _product_line(p, _(" — since {day}").format(day=day(p.reorder_date)))
            for p in digest.reorder_due
        ]
        sections.append(_section(_("📅 Time to reorder"), lines))
    return "\n\n".join(sections)


def reorder_text(found: ReorderList) -> str:
    if found.is_empty:
        return _("🧾 Nothing to reorder: everything is above its reorder point.")
    parts = [_("🧾 <b>Reorder list</b> — {shop}").format(shop=h(found.shop.name))]
    for group in found.groups:
        supplier = h(group.supplier) if group.supplier else _("No supplier")
        lines = [f"<b>{supplier}</b>"]
        for line in group.lines:
            p = line.product
            why = ", ".join(_(REORDER_REASON_LABEL[r]) for r in line.reasons)
            ordered = " · " + _("✅ ordered") if line.ordered else ""
            order = (
                _("order ≈ {amount}").format(amount=qty(line.suggested, p.unit))
                if line.suggested is not None
                else _(NO_SUGGESTION)
            )
            left = f", ≈ {days_left(line.days_left)}" if line.days_left is not None else ""
            minimum = _("min {threshold}").format(threshold=qty(p.threshold, p.unit))
            lines.append(
                f"• {h(p.name)} — {qty(p.on_hand, p.unit)}{left} "
                f"({minimum}; {why}){ordered}\n   → {order}"
            )
        parts.append("\n".join(lines))
    parts.append(
        _(
            "Amounts cover the lead time (set with /edit, default {days} days) and two weeks "
            "more at the recent pace, up to the minimum. Tap “Received” when a delivery comes "
            "in to record the restock."
        ).format(days=DEFAULT_LEAD_DAYS)
    )
    return truncate("\n\n".join(parts))


def received_button(product: Product) -> str:
    return _("📦 Received: {name}").format(name=product.name[:24])


def preferences_text(prefs: AlertPreferences) -> str:
    lines = [_("🔔 <b>Your alerts</b> — {shop}").format(shop=h(prefs.shop.name))]
    for kind in AlertKind:
        mark = "✅" if kind in prefs.kinds else "▫️"
        lines.append(f"{mark} {_(KIND_LABEL[kind])}")
    lines.append(
        _("Daily digest at {time} shop time.").format(time=prefs.shop.alert_time.strftime("%H:%M"))
    )
    if prefs.is_owner:
        settings = prefs.settings
        if settings.quiet_start and settings.quiet_end:
            quiet = (
                f"{settings.quiet_start.strftime('%H:%M')}–{settings.quiet_end.strftime('%H:%M')}"
            )
            lines.append(
                _("Quiet hours: {hours} (pushes wait until they end).").format(hours=quiet)
            )
        else:
            lines.append(_("Quiet hours: off. Set with <code>/quiet 22:00-07:00</code>."))
        if prefs.muted:
            names = ", ".join(h(p.name) for p in prefs.muted)
            lines.append(_("Muted products: {names}").format(names=names))
        lines.append(_("Mute a product with <code>/mute &lt;name&gt;</code>."))
    return "\n".join(lines)


def toggle_kind_button(kind: AlertKind, enabled: bool) -> str:
    label = _(KIND_LABEL[kind])
    return (_("Turn off: {kind}") if enabled else _("Turn on: {kind}")).format(kind=label)


def unmute_button(product: Product) -> str:
    return _("🔔 Unmute {name}").format(name=product.name[:24])


def snoozed(until_text: str) -> str:
    return _("😴 Snoozed. I'll remind you {until} if it is still short.").format(until=until_text)


def ordered(product: Product) -> str:
    return _("✅ {name} marked as ordered; its alerts resume after the next restock.").format(
        name=product.name
    )


def written_off(count: int) -> str:
    if count == 0:
        return _("Nothing expired to write off.")
    return ngettext(
        "🗑 Wrote off expired stock of {count} product.",
        "🗑 Wrote off expired stock of {count} products.",
        count,
    ).format(count=count)


def muted(product: Product, is_muted: bool) -> str:
    text = _("🔕 Alerts for {name} muted.") if is_muted else _("🔕 Alerts for {name} unmuted.")
    return text.format(name=h(product.name))


def quiet_set(prefs_start: str | None, prefs_end: str | None) -> str:
    if prefs_start is None:
        return _("🔔 Quiet hours are off.")
    return _("🌙 Quiet hours {start}–{end}: pushes wait until they end.").format(
        start=prefs_start, end=prefs_end
    )


# The Mini App (webapp/): its menu button and the "Open app" buttons under views.
OPEN_APP_MENU = "Open app"
OPEN_APP_BUTTON = N_("📱 Open app")
MINIAPP_CONSOLE_LINK = "Mini App (logs you in as {name}): {url}"


# --- who and where: shared identities, groups, private answers --------------------------

SENT_PRIVATELY = N_("📩 I sent it to you in our private chat.")
ANONYMOUS_ADMIN = N_(
    "🙈 You are writing as the group's anonymous admin, so I can't tell which person "
    "you are — and stock, roles and shops belong to people. Turn off “Remain anonymous” "
    "(group info → Administrators → you), then send it again. Or write to me in private."
)
AS_CHANNEL = N_(
    "📢 You are writing as a channel, so I can't tell which person you are. Choose to "
    "write as yourself (tap the picture next to the message field and pick your own "
    "account), then send it again."
)


def open_private_chat(bot_username: str) -> str:
    return _(
        "I can't write to you privately yet. Open t.me/{bot}, press Start, then try again."
    ).format(bot=bot_username)


def group_linked(shop: Shop, moved_from: Shop | None) -> str:
    head = (
        _("✅ This group moved from <b>{old}</b> to <b>{shop}</b>.").format(
            old=h(moved_from.name), shop=h(shop.name)
        )
        if moved_from is not None
        else _("✅ This group is now linked to <b>{shop}</b>.").format(shop=h(shop.name))
    )
    rules = _(
        "Members of {shop} can work here: /stock, /sell, /restock, "
        "/dashboard…; anyone else is refused. Everyone in this group reads the stock I "
        "post here (costs, the team and invite links go to people privately); I show no "
        "other shop here. An owner or a group admin can /unlink it."
    ).format(shop=h(shop.name))
    return f"{head}\n{rules}"


def group_already_linked(shop: Shop) -> str:
    return _("This group is already linked to <b>{shop}</b>.").format(shop=h(shop.name))


def group_unlinked(shop: Shop) -> str:
    return _(
        "✅ This group is no longer linked to <b>{shop}</b>; I will not show its "
        "stock here. An owner of a shop who is an admin here can /link it again."
    ).format(shop=h(shop.name))


LINK_IN_THE_GROUP = N_(
    "Send /link in the group itself (you must be an admin there and an owner of the "
    "shop). It links the shop you are working in; <code>/link Shop name</code> picks "
    "another of yours."
)


def linked_groups(shop: Shop, titles: list[str]) -> str:
    if not titles:
        alone = _("<b>{shop}</b> is linked to no group.").format(shop=h(shop.name))
        return f"{alone} {_(LINK_IN_THE_GROUP)}"
    heading = _("👥 <b>Groups of {shop}</b>").format(shop=h(shop.name))
    rows = [heading, *(f"• {h(t)}" for t in titles)]
    rows.append(_("Tap one to unlink it, or send /unlink in the group."))
    return "\n".join(rows)


UNLINKED_TOAST = N_("✅ Unlinked")


def unlink_button(title: str) -> str:
    return _("✖️ Unlink {title}").format(title=title)[:64]


def group_title(chat_id: int, title: str | None) -> str:
    return title or _("group {id}").format(id=chat_id)


def shop_created_in_group(shop: Shop) -> str:
    return _(
        "🏪 <b>{shop}</b> is ready and you are its owner. To work with it in this "
        "group, send /link here (a group admin must). Settings and invites are in our "
        "private chat."
    ).format(shop=h(shop.name))


INVITE_SENT_PRIVATELY = N_(
    "📩 I sent you the invite link in our private chat — pass it to the one person it "
    "is for. An invite link is never posted in a group."
)


def someone_joined(shop: Shop, member: Member) -> str:
    return _("👋 {name} joined <b>{shop}</b> as {role}. /team shows everyone.").format(
        name=h(member.name or str(member.user_id)),
        shop=h(shop.name),
        role=_(ROLE_NAME[member.role]),
    )


def done_by(name: str, text: str) -> str:
    """A confirmation in a group names who made the movement."""
    return f"👤 <b>{h(name)}</b>: {text}"


# --- barcode photos ---------------------------------------------------------------------

NO_BARCODE_FOUND = N_(
    "🔍 I could not find a barcode in that picture. For a better photo: hold the phone "
    "15–20 cm away with the whole code in the frame, keep the code level, avoid glare and "
    "shadows, and let the camera focus. Or type it: <code>/stock 4006381333931</code>."
)
IMAGE_REFUSED = {
    "too_big": N_(
        "⚠️ That image is too big to scan (over 10 MB). Send it as a photo, not as a "
        "file, or crop it to the barcode."
    ),
    "too_many_pixels": N_(
        "⚠️ That image has too many pixels to scan (over 40 megapixels). "
        "Send it as a photo, not as a file."
    ),
    "not_an_image": N_(
        "⚠️ I could not open that file as a picture (JPEG, PNG or WebP). "
        "Take a photo of the barcode and send it."
    ),
}
CAPTION_USAGE = N_(
    "a photo's caption says what to do with the product it shows: <code>sell 2</code>, "
    "<code>restock 12 exp 1.6</code>, <code>remove 1 damage</code> or <code>count 18</code>"
)
ADD_WITH_BARCODE_BUTTON = N_("➕ Add as new product…")
ATTACH_BARCODE_BUTTON = N_("🔗 Attach to…")


def unknown_caption(word: str) -> str:
    return _("{word} is not something a photo can do.").format(word=quoted(word))


def unknown_barcode(code: str, format_name: str, *, owner: bool) -> str:
    text = _("❓ Barcode <code>{code}</code> ({format}) is not in the catalog.").format(
        code=h(code), format=h(format_name)
    )
    if not owner:
        text += " " + _("Ask an owner to add it.")
    return text


# English says "barcodes" for any count, as before; Russian needs its plural forms.
def scanned_codes(found: list[tuple[str, str, Product | None]]) -> str:
    heading = ngettext(
        "🔍 <b>{count} barcodes in this picture</b>",
        "🔍 <b>{count} barcodes in this picture</b>",
        len(found),
    ).format(count=len(found))
    lines = [heading]
    for code, format_name, product in found:
        known = f" → <b>{h(product.name)}</b>" if product else " → " + _("not in the catalog")
        lines.append(f"• <code>{h(code)}</code> ({h(format_name)}){known}")
    return "\n".join(lines)


def one_code_for_caption(count: int) -> str:
    return ngettext(
        "⚠️ This picture shows {count} barcodes, so I did not record anything: "
        "send a photo of just one with the caption.",
        "⚠️ This picture shows {count} barcodes, so I did not record anything: "
        "send a photo of just one with the caption.",
        count,
    ).format(count=count)


def unknown_code_button(code: str) -> str:
    return f"❓ {code[:28]}"


def barcode_name_prompt(code: str) -> str:
    return _(
        "What is the product with barcode <code>{code}</code> called? You can add "
        "details too, e.g. <code>oat milk cat dairy unit l min 5 price 2.40</code>."
    ).format(code=h(code))


def attach_prompt(code: str) -> str:
    return _("Which product gets barcode <code>{code}</code>? Type its name or tap it.").format(
        code=h(code)
    )


def barcode_attached(product: Product, code: str) -> str:
    return _("🔗 Barcode <code>{code}</code> now opens <b>{name}</b>.").format(
        code=h(code), name=h(product.name)
    )


# --- spreadsheet import ----------------------------------------------------------------

IMPORT_HELP = N_(
    "📥 <b>Import a catalog with stock</b>\n"
    "Send a CSV or XLSX file here (as a file). The first row names the columns, in any "
    "order: <code>product</code> (required), <code>category</code>, <code>unit</code>, "
    "<code>on_hand</code>, <code>threshold</code>, <code>price</code>, <code>cost</code>, "
    "<code>supplier</code>, <code>barcode</code>, <code>earliest_expiry</code>, "
    "<code>reorder_date</code> — the columns /export writes. An empty cell leaves a field "
    "as it is; <code>on_hand</code> becomes the stock. You see a preview first; nothing "
    "changes until you tap Import. Up to 5 MB and 20,000 rows; formulas are not run."
)
IMPORT_REFUSED = {
    "too_big": N_(
        "⚠️ That file is too big to import (over 5 MB, or over 100 MB unpacked). "
        "Split it into smaller files."
    ),
    "too_many_rows": N_("⚠️ That file has more than 20,000 rows. Split it into smaller files."),
    "old_excel": N_(
        "⚠️ That is an old Excel file (.xls). Save it as .xlsx or .csv and send it again."
    ),
    "not_a_spreadsheet": N_(
        "⚠️ I could not read that file as a spreadsheet. Send a .csv or .xlsx file."
    ),
    "empty": N_("⚠️ That file is empty."),
    "no_name_column": N_(
        "⚠️ I found no <code>product</code> column. The first row must name "
        "the columns, e.g. <code>product, unit, on_hand</code> (as /export writes them)."
    ),
    "changed": N_("⚠️ That file is no longer the one previewed. Send it again."),
}
IMPORT_BUTTON = N_("📥 Import")
IMPORT_READING = N_("⏳ Reading the file…")
IMPORT_TOAST = N_("Importing…")
NOT_A_SPREADSHEET_DOCUMENT = N_(
    "I can read spreadsheets (.csv, .xlsx) to import a catalog, and pictures of barcodes. "
    "See /import."
)
FIELD_NAMES = {
    "name": N_("name"),
    "category": N_("category"),
    "unit": N_("unit"),
    "threshold": N_("threshold"),
    "price": N_("price"),
    "cost": N_("cost"),
    "barcodes": N_("barcode"),
    "supplier": N_("supplier"),
    "expiry_warning_days": N_("warning days"),
    "lead_days": N_("lead time"),
    "reorder_date": N_("reorder date"),
    "on_hand": N_("stock"),
}
IMPORT_LIST_LINES = 8


def import_formula(column: str, formula: str) -> str:
    return _("{column} is a formula ({formula}); paste it as a value").format(
        column=column, formula=formula[:30]
    )


def import_bad_cell(column: str, value: str) -> str:
    return _("{column}: “{value}” is not a number").format(column=column, value=value[:30])


def _import_line(row: RowPlan) -> str:
    where = _("• row {line}: {name}").format(line=row.line, name=h(row.name[:40]))
    problem = why(row.refusal) if row.refusal is not None else row.problem
    if problem is not None:
        return f"{where} — {h(problem)}"
    stock = _(FIELD_NAMES["on_hand"])
    detail = ", ".join(_(FIELD_NAMES[f]) if f in FIELD_NAMES else f for f in row.changed)
    if "on_hand" in row.changed and row.on_hand_before is not None:
        assert row.on_hand_after is not None
        detail = detail.replace(
            stock, f"{stock} {qty(row.on_hand_before)} → {qty(row.on_hand_after)}"
        )
    elif row.on_hand_after is not None and not row.changed:
        detail = f"{stock} {qty(row.on_hand_after)}"
    return where + (f" — {detail}" if detail else "")


def _import_section(title: str, rows: list[RowPlan]) -> list[str]:
    if not rows:
        return []
    lines = [f"<b>{_(title)} ({len(rows)})</b>"]
    lines += [_import_line(row) for row in rows[:IMPORT_LIST_LINES]]
    if len(rows) > IMPORT_LIST_LINES:
        lines.append(_("… and {count} more").format(count=len(rows) - IMPORT_LIST_LINES))
    return lines


def import_preview(filename: str, plan: ImportPlan, ignored: list[str]) -> str:
    lines = [
        ngettext(
            "📥 <b>{file}</b>: {rows} rows — "
            "{new} new, {changed} changed, {unchanged} unchanged, {wrong} wrong",
            "📥 <b>{file}</b>: {rows} rows — "
            "{new} new, {changed} changed, {unchanged} unchanged, {wrong} wrong",
            len(plan.rows),
        ).format(
            file=h(filename),
            rows=len(plan.rows),
            new=plan.count(Outcome.CREATED),
            changed=plan.count(Outcome.CHANGED),
            unchanged=plan.count(Outcome.UNCHANGED),
            wrong=plan.count(Outcome.WRONG),
        )
    ]
    if ignored:
        lines.append(_("Ignored columns: {columns}").format(columns=h(", ".join(ignored))))
    for title, outcome in (
        (N_("New"), Outcome.CREATED),
        (N_("Changed"), Outcome.CHANGED),
        (N_("Wrong — will be skipped"), Outcome.WRONG),
    ):
        section = _import_section(title, plan.of(outcome))
        if section:
            lines += ["", *section]
    if plan.count(Outcome.CREATED) + plan.count(Outcome.CHANGED) == 0:
        lines += ["", _("Nothing to change: the catalog already matches this file.")]
    else:
        lines += ["", _("Tap Import to apply; stock changes are recorded as <i>import</i>.")]
    return "\n".join(lines)


def import_progress(done: int, total: int) -> str:
    return ngettext(
        "⏳ Importing… {done} of {total} rows", "⏳ Importing… {done} of {total} rows", total
    ).format(done=done, total=total)


def import_done(filename: str, rows: list[RowPlan]) -> str:
    def count(outcome: Outcome) -> int:
        return sum(1 for row in rows if row.outcome is outcome)

    wrong = [row for row in rows if row.outcome is Outcome.WRONG]
    lines = [
        _("✅ Imported <b>{file}</b>: {new} new, {changed} changed, {unchanged} unchanged.").format(
            file=h(filename),
            new=count(Outcome.CREATED),
            changed=count(Outcome.CHANGED),
            unchanged=count(Outcome.UNCHANGED),
        )
    ]
    section = _import_section(N_("Skipped"), wrong)
    if section:
        lines += ["", *section]
    return "\n".join(lines)


# -- the weekly report ---------------------------------------------------------------------

MAX_CAPTION = 1024  # Telegram's limit for a photo's caption
REPORT_LINES = 3  # movers and dead stock shown in the caption (the chart shows the weeks)
NOTHING_TO_REPORT = N_("📊 Nothing to report: no stock moved in the last 8 weeks.")
REPORT_CHART_TITLE = N_("Last 8 weeks")
REPORT_CHART_SERIES = (N_("Sales"), N_("Waste (at cost)"), N_("Stock value (at cost)"))


def report_chart_series() -> tuple[str, ...]:
    return tuple(_(name) for name in REPORT_CHART_SERIES)


def report_chart_title(report: WeeklyReport) -> str:
    return f"{report.shop.name} — {_(REPORT_CHART_TITLE)} ({report.shop.currency})"


def week_label(start: date) -> str:
    if i18n.current() != i18n.SOURCE:
        return i18n.short_day(start)
    return start.strftime("%-d %b")


def report_caption(report: WeeklyReport) -> str:
    """Short enough for a photo's caption: the last week's figures, the top movers and
    the dead stock; the chart carries the 8 weeks."""
    shop, week = report.shop, report.last_week
    lines = [
        _("📊 <b>{shop}</b> — week of {day}").format(shop=h(shop.name), day=day(week.start)),
        _("Sales {sales} · waste {waste}").format(
            sales=money(week.sales, shop), waste=money(week.waste, shop)
        ),
        _("Stock value {value}").format(value=money(week.stock_value, shop)),
    ]
    if report.movers:
        lines.append(_("<b>Top sellers</b>"))
        lines += [
            f"• {h(m.product.name)} — {qty(m.units, m.product.unit)}"
            for m in report.movers[:REPORT_LINES]
        ]
    if report.dead:
        lines.append(_("<b>No movement for 4 weeks</b>"))
        lines += [
            f"• {h(d.product.name)} — {qty(d.product.on_hand, d.product.unit)}"
            + (f", {money(d.value, shop)}" if d.value else "")
            for d in report.dead[:REPORT_LINES]
        ]
    while utf16_length("\n".join(lines)) > MAX_CAPTION:  # whole lines go, no tag is cut
        lines.pop()
    return "\n".join(lines)


# -- languages -----------------------------------------------------------------------------

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
LANGUAGE_USAGE = N_("/language en|ru, /language auto (as your Telegram app), or /language shop ru")


def language_now(language: str) -> str:
    return _("I speak {language} with you. Change it with /language en or /language ru.").format(
        language=LANGUAGE_NAMES[language]
    )


def language_follows_telegram(language: str) -> str:
    return _("I follow your Telegram app's language: {language} now.").format(
        language=LANGUAGE_NAMES[language]
    )


def shop_language_set(shop: Shop) -> str:
    return _("Alerts of {shop} go in {language} to members who never chose a language.").format(
        shop=h(shop.name), language=LANGUAGE_NAMES[shop.language]
    )
