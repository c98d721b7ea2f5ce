import contextlib
from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alert_handlers import parse_quiet
from bot.parsing import (
    LINE_USAGE,
    USAGE,
    AddProduct,
    Command,
    CountProduct,
    DeleteProduct,
    ParseError,
    RemoveProduct,
    RestockProduct,
    SellProduct,
    ShopDates,
    ShowHistory,
    ShowInventory,
    ShowProducts,
    ShowStock,
    as_lines,
    command_of,
    is_batch,
    parse_add,
    parse_alert_time,
    parse_command,
    parse_currency,
    parse_date,
    parse_days,
    parse_lines,
    parse_money,
    parse_near_expiry_days,
    parse_quantity,
    parse_timezone,
    split_command,
)
from bot.parsing.sentence import quantity_and_unit
from core.inventory import SortBy, StatusFilter
from core.model import Reason


def q(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.001"))


# ------------------------------------------------------------------ the user's examples


def test_the_users_own_example_with_a_past_date_parses() -> None:
    assert parse_command("restock", "milk 20 exp 2025-06-01") == RestockProduct(
        "milk", q("20"), expiry=date(2025, 6, 1)
    )


def test_quantity_is_the_last_bare_number_before_the_first_keyword() -> None:
    parsed = parse_command("/restock", "whole milk 2 exp 2026-06-01")
    assert parsed == RestockProduct("whole milk", q("2"), expiry=date(2026, 6, 1))


@pytest.mark.parametrize(
    ("text", "name", "quantity"),
    [
        ("7up 3", "7up", "3"),
        ('"7 up" 3', "7 up", "3"),
        ("“7 up” 3", "7 up", "3"),
        ("„7 up“ 3", "7 up", "3"),
        ("7 up 3", "7 up", "3"),
        ("cola 500ml 2", "cola 500ml", "2"),
        ("Whole   Milk 2,5", "Whole Milk", "2.5"),
        ("milk .5", "milk", "0.5"),
        ("milk = 4", "milk", "4"),
        ("milk: 4", "milk", "4"),
        ("milk=4", "milk", "4"),
    ],
)
def test_names_may_hold_spaces_and_digits(text: str, name: str, quantity: str) -> None:
    assert parse_command("sell", text) == SellProduct(name, q(quantity))


def test_quoted_keywords_are_part_of_the_name() -> None:
    assert parse_command("restock", '"milk exp" 2') == RestockProduct("milk exp", q("2"))


def test_a_keyword_as_the_first_word_is_part_of_the_name() -> None:
    added = parse_command("add", "cat food cat pets")
    assert isinstance(added, AddProduct) and added.name == "cat food"
    assert parse_command("restock", "price tags 10") == RestockProduct("price tags", q("10"))


def test_keywords_are_case_insensitive() -> None:
    parsed = parse_command("restock", "milk 2 EXP 01.06.2026 Cost 1,20")
    assert parsed == RestockProduct("milk", q("2"), expiry=date(2026, 6, 1), cost=Decimal("1.20"))


def test_restock_takes_every_option_and_note_takes_the_rest_verbatim() -> None:
    parsed = parse_command(
        "restock", "milk 24 exp 1/6/2026 cost €0.80 price 1.20€ reorder 15.6.26 note cost exp x"
    )
    assert parsed == RestockProduct(
        name="milk",
        quantity=q("24"),
        expiry=date(2026, 6, 1),
        cost=Decimal("0.80"),
        price=Decimal("1.20"),
        reorder_date=date(2026, 6, 15),
        note="cost exp x",
    )


def test_a_missing_quantity_is_incomplete_not_an_error() -> None:
    parsed = parse_command("restock", "milk")
    assert parsed == RestockProduct("milk", None)
    assert not parsed.is_complete


def test_a_missing_quantity_keeps_the_options_given() -> None:
    assert parse_command("restock", "milk exp 2026-06-01") == RestockProduct(
        "milk", None, expiry=date(2026, 6, 1)
    )


def test_an_empty_command_is_incomplete() -> None:
    assert parse_command("sell", "  ") == SellProduct(None, None)
    assert parse_command("sell", "3") == SellProduct(None, q("3"))
    assert parse_command("stock", "") == ShowStock(None)
    assert parse_command("delete", "") == DeleteProduct(None)


@pytest.mark.parametrize(
    ("word", "reason"),
    [
        ("damage", Reason.DAMAGE),
        ("DAMAGED", Reason.DAMAGE),
        ("expired", Reason.EXPIRED),
        ("adjustment", Reason.ADJUSTMENT),
        ("sale", Reason.SALE),
        ("return", Reason.RETURN),
    ],
)
def test_remove_reasons_map_to_the_domain(word: str, reason: Reason) -> None:
    assert parse_command("remove", f"milk 2 {word} note fell") == RemoveProduct(
        "milk", q("2"), reason, "fell"
    )


def test_remove_without_a_reason_leaves_it_to_the_bot() -> None:
    assert parse_command("remove", "milk 2") == RemoveProduct("milk", q("2"), None)


def test_quantities_are_read_as_typed_and_judged_by_the_ledger() -> None:
    """More than 0 to sell, 0 or more counted, a whole number of pieces: the ledger's
    rules (tests/unit/test_ledger.py), checked there once, not again here."""
    assert parse_command("count", "milk 0") == CountProduct("milk", q("0"))
    assert parse_command("sell", "milk 0") == SellProduct("milk", q("0"))
    assert parse_command("count", "milk -1") == CountProduct("milk", q("-1"))
    add = parse_command("add", "milk min -2 warn 400")
    assert isinstance(add, AddProduct)
    assert (add.threshold, add.expiry_warning_days) == (q("-2"), 400)


def test_add_takes_every_option() -> None:
    parsed = parse_command(
        "add",
        "oat milk cat plant drinks unit L min 2,5 price $3 cost 1.10 barcode 4006381333931 "
        "supplier Green Farm warn 3",
    )
    assert parsed == AddProduct(
        name="oat milk",
        category="plant drinks",
        unit="l",
        threshold=q("2.5"),
        price=Decimal("3.00"),
        cost=Decimal("1.10"),
        barcodes=("4006381333931",),
        supplier="Green Farm",
        expiry_warning_days=3,
    )


def test_inventory_filters_in_any_order() -> None:
    assert parse_command("inventory", "sort expiry cat dairy products expiring") == ShowInventory(
        StatusFilter.EXPIRING, "dairy products", SortBy.EXPIRY
    )
    assert parse_command("inventory", "") == ShowInventory()


def test_inventory_suggests_cat_for_an_unknown_word() -> None:
    with pytest.raises(ParseError, match="cat dairy"):
        parse_command("inventory", "dairy")


def test_optional_names() -> None:
    assert parse_command("products", "dairy") == ShowProducts("dairy")
    assert parse_command("products", "") == ShowProducts(None)
    assert parse_command("history", "whole milk") == ShowHistory("whole milk")


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("command", "text", "says"),
    [
        ("restock", "milk 2 exp", "“exp” needs a value"),
        ("restock", "milk 2 exp 31.02.2026", "no date"),
        ("restock", "milk 2 exp soon", "not a date"),
        ("restock", "milk 2 cost -1", "negative"),
        ("restock", "milk 2 cost 1.234", "two decimal places"),
        ("restock", "milk 2 cost 9999999999", "too large: the most is 999,999,999.99"),
        ("sell", "milk 10000000000", "too large: the most is 999,999,999.999"),
        ("restock", "milk 2 exp 2026-01-01 exp 2026-02-01", "given twice"),
        ("restock", 'milk "2', "never closed"),
        ("restock", "milk 1.2345", "three decimal places"),
        ("sell", "milk = 2 3", "just the quantity"),
        ("sell", "milk = x", "not a quantity"),
        ("remove", "milk 2 damage because", "note"),
        ("add", "milk warn soon", "not a number of days"),
        ("add", "milk barcode 1 2", "one value"),
        ("inventory", "sort price", "name, qty, expiry or days"),
        ("inventory", "low out", "one filter"),
    ],
)
def test_malformed_input_says_what_is_wrong(command: str, text: str, says: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_command(command, text)
    assert says in raised.value.message
    assert raised.value.usage == USAGE[command_of(command)]


# ------------------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2.50", "2.50"),
        ("2,50", "2.50"),
        ("€2.50", "2.50"),
        ("2.50€", "2.50"),
        ("$3", "3.00"),
        ("3 EUR", "3.00"),
        ("EUR3", "3.00"),
        # As Russian-speaking shops write it: 'закупка 40 руб' was '«40руб» — не сумма'.
        ("40 руб", "40.00"),
        ("40р.", "40.00"),
        ("40 рублей", "40.00"),
        ("15 грн", "15.00"),
        ("1000 тг", "1000.00"),
    ],
)
def test_money_forms(text: str, amount: str) -> None:
    assert parse_money(text) == Decimal(amount)


