"""A quantity's unit reads as its number and the reader's language want it: "Sold 2 box
ibuprofen" and "Продано 2 box" were what a pharmacy saw."""

from decimal import Decimal

import pytest

from bot import i18n, texts
from bot.texts import plain_qty
from core.model import Product


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("1", "box", "1 box"),
        ("12", "box", "12 boxes"),
        ("1", "boxes", "1 box"),
        ("0", "bottle", "0 bottles"),
        ("3", "loaf", "3 loaves"),
        ("2", "pcs", "2 pcs"),
        ("2.5", "l", "2.5 l"),
        ("2", "portion", "2 portion"),  # the shop's own unit, as typed
        ("4", "шт", "4 pcs"),  # a Russian shop's unit read in English
        ("2", "dozen", "2 dozen"),
    ],
)
def test_english_inflects_the_count_units_it_knows(value: str, unit: str, shown: str) -> None:
    assert plain_qty(Decimal(value), unit) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("1", "box", "1 коробка"),
        ("3", "boxes", "3 коробки"),
        ("5", "box", "5 коробок"),
        ("21", "bottle", "21 бутылка"),
        ("11", "bottle", "11 бутылок"),
        ("7", "pcs", "7 шт"),
        ("2.5", "kg", "2,5 кг"),
        ("2", "l", "2 л"),
        ("5", "штук", "5 шт"),
        ("2", "portion", "2 portion"),
    ],
)
def test_russian_names_the_units_it_knows_in_russian(value: str, unit: str, shown: str) -> None:
    with i18n.speaking("ru"):
        assert plain_qty(Decimal(value), unit) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("5.000", "5 коробок"),
        ("1.000", "1 коробка"),
        ("21.000", "21 коробка"),
        ("2.500", "2,5 коробки"),
    ],
)
def test_russian_takes_the_form_of_the_number_shown(value: str, shown: str) -> None:
    """A quantity read from the database has three decimals (5.000), shown as 5: it was
    "5 коробки" and "1 коробки", the form of a number with decimals."""
    with i18n.speaking("ru"):
        assert plain_qty(Decimal(value), "box") == shown


def test_a_question_asks_for_the_unit_in_the_plural() -> None:
    """It asked "How many box of ibuprofen were sold?"."""
    ibuprofen = Product(1, 1, "ibuprofen", unit="box")
    assert "How many boxes of <b>ibuprofen</b>" in texts.quantity_prompt("sell", ibuprofen)
    assert "How many boxes of <b>ibuprofen</b>" in texts.stocktake_prompt("", 1, 2, ibuprofen)
    with i18n.speaking("ru"):
        assert "Сколько коробок <b>ibuprofen</b>" in texts.quantity_prompt("sell", ibuprofen)
