"""Replies at their largest stay within Telegram's limits, counted as Telegram counts:
UTF-16 code units of the text after HTML parsing (4,096 for a message, 1,024 for a
caption, 200 for a toast), with well-formed HTML of allowed tags only. Every value is
as long as it can be stored, in characters that take two UTF-16 units each (🥛), and
every list as long as it gets. The local Bot API's own checks judge (as strict as
Telegram, see tests/integration/test_localapi.py); the real handlers with over-long input
are tests/integration/test_hostile_input.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot import texts
from core.alert_model import AlertKind, CrossingAlert
from core.limits import MAX_CATEGORY, MAX_PERSON_NAME, MAX_PRODUCT_NAME, MAX_SUPPLIER, MAX_UNIT
from core.model import Member, Product, Role, Shop
from core.report_model import DeadStock, Mover, WeekFigures, WeeklyReport
from devtools.localapi.errors import ApiError
from devtools.localapi.validation import (
    MAX_CAPTION,
    MAX_TEXT,
    MAX_TOAST,
    check_text,
    utf16_length,
)

WIDE = "🥛"  # one character, two UTF-16 units
BIG = Decimal("999999999.999")


def wide(length: int) -> str:
    return WIDE * length


SHOP = Shop(1, wide(64), currency="EUR")
PRODUCT = Product(
    1, 1, wide(MAX_PRODUCT_NAME), category=wide(MAX_CATEGORY), unit=wide(MAX_UNIT),
    threshold=BIG, price=BIG, cost=BIG, supplier=wide(MAX_SUPPLIER), on_hand=BIG,
    barcodes=("9" * 64,) * 5,
)  # fmt: skip


def within(text: str, limit: int) -> None:
    """As the local Bot API would judge it: well-formed HTML, no more than `limit`."""
    try:
        check_text(text, "HTML", limit, "too long")
    except ApiError as refused:
        pytest.fail(f"Telegram would refuse it: {refused.description}")


@pytest.mark.parametrize("lines", [1, 10, 400, 5000])
def test_a_reply_cut_to_fit_is_within_the_limit_and_well_formed(lines: int) -> None:
    rows = [f"• <b>{texts.h(wide(64))}</b> — <i>{texts.h('<&>' * 10)}</i>"] * lines
    within(texts.truncate("\n".join(rows)), MAX_TEXT)


def test_one_enormous_line_is_cut_rather_than_refused() -> None:
    shown = texts.truncate(wide(4000))
    within(shown, MAX_TEXT)
    assert shown.endswith("(more not shown)")


@pytest.mark.parametrize("text", ["x" * 4096, wide(2048), wide(150) + "x", "ok"])
def test_a_toast_fits_200(text: str) -> None:
    toast = texts.toast(text)
    assert utf16_length(toast) <= MAX_TOAST
    assert toast == text or toast.endswith("…")


@pytest.mark.parametrize(
    "render",
    [texts.not_a_role, texts.not_a_reason, texts.did_you_mean, texts.unknown_caption],
)
def test_input_quoted_back_is_shortened(render: object) -> None:
    said = render(wide(2048) + "<b>")  # type: ignore[operator]
    within(said, 300)


def test_the_weekly_reports_caption_at_its_largest_fits_1024() -> None:
    week = WeekFigures(date(2026, 11, 30), BIG, BIG, BIG)
    report = WeeklyReport(
        SHOP, date(2026, 12, 6), (week,) * 8,
        movers=tuple(Mover(PRODUCT, BIG, BIG) for _ in range(20)),
        dead=tuple(DeadStock(PRODUCT, BIG) for _ in range(20)),
        moved=True,
    )  # fmt: skip
    within(texts.report_caption(report), MAX_CAPTION)


def test_captions_and_pushes_at_their_largest_fit() -> None:
    within(texts.chart_caption(PRODUCT, 30), MAX_CAPTION)
    for kind in (AlertKind.LOW, AlertKind.OUT):
        alert = CrossingAlert(SHOP, PRODUCT, kind, BIG, 1, is_owner=True)
        within(texts.crossing_text(alert), MAX_TEXT)
    member = Member(1, 2, Role.STAFF, "N" * MAX_PERSON_NAME)
    within(texts.someone_joined(SHOP, member), MAX_TEXT)
    within(texts.product_added(PRODUCT), MAX_TEXT)
