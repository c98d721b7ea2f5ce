"""The tokenizer: command text into words, with quotes and name/quantity separators."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import _
from bot.parsing.errors import ParseError

OPENING_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "”": "”"}
# Counts people write in words before a name (`sold one ibuprofen`, `продал две булочки`).
COUNT_WORDS = {
    **dict.fromkeys(("a", "an", "one"), 1),
    **{w: n for n, w in enumerate(("two", "three", "four", "five", "six"), start=2)},
    **{w: n for n, w in enumerate(("seven", "eight", "nine", "ten"), start=7)},
    **dict.fromkeys(("один", "одна", "одну", "одно"), 1),
    **dict.fromkeys(("два", "две"), 2),
    **{w: n for n, w in enumerate(("три", "четыре", "пять", "шесть"), start=3)},
    **{w: n for n, w in enumerate(("семь", "восемь", "девять", "десять"), start=7)},
}
# A number as typed: a decimal point or comma, or commas grouping thousands (`1,000,000`,
# `1,234.5`); `1,000` reads both ways, and values.py asks which is meant.
NUMBER = re.compile(r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)")
# Arabic decimal and thousands separators, read as the point and comma they are.
_ARABIC_SEPARATORS = {"\u066b": ".", "\u066c": ","}


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit of any script in ASCII (`٣` `１２` `𝟓` → `3` `12` `5`)
    and Arabic separators as `.` and `,`: a number reads the same whoever's keyboard typed
    it. Only numbers pass through here; names keep the characters they were typed with."""
    return "".join(
        _ARABIC_SEPARATORS.get(char)
        or (str(unicodedata.decimal(char)) if char.isdecimal() else char)
        for char in text
    )


SEPARATOR = "="  # the text of a name/quantity separator word (`=` or a trailing `:`)


@dataclass(frozen=True)
class Word:
    """One word of the command text; `start` and `end` index the original text."""

    text: str
    quoted: bool
    start: int
    end: int

    @property
    def is_separator(self) -> bool:
        return not self.quoted and self.text == SEPARATOR

    @property
    def is_number(self) -> bool:
        return not self.quoted and NUMBER.fullmatch(ascii_digits(self.text)) is not None


def split_words(text: str, usage: str) -> list[Word]:
    """Words of `text`; quotes group, `=` and a trailing `:` separate name from quantity."""
    words: list[Word] = []
    i = 0
    length = len(text)
    while i < length:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in OPENING_QUOTES:
            closing = OPENING_QUOTES[char]
            end = text.find(closing, i + 1)
            if end < 0 and char == "“":  # „low“ pairs are rare; accept a straight close too
                end = text.find('"', i + 1)
            if end < 0:
                unclosed = _("A quote opened at {where} is never closed.")
                raise ParseError(unclosed.format(where=repr(text[i : i + 12])), usage)
            words.append(Word(text[i + 1 : end], True, i, end + 1))
            i = end + 1
            continue
        if char == "=":
            words.append(Word(SEPARATOR, False, i, i + 1))
            i += 1
            continue
        start = i
        while i < length and not text[i].isspace() and text[i] != "=" and text[i] not in "“„«":
            if text[i] == '"':
                break
            i += 1
        chunk = text[start:i]
        if chunk.endswith(":") and len(chunk) > 1:
            words.append(Word(chunk[:-1], False, start, i - 1))
            words.append(Word(SEPARATOR, False, i - 1, i))
        elif chunk == ":":
            words.append(Word(SEPARATOR, False, start, i))
        else:
            words.append(Word(chunk, False, start, i))
    return words


def join_words(words: Sequence[Word]) -> str:
    return " ".join(w.text for w in words).strip()


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
