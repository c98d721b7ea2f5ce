"""Core's refusals worded by the chat are plain text, escaped once where they are sent:
`Only 2 pcs of M&amp;M` reached the chat, since the wording escaped the name and the
sender escaped it again."""

from __future__ import annotations

from decimal import Decimal

from bot import texts
from core.errors import InsufficientStock, UndoRefusal, UndoRefused


def test_not_enough_stock_names_the_product_as_typed() -> None:
    said = texts.why(InsufficientStock("M&M <mini>", Decimal(5), Decimal(2), "b&w"))
    assert "M&M <mini>" in said and "2 b&w" in said
    assert "&amp;" not in said and "&lt;" not in said


def test_an_undo_refused_for_used_stock_says_what_is_left_as_typed() -> None:
    said = texts.why(UndoRefused(UndoRefusal.STOCK_USED, left=Decimal(1), unit="b&w"))
    assert "1 b&w" in said and "&amp;" not in said
