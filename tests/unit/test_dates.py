"""Dates as people type them, read against a fixed shop day (the parser never reads the
clock: the caller passes the shop's today)."""

from datetime import date
from decimal import Decimal

import pytest

from bot.parsing import DATE_USAGE, Command, ParseError, RestockProduct, ShopDates, parse_command
from bot.parsing import parse_date as parse
from bot.parsing.date_words import RUSSIAN, date_words_for

TODAY = date(2026, 12, 7)  # a Monday
DAY_FIRST = ShopDates(TODAY, day_first=True)
MONTH_FIRST = ShopDates(TODAY, day_first=False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", date(2026, 12, 7)),
        ("Tomorrow", date(2026, 12, 8)),
        ("+3d", date(2026, 12, 10)),
        ("+3", date(2026, 12, 10)),
        ("+2w", date(2026, 12, 21)),
        ("+1 week", date(2026, 12, 14)),
        ("+10 days", date(2026, 12, 17)),
        ("3 days", date(2026, 12, 10)),
        ("in 2 weeks", date(2026, 12, 21)),
        ("In 1 day", date(2026, 12, 8)),
        ("next week", date(2026, 12, 14)),
        ("tmrw", date(2026, 12, 8)),  # it was "not a date"
        ("tommorow", date(2026, 12, 8)),
    ],
)
def test_relative_dates_count_from_the_shops_today(typed: str, expected: date) -> None:
    assert parse(typed, dates=DAY_FIRST) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8 dec", date(2026, 12, 8)),
        ("7 Dec", date(2026, 12, 7)),  # today is still this year's
        ("6 dec", date(2026, 12, 6)),  # yesterday: a past day, not next year's (see below)
        ("20 Dec 2026", date(2026, 12, 20)),
        ("20 December 2027", date(2027, 12, 20)),
        ("Dec 20, 2026", date(2026, 12, 20)),
        ("dec. 20", date(2026, 12, 20)),
        ("3 jan", date(2027, 1, 3)),
        ("3-Jan-27", date(2027, 1, 3)),
        ("1 sept", date(2027, 9, 1)),
        ("20th dec", date(2026, 12, 20)),
        ("Dec 21st 2026", date(2026, 12, 21)),
    ],
)
def test_month_names(typed: str, expected: date) -> None:
    assert parse(typed, dates=DAY_FIRST) == expected


@pytest.mark.parametrize(
    ("typed", "dates", "expected"),
    [
        ("12/12", DAY_FIRST, date(2026, 12, 12)),
        ("1/12", DAY_FIRST, date(2026, 12, 1)),  # 6 days ago: that day (it was 2027's)
        ("12/1", MONTH_FIRST, date(2026, 12, 1)),
        ("6.11", DAY_FIRST, date(2026, 11, 6)),  # 31 days ago
        ("5.11", DAY_FIRST, date(2027, 11, 5)),  # longer ago: next year's
        ("8.12", DAY_FIRST, date(2026, 12, 8)),
        ("15.3", DAY_FIRST, date(2027, 3, 15)),
        ("29.02", DAY_FIRST, date(2028, 2, 29)),  # the next 29 February
        ("20.12.", DAY_FIRST, date(2026, 12, 20)),
    ],
)
def test_a_day_without_a_year_is_its_next_occurrence(
    typed: str, dates: ShopDates, expected: date
) -> None:
    """Unless it was within the last month: `exp 5.12` typed on 7 December made a batch
    expiring in a year, which no list or alert would ever show as expired."""
    assert parse(typed, dates=dates) == expected


def test_a_recent_day_across_new_year_is_last_years() -> None:
    january = ShopDates(date(2027, 1, 3), day_first=True)
    assert parse("30.12", dates=january) == date(2026, 12, 30)
    assert parse("5.1", dates=january) == date(2027, 1, 5)


