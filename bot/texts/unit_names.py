"""A quantity's unit in the reader's language and in the form its number takes:
`1 box`, `12 boxes`; in Russian `1 коробка`, `2 коробки`, `5 коробок`, `3 шт`, `2,5 кг`.

A unit is stored as the shop typed it (`box`, `boxes`, `шт`, `portion`); only the units
the bot knows (core.units) change their form or language, and a unit of the shop's own
is shown as typed."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale

from bot import i18n
from core.quantities import format_quantity
from core.units import unit_of

# Count units English inflects (one, other); abbreviations (pcs, kg, l) and `dozen` do not.
_ENGLISH = {
    word: (word, plural)
    for word, plural in (
        *(("pack", "packs"), ("packet", "packets"), ("box", "boxes"), ("bottle", "bottles")),
        *(("can", "cans"), ("tin", "tins"), ("jar", "jars"), ("bag", "bags"), ("sack", "sacks")),
        *(("carton", "cartons"), ("crate", "crates"), ("case", "cases"), ("tray", "trays")),
        *(("roll", "rolls"), ("loaf", "loaves"), ("bar", "bars"), ("tube", "tubes")),
        *(("pot", "pots"), ("pair", "pairs"), ("bunch", "bunches"), ("sachet", "sachets")),
        ("cup", "cups"),
    )
}
_RUSSIAN_SHORT = {"kg": "кг", "g": "г", "mg": "мг", "l": "л", "ml": "мл", "m": "м"}
_RUSSIAN_SHORT |= {"cm": "см", "mm": "мм", "cl": "сл", "dl": "дл"}
# Russian (one, few, many): `1 коробка`, `2 коробки`, `5 коробок`; abbreviations do not change.
_RUSSIAN = {
    "pcs": ("шт",) * 3,
    "pack": ("упаковка", "упаковки", "упаковок"),
    "box": ("коробка", "коробки", "коробок"),
    "bottle": ("бутылка", "бутылки", "бутылок"),
    "can": ("банка", "банки", "банок"),
    "bag": ("пакет", "пакета", "пакетов"),
    "roll": ("рулон", "рулона", "рулонов"),
    "loaf": ("буханка", "буханки", "буханок"),
    "crate": ("ящик", "ящика", "ящиков"),
    "dozen": ("десяток", "десятка", "десятков"),
    "packet": ("пакет", "пакета", "пакетов"),
    "jar": ("банка", "банки", "банок"),
    "tin": ("банка", "банки", "банок"),
    "sack": ("мешок", "мешка", "мешков"),
    "carton": ("коробка", "коробки", "коробок"),
    "case": ("ящик", "ящика", "ящиков"),
    "tray": ("лоток", "лотка", "лотков"),
    "bar": ("плитка", "плитки", "плиток"),
    "tube": ("тюбик", "тюбика", "тюбиков"),
    "pot": ("баночка", "баночки", "баночек"),
    "pair": ("пара", "пары", "пар"),
    "bunch": ("пучок", "пучка", "пучков"),
    "sachet": ("пакетик", "пакетика", "пакетиков"),
    "cup": ("стакан", "стакана", "стаканов"),
    "lb": ("фунт", "фунта", "фунтов"),
    "oz": ("унция", "унции", "унций"),
    "gal": ("галлон", "галлона", "галлонов"),
    "ft": ("фут", "фута", "футов"),
    **{unit: (short,) * 3 for unit, short in _RUSSIAN_SHORT.items()},
}
_RUSSIAN_FORM = {"one": 0, "few": 1, "many": 2, "other": 1}  # a fraction: 2,5 коробки
_russian_plural = Locale.parse("ru").plural_form  # once: every quantity a reply shows asks
MANY = Decimal(5)  # English's plural and Russian's "many" form


def unit_for(value: Decimal, unit: str) -> str:
    """`unit` as it reads after `value` in the current language."""
    known = unit_of(unit) if unit else None
    if known is None:
        return unit
    if i18n.current() == "ru":
        forms = _RUSSIAN.get(known)
        if forms is None:
            return unit
        # The form of the number as shown: the database's 5.000 reads "5", and Russian
        # gives a number with decimals another form (5,000 коробки, 5 коробок).
        shown = Decimal(format_quantity(abs(value)))
        return forms[_RUSSIAN_FORM[_russian_plural(shown)]]
    english = _ENGLISH.get(known)
    if english is not None:
        return english[0] if abs(value) == 1 else english[1]
    # A Russian spelling read in English: its English name (`шт` → `pcs`).
    return known if not unit.isascii() else unit


def unit_label(unit: str) -> str:
    """`unit` as a label beside a product's name (`молоко (л)`, `ibuprofen (box)`)."""
    return unit_for(Decimal(1), unit)


def units_of(unit: str) -> str:
    """`unit` as it reads after "how many" (`How many boxes…`, `Сколько коробок…`)."""
    return unit_for(MANY, unit)