def test_a_restock_priced_in_roubles() -> None:
    typed = parse_command("restock", "багет 10 закупка 40 руб цена 95₽")
    assert typed == parse_command("restock", "багет 10 закупка 40 цена 95")


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2026-06-01", True, date(2026, 6, 1)),
        ("2026-06-01", False, date(2026, 6, 1)),
        ("01.06.2026", True, date(2026, 6, 1)),
        ("1/6/2026", True, date(2026, 6, 1)),
        ("1/6/2026", False, date(2026, 1, 6)),
        ("1.6.26", True, date(2026, 6, 1)),
        ("12-31-2026", False, date(2026, 12, 31)),
    ],
)
def test_date_forms(text: str, day_first: bool, expected: date) -> None:
    assert parse_date(text, dates=ShopDates(day_first=day_first)) == expected


def test_day_first_reaches_keyword_dates() -> None:
    parsed = parse_command("restock", "milk 2 exp 6/1/2026", dates=ShopDates(day_first=False))
    assert isinstance(parsed, RestockProduct)
    assert parsed.expiry == date(2026, 6, 1)


def test_quantity_forms() -> None:
    assert parse_quantity("2,5") == q("2.5")
    with pytest.raises(ParseError):
        parse_quantity("two")


# --------------------------------------------------------------------------- batches


