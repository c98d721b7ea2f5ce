"""Alert messages as people read them, their buttons, and the Notifier that sends them.

All wording of alerts, digests, the reorder list and alert preferences lives here (the
English texts of the alert screens); numbers and dates go through bot.texts' helpers.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot import callbacks as cb
from bot import texts
from bot.keyboards import button
from core.alert_model import (
    AlertKind,
    AlertMessage,
    AlertPreferences,
    BatchLine,
    CrossingAlert,
    Digest,
    ReorderList,
    SendOutcome,
    SendResult,
)
from core.inventory import StatusFilter
from core.model import Product

log = logging.getLogger(__name__)

SECTION_LINES = 10  # lines per digest section before "… and N more"

KIND_LABEL = {
    AlertKind.LOW: "Low stock",
    AlertKind.OUT: "Out of stock",
    AlertKind.EXPIRY: "Expired and expiring",
    AlertKind.REORDER: "Reorder dates",
}
REASON_LABEL = {"out": "out", "low": "low", "reorder_due": "reorder date due"}


# -- a threshold crossing ----------------------------------------------------------------


def crossing_text(alert: CrossingAlert) -> str:
    product = alert.product
    name = f"<b>{texts.h(product.name)}</b>"
    if alert.kind is AlertKind.OUT:
        head = f"🔴 {name} is out of stock."
    else:
        head = (
            f"🟠 {name} is running low: {texts.qty(alert.on_hand, product.unit)} left "
            f"(reorder point {texts.qty(product.threshold, product.unit)})."
        )
    reminder = "⏰ Reminder, snoozed yesterday.\n" if alert.reminder else ""
    supplier = f"\nSupplier: {texts.h(product.supplier)}" if product.supplier else ""
    return f"{reminder}{head}{supplier}\n<i>{texts.h(alert.shop.name)}</i>"


def crossing_keyboard(alert: CrossingAlert) -> InlineKeyboardMarkup:
    shop_id, product_id = alert.shop.id, alert.product.id
    return InlineKeyboardMarkup(
        [
            [
                button("📦 Restock…", cb.Prompt(product_id, cb.PromptKind.RESTOCK)),
                button("🗂 Open card", cb.OpenCard(product_id)),
            ],
            [
                button("😴 Snooze 1 day", cb.SnoozeCrossing(shop_id, alert.crossing_id)),
                button("✅ Ordered", cb.MarkOrdered(shop_id, product_id)),
            ],
        ]
    )


def after_action_keyboard(product_id: int) -> InlineKeyboardMarkup:
    """What stays under an alert once it was snoozed or marked ordered."""
    return InlineKeyboardMarkup(
        [
            [
                button("📦 Restock…", cb.Prompt(product_id, cb.PromptKind.RESTOCK)),
                button("🗂 Open card", cb.OpenCard(product_id)),
            ]
        ]
    )


# -- the daily digest --------------------------------------------------------------------


def _section(title: str, lines: list[str]) -> str:
    shown = lines[:SECTION_LINES]
    more = len(lines) - len(shown)
    tail = [f"… and {more} more"] if more else []
    return "\n".join([f"<b>{title} ({len(lines)})</b>", *shown, *tail])


def _batch_line(line: BatchLine, verb: str) -> str:
    product, batch = line.product, line.batch
    return (
        f"• {texts.h(product.name)} — {texts.qty(batch.quantity, product.unit)}, "
        f"{verb} {texts.day(batch.expiry)}"
    )


def _product_line(product: Product, extra: str = "") -> str:
    return f"• {texts.h(product.name)}{extra}"


def digest_text(digest: Digest) -> str:
    sections = [f"☀️ <b>{texts.h(digest.shop.name)}</b> — {texts.day(digest.day)}"]
    if digest.expired:
        sections.append(_section("🔴 Expired", [_batch_line(x, "expired") for x in digest.expired]))
    if digest.expiring:
        sections.append(
            _section("🟠 Expiring soon", [_batch_line(x, "good until") for x in digest.expiring])
        )
    if digest.out:
        sections.append(_section("🔴 Out of stock", [_product_line(p) for p in digest.out]))
    if digest.low:
        lines = [
            _product_line(
                p, f" — {texts.qty(p.on_hand, p.unit)} (min {texts.qty(p.threshold, p.unit)})"
            )
            for p in digest.low
        ]
        sections.append(_section("🟠 Low stock", lines))
    if digest.reorder_due:
        lines = [
            _product_line(p, f" — since {texts.day(p.reorder_date)}") for p in digest.reorder_due
        ]
        sections.append(_section("📅 Time to reorder", lines))
    return "\n\n".join(sections)


def digest_keyboard(digest: Digest) -> InlineKeyboardMarkup:
    shop_id = digest.shop.id
    rows: list[list[InlineKeyboardButton]] = []
    if digest.expired:
        rows.append(
            [
                button("🗑 Write off expired", cb.WriteOffExpired(shop_id)),
                button("View expired", cb.ViewFromAlert(shop_id, StatusFilter.EXPIRED)),
            ]
        )
    views: list[InlineKeyboardButton] = []
    if digest.expiring:
        views.append(button("View expiring", cb.ViewFromAlert(shop_id, StatusFilter.EXPIRING)))
    if digest.out:
        views.append(button("View out", cb.ViewFromAlert(shop_id, StatusFilter.OUT)))
    if digest.low:
        views.append(button("View low", cb.ViewFromAlert(shop_id, StatusFilter.LOW)))
    if views:
        rows.append(views)
    if digest.low or digest.out or digest.reorder_due:
        rows.append([button("🧾 Reorder list", cb.OpenReorderList(shop_id))])
    return InlineKeyboardMarkup(rows)


def render(message: AlertMessage) -> tuple[str, InlineKeyboardMarkup]:
    if isinstance(message, CrossingAlert):
        return crossing_text(message), crossing_keyboard(message)
    return texts.truncate(digest_text(message)), digest_keyboard(message)


# -- reorder list, preferences, replies to buttons -------------------------------------


def reorder_text(found: ReorderList) -> str:
    if found.is_empty:
        return "🧾 Nothing to reorder: everything is above its reorder point."
    parts = [f"🧾 <b>Reorder list</b> — {texts.h(found.shop.name)}"]
    for group in found.groups:
        lines = [f"<b>{texts.h(group.supplier or 'No supplier')}</b>"]
        for line in group.lines:
            p = line.product
            why = ", ".join(REASON_LABEL[r] for r in line.reasons)
            ordered = " · ✅ ordered" if line.ordered else ""
            lines.append(
                f"• {texts.h(p.name)} — {texts.qty(p.on_hand, p.unit)} "
                f"(min {texts.qty(p.threshold, p.unit)}; {why}){ordered}"
            )
        parts.append("\n".join(lines))
    parts.append("Tap “Received” when a delivery comes in to record the restock.")
    return texts.truncate("\n\n".join(parts))


def reorder_keyboard(found: ReorderList) -> InlineKeyboardMarkup | None:
    rows = [
        [
            button(
                f"📦 Received: {line.product.name[:24]}",
                cb.Prompt(line.product.id, cb.PromptKind.RESTOCK),
            )
        ]
        for group in found.groups
        for line in group.lines
    ][:20]
    return InlineKeyboardMarkup(rows) if rows else None


def preferences_text(prefs: AlertPreferences) -> str:
    lines = [f"🔔 <b>Your alerts</b> — {texts.h(prefs.shop.name)}"]
    for kind in AlertKind:
        mark = "✅" if kind in prefs.kinds else "▫️"
        lines.append(f"{mark} {KIND_LABEL[kind]}")
    lines.append(f"Daily digest at {prefs.shop.alert_time.strftime('%H:%M')} shop time.")
    if prefs.is_owner:
        settings = prefs.settings
        if settings.quiet_start and settings.quiet_end:
            quiet = (
                f"{settings.quiet_start.strftime('%H:%M')}–{settings.quiet_end.strftime('%H:%M')}"
            )
            lines.append(f"Quiet hours: {quiet} (pushes wait until they end).")
        else:
            lines.append("Quiet hours: off. Set with <code>/quiet 22:00-07:00</code>.")
        if prefs.muted:
            names = ", ".join(texts.h(p.name) for p in prefs.muted)
            lines.append(f"Muted products: {names}")
        lines.append("Mute a product with <code>/mute &lt;name&gt;</code>.")
    return "\n".join(lines)


def preferences_keyboard(prefs: AlertPreferences) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                f"{'Turn off' if kind in prefs.kinds else 'Turn on'}: {KIND_LABEL[kind]}",
                cb.ToggleAlertKind(kind, "off" if kind in prefs.kinds else "on"),
            )
        ]
        for kind in AlertKind
    ]
    if prefs.is_owner:
        rows.extend(
            [button(f"🔔 Unmute {p.name[:24]}", cb.SetProductMuted(p.id, "off"))]
            for p in prefs.muted[:10]
        )
    return InlineKeyboardMarkup(rows)


def snoozed(until_text: str) -> str:
    return f"😴 Snoozed. I'll remind you {until_text} if it is still short."


def ordered(product: Product) -> str:
    return f"✅ {product.name} marked as ordered; its alerts resume after the next restock."


def written_off(count: int) -> str:
    if count == 0:
        return "Nothing expired to write off."
    return f"🗑 Wrote off expired stock of {count} product{'s' if count != 1 else ''}."


def muted(product: Product, is_muted: bool) -> str:
    state = "muted" if is_muted else "unmuted"
    return f"🔕 Alerts for {texts.h(product.name)} {state}."


QUIET_USAGE = "Use: /quiet 22:00-07:00, or /quiet off"
MUTE_USAGE = "Use: /mute <product> or /unmute <product>"


def quiet_set(prefs_start: str | None, prefs_end: str | None) -> str:
    if prefs_start is None:
        return "🔔 Quiet hours are off."
    return f"🌙 Quiet hours {prefs_start}–{prefs_end}: pushes wait until they end."


# -- the Notifier ------------------------------------------------------------------------


def retry_after_seconds(error: RetryAfter) -> float:
    # PTB 22 returns int seconds and warns that a timedelta comes in a later major version.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramNotifier:
    """core.ports.Notifier over a telegram.Bot: words the message and sends it, and turns
    Telegram's answer into an outcome the dispatcher records."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: AlertMessage) -> SendResult:
        text, keyboard = render(message)
        try:
            await self.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
        except RetryAfter as error:
            return SendResult(
                SendOutcome.RETRY, retry_after=retry_after_seconds(error), error=str(error)
            )
        except Forbidden as error:  # blocked by the user, or kicked from the group
            return SendResult(SendOutcome.BLOCKED, error=str(error))
        except BadRequest as error:
            text_of = str(error).lower()
            if "chat not found" in text_of or "user is deactivated" in text_of:
                return SendResult(SendOutcome.BLOCKED, error=str(error))
            log.error("Telegram refused an alert to %s: %s", chat_id, error)
            return SendResult(SendOutcome.FAILED, error=str(error))
        except NetworkError as error:  # includes TimedOut
            return SendResult(SendOutcome.RETRY, error=str(error))
        except TelegramError as error:
            return SendResult(SendOutcome.RETRY, error=str(error))
        return SendResult(SendOutcome.SENT)
