"""Barcodes: which typed or scanned codes are valid, and when two codes are the same.

Retail codes (EAN-13, EAN-8, UPC-A, UPC-E, GTIN-14) end in a GS1 check digit; a typed
one with a wrong last digit is refused rather than stored, since a scan would never
match it. Other symbologies (Code 128, QR, DataMatrix) carry any text and have no check
digit a person could get wrong, so they are kept as they are.

One product found under UPC-A `012345678905`, EAN-13 `0012345678905` or UPC-E
`01234565` is the same product: matching compares `barcode_keys`, the GTIN-14 forms.
"""

from __future__ import annotations

import re

from core.errors import BarcodeProblem, InvalidBarcode

MAX_BARCODE = 64
GTIN_LENGTHS = (8, 12, 13, 14)
_DIGITS = re.compile(r"\d+")
_PRINTABLE = re.compile(r"[\x21-\x7e]+")


def gs1_check_digit(body: str) -> int:
    """The check digit GS1 appends to `body` (weights 3, 1, 3, … from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _gs1_valid(code: str) -> bool:
    return gs1_check_digit(code[:-1]) == int(code[-1])


def upce_to_upca(code: str) -> str | None:
    """The UPC-A a UPC-E code (number system 0 or 1, 8 digits) stands for; None when it
    is not a UPC-E shape."""
    if len(code) != 8 or not code.isdigit() or code[0] not in "01":
        return None
    system, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = f"{d[0]}{d[1]}{last}0000{d[2]}{d[3]}{d[4]}"
    elif last == "3":
        body = f"{d[0]}{d[1]}{d[2]}00000{d[3]}{d[4]}"
    elif last == "4":
        body = f"{d[0]}{d[1]}{d[2]}{d[3]}00000{d[4]}"
    else:
        body = f"{d[0]}{d[1]}{d[2]}{d[3]}{d[4]}0000{last}"
    return f"{system}{body}{check}"


def is_gtin_shaped(text: str) -> bool:
    """All digits, of a length a retail code has: it must pass its check digit."""
    return bool(_DIGITS.fullmatch(text)) and len(text) in GTIN_LENGTHS


def _gtin_valid(code: str) -> bool:
    if len(code) == 8:
        upca = upce_to_upca(code)
        return _gs1_valid(code) or (upca is not None and _gs1_valid(upca))
    return _gs1_valid(code)


def checked_barcode(text: str) -> str:
    """The barcode as it is kept, or InvalidBarcode saying what is wrong with it."""
    code = text.strip()
    if not code:
        raise InvalidBarcode(code, BarcodeProblem.EMPTY)
    if len(code) > MAX_BARCODE:
        raise InvalidBarcode(code[:20] + "…", BarcodeProblem.TOO_LONG, limit=MAX_BARCODE)
    if not _PRINTABLE.fullmatch(code):
        raise InvalidBarcode(code, BarcodeProblem.CHARACTERS)
    if is_gtin_shaped(code) and not _gtin_valid(code):
        expected = gs1_check_digit(code[:-1])
        raise InvalidBarcode(code, BarcodeProblem.CHECK_DIGIT, expected=str(expected))
    return code


def barcode_keys(code: str) -> frozenset[str]:
    """What a code is known by: retail codes as GTIN-14, anything else as it is. An
    8-digit code may be an EAN-8 or a UPC-E (its UPC-A expanded); it is known by each
    reading whose check digit holds. Two codes are the same product when they share a key."""
    code = code.strip()
    if not is_gtin_shaped(code):
        return frozenset({code})
    keys = set()
    if _gs1_valid(code):
        keys.add(code.zfill(14))
    if len(code) == 8 and (upca := upce_to_upca(code)) is not None and _gs1_valid(upca):
        keys.add(upca.zfill(14))
    return frozenset(keys or {code.zfill(14)})


def same_barcode(a: str, b: str) -> bool:
    return not barcode_keys(a).isdisjoint(barcode_keys(b))