def test_count_lines_in_every_form() -> None:
    body = "\nmilk = 18\nbread: 4\n\nwhole milk 18\n- eggs 12"
    assert parse_lines("count", body) == [
        CountProduct("milk", q("18")),
        CountProduct("bread", q("4")),
        CountProduct("whole milk", q("18")),
        CountProduct("eggs", q("12")),
    ]


def test_bad_lines_are_reported_with_their_number_and_good_lines_still_parse() -> None:
    results = parse_lines("restock", "milk 20 exp 2026-06-01\nbread\nbutter 5 exp never")
    assert results[0] == RestockProduct("milk", q("20"), expiry=date(2026, 6, 1))
    assert isinstance(results[1], ParseError)
    assert results[1].line == 2
    assert "no quantity" in results[1].message
    assert isinstance(results[2], ParseError)
    assert results[2].line == 3
    assert results[2].usage == LINE_USAGE[Command.RESTOCK]


def test_sell_and_remove_lines() -> None:
    assert parse_lines("/sell", "milk 2\nbread 1") == [
        SellProduct("milk", q("2")),
        SellProduct("bread", q("1")),
    ]
    assert parse_lines("remove", "milk 2 damage") == [RemoveProduct("milk", q("2"), Reason.DAMAGE)]


def test_is_batch_and_split_command() -> None:
    assert split_command("/count@StockBot\nmilk = 2\nbread = 1") == ("count", "milk = 2\nbread = 1")
    assert split_command("/sell milk 2") == ("sell", "milk 2")
    assert split_command("hello") is None
    assert is_batch("milk = 2\nbread = 1")
    assert not is_batch(" milk 2\n\n")


def test_unknown_command_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_command("frobnicate", "x")


# -------------------------------------------------------------------------- settings


def test_a_russian_shop_names_its_timezone_by_its_city_or_moscow_time() -> None:
    """`Москва` to "Пришлите часовой пояс" was 'Не знаю часовой пояс «Москва»' (only the
    tz database's English city names were read)."""
    assert parse_timezone("Москва") == parse_timezone("мск") == "Europe/Moscow"
    assert parse_timezone("Санкт-Петербург") == parse_timezone("спб") == "Europe/Moscow"
    assert parse_timezone("екатеринбург") == parse_timezone("МСК+2") == "Asia/Yekaterinburg"
    assert parse_timezone("мск-1") == parse_timezone("Калининград") == "Europe/Kaliningrad"
    assert parse_timezone("Новосибирск") == "Asia/Novosibirsk"
    assert parse_timezone("Алматы") == "Asia/Almaty"
    assert parse_timezone("Симферополь") == "Europe/Simferopol"  # the tz database's own zone
    with pytest.raises(ParseError):
        parse_timezone("Мухосранск")
    with pytest.raises(ParseError):
        parse_timezone("МСК+12")


