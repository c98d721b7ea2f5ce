"""Pictures where people would rather look than read: a product's stock over time."""

from __future__ import annotations

import asyncio
import io

from core.inventory import StockTimeline

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8, 4, 110


def render_stock_chart(timeline: StockTimeline) -> bytes:
    """A PNG. Built on a Figure, not pyplot, so it is safe off the main thread; names
    are shown as typed (`parse_math=False`), never read as mathtext."""
    # Imported here: matplotlib and numpy are ~20 MB of every process's memory, and
    # only a chart needs them.
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    product = timeline.product
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
            label=f"low at {product.threshold.normalize():f} {product.unit}",
        )
        legend = axes.legend(loc="upper left", frameon=False)
        for text in legend.get_texts():
            text.set_parse_math(False)
    axes.set_title(f"{product.name} — on hand ({product.unit})", loc="left", parse_math=False)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    axes.xaxis_date()
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def stock_chart_png(timeline: StockTimeline) -> bytes:
    """Rendering is CPU work: keep it off the event loop."""
    return await asyncio.to_thread(render_stock_chart, timeline)
