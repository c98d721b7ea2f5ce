"""Units a product is counted in, and whether a fraction of one makes sense.

A shop sells eggs by the piece and flour by the kilo: `1.5 pcs` is a typing mistake,
`1.5 kg` is a sale. A unit the shop made up (`portion`, `tray of 6`) is not known to
the bot, so it allows fractions: refusing a real `0.5 portion` would block the shop,
while a mistaken fraction of an unknown unit is as visible in the books as any other
mistyped figure and is undone the same way.
"""

from __future__ import annotations

from decimal import Decimal

from core.errors import UnitMismatch
from core.model import Product
from core.plurals import singulars

# Units whose singular and plural both count whole things.
WHOLE_UNITS = frozenset(
    {
        *("pcs", "pc", "piece", "pieces", "each", "ea", "unit", "units", "item", "items"),
        *("pack", "packs", "packet", "packets", "box", "boxes", "bottle", "bottles"),
        *("can", "cans", "tin", "tins", "jar", "jars", "bag", "bags", "sack", "sacks"),
        *("carton", "cartons", "crate", "crates", "case", "cases", "tray", "trays"),
        *("roll", "rolls", "loaf", "loaves", "bar", "bars", "tube", "tubes", "pot", "pots"),
        *("dozen", "pair", "pairs", "bunch", "bunches", "sachet", "sachets", "cup", "cups"),
    }
)

# Units of weight, volume and length: any amount to three decimal places.
DECIMAL_UNITS = frozenset(
    {"kg", "g", "mg", "lb", "oz", "l", "ml", "cl", "dl", "gal", "m", "cm", "mm", "ft"}
)


def allows_fractions(unit: str) -> bool:
    """Whether `0.5 <unit>` is a quantity; unknown units do (see the module's note)."""
    return _unit_forms(unit).isdisjoint(WHOLE_UNITS)


def is_whole(quantity: Decimal) -> bool:
    return quantity == quantity.to_integral_value()


# Spellings of one unit, each group's first the one the group stands for.
_SAME_UNITS = (
    ("pcs", "pc", "piece", "each", "ea", "unit", "item"),
    ("kg", "kgs", "kilo", "kilogram", "kilogramme"),
    ("g", "gr", "gram", "gramme"),
    ("l", "ltr", "litre", "liter"),
    ("ml", "millilitre", "milliliter"),
    ("m", "metre", "meter"),
    ("lb", "lbs", "pound"),
    ("oz", "ounce"),
)
# Russian names of units, each in its three forms after a number (1 штука, 2 штуки,
# 5 штук: Russian's plural forms one, few and many) and its usual abbreviation, standing
# for the unit first named. A shop typing in Russian counts in these; a product added
# with the English default (`pcs`, `kg`) is the same unit.
# The feminine ones also as a sale says one (`продала 1 бутылку`), and the short forms
# a till receipt prints (`упак`, `пач`, `бан`).
_RUSSIAN_UNITS = (
    ("pcs", "шт", "штука", "штуки", "штук", "штуку"),
    ("pack", "уп", "упак", "упаковка", "упаковки", "упаковок", "упаковку"),
    ("pack", "пач", "пачка", "пачки", "пачек", "пачку"),
    ("box", "кор", "коробка", "коробки", "коробок", "коробку"),
    ("bottle", "бут", "бутылка", "бутылки", "бутылок", "бутылку"),
    ("can", "бан", "банка", "банки", "банок", "банку"),
    ("bag", "мешок", "мешка", "мешков", "пакет", "пакета", "пакетов"),
    ("roll", "рул", "рулон", "рулона", "рулонов"),
    ("loaf", "буханка", "буханки", "буханок", "буханку"),
    ("crate", "ящик", "ящика", "ящиков"),
    ("dozen", "десяток", "десятка", "десятков"),
    ("kg", "кг", "кило", "килограмм", "килограмма", "килограммов"),
    ("g", "г", "гр", "грамм", "грамма", "граммов"),
    ("l", "л", "литр", "литра", "литров"),
    ("ml", "мл", "миллилитр", "миллилитра", "миллилитров"),
    ("m", "м", "метр", "метра", "метров"),
    ("cm", "см"),
    ("mm", "мм"),
)
_UNIT_BY_SPELLING = {
    spelling: group[0] for group in (*_SAME_UNITS, *_RUSSIAN_UNITS) for spelling in group
}
_KNOWN_UNITS = WHOLE_UNITS | DECIMAL_UNITS | set(_UNIT_BY_SPELLING.values())


def _unit_forms(unit: str) -> set[str]:
    word = unit.strip().casefold().removesuffix(".")
    return {_UNIT_BY_SPELLING.get(form, form) for form in (word, *singulars(word))}


def unit_of(unit: str) -> str | None:
    """The known unit a spelling stands for (`boxes` → `box`, `штук` → `pcs`,
    `Kilo` → `kg`), or None for a unit of the shop's own."""
    known = sorted(_unit_forms(unit) & _KNOWN_UNITS, key=len)
    return known[0] if known else None


def is_unit_word(word: str) -> bool:
    """Whether a word is a unit the bot knows (`kg`, `pieces`, `bottles`), so that in
    `2 kg flour` it is the unit and not the start of the name."""
    return not _unit_forms(word).isdisjoint(_KNOWN_UNITS)


def check_typed_unit(typed: str | None, product: Product) -> None:
    """Refuses a quantity typed in another unit than the product's (see same_unit)."""
    if typed is not None and not same_unit(typed, product.unit):
        raise UnitMismatch(typed, product.unit, product.name)


def same_unit(typed: str, unit: str) -> bool:
    """Whether a unit typed after a quantity (`2.5 kg`, `3 pieces`, `2 bottles`) is the
    product's own unit: any case, singular or plural, a common spelling. Never converts:
    `500 g` of a product counted in kg is a different unit."""
    return not _unit_forms(typed).isdisjoint(_unit_forms(unit))