def test_a_number_of_days_may_say_days() -> None:
    """'5 дней' to "Сколько дней от заказа до поставки?" and '/add молоко поставка 5 дней'
    were '«5 дней» — не число дней' (only the settings' expiry window read the word)."""
    assert [parse_days(t, "u") for t in ("5", "5 дней", "5 days", "5d", "3 дня", "1 день")] == [
        5,
        5,
        5,
        5,
        3,
        1,
    ]
    assert parse_command("add", "молоко поставка 5 дней предупр 3 дня") == parse_command(
        "add", "молоко поставка 5 предупр 3"
    )
    with pytest.raises(ParseError):
        parse_days("дней", "u")


def test_a_russian_alert_time_as_people_say_it() -> None:
    """'7 утра' and 'в 7:30' to "Во сколько присылать ежедневную сводку?" were 'не время'."""
    said = ("7 утра", "в 7:30", "19 ч", "7 вечера", "2 дня", "12 дня", "12 ночи", "в 8 часов")
    assert [parse_alert_time(t) for t in said] == [
        time(7),
        time(7, 30),
        time(19),
        time(19),
        time(14),
        time(12),
        time(0),
        time(8),
    ]
    with pytest.raises(ParseError):
        parse_alert_time("13 вечера")


def test_settings_values() -> None:
    assert parse_timezone("europe/berlin") == "Europe/Berlin"
    assert parse_timezone("America/New York") == "America/New_York"
    assert parse_alert_time("8:30") == time(8, 30)
    # A whole hour and am/pm were "not a time of day".
    assert [parse_alert_time(t) for t in ("7", "7am", "7:30 PM", "12 am", "19h")] == [
        time(7),
        time(7),
        time(19, 30),
        time(0),
        time(19),
    ]
    assert parse_near_expiry_days("7") == 7
    assert parse_currency("eur") == "EUR"
    assert parse_currency("€") == "EUR"
    assert parse_currency("euro") == "EURO"  # core refuses it: a code has three letters
    # As people type them: they were refused ("did you mean Europe/Moscow?") or saved as РУБ.
    assert parse_timezone("Moscow") == "Europe/Moscow"
    assert parse_timezone("new york") == "America/New_York"
    assert parse_currency("руб.") == parse_currency("₽") == "RUB"
    assert parse_currency("Грн") == "UAH"
    assert [parse_near_expiry_days(t) for t in ("5 days", "5d", "3 дня", "1 day")] == [5, 5, 3, 1]
    with pytest.raises(ParseError, match="Canada/Eastern or US/Eastern"):
        parse_timezone("eastern")
    for parse, bad in [
        (parse_timezone, "../etc/passwd"),
        (parse_alert_time, "25:00"),
        (parse_near_expiry_days, "-1"),
    ]:
        with pytest.raises(ParseError):
            parse(bad)


# -------------------------------------------------------------------------- properties

# Text built from the grammar's own pieces finds far more paths than random unicode.
pieces = st.sampled_from(
    [
        "milk",
        "whole",
        "7up",
        "7",
        "2,5",
        "0",
        "-1",
        "1.2345",
        "exp",
        "EXP",
        "cost",
        "price",
        "reorder",
        "note",
        "cat",
        "unit",
        "min",
        "warn",
        "barcode",
        "supplier",
        "damage",
        "sort",
        "qty",
        "low",
        "out",
        "=",
        ":",
        "milk:",
        '"',
        "“",
        "”",
        "„",
        "«",
        "2026-06-01",
        "31.02.2026",
        "1/6/26",
        "12/25/2026",
        "29.02",
        "tomorrow",
        "+3d",
        "+999w",
        "dec",
        "Dec",
        "8",
        "2026",
        "€2,50",
        "$",
        "2.50€",
        "99999999999999999999",
        "1e5",
        "\n",
        "NaN",
        "Infinity",
        "",
        " ",
    ]
)
grammar_text = st.lists(pieces, max_size=12).map(" ".join)
any_text = st.one_of(st.text(max_size=80), grammar_text)


