"""Looking at stock: inventory pages, the dashboard, the product card, history, charts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot import i18n
from bot.i18n import N_, _, ngettext
from bot.texts.buttons import COUNT_MATCHED, SORT_LABELS
from bot.texts.formatting import badges, day, h, moment, money, number, qty
from bot.texts.unit_names import unit_for, unit_label, units_of
from core.forecast import NoEstimate, Velocity
from core.inventory import (
    Dashboard,
    DashboardBox,
    HistoryEntry,
    InventoryLine,
    InventoryPage,
    ProductCard,
)
from core.model import Movement, Product, Reason, Shop
from core.status import by_expiry
from core.takings import Takings

# --- views ----------------------------------------------------------------------------


def inventory_line(line: InventoryLine) -> str:
    product = line.product
    text = f"• <b>{h(product.name)}</b> — {qty(product.on_hand, product.unit)}"
    if line.expiring:
        going = ", ".join(
            _("{quantity} exp {day}").format(
                quantity=qty(b.quantity, product.unit), day=day(b.expiry)
            )
            for b in line.expiring[:3]
        )
        more = more_items(len(line.expiring) - 3)
        of = _("(of {on_hand} on hand)").format(on_hand=qty(product.on_hand))
        text = f"• <b>{h(product.name)}</b> — {going}{more} {of}"
    elif product.earliest_expiry and product.on_hand > 0:
        text += ", " + _("exp {day}").format(day=day(product.earliest_expiry))
    if line.pace is not None and line.pace.days_left is not None and product.on_hand > 0:
        text += f", ≈ {days_left(line.pace.days_left)}"
    badge = badges(line.status)
    return f"{text} {badge}" if badge else text


def more_items(more: int) -> str:
    """` +3 more` after the first few of a list; nothing when none are left out."""
    return " " + _("+{more} more").format(more=more) if more > 0 else ""


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
        page=query.page + 1, pages=page.pages, sort=_(SORT_LABELS[query.sort.value])
    )
    return f"{header}\n{body}{footer if page.pages > 1 else ''}"


def dashboard(board: Dashboard) -> str:
    def box(icon: str, title: str, shown: DashboardBox) -> str:
        if not shown.count:
            return f"{icon} <b>{title}: 0</b>"
        names = ", ".join(h(line.product.name) for line in shown.first)
        more = more_items(shown.count - len(shown.first))
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
        batches = by_expiry(card.batches)  # one line a date: the card shows no costs per lot
        for batch in batches[:8]:
            expiry = (
                _("exp {day}").format(day=day(batch.expiry)) if batch.expiry else _("no expiry")
            )
            mark = ""
            if batch.expiry and batch.expiry < card.today:
                mark = " 🔴"
            lines.append(f"  • {qty(batch.quantity, product.unit)}, {expiry}{mark}")
        if len(batches) > 8:
            lines.append("  • " + _("… and {more} more").format(more=len(batches) - 8))
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
    per_day = Decimal(str(round(pace.per_day, 1)))
    return _("⏳ ≈ {left} (selling ~{per_day} {unit}/day)").format(
        left=days_left(pace.days_left), per_day=number(per_day), unit=h(unit_for(per_day, unit))
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
        rows.append(f"• {h(product.name)} ({h(unit_label(product.unit))}){extra}{price}")
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


# --- looking and exporting ------------------------------------------------------------


def chart_title(product: Product, first: datetime, last: datetime) -> str:
    """Plain text (matplotlib draws it); `first` and `last` on the shop's clock."""
    heading = _("{name} — on hand ({unit})").format(name=product.name, unit=units_of(product.unit))
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
        amount=number(product.threshold), unit=unit_for(product.threshold, product.unit)
    )


def chart_caption(product: Product, days: int) -> str:
    return ngettext("📈 {name}: last {days} days", "📈 {name}: last {days} days", days).format(
        name=h(product.name), days=days
    )
