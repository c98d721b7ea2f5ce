"""A unit typed with a quantity against the product's own, and the plural rule that names
and units share."""

import pytest

from core.plurals import singulars
from core.units import allows_fractions, is_unit_word, same_unit


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("kg", "kg"),
        ("KG", "kg"),
        ("kilos", "kg"),
        ("pieces", "pcs"),
        ("pc", "pcs"),
        ("bottles", "bottle"),
        ("boxes", "box"),
        ("Litres", "l"),
        ("portions", "portion"),  # a shop's own unit, in the plural
        # Russian, in each of its three forms after a number, for the English default
        ("л", "l"),
        ("литра", "l"),
        ("шт", "pcs"),
        ("шт.", "pcs"),
        ("штуки", "pcs"),
        ("штук", "pcs"),
        ("кг", "kg"),
        ("килограммов", "kg"),
        ("бутылки", "bottle"),
        ("пачек", "pack"),
        ("штука", "шт"),  # a product added with a Russian unit
        ("pieces", "шт"),
    ],
)
def test_the_same_unit_in_other_spellings(typed: str, unit: str) -> None:
    assert same_unit(typed, unit)


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("g", "kg"), ("pcs", "kg"), ("ml", "l"), ("x", "pcs"), ("г", "kg"), ("мл", "l"), ("шт", "kg")],
)
def test_other_units_are_not_converted(typed: str, unit: str) -> None:
    assert not same_unit(typed, unit)


def test_unit_words_the_bot_knows() -> None:
    assert all(is_unit_word(w) for w in ("kg", "Kilos", "pieces", "bottles", "l"))
    assert not any(is_unit_word(w) for w in ("flour", "croissant", "up", "of"))
    assert all(is_unit_word(w) for w in ("кг", "штук", "литра", "бутылки"))
    assert not any(is_unit_word(w) for w in ("мука", "молоко", "круассан"))


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("упак", "уп"), ("1 упак", "pack"), ("бутылку", "bottle"), ("штуку", "шт"), ("пачку", "уп")],
)
def test_a_russian_unit_as_a_sale_or_a_receipt_says_it(typed: str, unit: str) -> None:
    """'продал ибупрофен 1 упак' was '«ибупрофен» считается в уп, а не в упак', and
    'продала 1 бутылку' named no unit."""
    assert same_unit(typed.split()[-1], unit)


def test_russian_units_of_whole_things_take_no_fractions() -> None:
    assert not any(allows_fractions(u) for u in ("шт", "штук", "Шт.", "бутылка", "pcs", "boxes"))
    assert all(allows_fractions(u) for u in ("кг", "л", "kg", "portion", "порция"))


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("croissants", "croissant"),
        ("blueberries", "blueberry"),
        ("sourdough loaves", "sourdough loaf"),
        ("knives", "knife"),
        ("tomatoes", "tomato"),
        ("boxes", "box"),
        ("quiches", "quiche"),
        ("cakes", "cake"),
    ],
)
def test_simple_english_plurals_are_undone(plural: str, singular: str) -> None:
    assert singular in singulars(plural)


@pytest.mark.parametrize("word", ["glass", "bus", "kg", "milk", "hummus", "7 up"])
def test_words_that_do_not_look_plural_are_left_alone(word: str) -> None:
    assert singulars(word) == []