@given(
    command=st.sampled_from(list(Command)),
    text=any_text,
    day_first=st.booleans(),
    today=st.dates(),
)
@settings(max_examples=600)
def test_no_input_crashes_the_parser_and_errors_carry_the_commands_usage(
    command: Command, text: str, day_first: bool, today: date
) -> None:
    try:
        parse_command(command, text, dates=ShopDates(today, day_first))
    except ParseError as error:
        assert error.usage == USAGE[command]
        assert error.message


@given(
    command=st.sampled_from([Command.RESTOCK, Command.SELL, Command.REMOVE, Command.COUNT]),
    text=st.lists(any_text, max_size=5).map("\n".join),
)
@settings(max_examples=300)
def test_no_batch_crashes_and_each_error_names_its_line(command: Command, text: str) -> None:
    lines = text.splitlines()
    for result in parse_lines(command, text):
        if isinstance(result, ParseError):
            assert result.usage == LINE_USAGE[command]
            assert result.line is not None
            assert lines[result.line - 1].strip()
        else:
            assert result.is_complete


@given(text=st.text(max_size=40))
def test_settings_parsers_raise_only_parse_errors(text: str) -> None:
    for parse in (parse_timezone, parse_alert_time, parse_near_expiry_days, parse_currency):
        with contextlib.suppress(ParseError):
            parse(text)


@given(
    name=st.text(alphabet=st.characters(blacklist_characters='"“”„«»=:\n\r'), min_size=1)
    .map(lambda s: " ".join(s.split()))
    .filter(bool),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3),
)
def test_a_quoted_name_and_quantity_round_trip(name: str, quantity: Decimal) -> None:
    assert parse_command("sell", f'"{name}" {quantity}') == SellProduct(name, quantity)


# ------------------------------------------------------------------------- phrasings


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        (
            "restock",
            "flour 2.5 kg",
            RestockProduct("flour", q("2.5"), unit="kg", literal_name="flour 2.5 kg"),
        ),
        (
            "restock",
            "flour 2,5kg exp 2026-06-01",
            RestockProduct(
                "flour", q("2.5"), expiry=date(2026, 6, 1), unit="kg", literal_name="flour 2,5kg"
            ),
        ),
        ("sell", "3 croissant", SellProduct("croissant", q("3"), None, "3 croissant")),
        ("sell", "3 croissants", SellProduct("croissants", q("3"), None, "3 croissants")),
        ("sell", "2 kg flour", SellProduct("flour", q("2"), "kg", "2 kg flour")),
        ("sell", "2 kg of rye flour", SellProduct("rye flour", q("2"), "kg", "2 kg of rye flour")),
        ("sell", "2kg flour", SellProduct("flour", q("2"), "kg", "2kg flour")),
        ("sell", "7 up", SellProduct("up", q("7"), None, "7 up")),
        ("sell", "2 bottles 7 up", SellProduct("7 up", q("2"), "bottles", "2 bottles 7 up")),
        ("sell", "soup 2 portions", SellProduct("soup", q("2"), "portions", "soup 2 portions")),
        ("sell", "2 soup 3 kg", SellProduct("2 soup", q("3"), "kg", "2 soup 3 kg")),
        ("count", "bread = 5 loaves", CountProduct("bread", q("5"), "loaves")),
        (
            "remove",
            "3 eggs damage",
            RemoveProduct("eggs", q("3"), Reason.DAMAGE, "", None, "3 eggs"),
        ),
        # As before: the last number is the quantity; a lone quantity and unit name nothing.
        ("sell", "7 up 2", SellProduct("7 up", q("2"))),
        # A quantity and its unit alone name no product (a step's answer: `0.5 kg`).
        ("sell", "0.5 kg", SellProduct(None, q("0.5"), "kg", "0.5 kg")),
        ("sell", "2kg", SellProduct(None, q("2"), "kg", "2kg")),
        ("sell", "7up", SellProduct("7up", None)),
        ("sell", "croissant x2", SellProduct("croissant", q("2"), None, "croissant x2")),
        ("sell", "2x croissant", SellProduct("croissant", q("2"), None, "2x croissant")),
        ("sell", "×3", SellProduct(None, q("3"), None, "×3")),
        # A Russian keyboard's х: 'круассан х2' was a product called so, '2х' the unit "х".
        ("sell", "круассан х2", SellProduct("круассан", q("2"), None, "круассан х2")),
        ("sell", "2х круассан", SellProduct("круассан", q("2"), None, "2х круассан")),
        ("sell", "croissant *2", SellProduct("croissant", q("2"), None, "croissant *2")),
        ("sell", "", SellProduct(None, None)),
        ("sell", "1.2345 roses", SellProduct("1.2345 roses", None)),
        ("sell", '3 "7 up"', SellProduct("7 up", q("3"), None, "3 7 up")),
        # Small counts in words: "one ibuprofen" was looked up as a product.
        ("sell", "one ibuprofen", SellProduct("ibuprofen", q("1"), None, "one ibuprofen")),
        ("sell", "a coffee", SellProduct("coffee", q("1"), None, "a coffee")),
        ("sell", "Two boxes aspirin", SellProduct("aspirin", q("2"), "boxes", "Two boxes aspirin")),
        ("sell", "две булочки", SellProduct("булочки", q("2"), None, "две булочки")),
        ("sell", "одну булочку", SellProduct("булочку", q("1"), None, "одну булочку")),
        ("sell", "one", SellProduct("one", None)),
        ("sell", "milk one", SellProduct("milk one", None)),
    ],
)
def test_phrasings_people_use(command: str, text: str, expected: object) -> None:
    assert parse_command(command, text) == expected


