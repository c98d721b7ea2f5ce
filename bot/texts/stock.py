"""Stock movements: confirmations, undo, and the prompts of the guided stock steps
(quantity, reason, stocktake, batches)."""

from __future__ import annotations

from decimal import Decimal

from bot.callbacks import PromptKind
from bot.i18n import N_, _, ngettext
from bot.texts.formatting import (
    REASON_VERB,
    STOCK_BADGE,
    day,
    h,
    moment,
    money,
    number,
    plain_qty,
    qty,
    quoted,
)
from bot.texts.unit_names import units_of
from core.ledger import MovementResult
from core.limits import shortened
from core.model import Movement, Product, Reason, Shop
from core.status import StockStatus, stock_status


def signed_quantity(delta: Decimal) -> str:
    """A change as its button and confirmation show it: +5, −1, −1,5 in Russian."""
    return ("+" if delta > 0 else "−") + number(abs(delta))


def adjusted_toast(label: str, product: Product) -> str:
    return f"{label} → {plain_qty(product.on_hand, product.unit)}"


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
# A restock's question to whoever may not see costs (staff, or anyone in a group, where
# staff read along): no supplier or store price is asked for.
RESTOCK_PROMPT_NO_PRICES = N_(
    "How many {unit} of <b>{name}</b> arrived? You may add <code>exp 20 dec</code>."
)
PRODUCT_PROMPT = N_("Which product? Type its name and quantity, e.g. <code>milk 20</code>.")
SIGNED_QUANTITY_USAGE = N_("+3 or -2")
REASON_USAGE = N_("damage, expired, adjustment, sale or return")


STOCKTAKE_USAGE = N_("the number you counted, e.g. 12, or skip; /cancel stops the count")
SKIP_WORD = "skip"
SKIP_BUTTON = N_("⏭ Skip")
STOCKTAKE_SKIP_STALE = N_("That product was already answered; skip from the latest question.")
STOP_BUTTON = N_("✖️ Stop")


def stocktake_prompt(category: str, position: int, total: int, product: Product) -> str:
    return _(
        "🧮 Counting <b>{category}</b> · {position} of {total}\n"
        "How many {unit} of <b>{name}</b> are there? (a number, or skip)"
    ).format(
        category=h(category),
        position=position,
        total=total,
        unit=h(units_of(product.unit)),
        name=h(product.name),
    )


def stocktake_skipped(product: Product) -> str:
    return _("⏭ Skipped <b>{name}</b>.").format(name=h(product.name))


def stocktake_done(category: str, counted: int, total: int) -> str:
    return ngettext(
        "🧮 Count of <b>{category}</b> done: {counted} of {total} product counted.",
        "🧮 Count of <b>{category}</b> done: {counted} of {total} products counted.",
        total,
    ).format(category=h(category), counted=counted, total=total)


def quantity_prompt(command: str, product: Product, *, prices: bool = True) -> str:
    """`prices`: a restock's question may offer cost and price (an owner in private)."""
    asked = QUANTITY_PROMPT[command] if prices or command != "restock" else RESTOCK_PROMPT_NO_PRICES
    return _(asked).format(unit=h(units_of(product.unit)), name=h(product.name))


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
