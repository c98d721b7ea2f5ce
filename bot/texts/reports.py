"""The weekly report."""

from __future__ import annotations

from datetime import date

from bot import i18n
from bot.i18n import N_, _
from bot.texts.formatting import day, h, money, qty, utf16_length
from core.report_model import WeeklyReport

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
    ]
    if report.costed:
        lines += [
            _("Sales {sales} · waste {waste}").format(
                sales=money(week.sales, shop), waste=money(week.waste, shop)
            ),
            _("Stock value {value}").format(value=money(week.stock_value, shop)),
        ]
    else:
        lines += [
            _("Sales {sales}").format(sales=money(week.sales, shop)),
            _("Waste and stock value need cost prices: <code>/edit &lt;name&gt; cost 0.80</code>"),
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
