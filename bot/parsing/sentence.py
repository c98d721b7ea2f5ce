"""The shared shape of a command: a head (name and quantity) and keyword values."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NoReturn

from bot.i18n import _
from bot.parsing.dates import ShopDates, parse_date
from bot.parsing.errors import ParseError, shorten
from bot.parsing.values import (
    NumberReadsBothWays,
    is_fraction,
    parse_days,
    parse_money,
    parse_quantity,
)
from bot.parsing.words import COUNT_WORDS, NUMBER, Word, clean, join_words, split_words
from core.units import is_unit_word

# What kind of value a keyword takes.
ValueKind = enum.Enum("ValueKind", "WORD WORDS QUANTITY MONEY DATE DAYS TEXT FLAG")


# Words between a date's keyword and the date, as Russian says it: `годен до 20.12`,
# `срок годности до 20.12`.
DATE_LEAD_WORDS = frozenset({"до", "годности"})


@dataclass(frozen=True)
class Keyword:
    field: str
    kind: ValueKind
    example: str
    value: object = None  # the value of a FLAG keyword (e.g. a Reason)


@dataclass
class Sentence:
    """A command's words split into the head (name and quantity) and keyword values."""

    head: list[Word]
    values: dict[str, object] = field(default_factory=dict)


def split_sentence(
    text: str, keywords: dict[str, Keyword], usage: str, *, dates: ShopDates
) -> Sentence:
    words = split_words(text, usage)
    positions = [
        i
        for i, word in enumerate(words)
        if i > 0 and not word.quoted and word.text.casefold() in keywords
    ]
    if not positions:
        return Sentence(words)
    words = _without_list_commas(words, positions)
    positions = [
        i
        for i, word in enumerate(words)
        if i > 0 and not word.quoted and word.text.casefold() in keywords
    ]
    positions = _joined(words, positions, keywords)
    sentence = Sentence(words[: positions[0]])
    seen: set[str] = set()
    for n, position in enumerate(positions):
        keyword_word = words[position]
        keyword = keywords[keyword_word.text.casefold()]
        if keyword.field in seen:
            raise ParseError(_("“{word}” is given twice.").format(word=keyword_word.text), usage)
        seen.add(keyword.field)
        if keyword.kind is ValueKind.TEXT:
            # Free text runs to the end of the line, keywords and all.
            sentence.values[keyword.field] = clean(text[keyword_word.end :])
            break
        end = positions[n + 1] if n + 1 < len(positions) else len(words)
        value_words = words[position + 1 : end]
        if value_words and value_words[0].is_separator:  # `exp: 2026-06-01`, `cat = dairy`
            value_words = value_words[1:]
        sentence.values[keyword.field] = _keyword_value(
            keyword_word.text, keyword, value_words, usage, dates=dates
        )
    return sentence


def _joined(words: list[Word], positions: list[int], keywords: dict[str, Keyword]) -> list[int]:
    """A keyword after one of the same field, with nothing but a date's lead words
    between them, is part of it: `годен до 20.12`, `срок годности до 20.12`."""
    kept: list[int] = []
    for position in positions:
        if kept:
            before = kept[-1]
            same = (
                keywords[words[position].text.casefold()].field
                == keywords[words[before].text.casefold()].field
            )
            between = words[before + 1 : position]
            if same and all(w.text.casefold() in DATE_LEAD_WORDS for w in between):
                continue
        kept.append(position)
    return kept


def _without_list_commas(words: list[Word], positions: list[int]) -> list[Word]:
    """`cinnamon roll, price 2.5, min 12`: a comma before a keyword separates the parts
    as in a list, and is no part of the name or the value before it."""
    kept: list[Word] = []
    for i, word in enumerate(words):
        if i + 1 in positions and not word.quoted:
            if word.text == ",":
                continue
            if word.text.endswith(","):
                word = replace(word, text=word.text[:-1], end=word.end - 1)
        kept.append(word)
    return kept


def _keyword_value(
    spelled: str, keyword: Keyword, words: list[Word], usage: str, *, dates: ShopDates
) -> object:
    if keyword.kind is ValueKind.FLAG:
        if words:
            message = _("Unexpected “{typed}” after “{word}”; put free text after note.")
            raise ParseError(message.format(typed=shorten(join_words(words)), word=spelled), usage)
        return keyword.value
    if not words:
        raise ParseError(_needs_value(spelled, keyword), usage)
    if any(w.is_separator for w in words):
        raise ParseError(_("Unexpected “=” or “:” after “{word}”.").format(word=spelled), usage)
    text = join_words(words)
    if keyword.kind is ValueKind.WORDS:
        return clean(text) or _missing(spelled, keyword, usage)
    if keyword.kind is ValueKind.DATE:  # one word or several: `8 dec`, `20 Dec 2026`
        while len(words) > 1 and words[0].text.casefold() in DATE_LEAD_WORDS:
            words = words[1:]  # `годен до 20.12`, `срок годности 20.12`
        return parse_date(join_words(words), usage, dates=dates)
    if keyword.kind is ValueKind.MONEY and len(words) <= 2:
        return parse_money(text.replace(" ", ""), usage)
    if keyword.kind is ValueKind.QUANTITY and (with_unit := _quantity_with_unit(words)):
        return with_unit  # `min 2kg`, `min 2 kg`: the unit is checked with the product's
    if keyword.kind is ValueKind.DAYS and len(words) == 2:
        return parse_days(text, usage)  # `lead 5 days`, `поставка 5 дней`
    if len(words) > 1:
        message = _("“{word}” takes one value, got “{typed}”; e.g. {example}.")
        raise ParseError(
            message.format(word=spelled, typed=shorten(text), example=keyword.example), usage
        )
    if keyword.kind is ValueKind.WORD:
        return clean(text) or _missing(spelled, keyword, usage)
    if keyword.kind is ValueKind.QUANTITY:
        return parse_quantity(text, usage)
    if keyword.kind is ValueKind.DAYS:
        return parse_days(text, usage)
    raise AssertionError(f"unknown keyword kind {keyword.kind}")