def test_the_literal_reading_keeps_the_rest_and_asks_the_quantity() -> None:
    parsed = parse_command("restock", "3 croissant exp 2026-06-01")
    assert isinstance(parsed, RestockProduct)
    assert parsed.literal() == RestockProduct("3 croissant", None, expiry=date(2026, 6, 1))
    plain = parse_command("sell", "milk 2")
    assert isinstance(plain, SellProduct) and plain.literal() is None


def test_batch_lines_take_the_phrasings_too() -> None:
    results = parse_lines("sell", "3 croissants\nflour 2.5 kg")
    assert results == [
        SellProduct("croissants", q("3"), None, "3 croissants"),
        SellProduct("flour", q("2.5"), "kg", "flour 2.5 kg"),
    ]


# ------------------------------------------------- separators and digits of other scripts


@pytest.mark.parametrize(
    ("typed", "quantity"),
    [
        ("2,5", "2.5"),
        ("0,125", "0.125"),  # a leading 0 groups no thousands
        ("1,000,000", "1000000"),
        ("1,234.5", "1234.5"),
        ("1.000", "1"),  # a point is always the decimal point
    ],
)
def test_a_comma_is_a_decimal_comma_or_groups_thousands(typed: str, quantity: str) -> None:
    assert parse_command("restock", f"milk {typed}") == RestockProduct("milk", q(quantity))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "milk 1,000",
            "Is “1,000” 1000 or 1? For 1000, write it without the comma; "
            "for 1, write 1.000 with a point.",
        ),
        ("milk 12,345", "Is “12,345” 12345 or 12.345?"),
        ("milk 2 cost 1,000", "Is “1,000” 1000 or 1?"),
        ("1,000 croissants", "Is “1,000” 1000 or 1?"),
    ],
)
def test_a_comma_before_three_digits_reads_both_ways_and_is_asked(text: str, says: str) -> None:
    """`/restock milk 1,000` recorded 1 without a word."""
    with pytest.raises(ParseError) as raised:
        parse_command("restock", text)
    assert says in raised.value.message


@pytest.mark.parametrize(
    ("typed", "quantity"),
    [("٣", "3"), ("１２", "12"), ("𝟓", "5"), ("١٫٥", "1.5"), ("٣٬٥٠٠٫٥", "3500.5")],
)
def test_digits_of_any_script_are_numbers(typed: str, quantity: str) -> None:
    assert parse_command("sell", f"milk {typed}") == SellProduct("milk", q(quantity))


