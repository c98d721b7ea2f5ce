"""Alerts: crossings, the daily digest, the reorder list, alert preferences."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import N_, _, ngettext
from bot.texts.formatting import day, h, qty, truncate
from bot.texts.views import days_left
from core.alert_model import (
    AlertKind,
    AlertPreferences,
    BatchLine,
    CrossingAlert,
    CrossingAlerts,
    Digest,
    ReorderList,
)
from core.forecast import DEFAULT_LEAD_DAYS
from core.model import Product

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
NO_SUGGESTION_MORE = N_("too few sales to suggest more")
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


def crossings_text(alerts: CrossingAlerts) -> str:
    count = len(alerts.alerts)
    head = ngettext(
        "🔔 {count} product just ran low or out", "🔔 {count} products just ran low or out", count
    ).format(count=count)
    sections = [head]
    if alerts.out:
        out = [_product_line(a.product) for a in alerts.out]
        sections.append(_section(_("🔴 Out of stock"), out))
    if alerts.low:
        low = [_low_line(a.product, a.on_hand) for a in alerts.low]
        sections.append(_section(_("🟠 Low stock"), low))
    return "\n\n".join(sections) + f"\n<i>{h(alerts.shop.name)}</i>"


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


def _low_line(product: Product, on_hand: Decimal) -> str:
    left = _(" — {on_hand} (min {threshold})").format(
        on_hand=qty(on_hand, product.unit), threshold=qty(product.threshold, product.unit)
    )
    return _product_line(product, left)


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
        lines = [_low_line(p, p.on_hand) for p in digest.low]
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
            if line.suggested is not None:
                order = _("order ≈ {amount}").format(amount=qty(line.suggested, p.unit))
            elif line.to_minimum is not None:
                order = _("at least {amount} to reach the minimum; {why}").format(
                    amount=qty(line.to_minimum, p.unit), why=_(NO_SUGGESTION_MORE)
                )
            else:
                order = _(NO_SUGGESTION)
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
