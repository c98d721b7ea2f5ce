"""Everything the bot says, in one place (English), and the one formatter for numbers,
money and dates. Output is Telegram HTML: user-typed text is always escaped."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from html import escape
from zoneinfo import ZoneInfo

from core.inventory import Dashboard, HistoryEntry, InventoryLine, InventoryPage, ProductCard
from core.ledger import MovementResult
from core.model import Member, Movement, Product, Reason, Role, Shop
from core.quantities import format_quantity
from core.status import ExpiryStatus, Status, StockStatus, stock_status

MAX_MESSAGE = 4096

STOCK_BADGE = {StockStatus.LOW: "🟠 low", StockStatus.OUT: "🔴 out of stock"}
EXPIRY_BADGE = {ExpiryStatus.NEAR_EXPIRY: "🟠 near expiry", ExpiryStatus.EXPIRED: "🔴 expired"}

REASON_VERB = {
    Reason.RESTOCK: "Restocked",
    Reason.SALE: "Sold",
    Reason.DAMAGE: "Written off (damaged)",
    Reason.EXPIRED: "Written off (expired)",
    Reason.ADJUSTMENT: "Adjusted",
    Reason.RETURN: "Returned to supplier",
    Reason.UNDO: "Undone",
}

STAFF_COMMANDS = [
    ("stock", "Product card: on hand, batches, quick buttons"),
    ("restock", "Add stock: /restock milk 20 exp 2026-06-01"),
    ("sell", "Record a sale: /sell milk 2"),
    ("remove", "Remove stock: /remove milk 1 damage"),
    ("count", "Stocktake: /count milk 18"),
    ("undo", "Undo your last movement"),
    ("dashboard", "Low, out, near expiry, expired at a glance"),
    ("inventory", "All stock, with filters"),
    ("low", "Low and out of stock"),
    ("expiring", "Near expiry"),
    ("products", "The catalog"),
    ("history", "Recent movements"),
    ("export", "CSV of stock and ledger"),
    ("reorder", "What to reorder, by supplier"),
    ("alerts", "Choose which alerts reach you"),
    ("shop", "Switch shop"),
    ("help", "How to use the bot"),
    ("cancel", "Leave the current step"),
]
OWNER_COMMANDS = [
    *STAFF_COMMANDS[:10],
    ("add", "New product: /add oat milk cat dairy unit l min 5"),
    ("edit", "Change a product"),
    ("delete", "Archive a product"),
    *STAFF_COMMANDS[10:15],
    ("invite", "Invite staff (or /invite owner)"),
    ("team", "Members and roles"),
    ("settings", "Timezone, expiry window, alert time, currency"),
    ("quiet", "Quiet hours for alerts: /quiet 22:00-07:00"),
    ("mute", "Mute a product's alerts: /mute milk"),
    ("newshop", "Create another shop"),
    *STAFF_COMMANDS[15:],
]


def h(text: str) -> str:
    return escape(text, quote=False)


def qty(value: Decimal, unit: str = "") -> str:
    return f"{format_quantity(value)} {h(unit)}".strip()


def money(value: Decimal | None, shop: Shop) -> str:
    return "—" if value is None else f"{value:.2f} {shop.currency}"


def day(value: date | None) -> str:
    return "—" if value is None else value.strftime("%-d %b %Y")


def moment(value: datetime, shop: Shop) -> str:
    return value.astimezone(ZoneInfo(shop.timezone)).strftime("%-d %b %H:%M")


def badges(status: Status) -> str:
    parts = [STOCK_BADGE.get(status.stock, ""), EXPIRY_BADGE.get(status.expiry, "")]
    return " · ".join(p for p in parts if p)


# --- onboarding -----------------------------------------------------------------------

WELCOME_NEW = (
    "👋 <b>Welcome to stockbot</b> — your shop's stock, run from this chat.\n\n"
    "• Create your shop: <code>/newshop Corner Cafe</code>\n"
    "• Or join one: open the invite link an owner sent you.\n\n"
    "/help shows everything I can do."
)


def welcome_back(shop: Shop, member: Member) -> str:
    return (
        f"👋 Welcome back to <b>{h(shop.name)}</b> ({member.role.value}).\n"
        "Try /dashboard, /stock <i>name</i> or /restock <i>name qty</i>. /help lists everything."
    )


def shop_created(shop: Shop) -> str:
    return (
        f"🏪 <b>{h(shop.name)}</b> is ready and you are its owner.\n\n"
        "Next: add products with <code>/add milk cat dairy unit l min 5</code>, then "
        "<code>/restock milk 20 exp 2026-06-01</code>. Invite staff with /invite.\n"
        f"Settings: timezone {shop.timezone}, currency {shop.currency}, near-expiry "
        f"{shop.near_expiry_days} days. Set your timezone now (it decides when stock "
        "counts as expired and when the daily alert comes), or later in /settings."
    )


def invite_created(link: str, code: str, role: Role, expires: datetime, shop: Shop) -> str:
    return (
        f"🔗 Invite to <b>{h(shop.name)}</b> as <b>{role.value}</b>, valid once, until "
        f"{moment(expires, shop)}:\n{h(link)}\n\nOr they can send me: "
        f"<code>/start {h(code)}</code>"
    )


def joined(shop: Shop, member: Member) -> str:
    return f"✅ You joined <b>{h(shop.name)}</b> as {member.role.value}. Try /dashboard."


HELP = (
    "<b>Stock</b>\n"
    "/restock <i>name qty</i> [exp <i>date</i>] [cost <i>x</i>] [price <i>x</i>] "
    "[reorder <i>date</i>] [note <i>text</i>]\n"
    "/sell <i>name qty</i> · /remove <i>name qty</i> [damage|expired|adjustment|return]\n"
    "/count <i>name qty</i> — stocktake · /undo — undo your last movement\n"
    "Several lines after /restock or /count act as a batch, e.g.\n"
    "<code>/count\nmilk = 18\nbread = 4</code>\n\n"
    "<b>Look</b>\n"
    "/stock <i>name</i> · /dashboard · /inventory [low|out|expiring|expired] "
    "[cat <i>x</i>] [sort name|qty|expiry] · /low · /expiring · /products · "
    "/history [<i>name</i>] · /export\n\n"
    "<b>Alerts</b>\n"
    "/reorder — what to order, by supplier · /alerts — which alerts reach you\n\n"
    "<b>Owners</b>\n"
    "/add <i>name</i> [cat <i>x</i>] [unit <i>x</i>] [min <i>qty</i>] [price <i>x</i>] "
    "[cost <i>x</i>] [barcode <i>x</i>] · /edit <i>name</i> · /delete <i>name</i> · "
    "/invite [owner] · /team · /settings · /quiet 22:00-07:00 · /mute <i>name</i> · "
    "/newshop <i>name</i>\n\n"
    "Names with spaces work: <code>/restock whole milk 2</code>; quotes allow anything: "
    '<code>/sell "7 up" 3</code>. /cancel leaves any step.'
)

STATE_LOST = (
    "⚠️ I lost track of that step (the session store is unavailable). "
    "Please type the whole command, e.g. <code>/restock milk 20</code>."
)
STATE_LOST_PLAIN = (
    "⚠️ I lost track of that step (the session store is unavailable). "
    "Please type the whole command, e.g. /restock milk 20."
)
FLOW_CANCELLED = "Cancelled."
NOTHING_TO_CANCEL = "Nothing to cancel."
FLOW_EXPIRED = "That step has expired. Please start the command again."
UNEXPECTED_ERROR = (
    "😕 Something went wrong on my side and I could not finish your last request. "
    "Please check /history and try again."
)
NOT_IN_GROUP_SHOP = "This group belongs to a shop you are not a member of."
BUTTON_EXPIRED = "This button is no longer valid."
OWNERS_ONLY_FIELD = "owners only"


# --- movements ------------------------------------------------------------------------


def movement_done(result: MovementResult, shop: Shop, *, show_cost: bool) -> str:
    movement = result.movement
    product = result.product
    if movement is None or movement.quantity == 0:
        return f"✅ Count matches: <b>{h(product.name)}</b> {qty(product.on_hand, product.unit)}."
    amount = abs(movement.quantity)
    verb = REASON_VERB[movement.reason]
    if movement.reason is Reason.ADJUSTMENT:
        sign = "+" if movement.quantity > 0 else "−"
        line = f"✅ Counted <b>{h(product.name)}</b>: {sign}{qty(amount, product.unit)}"
    else:
        line = f"✅ {verb} {qty(amount, product.unit)} <b>{h(product.name)}</b>"
    details = []
    if movement.expiry:
        details.append(f"exp {day(movement.expiry)}")
    if movement.cost is not None and show_cost:
        details.append(f"cost {money(movement.cost, shop)}")
    if movement.price is not None:
        details.append(f"price {money(movement.price, shop)}")
    if movement.reorder_date:
        details.append(f"reorder {day(movement.reorder_date)}")
    if details:
        line += f" ({', '.join(details)})"
    line += f"\nOn hand: <b>{qty(product.on_hand, product.unit)}</b>"
    status_line = stock_alert_hint(product)
    if status_line:
        line += f" {status_line}"
    if result.expired_on_arrival:
        line += "\n⚠️ That expiry date is already past: this batch counts as expired."
    if result.replayed:
        line += "\n(Already recorded — this message was processed before.)"
    return line


def stock_alert_hint(product: Product) -> str:
    status = stock_status(product)
    if status is StockStatus.LOW:
        return f"{STOCK_BADGE[status]} (min {qty(product.threshold)})"
    return STOCK_BADGE.get(status, "")


def undone(result: MovementResult) -> str:
    product = result.product
    return f"↩️ Undone. <b>{h(product.name)}</b> on hand: {qty(product.on_hand, product.unit)}."


def batch_report(lines: list[str]) -> str:
    return "\n".join(lines)


# --- views ----------------------------------------------------------------------------


def inventory_line(line: InventoryLine) -> str:
    product = line.product
    text = f"• <b>{h(product.name)}</b> — {qty(product.on_hand, product.unit)}"
    if product.earliest_expiry and product.on_hand > 0:
        text += f", exp {day(product.earliest_expiry)}"
    badge = badges(line.status)
    return f"{text} {badge}" if badge else text


FILTER_TITLE = {
    "all": "Inventory",
    "low": "Low and out of stock",
    "out": "Out of stock",
    "expiring": "Near expiry",
    "expired": "Expired",
}


def inventory_page(page: InventoryPage) -> str:
    query = page.query
    title = FILTER_TITLE[query.status.value]
    if query.category:
        title += f" · {h(query.category)}"
    header = f"📦 <b>{title}</b> — {page.total} product{'s' if page.total != 1 else ''}"
    if page.total == 0:
        return (
            f"{header}\nNothing here. 🎉"
            if query.status.value != "all"
            else (f"{header}\nNo products yet. Owners add them with <code>/add name</code>.")
        )
    body = "\n".join(inventory_line(line) for line in page.lines)
    footer = f"\nPage {query.page + 1}/{page.pages} · sorted by {query.sort.value}"
    return f"{header}\n{body}{footer if page.pages > 1 else ''}"


def dashboard(board: Dashboard) -> str:
    def box(icon: str, title: str, lines: tuple[InventoryLine, ...]) -> str:
        if not lines:
            return f"{icon} <b>{title}: 0</b>"
        names = ", ".join(h(line.product.name) for line in lines[:5])
        more = f" +{len(lines) - 5} more" if len(lines) > 5 else ""
        return f"{icon} <b>{title}: {len(lines)}</b>\n   {names}{more}"

    return "\n".join(
        [
            f"🏠 <b>{h(board.shop.name)}</b> — {day(board.today)}, {board.products} products",
            box("🟠", "Low stock", board.low),
            box("🔴", "Out of stock", board.out),
            box("🟠", "Near expiry", board.near_expiry),
            box("🔴", "Expired", board.expired),
        ]
    )


def product_card(card: ProductCard, *, show_cost: bool) -> str:
    product, shop = card.product, card.shop
    lines = [
        f"📦 <b>{h(product.name)}</b>" + (f" · {h(product.category)}" if product.category else "")
    ]
    on_hand = f"On hand: <b>{qty(product.on_hand, product.unit)}</b>"
    if product.threshold > 0:
        on_hand += f" (min {qty(product.threshold)})"
    badge = badges(card.status)
    lines.append(f"{on_hand} {badge}".rstrip())
    if card.batches:
        lines.append("Batches (first to go first):")
        for batch in card.batches[:8]:
            expiry = f"exp {day(batch.expiry)}" if batch.expiry else "no expiry"
            mark = ""
            if batch.expiry and batch.expiry < card.today:
                mark = " 🔴"
            lines.append(f"  • {qty(batch.quantity, product.unit)}, {expiry}{mark}")
        if len(card.batches) > 8:
            lines.append(f"  • … {len(card.batches) - 8} more")
    prices = f"Price: {money(product.price, shop)}"
    if show_cost:
        prices += f" · Cost: {money(product.cost, shop)}"
    lines.append(prices)
    if product.reorder_date:
        lines.append(f"Reorder: {day(product.reorder_date)}")
    if product.supplier and show_cost:
        lines.append(f"Supplier: {h(product.supplier)}")
    if product.barcodes:
        lines.append("Barcode: " + ", ".join(h(b) for b in product.barcodes))
    return "\n".join(lines)


def products_list(products: list[Product], shop: Shop, category: str | None) -> str:
    title = "🧺 <b>Products</b>" + (f" · {h(category)}" if category else "")
    if not products:
        return f"{title}\nNone yet. Owners add them with <code>/add name</code>."
    rows = []
    for product in products:
        extra = f" · {h(product.category)}" if product.category and not category else ""
        price = f" · {money(product.price, shop)}" if product.price is not None else ""
        rows.append(f"• {h(product.name)} ({h(product.unit)}){extra}{price}")
    return f"{title} — {len(products)}\n" + "\n".join(rows)


def history(entries: list[HistoryEntry], shop: Shop, product: Product | None) -> str:
    title = "🧾 <b>History</b>" + (f" · {h(product.name)}" if product else "")
    if not entries:
        return f"{title}\nNo movements yet."
    rows = [title]
    for entry in entries:
        rows.append(history_line(entry, shop))
    return "\n".join(rows)


def history_line(entry: HistoryEntry, shop: Shop) -> str:
    movement: Movement = entry.movement
    sign = "+" if movement.quantity > 0 else "−"
    text = (
        f"#{movement.id} {moment(movement.created_at, shop)} {sign}"
        f"{qty(abs(movement.quantity), entry.unit)} <b>{h(entry.product_name)}</b> "
        f"{movement.reason.value} · {h(entry.user_name)}"
    )
    if movement.note:
        text += f" · “{h(movement.note)}”"
    if entry.undone:
        text = f"<s>{text}</s> (undone)"
    return text


def team(members: list[Member], shop: Shop) -> str:
    rows = [f"👥 <b>Team of {h(shop.name)}</b>"]
    for member in members:
        rows.append(f"• {h(member.name or str(member.user_id))} — {member.role.value}")
    rows.append("Invite more with /invite (staff) or /invite owner.")
    return "\n".join(rows)


def settings_text(shop: Shop, *, owner: bool = True) -> str:
    text = (
        f"⚙️ <b>Settings of {h(shop.name)}</b>\n"
        f"Timezone: {shop.timezone}\nCurrency: {shop.currency}\n"
        f"Near-expiry window: {shop.near_expiry_days} days\n"
        f"Daily alert time: {shop.alert_time.strftime('%H:%M')}\n"
        f"Dates: {'day first (01.06.2026)' if shop.day_first else 'month first (06/01/2026)'}"
    )
    if not owner:
        return f"{text}\n\nOnly an owner can change these."
    return (
        f"{text}\n\nChange one with the buttons or e.g. "
        "<code>/settings timezone Europe/Berlin</code>, <code>/settings expiry 5</code>, "
        "<code>/settings alert 07:30</code>, <code>/settings currency USD</code>, "
        "<code>/settings dates month-first</code>. Alerts: /alerts, /quiet, /mute."
    )


def truncate(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return text
    return text[: MAX_MESSAGE - 20].rsplit("\n", 1)[0] + "\n… (more not shown)"
