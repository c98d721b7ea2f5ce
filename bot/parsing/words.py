"""The tokenizer: command text into words, with quotes and name/quantity separators."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.parsing.errors import ParseError

OPENING_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "”": "”"}
NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
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
        return not self.quoted and NUMBER.fullmatch(self.text) is not None


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
                raise ParseError(f"A quote opened at {text[i : i + 12]!r} is never closed.", usage)
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
