"""The words people type in dates, one table per language: month names and the days
named from today. Everyone's dates are read with every table (date_words_for), so `8 дек`,
`20 декабря` and `завтра` read as `8 dec`, `20 December` and `tomorrow` do, whatever the
writer's language. Keys are case-folded; a trailing dot is dropped before a month's lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, eq=False)
class DateWords:
    """One language's date words: each month's spellings (case-folded) and its number,
    and the days named by how far from today they are."""

    language: str
    months: Mapping[str, int]
    days_from_today: Mapping[str, int]
    weekdays: Mapping[str, int]  # Monday 0 … Sunday 6

    def weekday_of(self, word: str) -> int | None:
        """The day of the week a word names (`fri`, `Friday`, `пт`), or None."""
        return self.weekdays.get(word.casefold().removesuffix("."))

    def month_of(self, word: str) -> int | None:
        """The month number a word names (`Dec`, `dec.`, `December`), or None."""
        return self.months.get(word.casefold().removesuffix("."))

    def days_from(self, word: str) -> int | None:
        """How many days from today a word names (`today` 0, `tomorrow` 1), or None."""
        return self.days_from_today.get(word.casefold())


def _months(*spellings_by_month: tuple[str, ...]) -> dict[str, int]:
    return {
        spelling: month
        for month, spellings in enumerate(spellings_by_month, start=1)
        for spelling in spellings
    }


ENGLISH_MONTHS = _months(
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
RUSSIAN_MONTHS = _months(
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
ENGLISH_WEEKDAYS = _months(
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "wednesday"),
    ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
# Nominative, accusative (`в пятницу`, how the day is said), genitive (`годен до пятницы`)
# and the short forms.
RUSSIAN_WEEKDAYS = _months(
    ("пн", "пон", "понедельник", "понедельника"),
    ("вт", "вторник", "вторника"),
    ("ср", "среда", "среду", "среды"),
    ("чт", "четверг", "четверга"),
    ("пт", "пятница", "пятницу", "пятницы"),
    ("сб", "суббота", "субботу", "субботы"),
    ("вс", "воскресенье", "воскресенья"),
)
ENGLISH = DateWords(
    "en",
    ENGLISH_MONTHS,
    # With the short forms and misspellings a phone's keyboard lets through.
    {
        **dict.fromkeys(("today", "tdy"), 0),
        **dict.fromkeys(("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow"), 1),
        "next week": 7,
    },
    {word: number - 1 for word, number in ENGLISH_WEEKDAYS.items()},
)
RUSSIAN = DateWords(
    "ru",
    RUSSIAN_MONTHS,
    {"сегодня": 0, "завтра": 1, "послезавтра": 2, "через неделю": 7},
    {word: number - 1 for word, number in RUSSIAN_WEEKDAYS.items()},
)
DATE_WORDS_BY_LANGUAGE = {words.language: words for words in (ENGLISH, RUSSIAN)}


@cache
def date_words_for(language: str) -> DateWords:
    """The words a person writing in `language` may use: every table's, their own first.
    A command's words are read whatever the writer's language (`привоз молоко 20 годен
    до завтра` from a phone in English), so its dates must be too; no word of one table
    is another date in another, and the bot's own examples are English (`exp 20 dec`)."""
    own = DATE_WORDS_BY_LANGUAGE.get(language, ENGLISH)
    tables = [*(words for words in DATE_WORDS_BY_LANGUAGE.values() if words is not own), own]
    return DateWords(
        own.language,
        {word: n for words in tables for word, n in words.months.items()},
        {word: n for words in tables for word, n in words.days_from_today.items()},
        {word: n for words in tables for word, n in words.weekdays.items()},
    )
