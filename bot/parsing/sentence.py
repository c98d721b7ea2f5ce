"""The shared shape of a command: a head (name and quantity) and keyword values."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NoReturn

from bot.parsing.dates import ShopDates, parse_date
from bot.parsing.errors import ParseError, shorten
from bot.parsing.values import parse_days, parse_money, parse_quantity
from bot.parsing.words import Word, clean, join_words, split_words

# What kind of value a keyword takes.
ValueKind = enum.Enum("ValueKind", "WORD WORDS QUANTITY MONEY DATE DAYS TEXT FLAG")


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
    sentence = Sentence(words[: positions[0]])
    seen: set[str] = set()
    for n, position in enumerate(positions):
        keyword_word = words[position]
        keyword = keywords[keyword_word.text.casefold()]
        if keyword.field in seen:
            raise ParseError(f"“{keyword_word.text}” is given twice.", usage)
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


def _keyword_value(
    spelled: str, keyword: Keyword, words: list[Word], usage: str, *, dates: ShopDates
) -> object:
    if keyword.kind is ValueKind.FLAG:
        if words:
            raise ParseError(
                f"Unexpected “{shorten(join_words(words))}” after “{spelled}”; "
                "put free text after note.",
                usage,
            )
        return keyword.value
    if not words:
        raise ParseError(f"“{spelled}” needs a value, e.g. {keyword.example}.", usage)
    if any(w.is_separator for w in words):
        raise ParseError(f"Unexpected “=” or “:” after “{spelled}”.", usage)
    text = join_words(words)
    if keyword.kind is ValueKind.WORDS:
        return clean(text) or _missing(spelled, keyword, usage)
    if keyword.kind is ValueKind.DATE:  # one word or several: `8 dec`, `20 Dec 2026`
        return parse_date(text, usage, dates=dates)
    if keyword.kind is ValueKind.MONEY and len(words) <= 2:
        return parse_money(text.replace(" ", ""), usage)
    if len(words) > 1:
        raise ParseError(
            f"“{spelled}” takes one value, got “{shorten(text)}”; e.g. {keyword.example}.",
            usage,
        )
    if keyword.kind is ValueKind.WORD:
        return clean(text) or _missing(spelled, keyword, usage)
    if keyword.kind is ValueKind.QUANTITY:
        return parse_quantity(text, usage)
    if keyword.kind is ValueKind.DAYS:
        return parse_days(text, usage)
    raise AssertionError(f"unknown keyword kind {keyword.kind}")


def _missing(spelled: str, keyword: Keyword, usage: str) -> NoReturn:
    raise ParseError(f"“{spelled}” needs a value, e.g. {keyword.example}.", usage)


def product_name(words: Sequence[Word], usage: str) -> str | None:
    if any(w.is_separator for w in words):
        raise ParseError("Unexpected “=” or “:” in the product name.", usage)
    name = clean(join_words(words))
    return name or None


def name_and_quantity(head: list[Word], usage: str) -> tuple[str | None, Decimal | None]:
    """The product name and quantity of a stock command's head: `<name> <qty>`,
    `<name> = <qty>` or `<name>: <qty>`; either may be missing. Whether the quantity is
    allowed (more than 0, whole for pieces) is the ledger's rule, checked there once."""
    separators = [i for i, w in enumerate(head) if w.is_separator]
    if len(separators) > 1:
        raise ParseError("Only one “=” or “:” between the name and the quantity, please.", usage)
    if separators:
        at = separators[0]
        name_words, quantity_words = head[:at], head[at + 1 :]
        if len(quantity_words) > 1:
            raise ParseError(
                f"After “=” comes just the quantity, not “{shorten(join_words(quantity_words))}”.",
                usage,
            )
        quantity_text = quantity_words[0].text if quantity_words else None
    elif head and head[-1].is_number:
        name_words, quantity_text = head[:-1], head[-1].text
    else:
        name_words, quantity_text = head, None
    name = product_name(name_words, usage)
    if quantity_text is None:
        return name, None
    return name, parse_quantity(quantity_text, usage)