def test_digits_of_any_script_in_dates_money_and_settings() -> None:
    parsed = parse_command("restock", "milk ٢ exp ٢٠٢٦-٠٦-٠١ cost €１,５０")
    assert parsed == RestockProduct("milk", q("2"), expiry=date(2026, 6, 1), cost=Decimal("1.50"))
    assert parse_alert_time("０８:３０") == time(8, 30)
    assert parse_near_expiry_days("٧") == 7


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\u2028", "\u2029"])
def test_u2028_and_u2029_are_line_breaks_like_any_other(line_break: str) -> None:
    """Telegram shows them as new lines; a batch's line numbers count them as such."""
    split = split_command(f"/count{line_break}milk 2{line_break}bread x")
    assert split is not None
    command, text = split
    assert is_batch(text)
    milk, bread = parse_lines(command, text)
    assert milk == CountProduct("milk", q("2"))
    assert isinstance(bread, ParseError) and bread.line == 2


@given(
    words=st.lists(
        st.sampled_from(["3", "2.5", "kg", "2kg", "pcs", "of", "7", "up", "croissant", "flour"]),
        min_size=1,
        max_size=5,
    )
)
def test_a_second_reading_keeps_every_word(words: list[str]) -> None:
    """Where the quantity comes from among the words, all of them together stay on offer
    as a name, and the reading's own name is a run of those words."""
    text = " ".join(words)
    parsed = parse_command("sell", text)
    assert isinstance(parsed, SellProduct)
    if parsed.literal_name is None:
        assert parsed.unit is None
        return
    assert parsed.literal_name == text
    assert parsed.quantity is not None
    if parsed.name is not None:
        assert f" {parsed.name} " in f" {text} "


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("22:00-07:00", (time(22), time(7))),
        ("22-7", (time(22), time(7))),
        ("22.30 – 6", (time(22, 30), time(6))),
        ("23—06:30", (time(23), time(6, 30))),
        ("выкл", (None, None)),
        # In words: 'с 22 до 7' was refused with only the usage line.
        ("с 22 до 7", (time(22), time(7))),
        ("с 22:30 до 6:00", (time(22, 30), time(6))),
        ("from 22 to 7", (time(22), time(7))),
        # The alert time's words, which a range had a grammar of its own without.
        ("с 10 вечера до 7 утра", (time(22), time(7))),
        ("10pm-7am", (time(22), time(7))),
        ("с 23 ч до 6 ч", (time(23), time(6))),
    ],
)
def test_quiet_hours_as_people_type_them(typed: str, hours: tuple[time, time]) -> None:
    """`/quiet 22-7` was refused with only the usage line."""
    assert parse_quiet(typed) == hours


@pytest.mark.parametrize("typed", ["22", "25-7", "22-7-8", "late"])
def test_quiet_hours_refuse_what_is_not_a_range(typed: str) -> None:
    with pytest.raises(Exception, match="/quiet 22:00-07:00"):  # the refusal shows the form
        parse_quiet(typed)


def test_add_as_people_type_it() -> None:
    """`min 2kg` was "not a quantity", and `cinnamon roll, price 2.5, min 12` was refused
    at "2.5," (or named the product "cinnamon roll,")."""
    butter = parse_command("add", "Butter unit kg min 2kg price 9,5")
    assert butter == parse_command("add", "Butter unit kg min 2 price 9.5")
    assert parse_command("add", "Butter min 2 kg") == parse_command("add", "Butter unit kg min 2")
    listed = parse_command("add", "Cinnamon roll, price 2.5, min 12 , cat pastries")
    assert listed == parse_command("add", "Cinnamon roll price 2.5 min 12 cat pastries")
    restock = parse_command("restock", "milk 10, exp 2026-12-20, cost 1,20")
    assert restock == parse_command("restock", "milk 10 exp 2026-12-20 cost 1.20")
    assert parse_add("rye, bread min 3").name == "rye, bread"  # a comma inside a name stays
    with pytest.raises(ParseError, match="in the product's unit, kg, not g"):
        parse_command("add", "flour unit kg min 500 g")


