"""Units a product is counted in, and whether a fraction of one makes sense.

A shop sells eggs by the piece and flour by the kilo: `1.5 pcs` is a typing mistake,
`1.5 kg` is a sale. A unit the shop made up (`portion`, `tray of 6`) is not known to
the bot, so it allows fractions: refusing a real `0.5 portion` would block the shop,
while a mistaken fraction of an unknown unit is as visible in the books as any other
mistyped figure and is undone the same way.
"""

from __future__ import annotations

from decimal import Decimal

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
    return unit.strip().casefold() not in WHOLE_UNITS


def is_whole(quantity: Decimal) -> bool:
    return quantity == quantity.to_integral_value()