def test_month_names_are_a_table_per_language() -> None:
    russian = ShopDates(TODAY, words=RUSSIAN)
    assert parse("8 дек", dates=russian) == date(2026, 12, 8)
    assert parse("20 декабря", dates=russian) == date(2026, 12, 20)
    assert parse("1 Марта 2027", dates=russian) == date(2027, 3, 1)
    assert parse("Завтра", dates=russian) == date(2026, 12, 8)
    assert parse("послезавтра", dates=russian) == date(2026, 12, 9)
    with pytest.raises(ParseError):
        parse("8 dec", dates=russian)


def test_a_month_first_date_in_a_day_first_shop_says_how_the_shop_reads_dates() -> None:
    with pytest.raises(ParseError) as raised:
        parse("12/25/2026", dates=DAY_FIRST)
    assert "this shop reads dates day first" in raised.value.message
    assert "/settings dates month-first" in raised.value.message
    with pytest.raises(ParseError) as raised:
        parse("25/12/2026", dates=MONTH_FIRST)
    assert "this shop reads dates month first" in raised.value.message
    assert "/settings dates day-first" in raised.value.message


@pytest.mark.parametrize("typed", ["31.02", "31 feb", "30 Feb 2027", "0 dec", "32.12.2026"])
def test_days_that_do_not_exist_are_refused(typed: str) -> None:
    with pytest.raises(ParseError, match="There is no date"):
        parse(typed, dates=DAY_FIRST)


@pytest.mark.parametrize(
    "typed", ["soon", "dec", "8 dec 2026 9", "+d", "yesterday", "8 foo", "3", "in 3", "20.12.2026."]
)
def test_what_is_not_a_date_shows_the_forms(typed: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(typed, dates=DAY_FIRST)
    assert DATE_USAGE in raised.value.message


def test_without_a_known_day_only_absolute_dates_are_read() -> None:
    """A spreadsheet's cells have no shop day behind them."""
    assert parse("20 Dec 2026") == date(2026, 12, 20)
    for typed in ("tomorrow", "+3d", "12/12", "8 dec"):
        with pytest.raises(ParseError):
            parse(typed)


def test_keyword_dates_take_several_words() -> None:
    parsed = parse_command("restock", "milk 2 exp 20 Dec 2026 cost 1.20", dates=DAY_FIRST)
    assert isinstance(parsed, RestockProduct)
    assert (parsed.expiry, parsed.cost) == (date(2026, 12, 20), Decimal("1.20"))
    parsed = parse_command("restock", "milk 2 exp tomorrow reorder +2w", dates=DAY_FIRST)
    assert isinstance(parsed, RestockProduct)
    assert (parsed.expiry, parsed.reorder_date) == (date(2026, 12, 8), date(2026, 12, 21))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+3д", date(2026, 12, 10)),
        ("3 дня", date(2026, 12, 10)),
        ("через 5 дней", date(2026, 12, 12)),
        ("через неделю", date(2026, 12, 14)),
        ("через 2 недели", date(2026, 12, 21)),
        ("2 нед", date(2026, 12, 21)),
        ("в пятницу", date(2026, 12, 11)),
        ("пятницы", date(2026, 12, 11)),  # годен до пятницы
    ],
)
def test_days_ahead_as_russian_says_them(typed: str, expected: date) -> None:
    """'годен через 3 дня', '+3д', 'в пятницу' were 'не дата' (only +3d, 3 days, пятницу)."""
    assert parse(typed, dates=ShopDates(TODAY, words=date_words_for("ru"))) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("03/27", date(2027, 3, 31)), ("3.27", date(2027, 3, 31)), ("12.26", date(2026, 12, 31))],
)
def test_a_packs_month_and_two_digit_year(typed: str, expected: date) -> None:
    """'exp 03/27', as a medicine box prints it, was 'not a date here: this shop reads
    dates day first' — in a day-first shop it can be no day and month."""
    assert parse(typed, dates=DAY_FIRST) == expected


