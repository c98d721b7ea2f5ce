"""How long a stored text may be, checked on the value as it is stored.

A value longer than its column is refused in core with a reply naming the limit, never
left for the database to reject (which reads as our own failure and is retried). Limits
apply after the value is normalized: a product's key is its case-folded name, and case
folding can lengthen it ("ß" → "ss", "İ" → "i̇"), so a name within its limit can still
have a key that is not. Names that come from Telegram (a person's first and last name,
up to 64 characters each) are shortened instead: nobody should be refused for their name.
"""

from __future__ import annotations

from core.errors import TextField, TooLong

MAX_PRODUCT_NAME = 64
MAX_CATEGORY = 64
MAX_UNIT = 16
MAX_SUPPLIER = 128
MAX_SHOP_NAME = 64
MAX_TIMEZONE = 64
MAX_PERSON_NAME = 128
# How much of a person's input a reply quotes back: enough to recognise it.
MAX_QUOTED = 64
ELLIPSIS = "…"


def checked_length(value: str, limit: int, field: TextField, *, folded: bool = False) -> str:
    """`value`, or TooLong when it has more than `limit` characters."""
    if len(value) > limit:
        raise TooLong(field, limit, folded=folded)
    return value


def shortened(text: str, limit: int = MAX_QUOTED) -> str:
    """`text` cut to at most `limit` characters, ending in … when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def person_name(name: str) -> str:
    """A name as Telegram gives it (first and last, 129 characters at most), fitted to
    what is stored."""
    return shortened(" ".join(name.split()), MAX_PERSON_NAME)
