"""Dates as people type them, read the way their shop reads them.

Absolute: `2026-06-01`, `01.06.2026`, `1/6/2026`, `1.6.26`, `20 Dec 2026`, `Dec 20 2026`.
A month and year (`03/2027`, `2027-03`, `mar 2027`; `03/27` where a day-first shop can
read no day and month), as packs print their expiry, is the last day of that month.
Relative to the shop's today: `today`, `tomorrow`, `+3d`, `+2w`, a day of the week (`fri`,
the next one, today included); in Russian `завтра`, `+3д`, `через 2 недели`, `в пятницу`;
and a day without a year (`12/12`, `8 dec`) is its next occurrence, this year or next year
if already past — unless it was within the last 31 days, when it is that past day
(`exp 5.12` on 7 December: expired two days ago, not next year).

The shop's today comes from the caller (its clock and the shop's timezone): the parser
never reads the clock, so it reads the same text the same way in a test and at the till.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import texts
from bot.i18n import N_, _
from bot.parsing.date_words import ENGLISH, DateWords, date_words_for
from bot.parsing.errors import ParseError, shorten
from bot.parsing.words import ascii_digits
from core.model import Shop
from core.status import shop_today

DATE_USAGE = N_("a date such as 8 dec, 20.12.2026, 2026-12-20, tomorrow or +3d")
# `20.12.` and `20/12` without a year, a trailing separator allowed.
NUMERIC = re.compile(r"(\d{1,4})([./-])(\d{1,2})(?:\2(\d{1,4})|\2)?")
# `+3`, `+3d`, `+2w`, `3 days`, `in 2 weeks`; in Russian `+3д`, `3 дня`, `через 2 недели`:
# a count without a plus needs its unit.
AHEAD = re.compile(
    r"(?P<plus>\+|in\s+|через\s+)?(?P<count>\d{1,3})\s*"
    r"(?P<unit>d|days?|w|weeks?|д|дн|день|дня|дней|н|нед|неделя|недели|недель)?",
    re.IGNORECASE,
)
WEEK_UNITS = ("w", "н")
# `в пятницу`, `on friday`: the day of the week after its preposition.
ON_A_DAY = re.compile(r"^(?:в|во|on)\s+", re.IGNORECASE)
DAY_OF_MONTH = re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?", re.IGNORECASE)
# `03/2027`, `3.2027`, `2027-03`: a four-digit year cannot be a day, in either date order.
MONTH_YEAR = re.compile(
    r"(?P<month>\d{1,2})[./-](?P<year>\d{4})|(?P<year_first>\d{4})[./-](?P<month_last>\d{1,2})"
)
NAMED_WORDS = re.compile(r"[^\s,]+")
# A day and month without a year this close behind today is that past day (see _complete).
RECENT_PAST_DAYS = 31


@dataclass(frozen=True)
class ShopDates:
    """How a shop reads the dates its people type: its today (None where no day is known,
    such as a spreadsheet's absolute dates), day or month first, the date words of its language."""

    today: date | None = None
    day_first: bool = True
    words: DateWords = ENGLISH

    @classmethod
    def of(cls, shop: Shop, now: datetime, language: str) -> ShopDates:
        """How `shop` reads dates at `now` from someone writing in `language`."""
        return cls(shop_today(shop, now), shop.day_first, date_words_for(language))


# Where no day is known (a spreadsheet's cells): absolute dates, day first.
ABSOLUTE_DAY_FIRST = ShopDates()


def parse_date(
    text: str, usage: str = DATE_USAGE, *, dates: ShopDates = ABSOLUTE_DAY_FIRST
) -> date:
    """The date `text` names, read as `dates` says (see the module's forms)."""
    cleaned = ascii_digits(" ".join(text.split()))
    if dates.words.days_from(cleaned) is not None or _ahead_match(cleaned):
        return _ahead(cleaned, usage, dates)
    weekday = dates.words.weekday_of(ON_A_DAY.sub("", cleaned))
    if weekday is not None:  # `fri`: the next Friday, today if it is one (as `8 dec` is)
        today = _today(cleaned, usage, dates)
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    month_year = _month_year(cleaned, dates)
    if month_year is not None:
        return _end_of_month(cleaned, *month_year, usage)
    numeric = NUMERIC.fullmatch(cleaned)
    if numeric is not None:
        return _numeric(cleaned, numeric, usage, dates)
    named = _named(cleaned, dates)
    if named is not None:
        day, month, year = named
        return _complete(cleaned, day, month, year, usage, dates)
    raise ParseError(_not_a_date(shorten(cleaned)), usage)


def _ahead(cleaned: str, usage: str, dates: ShopDates) -> date:
    today = _today(cleaned, usage, dates)
    days = dates.words.days_from(cleaned)
    if days is not None:
        return today + timedelta(days=days)
    match = _ahead_match(cleaned)
    assert match is not None
    weeks = (match["unit"] or "d").casefold().startswith(WEEK_UNITS)
    return today + timedelta(days=int(match["count"]) * (7 if weeks else 1))


def _ahead_match(cleaned: str) -> re.Match[str] | None:
    match = AHEAD.fullmatch(cleaned)
    if match is None or (match["plus"] != "+" and match["unit"] is None):
        return None
    return match


def _numeric(cleaned: str, match: re.Match[str], usage: str, dates: ShopDates) -> date:
    first, _separator, middle, last = match.groups()
    if len(first) == 4:
        if last is None:
            raise ParseError(_not_a_date(cleaned), usage)
        return _exact(cleaned, int(first), int(middle), int(last), usage)
    if len(first) > 2 or (last is not None and len(last) not in (2, 4)):
        raise ParseError(_not_a_date(cleaned), usage)
    day, month = (int(first), int(middle)) if dates.day_first else (int(middle), int(first))
    if month > 12 and (pack := _pack_month(first, middle, last, dates)) is not None:
        return _end_of_month(cleaned, *pack, usage)
    if month > 12 and day <= 12:
        # Written in the other order: say how this shop reads dates, and where to change it.
        raise ParseError(texts.date_in_other_order(cleaned, day_first=dates.day_first), usage)
    year = None if last is None else int(last) + (2000 if len(last) == 2 else 0)
    return _complete(cleaned, day, month, year, usage, dates)


# How far ahead a pack's two-digit year may be (`03/27`): a shelf life of years, not decades.
PACK_YEARS_AHEAD = 10


def _pack_month(
    first: str, middle: str, last: str | None, dates: ShopDates
) -> tuple[int, int] | None:
    """(year, month) of `03/27` or `12.26` as a pack prints its expiry (month and two-digit
    year), in a shop that reads day first, where it can be no day and month; None when
    the year is not near (this year to ten years on: `12/25` stays a date in the other
    order) or the shop's day is not known."""
    if not dates.day_first or last is not None or dates.today is None or len(middle) != 2:
        return None
    month, year = int(first), 2000 + int(middle)
    if 1 <= month <= 12 and dates.today.year <= year <= dates.today.year + PACK_YEARS_AHEAD:
        return year, month
    return None


def _end_of_month(cleaned: str, year: int, month: int, usage: str) -> date:
    first = _exact(cleaned, year, month, 1, usage)  # refuses a month 0 or 13
    return first.replace(day=calendar.monthrange(year, month)[1])


def _month_year(cleaned: str, dates: ShopDates) -> tuple[int, int] | None:
    """(year, month) of `03/2027`, `2027-03`, `mar 2027`, `March 2027`; None otherwise."""
    match = MONTH_YEAR.fullmatch(cleaned)
    if match is not None:
        if match["year"] is not None:
            return int(match["year"]), int(match["month"])
        return int(match["year_first"]), int(match["month_last"])
    words = NAMED_WORDS.findall(cleaned)
    if len(words) == 2 and re.fullmatch(r"\d{4}", words[1]):
        month = dates.words.month_of(words[0])
        if month is not None:
            return int(words[1]), month
    return None


def _named(cleaned: str, dates: ShopDates) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) of `8 dec`, `20 Dec 2026`, `Dec 20, 2026`, `8-dec-26`,
    `20th dec`."""
    words = NAMED_WORDS.findall(cleaned.replace("-", " "))
    if len(words) not in (2, 3):
        return None
    month_first = dates.words.month_of(words[0])
    month = month_first or dates.words.month_of(words[1])
    day_word = words[1] if month_first else words[0]
    day = DAY_OF_MONTH.fullmatch(day_word)
    if month is None or day is None:
        return None
    if len(words) == 2:
        return int(day["day"]), month, None
    if not re.fullmatch(r"\d{2}|\d{4}", words[2]):
        return None
    year = int(words[2])
    return int(day["day"]), month, year + (2000 if year < 100 else 0)


def _complete(
    cleaned: str, day: int, month: int, year: int | None, usage: str, dates: ShopDates
) -> date:
    """The date itself, or without a year the next time that day comes (today included;
    29 February waits for a leap year) — unless that day was in the last month: `exp 5.12`
    typed on 7 December is two days ago (a batch already expired, which the reply says),
    not a date a year away that would never show as expired."""
    if year is not None:
        return _exact(cleaned, year, month, day, usage)
    today = _today(cleaned, usage, dates)
    _exact(cleaned, 2000, month, day, usage)  # a leap year: does the day exist at all?
    for candidate_year in (today.year, today.year - 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if today - timedelta(days=RECENT_PAST_DAYS) <= candidate < today:
            return candidate
    for candidate_year in range(today.year, today.year + 9):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise AssertionError(f"no {day}.{month} within eight years of {today}")


def _exact(cleaned: str, year: int, month: int, day: int, usage: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ParseError(_("There is no date “{typed}”.").format(typed=cleaned), usage) from exc


def _today(cleaned: str, usage: str, dates: ShopDates) -> date:
    if dates.today is None:
        message = _("“{typed}” is not a date here; use {usage}.")
        raise ParseError(message.format(typed=shorten(cleaned), usage=_(DATE_USAGE)), usage)
    return dates.today


def _not_a_date(typed: str) -> str:
    return _("“{typed}” is not a date; use {usage}.").format(typed=typed, usage=_(DATE_USAGE))