@dataclass(frozen=True)
class QuantityInUnit:
    """A keyword's quantity typed with its unit (`min 2kg`)."""

    quantity: Decimal
    unit: str


def _quantity_with_unit(words: list[Word]) -> QuantityInUnit | None:
    if len(words) == 1 and (attached := _attached(words[0])) is not None:
        quantity, unit = attached
    elif len(words) == 2 and words[0].is_number and _is_unit(words[1]):
        quantity, unit = parse_quantity(words[0].text), words[1].text
    else:
        return None
    return QuantityInUnit(quantity, unit) if unit is not None and is_unit_word(unit) else None


def _needs_value(spelled: str, keyword: Keyword) -> str:
    return _("“{word}” needs a value, e.g. {example}.").format(
        word=spelled, example=keyword.example
    )


def _missing(spelled: str, keyword: Keyword, usage: str) -> NoReturn:
    raise ParseError(_needs_value(spelled, keyword), usage)


def product_name(words: Sequence[Word], usage: str) -> str | None:
    if any(w.is_separator for w in words):
        raise ParseError(_("Unexpected “=” or “:” in the product name."), usage)
    name = clean(join_words(words))
    return name or None


@dataclass(frozen=True)
class Head:
    """What a stock command's head says: the name, the quantity, the unit typed with the
    quantity, and all the words as one name when the quantity came from among them."""

    name: str | None
    quantity: Decimal | None
    unit: str | None = None
    literal_name: str | None = None


# A quantity with its unit in one word: `2.5kg`, `3pcs`.
QUANTITY_AND_UNIT = re.compile(rf"(?P<quantity>{NUMBER.pattern})(?P<unit>[^\W\d_]+\.?)")
UNIT_WORD = re.compile(r"[^\W\d_]+\.?")
# So many times: `x2`, `2x`, `×3`.
# `x2`, `2x`, `×2`, and with a Russian keyboard's х (`круассан х2`) or a `*2`.
TIMES = re.compile(
    rf"[x×х*](?P<before>{NUMBER.pattern})|(?P<after>{NUMBER.pattern})[x×х*]", re.IGNORECASE
)


def name_and_quantity(head: list[Word], usage: str) -> Head:
    """The product name and quantity of a stock command's head: `<name> <qty>`,
    `<name> = <qty>` or `<name>: <qty>`; also with a unit (`flour 2.5 kg`, `flour 2.5kg`,
    `flour = 2.5 kg`) and quantity first (`3 croissant`, `2 kg flour`, `2 kg of flour`),
    and as so many times (`croissant x2`).
    Either may be missing. Whether the quantity is allowed (more than 0, whole for
    pieces) and the unit is the product's are the ledger's rules, checked there once."""
    separators = [i for i, w in enumerate(head) if w.is_separator or _dash_before_number(head, i)]
    if len(separators) > 1:
        raise ParseError(_("Only one “=” or “:” between the name and the quantity, please."), usage)
    if separators:
        at = separators[0]
        read = _after_separator(head[:at], head[at + 1 :], usage)
        if head[at].is_separator:
            return read
        # A dash may be a name's own (`ibuprofen - 200mg`): that product comes first.
        return replace(read, literal_name=product_name(head, usage))
    if head and head[-1].is_number:
        return Head(product_name(head[:-1], usage), parse_quantity(head[-1].text, usage))
    whole = product_name(head, usage)
    reading = _reading(head)
    if reading is None:
        return Head(whole, None)
    name, quantity, unit = reading
    return Head(product_name(name, usage), quantity, unit, literal_name=whole)


DASHES = ("-", "–", "—")


def _dash_before_number(head: list[Word], i: int) -> bool:
    """`nails - 12`, `nails - 12 kg`, as a list on paper has it: a dash alone before a
    quantity that ends the text separates the name and the quantity as `=` does. Before
    more words it is part of the name (`ibuprofen - 200mg 3`: 3 of "ibuprofen - 200mg")."""
    word, after = head[i], head[i + 1 :]
    if i == 0 or word.quoted or word.text not in DASHES:
        return False
    if len(after) == 1:
        return after[0].is_number or _attached(after[0]) is not None
    return len(after) == 2 and after[0].is_number and _is_unit(after[1])


