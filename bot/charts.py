"""Pictures where people would rather look than read: a product's stock over time, and
the weekly report's 8 weeks."""

from __future__ import annotations

import asyncio
import io
import math
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import texts
from core.inventory import StockTimeline
from core.report_model import WeekFigures, WeeklyReport

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn (see below)
    from matplotlib.figure import Figure

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8, 4, 110
MIN_SPAN = timedelta(minutes=5)


def render_stock_chart(timeline: StockTimeline) -> bytes:
    """A PNG of `stock_chart`."""
    return _png(stock_chart(timeline))


def stock_chart(timeline: StockTimeline) -> Figure:
    """Built on a Figure, not pyplot, so it is safe off the main thread; names are shown
    as typed (`parse_math=False`), never read as mathtext. The time axis fits the span
    the points cover, on the shop's clock."""
    # Imported here: matplotlib and numpy are ~20 MB of every process's memory, and
    # only a chart needs them.
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    product = timeline.product
    shop_zone = ZoneInfo(timeline.shop.timezone)
    times = mdates.date2num([p.at for p in timeline.points])  # type: ignore[no-untyped-call]
    levels = [float(p.on_hand) for p in timeline.points]  # for drawing only
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axes = figure.subplots()
    axes.step(times, levels, where="post", color="#1f77b4", linewidth=2)
    axes.fill_between(times, levels, step="post", alpha=0.15, color="#1f77b4")
    if product.threshold > 0:
        axes.axhline(
            float(product.threshold),
            color="#ff7f0e",
            linestyle="--",
            linewidth=1.2,
            label=texts.chart_threshold(product),
        )
        legend = axes.legend(loc="upper left", frameon=False)
        for text in legend.get_texts():
            text.set_parse_math(False)
    last = timeline.points[-1].at
    # A product restocked a moment ago still gets an axis of whole minutes.
    first = min(timeline.points[0].at, last - MIN_SPAN)
    axes.set_title(
        texts.chart_title(product, first.astimezone(shop_zone), last.astimezone(shop_zone)),
        loc="left",
        parse_math=False,
    )
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    axes.xaxis_date(shop_zone)
    axes.set_xlim(mdates.date2num(first), times[-1])  # type: ignore[no-untyped-call]
    span = last - first
    locator: mdates.DateLocator
    if span <= timedelta(days=1):
        # Minutes or hours of one day: the title gives the date, ticks the time.
        locator = mdates.AutoDateLocator(tz=shop_zone, minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
        tick_format = "%H:%M"
    elif span <= timedelta(days=3):
        locator = mdates.HourLocator(byhour=range(0, 24, 6), tz=shop_zone)  # type: ignore[no-untyped-call]
        tick_format = "%d %b %H:%M"
    else:
        # One tick a day or every few days, never two on the same day.
        every = max(1, math.ceil(span / timedelta(days=1) / 8))
        locator = mdates.DayLocator(interval=every, tz=shop_zone)  # type: ignore[no-untyped-call]
        tick_format = "%d %b"
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.DateFormatter(tick_format, tz=shop_zone))  # type: ignore[no-untyped-call]
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.autofmt_xdate()
    return figure


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def stock_chart_png(timeline: StockTimeline) -> bytes:
    """Rendering is CPU work: keep it off the event loop."""
    return await asyncio.to_thread(render_stock_chart, timeline)


def render_report_chart(report: WeeklyReport) -> bytes:
    """A PNG of `report_chart`."""
    return _png(report_chart(report))


def report_chart(report: WeeklyReport) -> Figure:
    """Sales and waste as bars per week, the stock's value as a line on its own, labelled
    scale (it is usually far larger than a week's takings); weeks before the shop opened
    are left blank."""
    from matplotlib.figure import Figure

    labels = [texts.week_label(week.start) for week in report.weeks]
    positions = list(range(len(labels)))

    def drawn(figure: Decimal, week: WeekFigures) -> float:  # float for drawing only
        return float(figure) if report.open_in(week) else math.nan

    sales = [drawn(week.sales, week) for week in report.weeks]
    waste = [drawn(week.waste, week) for week in report.weeks]
    value = [drawn(week.stock_value, week) for week in report.weeks]
    sales_name, waste_name, value_name = texts.report_chart_series()
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axes = figure.subplots()
    width = 0.38
    axes.bar([x - width / 2 for x in positions], sales, width, color="#2ca02c", label=sales_name)
    handles = []
    if report.costed:  # without cost prices waste and stock value are unknown, not zero
        axes.bar(
            [x + width / 2 for x in positions], waste, width, color="#d62728", label=waste_name
        )
        stock_axes = axes.twinx()
        stock_axes.plot(positions, value, color="#1f77b4", marker="o", label=value_name)
        stock_axes.set_ylim(bottom=0)
        stock_axes.set_ylabel(value_name, color="#1f77b4")
        stock_axes.spines["top"].set_visible(False)
        handles = stock_axes.get_legend_handles_labels()[0]
    axes.set_ylim(bottom=0)
    axes.set_xticks(positions, labels)
    axes.set_title(texts.report_chart_title(report), loc="left", parse_math=False)
    axes.grid(axis="y", alpha=0.3)
    handles = [*axes.get_legend_handles_labels()[0], *handles]
    legend = axes.legend(handles=handles, loc="upper left", frameon=False, fontsize="small")
    for text in legend.get_texts():
        text.set_parse_math(False)
    axes.spines["top"].set_visible(False)
    return figure


async def report_chart_png(report: WeeklyReport) -> bytes:
    return await asyncio.to_thread(render_report_chart, report)