@pytest.mark.parametrize(
    ("command", "typed", "lines"),
    [
        (Command.SELL, "2 baguettes, 3 croissants", "2 baguettes\n3 croissants"),
        (Command.COUNT, "milk 5; flour 3", "milk 5\nflour 3"),
        (Command.RESTOCK, "milk 10 exp 20.12.2026, flour 5kg", "milk 10 exp 20.12.2026\nflour 5kg"),
        (Command.RESTOCK, "milk 10, exp 20.12.2026", None),  # one product's parts
        (Command.SELL, "rye, bread 3", None),  # a comma in a name
        (Command.SELL, "croissant 1,5", None),  # a decimal comma
        (Command.REMOVE, "milk 2, damaged", None),
        # 'and' / 'и': 'продал 3 круассана и 2 багета' offered a choice that dropped the 2.
        (Command.SELL, "3 круассана и 2 багета", "3 круассана\n2 багета"),
        (Command.SELL, "2 baguettes and 3 croissants", "2 baguettes\n3 croissants"),
        (Command.SELL, "fish and chips 2", None),  # `and` in a name
        # A part whose date needs the shop's day or language was no part at all.
        (Command.RESTOCK, "milk 10 exp tomorrow, flour 5kg", "milk 10 exp tomorrow\nflour 5kg"),
        (
            Command.RESTOCK,
            "молоко 20 до пятницы, сливки 6 до 15.12",
            "молоко 20 до пятницы\nсливки 6 до 15.12",
        ),
    ],
)
def test_a_list_on_one_line_is_a_batch(command: Command, typed: str, lines: str | None) -> None:
    """`/sell 2 baguettes, 3 croissants` was "No product called “baguettes, 3 croissants”"
    with a button that sold the baguettes and dropped the croissants."""
    assert as_lines(command, typed) == lines


def test_a_stocktake_list_as_written_on_paper() -> None:
    """'nails: 12,3kg' was "not a quantity", and 'wd 40 - 22' a product called "wd 40 -"."""
    assert parse_command("count", "nails: 12,3kg") == parse_command("count", "nails = 12.3 kg")
    for dashed, same in (("wd 40 - 22", "wd 40 = 22"), ("nails — 5 kg", "nails = 5 kg")):
        assert _reading("count", dashed) == _reading("count", same)
    assert parse_command("sell", "salt - sea 2") == SellProduct("salt - sea", Decimal(2))


def test_a_dash_before_a_dose_in_a_name_stays_in_the_name() -> None:
    """4833d06 read every dash before a number as '=': 'ibuprofen - 200mg 3' was refused
    ('After “=” comes just the quantity, not “200mg 3”', with no '=' typed) where it sold 3
    of "ibuprofen - 200mg"; and a product called "ibuprofen - 200mg" was no longer meant
    by its own name before the reading of 200 mg of "ibuprofen"."""
    assert parse_command("sell", "ibuprofen - 200mg 3") == SellProduct(
        "ibuprofen - 200mg", Decimal(3)
    )
    assert _reading("sell", "ибупрофен - 200 мг 3")[0] == "ибупрофен - 200 мг"
    alone = parse_command("sell", "ibuprofen - 200mg")
    assert isinstance(alone, SellProduct) and alone.literal_name == "ibuprofen - 200mg"
    assert _reading("count", "nails - 12 kg") == ("nails", Decimal(12), "kg")


def _reading(command: str, text: str) -> tuple[str | None, Decimal | None, str | None]:
    read = parse_command(command, text)
    assert isinstance(read, SellProduct | CountProduct)
    return read.name, read.quantity, read.unit


@pytest.mark.parametrize("typed", ["1 200", "1\u00a0200"])
def test_a_count_grouped_in_thousands_is_not_taken_for_a_unit(typed: str) -> None:
    """`1 200`, as Russian writes 1200 and the bot shows it, was 1 counted in the unit
    "200": "screws is counted in pcs, not 200". It is not a quantity the bot reads."""
    with pytest.raises(ParseError, match="is not a quantity"):
        quantity_and_unit(typed, "usage")


@pytest.mark.parametrize(
    ("typed", "quantity", "unit"),
    [
        ("1/2", "0.5", None),
        ("½", "0.5", None),
        ("1½", "1.5", None),
        ("1 1/2", "1.5", None),
        ("3/4 kg", "0.75", "kg"),
        ("¼ кг", "0.25", "кг"),
        ("2/8", "0.25", None),
    ],
)
def test_a_steps_answer_may_be_a_fraction(typed: str, quantity: str, unit: str | None) -> None:
    assert quantity_and_unit(typed, "usage") == (Decimal(quantity), unit)


@pytest.mark.parametrize("typed", ["1/0", "1/3", "1/2/3", "/2"])
def test_a_fraction_that_is_no_quantity_is_refused(typed: str) -> None:
    with pytest.raises(ParseError):
        quantity_and_unit(typed, "usage")