def _after_separator(name: list[Word], after: list[Word], usage: str) -> Head:
    if len(after) == 1 and (attached := _attached(after[0])) is not None and attached[1]:
        return Head(product_name(name, usage), *attached)  # `nails: 12,3kg`
    unit = after[1].text if len(after) == 2 and _is_unit(after[1]) else None
    if len(after) > (1 if unit is None else 2):
        message = _("After “=” comes just the quantity, not “{typed}”.")
        raise ParseError(message.format(typed=shorten(join_words(after))), usage)
    quantity = parse_quantity(after[0].text, usage) if after else None
    return Head(product_name(name, usage), quantity, unit)


Reading = tuple[list[Word], Decimal, str | None]


def _reading(head: list[Word]) -> Reading | None:
    """The quantity after the name, or first; a word after a number that is no unit the
    bot knows is a shop's own unit (`soup 2 portions`) unless the quantity can come first
    (`2 bottles 7 up` is 2 of "7 up", not 7 "up" of "2 bottles")."""
    after, first = _quantity_after_name(head), _quantity_first(head)
    if after is not None and (first is None or is_unit_word(after[2] or "")):
        return after
    return first


def _quantity_after_name(head: list[Word]) -> Reading | None:
    """`flour 2.5kg`, `flour 2.5 kg`: the last word (or two) a quantity and its unit."""
    if len(head) >= 2 and (attached := _attached(head[-1])) is not None:
        return head[:-1], *attached
    if len(head) >= 3 and head[-2].is_number and _is_unit(head[-1]):
        quantity = _quantity(head[-2].text)
        return None if quantity is None else (head[:-2], quantity, head[-1].text)
    return None


def _quantity_first(head: list[Word]) -> Reading | None:
    """`3 croissant`, `3pcs croissant`, `2 kg flour`, `2 kg of flour`."""
    if not head:
        return None
    if (attached := _attached(head[0])) is not None and (
        len(head) > 1 or attached[1] is None or is_unit_word(attached[1])
    ):
        return head[1:], *attached  # `2kg` alone is a quantity and no name; `7up` a name
    if len(head) < 2:
        return None
    quantity = _quantity(head[0].text) if head[0].is_number else _counted(head[0])
    if quantity is None:
        return None
    rest = head[1:]
    if _is_unit(rest[0]) and is_unit_word(rest[0].text):  # `2 kg` alone names no product
        unit, rest = rest[0].text, rest[1:]
        if len(rest) >= 2 and not rest[0].quoted and rest[0].text.casefold() == "of":
            rest = rest[1:]
        return rest, quantity, unit
    return rest, quantity, None


def quantity_and_unit(text: str, usage: str) -> tuple[Decimal, str | None]:
    """An answer that is a quantity, perhaps with a unit after it, as people count:
    `28`, `28 boxes`, `12,3 kg`, `12.3kg`. The unit is for the caller to check against
    the product's (nothing is converted)."""
    words = split_words(text, usage)
    if is_fraction(text):  # `1 1/2`: one and a half, not 1 in unit `1/2`
        return parse_quantity(text, usage), None
    if len(words) == 2 and is_fraction(words[0].text) and not words[1].quoted:
        return parse_quantity(words[0].text, usage), words[1].text  # `1/2 kg`
    # `1 200` is a number grouped in thousands as Russian writes it, not 1 in unit `200`.
    if len(words) == 2 and words[0].is_number and not words[1].quoted and not words[1].is_number:
        return parse_quantity(words[0].text, usage), words[1].text
    if len(words) == 1 and (attached := _attached(words[0])) is not None and attached[1]:
        return attached
    return parse_quantity(text, usage), None


def _attached(word: Word) -> tuple[Decimal, str | None] | None:
    """The quantity and unit of one word: `2.5kg`, or `x2` / `2x` with no unit."""
    if word.quoted:
        return None
    if (times := TIMES.fullmatch(word.text)) is not None:
        quantity = _quantity(times["before"] or times["after"])
        return None if quantity is None else (quantity, None)
    match = QUANTITY_AND_UNIT.fullmatch(word.text)
    if match is None or (quantity := _quantity(match["quantity"])) is None:
        return None
    return quantity, match["unit"]


def _counted(word: Word) -> Decimal | None:
    """A small count in words before a name: `one`, `a`, `two`, `одну`, `две`. Only
    first, and only when no product is called by all the words (`one love tea`)."""
    if word.quoted:
        return None
    count = COUNT_WORDS.get(word.text.casefold())
    return None if count is None else Decimal(count)


def _is_unit(word: Word) -> bool:
    return not word.quoted and UNIT_WORD.fullmatch(word.text) is not None


def _quantity(text: str) -> Decimal | None:
    """A quantity read from among the name's words; one that does not read leaves the
    words to the name (`1.2345 roses` may be a product's name), but `1,000` is asked
    about wherever it stands."""
    try:
        return parse_quantity(text)
    except NumberReadsBothWays:
        raise
    except ParseError:
        return None
