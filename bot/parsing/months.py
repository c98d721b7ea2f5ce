"""Month names people type in dates, one table per language: a shop's language picks its
table, so a Russian shop reads `8 дек` and `20 декабря` the way an English one reads
`8 dec` and `20 December`. Keys are case-folded; a trailing dot is dropped before lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class MonthNames:
    """One language's month names: each spelling (case-folded) and its month number."""

    language: str
    numbers: Mapping[str, int]

    def month_of(self, word: str) -> int | None:
        """The month number a word names (`Dec`, `dec.`, `December`), or None."""
        return self.numbers.get(word.casefold().removesuffix("."))


def _table(language: str, *spellings_by_month: tuple[str, ...]) -> MonthNames:
    return MonthNames(
        language,
        {
            spelling: month
            for month, spellings in enumerate(spellings_by_month, start=1)
            for spelling in spellings
        },
    )


ENGLISH = _table(
    "en",
    ("jan", "january"),
    ("feb", "february"),
    ("mar", "march"),
    ("apr", "april"),
    ("may",),
    ("jun", "june"),
    ("jul", "july"),
    ("aug", "august"),
    ("sep", "sept", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
)
# Nominative, genitive (`20 декабря`, how a date is said) and the usual abbreviations.
RUSSIAN = _table(
    "ru",
    ("янв", "январь", "января"),
    ("фев", "февр", "февраль", "февраля"),
    ("мар", "март", "марта"),
    ("апр", "апрель", "апреля"),
    ("май", "мая"),
    ("июн", "июнь", "июня"),
    ("июл", "июль", "июля"),
    ("авг", "август", "августа"),
    ("сен", "сент", "сентябрь", "сентября"),
    ("окт", "октябрь", "октября"),
    ("ноя", "нояб", "ноябрь", "ноября"),
    ("дек", "декабрь", "декабря"),
)
MONTH_NAMES_BY_LANGUAGE = {names.language: names for names in (ENGLISH, RUSSIAN)}