@pytest.mark.parametrize("typed", ["12/25", "12/13", "01/40"])
def test_a_day_and_month_the_other_way_round_still_says_so(typed: str) -> None:
    with pytest.raises(ParseError, match="this shop reads dates day first"):
        parse(typed, dates=DAY_FIRST)
    assert parse("03/27", dates=MONTH_FIRST) == date(2027, 3, 27)


def test_a_person_writing_russian_may_use_russian_or_english_date_words() -> None:
    russian = ShopDates(TODAY, words=date_words_for("ru"))
    assert parse("20 декабря", dates=russian) == date(2026, 12, 20)
    assert parse("20 dec", dates=russian) == date(2026, 12, 20)
    assert parse("завтра", dates=russian) == parse("tomorrow", dates=russian) == date(2026, 12, 8)
    assert date_words_for("xx").months == date_words_for("en").months  # no table of its own


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("fri", date(2026, 12, 11)),
        ("Friday", date(2026, 12, 11)),
        ("mon", date(2026, 12, 7)),  # today is a Monday: the next one is today, as `7 dec`
        ("sun", date(2026, 12, 13)),
        ("пт", date(2026, 12, 11)),
        ("пятницу", date(2026, 12, 11)),
        ("вт.", date(2026, 12, 8)),
    ],
)
def test_a_day_of_the_week_is_the_next_one(typed: str, expected: date) -> None:
    """`/restock croissant 5 exp wed` was "not a date"."""
    russian = ShopDates(TODAY, day_first=True, words=date_words_for("ru"))
    assert parse(typed, dates=russian) == expected
    if typed.isascii():
        assert parse(typed, dates=DAY_FIRST) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("03/2027", date(2027, 3, 31)),  # as a medicine box prints it: was "not a date"
        ("3/2027", date(2027, 3, 31)),
        ("02.2028", date(2028, 2, 29)),
        ("2027-04", date(2027, 4, 30)),
        ("mar 2027", date(2027, 3, 31)),
        ("March 2027", date(2027, 3, 31)),
        ("12/2026", date(2026, 12, 31)),
    ],
)
def test_a_month_and_year_is_the_last_day_of_that_month(typed: str, expected: date) -> None:
    """Packs print "EXP 03/2027": good until the end of March. Either date order reads
    it the same (a four-digit year cannot be a day)."""
    assert parse(typed, dates=DAY_FIRST) == expected
    assert parse(typed, dates=MONTH_FIRST) == expected
    assert parse(typed) == expected  # a spreadsheet's cell, where no today is known


def test_a_month_and_year_in_russian() -> None:
    russian = ShopDates(TODAY, words=RUSSIAN)
    assert parse("март 2027", dates=russian) == date(2027, 3, 31)
    assert parse("03.2027", dates=russian) == date(2027, 3, 31)


@pytest.mark.parametrize("typed", ["13/2027", "00/2027", "2027-13"])
def test_a_month_and_year_with_no_such_month_is_refused(typed: str) -> None:
    with pytest.raises(ParseError, match="There is no date"):
        parse(typed, dates=DAY_FIRST)


def test_a_russian_restock_from_an_english_app_reads_its_date() -> None:
    """The Russian words of a restock are read whatever the sender's language, and its
    date now too: 'привоз молоко 20 годен до завтра' from a phone in English was
    '“завтра” is not a date', as were '8 дек' and 'в пятницу'."""
    english = ShopDates(date(2026, 12, 7), True, date_words_for("en"))
    restock = parse_command(Command.RESTOCK, "молоко 20 годен до завтра", dates=english)
    assert isinstance(restock, RestockProduct)
    assert restock.expiry == date(2026, 12, 8)
    assert parse("8 дек", dates=english) == date(2026, 12, 8)
    assert parse("в пятницу", dates=english) == date(2026, 12, 11)
    assert parse("tomorrow", dates=english) == date(2026, 12, 8)
