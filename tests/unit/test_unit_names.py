"""A quantity's unit reads as its number and the reader's language want it: "Sold 2 box
ibuprofen" and "Продано 2 box" were what a pharmacy saw."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from bot import i18n, texts
from bot.texts import plain_qty
from core.forecast import Velocity
from core.model import Product, Shop
from core.units import DECIMAL_UNITS, WHOLE_UNITS, unit_of

TEXTS = Path(__file__).parents[2] / "webapp" / "static" / "texts.js"
KNOWN_SPELLINGS = WHOLE_UNITS | DECIMAL_UNITS


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


KNOWN = sorted({unit_of(spelling) or spelling for spelling in KNOWN_SPELLINGS})


@pytest.mark.parametrize("unit", KNOWN)
def test_russian_names_every_unit_the_bot_knows(unit: str) -> None:
    """A Russian reader of an English-speaking owner's catalog saw "5 jar", "2 pair"."""
    with i18n.speaking("ru"):
        shown = plain_qty(Decimal(5), unit)
    assert not re.search("[a-z]", shown), shown


def _units_of(language: str) -> dict[str, dict[str, str]]:
    """The Mini App's unit table of a language (webapp/static/texts.js), as forms by
    plural category."""
    source = TEXTS.read_text(encoding="utf-8")
    block = re.search(
        rf"^const {language} = \{{\n  locale: .*?\n  units: \{{\n(.*?)\n  \}},", source, re.S | re.M
    )
    assert block is not None, language
    entries = re.findall(r"(\w+): (same|inEnglish|inRussian)\(([^)]*)\)", block.group(1))
    forms = {}
    for unit, kind, words in entries:
        said = re.findall(r'"([^"]*)"', words)
        if kind == "same":
            said = said * 3
        elif kind == "inEnglish":
            said = [said[0], said[1], said[1]]
        forms[unit] = dict(zip(("one", "few", "many"), said, strict=True))
    return forms


@pytest.mark.parametrize(
    ("language", "value", "category"),
    [
        ("ru", "1", "one"),
        ("ru", "3", "few"),
        ("ru", "5", "many"),
        ("en", "1", "one"),
        ("en", "5", "many"),
    ],
)
def test_the_mini_app_words_a_unit_as_the_chat_does(
    language: str, value: str, category: str
) -> None:
    """The chat's tables (bot/texts/unit_names.py) and the page's (texts.js) are one
    table written twice; this keeps them saying the same."""
    page = _units_of(language)
    with i18n.speaking(language):
        for unit in KNOWN:
            chat = plain_qty(Decimal(value), unit).split(" ", 1)[1]
            assert page.get(unit, {}).get(category, unit) == chat, unit


def test_the_card_and_the_lists_name_the_unit_in_the_readers_language() -> None:
    """A Russian card read "(продаётся ~3 pcs/день)", the product list "• молоко (l)" and
    /add "Добавлен молоко (l)"; and English "~2.5 box/day"."""
    ibuprofen = Product(1, 1, "ibuprofen", unit="box")
    milk = Product(2, 1, "молоко", unit="l")
    shop = Shop(1, "Аптека")
    assert "~2.5 boxes/day" in texts.pace_line(Velocity(2.5, 4), "box")
    with i18n.speaking("ru"):
        assert "~3 шт/день" in texts.pace_line(Velocity(3.0, 4), "pcs")
        assert "~2,5 коробки/день" in texts.pace_line(Velocity(2.5, 4), "box")
        listed = texts.products_list([ibuprofen, milk], shop, None)
        assert "ibuprofen (коробка)" in listed and "молоко (л)" in listed
        assert "(л)" in texts.product_added(milk)
