"""The chat commands' grammar: text after a command becomes a typed command, or a
ParseError that says what was wrong and shows the right form.

Pure: no Telegram, no database. Whether a product exists, whether a date is in the past
and whether a quantity is allowed by the rules are the bot's and the domain's business.

Grammar rules shared by every command:
- Words are separated by spaces; "double quotes" (also “curly” and „low“ ones) keep
  anything together, so `"7 up" 3` names the product `7 up`.
- Keywords (`exp`, `cost`, `cat`, …) are case-insensitive and only count when not quoted
  and not the first word, so `/add cat food` adds a product called "cat food".
- For stock commands the quantity is the last word before the first keyword when it is a
  bare number; `name = qty` and `name: qty` work too. A missing quantity (or name) is not
  an error: the command comes back with `None` there, so the bot can ask for it.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from functools import cache
from typing import NoReturn

from core.inventory import SortBy, StatusFilter
from core.model import Reason
from core.quantities import format_quantity, to_money, to_quantity

MAX_WARNING_DAYS = 365
MAX_NEAR_EXPIRY_DAYS = 365


class ParseError(Exception):
    """Malformed command text. `message` says what was wrong, `usage` the right form;
    `line` is the 1-based line of a multi-line message, when there was one."""

    def __init__(self, message: str, usage: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.line = line

    def at_line(self, line: int) -> ParseError:
        return ParseError(self.message, self.usage, line=line)

    def __repr__(self) -> str:
        return f"ParseError({self.message!r}, usage={self.usage!r}, line={self.line!r})"


class Command(enum.StrEnum):
    ADD = "add"
    RESTOCK = "restock"
    SELL = "sell"
    REMOVE = "remove"
    COUNT = "count"
    INVENTORY = "inventory"
    PRODUCTS = "products"
    HISTORY = "history"
    STOCK = "stock"
    EDIT = "edit"
    DELETE = "delete"


USAGE: dict[Command, str] = {
    Command.ADD: (
        "/add <name> [cat <category>] [unit <unit>] [min <qty>] [price <money>] "
        "[cost <money>] [barcode <code>] [supplier <name>] [warn <days>]"
    ),
    Command.RESTOCK: (
        "/restock <name> <qty> [exp <date>] [cost <money>] [price <money>] "
        "[reorder <date>] [note <text>]"
    ),
    Command.SELL: "/sell <name> <qty>",
    Command.REMOVE: ("/remove <name> <qty> [damage|expired|adjustment|sale|return] [note <text>]"),
    Command.COUNT: "/count <name> <qty>",
    Command.INVENTORY: "/inventory [low|out|expiring|expired] [cat <category>] "
    "[sort name|qty|expiry]",
    Command.PRODUCTS: "/products [<category>]",
    Command.HISTORY: "/history [<name>]",
    Command.STOCK: "/stock <name>",
    Command.EDIT: "/edit <name>",
    Command.DELETE: "/delete <name>",
}

# The form of one line of a multi-line (batch) message.
LINE_USAGE: dict[Command, str] = {
    Command.RESTOCK: "one product per line: <name> <qty> [exp <date>] [cost <money>] …, "
    "e.g. milk 20 exp 2026-06-01",
    Command.SELL: "one product per line: <name> <qty>, e.g. milk 2",
    Command.REMOVE: "one product per line: <name> <qty> [damage|expired|…] [note <text>], "
    "e.g. milk 2 damage",
    Command.COUNT: "one product per line: <name> = <qty>, e.g. milk = 18",
}

QUANTITY_USAGE = "a number such as 2, 2.5 or 2,5"
MONEY_USAGE = "an amount such as 2.50, 2,50 or €2.50"
DATE_USAGE = "a date such as 2026-06-01, 01.06.2026 or 1/6/2026"
TIMEZONE_USAGE = "a timezone name such as Europe/Berlin or America/New_York"
ALERT_TIME_USAGE = "a time of day as HH:MM, e.g. 08:30"
NEAR_EXPIRY_USAGE = f"a number of days from 0 to {MAX_NEAR_EXPIRY_DAYS}, e.g. 7"
CURRENCY_USAGE = "a three-letter currency code such as EUR, USD or GBP"


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class AddProduct:
    name: str | None
    category: str | None = None
    unit: str | None = None
    threshold: Decimal | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    barcode: str | None = None
    supplier: str | None = None
    warning_days: int | None = None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


class _StockLine:
    """A stock command is complete with a product name and a quantity."""

    name: str | None
    quantity: Decimal | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None and self.quantity is not None


@dataclass(frozen=True)
class RestockProduct(_StockLine):
    name: str | None
    quantity: Decimal | None
    expiry: date | None = None
    cost: Decimal | None = None
    price: Decimal | None = None
    reorder_date: date | None = None
    note: str = ""


@dataclass(frozen=True)
class SellProduct(_StockLine):
    name: str | None
    quantity: Decimal | None


@dataclass(frozen=True)
class RemoveProduct(_StockLine):
    """`reason` is None when not given: the bot asks (or defaults) as it sees fit."""

    name: str | None
    quantity: Decimal | None
    reason: Reason | None = None
    note: str = ""


@dataclass(frozen=True)
class CountProduct(_StockLine):
    """A stocktake line: `quantity` is what was counted on the shelf (0 allowed)."""

    name: str | None
    quantity: Decimal | None


@dataclass(frozen=True)
class ShowInventory:
    status: StatusFilter = StatusFilter.ALL
    category: str | None = None
    sort: SortBy = SortBy.NAME

    @property
    def is_complete(self) -> bool:
        return True


@dataclass(frozen=True)
class ShowProducts:
    category: str | None = None

    @property
    def is_complete(self) -> bool:
        return True


@dataclass(frozen=True)
class ShowHistory:
    name: str | None = None

    @property
    def is_complete(self) -> bool:
        return True


@dataclass(frozen=True)
class ShowStock:
    name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


@dataclass(frozen=True)
class EditProduct:
    name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


@dataclass(frozen=True)
class DeleteProduct:
    name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


ParsedCommand = (
    AddProduct
    | RestockProduct
    | SellProduct
    | RemoveProduct
    | CountProduct
    | ShowInventory
    | ShowProducts
    | ShowHistory
    | ShowStock
    | EditProduct
    | DeleteProduct
)
StockCommand = RestockProduct | SellProduct | RemoveProduct | CountProduct


# ------------------------------------------------------------------------------ words

OPENING_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "”": "”"}
NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
CURRENCY_SYMBOLS = "€$£¥₽₴₹₺₩"
MONEY = re.compile(
    rf"(?:[{CURRENCY_SYMBOLS}]|[A-Za-z]{{3}})?\s*(?P<amount>[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+))"
    rf"\s*(?:[{CURRENCY_SYMBOLS}]|[A-Za-z]{{3}})?"
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


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------------------------ values


def parse_quantity(text: str, usage: str = QUANTITY_USAGE) -> Decimal:
    """A quantity such as `2`, `2.5` or `2,5` (at most three decimal places)."""
    cleaned = text.strip()
    if NUMBER.fullmatch(cleaned) is None:
        raise ParseError(f"“{_shorten(cleaned)}” is not a quantity; use {QUANTITY_USAGE}.", usage)
    try:
        return to_quantity(cleaned.replace(",", "."))
    except ValueError as exc:
        raise ParseError(f"“{_shorten(cleaned)}” is not a valid quantity: {exc}.", usage) from exc


def parse_money(text: str, usage: str = MONEY_USAGE) -> Decimal:
    """An amount such as `2.50`, `2,50`, `€2.50`, `2.50€`, `$3` or `3 EUR`."""
    cleaned = text.strip()
    match = MONEY.fullmatch(cleaned)
    if match is None:
        raise ParseError(f"“{_shorten(cleaned)}” is not an amount; use {MONEY_USAGE}.", usage)
    amount = match["amount"].replace(",", ".")
    if amount.startswith("-"):
        raise ParseError("An amount cannot be negative.", usage)
    try:
        return to_money(amount)
    except ValueError as exc:
        raise ParseError(
            f"“{_shorten(cleaned)}” is not a valid amount (at most two decimal places).", usage
        ) from exc


DATE = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})")


def parse_date(text: str, usage: str = DATE_USAGE, *, day_first: bool = True) -> date:
    """A date as `2026-06-01`, `01.06.2026`, `1/6/2026` or `1.6.26` (years 00-99 → 20xx).

    Day first unless `day_first` is False; an ISO date (year first) is always y-m-d.
    """
    cleaned = text.strip()
    match = DATE.fullmatch(cleaned)
    if match is None:
        raise ParseError(f"“{_shorten(cleaned)}” is not a date; use {DATE_USAGE}.", usage)
    first, _, middle, last = match.groups()
    if len(first) == 4:
        year, month, day = int(first), int(middle), int(last)
    elif len(last) in (2, 4) and len(first) <= 2:
        year = int(last) + (2000 if len(last) == 2 else 0)
        day, month = (int(first), int(middle)) if day_first else (int(middle), int(first))
    else:
        raise ParseError(f"“{cleaned}” is not a date; use {DATE_USAGE}.", usage)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ParseError(f"There is no date “{cleaned}”.", usage) from exc


def parse_days(text: str, usage: str, *, maximum: int) -> int:
    cleaned = text.strip()
    if not re.fullmatch(r"\d{1,4}", cleaned) or int(cleaned) > maximum:
        raise ParseError(
            f"“{_shorten(cleaned)}” is not a number of days from 0 to {maximum}.", usage
        )
    return int(cleaned)


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -------------------------------------------------------------------------- keywords

# What kind of value a keyword takes.
ValueKind = enum.Enum("ValueKind", "WORD WORDS QUANTITY MONEY DATE DAYS TEXT FLAG")


@dataclass(frozen=True)
class Keyword:
    field: str
    kind: ValueKind
    example: str
    value: object = None  # the value of a FLAG keyword (e.g. a Reason)


ADD_KEYWORDS = {
    "cat": Keyword("category", ValueKind.WORDS, "cat dairy"),
    "category": Keyword("category", ValueKind.WORDS, "cat dairy"),
    "unit": Keyword("unit", ValueKind.WORD, "unit kg"),
    "min": Keyword("threshold", ValueKind.QUANTITY, "min 5"),
    "price": Keyword("price", ValueKind.MONEY, "price 2.50"),
    "cost": Keyword("cost", ValueKind.MONEY, "cost 1.20"),
    "barcode": Keyword("barcode", ValueKind.WORD, "barcode 4006381333931"),
    "supplier": Keyword("supplier", ValueKind.WORDS, "supplier Green Farm"),
    "warn": Keyword("warning_days", ValueKind.DAYS, "warn 3"),
}
RESTOCK_KEYWORDS = {
    "exp": Keyword("expiry", ValueKind.DATE, "exp 2026-06-01"),
    "expires": Keyword("expiry", ValueKind.DATE, "exp 2026-06-01"),
    "expiry": Keyword("expiry", ValueKind.DATE, "exp 2026-06-01"),
    "cost": Keyword("cost", ValueKind.MONEY, "cost 1.20"),
    "price": Keyword("price", ValueKind.MONEY, "price 2.50"),
    "reorder": Keyword("reorder_date", ValueKind.DATE, "reorder 2026-06-15"),
    "note": Keyword("note", ValueKind.TEXT, "note from the market"),
}
REMOVE_REASONS = {
    "damage": Reason.DAMAGE,
    "damaged": Reason.DAMAGE,
    "broken": Reason.DAMAGE,
    "expired": Reason.EXPIRED,
    "adjustment": Reason.ADJUSTMENT,
    "adjust": Reason.ADJUSTMENT,
    "sale": Reason.SALE,
    "sold": Reason.SALE,
    "return": Reason.RETURN,
    "returned": Reason.RETURN,
}
REMOVE_KEYWORDS = {
    **{
        word: Keyword("reason", ValueKind.FLAG, word, reason)
        for word, reason in REMOVE_REASONS.items()
    },
    "note": Keyword("note", ValueKind.TEXT, "note dropped a crate"),
}
NO_KEYWORDS: dict[str, Keyword] = {}


@dataclass
class Sentence:
    """A command's words split into the head (name and quantity) and keyword values."""

    head: list[Word]
    values: dict[str, object] = field(default_factory=dict)


def _split_sentence(
    text: str, keywords: dict[str, Keyword], usage: str, *, day_first: bool
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
            sentence.values[keyword.field] = _clean(text[keyword_word.end :])
            break
        end = positions[n + 1] if n + 1 < len(positions) else len(words)
        value_words = words[position + 1 : end]
        if value_words and value_words[0].is_separator:  # `exp: 2026-06-01`, `cat = dairy`
            value_words = value_words[1:]
        sentence.values[keyword.field] = _keyword_value(
            keyword_word.text, keyword, value_words, usage, day_first=day_first
        )
    return sentence


def _keyword_value(
    spelled: str, keyword: Keyword, words: list[Word], usage: str, *, day_first: bool
) -> object:
    if keyword.kind is ValueKind.FLAG:
        if words:
            raise ParseError(
                f"Unexpected “{_shorten(join_words(words))}” after “{spelled}”; "
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
        return _clean(text) or _missing(spelled, keyword, usage)
    if keyword.kind is ValueKind.MONEY and len(words) <= 2:
        return parse_money(text.replace(" ", ""), usage)
    if len(words) > 1:
        raise ParseError(
            f"“{spelled}” takes one value, got “{_shorten(text)}”; e.g. {keyword.example}.",
            usage,
        )
    if keyword.kind is ValueKind.WORD:
        return _clean(text) or _missing(spelled, keyword, usage)
    if keyword.kind is ValueKind.QUANTITY:
        quantity = parse_quantity(text, usage)
        if quantity < 0:
            raise ParseError(f"“{spelled}” cannot be negative.", usage)
        return quantity
    if keyword.kind is ValueKind.DATE:
        return parse_date(text, usage, day_first=day_first)
    if keyword.kind is ValueKind.DAYS:
        return parse_days(text, usage, maximum=MAX_WARNING_DAYS)
    raise AssertionError(f"unknown keyword kind {keyword.kind}")


def _missing(spelled: str, keyword: Keyword, usage: str) -> NoReturn:
    raise ParseError(f"“{spelled}” needs a value, e.g. {keyword.example}.", usage)


def _name(words: Sequence[Word], usage: str) -> str | None:
    if any(w.is_separator for w in words):
        raise ParseError("Unexpected “=” or “:” in the product name.", usage)
    name = _clean(join_words(words))
    return name or None


class QuantityRule(enum.Enum):
    POSITIVE = "more than 0"
    NOT_NEGATIVE = "0 or more"


def _name_and_quantity(
    head: list[Word], usage: str, rule: QuantityRule
) -> tuple[str | None, Decimal | None]:
    """The product name and quantity of a stock command's head: `<name> <qty>`,
    `<name> = <qty>` or `<name>: <qty>`; either may be missing."""
    separators = [i for i, w in enumerate(head) if w.is_separator]
    if len(separators) > 1:
        raise ParseError("Only one “=” or “:” between the name and the quantity, please.", usage)
    if separators:
        at = separators[0]
        name_words, quantity_words = head[:at], head[at + 1 :]
        if len(quantity_words) > 1:
            raise ParseError(
                f"After “=” comes just the quantity, not “{_shorten(join_words(quantity_words))}”.",
                usage,
            )
        quantity_text = quantity_words[0].text if quantity_words else None
    elif head and head[-1].is_number:
        name_words, quantity_text = head[:-1], head[-1].text
    else:
        name_words, quantity_text = head, None
    name = _name(name_words, usage)
    if quantity_text is None:
        return name, None
    quantity = parse_quantity(quantity_text, usage)
    if rule is QuantityRule.POSITIVE and quantity <= 0:
        raise ParseError(
            f"The quantity must be more than 0, not {format_quantity(quantity)}.", usage
        )
    if rule is QuantityRule.NOT_NEGATIVE and quantity < 0:
        raise ParseError("A counted quantity cannot be negative.", usage)
    return name, quantity


# ---------------------------------------------------------------------------- parsers


def parse_add(text: str, *, day_first: bool = True) -> AddProduct:
    usage = USAGE[Command.ADD]
    sentence = _split_sentence(text, ADD_KEYWORDS, usage, day_first=day_first)
    values = sentence.values
    unit = values.get("unit")
    return AddProduct(
        name=_name(sentence.head, usage),
        category=_optional_str(values.get("category")),
        unit=str(unit).lower() if unit is not None else None,
        threshold=_optional_decimal(values.get("threshold")),
        price=_optional_decimal(values.get("price")),
        cost=_optional_decimal(values.get("cost")),
        barcode=_optional_str(values.get("barcode")),
        supplier=_optional_str(values.get("supplier")),
        warning_days=_optional_int(values.get("warning_days")),
    )


def parse_restock(text: str, *, day_first: bool = True, usage: str | None = None) -> RestockProduct:
    usage = usage or USAGE[Command.RESTOCK]
    sentence = _split_sentence(text, RESTOCK_KEYWORDS, usage, day_first=day_first)
    name, quantity = _name_and_quantity(sentence.head, usage, QuantityRule.POSITIVE)
    values = sentence.values
    return RestockProduct(
        name=name,
        quantity=quantity,
        expiry=_optional_date(values.get("expiry")),
        cost=_optional_decimal(values.get("cost")),
        price=_optional_decimal(values.get("price")),
        reorder_date=_optional_date(values.get("reorder_date")),
        note=str(values.get("note", "")),
    )


def parse_sell(text: str, *, day_first: bool = True, usage: str | None = None) -> SellProduct:
    usage = usage or USAGE[Command.SELL]
    sentence = _split_sentence(text, NO_KEYWORDS, usage, day_first=day_first)
    name, quantity = _name_and_quantity(sentence.head, usage, QuantityRule.POSITIVE)
    return SellProduct(name, quantity)


def parse_remove(text: str, *, day_first: bool = True, usage: str | None = None) -> RemoveProduct:
    usage = usage or USAGE[Command.REMOVE]
    sentence = _split_sentence(text, REMOVE_KEYWORDS, usage, day_first=day_first)
    name, quantity = _name_and_quantity(sentence.head, usage, QuantityRule.POSITIVE)
    reason = sentence.values.get("reason")
    return RemoveProduct(
        name=name,
        quantity=quantity,
        reason=reason if isinstance(reason, Reason) else None,
        note=str(sentence.values.get("note", "")),
    )


def parse_count(text: str, *, day_first: bool = True, usage: str | None = None) -> CountProduct:
    usage = usage or USAGE[Command.COUNT]
    sentence = _split_sentence(text, NO_KEYWORDS, usage, day_first=day_first)
    name, quantity = _name_and_quantity(sentence.head, usage, QuantityRule.NOT_NEGATIVE)
    return CountProduct(name, quantity)


INVENTORY_FILTERS = {
    "all": StatusFilter.ALL,
    "low": StatusFilter.LOW,
    "out": StatusFilter.OUT,
    "expiring": StatusFilter.EXPIRING,
    "expired": StatusFilter.EXPIRED,
}
INVENTORY_SORTS = {
    "name": SortBy.NAME,
    "qty": SortBy.QUANTITY,
    "quantity": SortBy.QUANTITY,
    "expiry": SortBy.EXPIRY,
    "exp": SortBy.EXPIRY,
}


def parse_inventory(text: str, *, day_first: bool = True) -> ShowInventory:
    """`[low|out|expiring|expired] [cat <category>] [sort name|qty|expiry]`, any order."""
    usage = USAGE[Command.INVENTORY]
    words = split_words(text, usage)
    status: StatusFilter | None = None
    category: str | None = None
    sort: SortBy | None = None
    i = 0
    while i < len(words):
        word = words[i].text.casefold()
        if word in INVENTORY_FILTERS and not words[i].quoted:
            if status is not None:
                raise ParseError("Give one filter: low, out, expiring or expired.", usage)
            status = INVENTORY_FILTERS[word]
            i += 1
        elif word == "sort" and not words[i].quoted:
            if sort is not None:
                raise ParseError("“sort” is given twice.", usage)
            choice = words[i + 1].text.casefold() if i + 1 < len(words) else ""
            if choice not in INVENTORY_SORTS:
                raise ParseError("“sort” takes name, qty or expiry, e.g. sort expiry.", usage)
            sort = INVENTORY_SORTS[choice]
            i += 2
        elif word in ("cat", "category") and not words[i].quoted:
            if category is not None:
                raise ParseError("“cat” is given twice.", usage)
            end = i + 1
            while end < len(words) and words[end].text.casefold() not in (
                *INVENTORY_FILTERS,
                "sort",
            ):
                end += 1
            category = _clean(join_words(words[i + 1 : end]))
            if not category or any(w.is_separator for w in words[i + 1 : end]):
                raise ParseError("“cat” needs a category, e.g. cat dairy.", usage)
            i = end
        else:
            raise ParseError(
                f"Unknown filter “{_shorten(words[i].text)}”; for a category write "
                f"cat {_shorten(words[i].text)}.",
                usage,
            )
    return ShowInventory(status or StatusFilter.ALL, category, sort or SortBy.NAME)


def _rest_or_none(text: str, usage: str) -> str | None:
    words = split_words(text, usage)
    return _name(words, usage)


def parse_products(text: str, *, day_first: bool = True) -> ShowProducts:
    return ShowProducts(_rest_or_none(text, USAGE[Command.PRODUCTS]))


def parse_history(text: str, *, day_first: bool = True) -> ShowHistory:
    return ShowHistory(_rest_or_none(text, USAGE[Command.HISTORY]))


def parse_stock(text: str, *, day_first: bool = True) -> ShowStock:
    return ShowStock(_rest_or_none(text, USAGE[Command.STOCK]))


def parse_edit(text: str, *, day_first: bool = True) -> EditProduct:
    return EditProduct(_rest_or_none(text, USAGE[Command.EDIT]))


def parse_delete(text: str, *, day_first: bool = True) -> DeleteProduct:
    return DeleteProduct(_rest_or_none(text, USAGE[Command.DELETE]))


PARSERS: dict[Command, Callable[..., ParsedCommand]] = {
    Command.ADD: parse_add,
    Command.RESTOCK: parse_restock,
    Command.SELL: parse_sell,
    Command.REMOVE: parse_remove,
    Command.COUNT: parse_count,
    Command.INVENTORY: parse_inventory,
    Command.PRODUCTS: parse_products,
    Command.HISTORY: parse_history,
    Command.STOCK: parse_stock,
    Command.EDIT: parse_edit,
    Command.DELETE: parse_delete,
}
# Commands whose message may carry one product per line.
BATCH_PARSERS: dict[Command, Callable[..., StockCommand]] = {
    Command.RESTOCK: parse_restock,
    Command.SELL: parse_sell,
    Command.REMOVE: parse_remove,
    Command.COUNT: parse_count,
}


def command_of(name: str) -> Command:
    """`Command.RESTOCK` from `restock`, `/restock` or `/restock@StockBot`.
    Raises ValueError for a command this module does not parse (a programming error)."""
    key = name.strip().lstrip("/").split("@", 1)[0].casefold()
    try:
        return Command(key)
    except ValueError:
        raise ValueError(f"no parser for command {name!r}") from None


def parse_command(command: str | Command, text: str, *, day_first: bool = True) -> ParsedCommand:
    """The typed form of `text`, the words after `/command`; a missing name or quantity
    comes back as None (see `is_complete`). Raises ParseError for malformed text."""
    parser = PARSERS[command_of(command) if not isinstance(command, Command) else command]
    return parser(_one_line(text), day_first=day_first)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


BULLET = re.compile(r"^\s*(?:[-•*·]\s+)")


def parse_lines(
    command: str | Command, text: str, *, day_first: bool = True
) -> list[StockCommand | ParseError]:
    """One result per non-blank line of a batch message (`/count` then `milk = 18`, …):
    the parsed command, or the ParseError for that line with `line` set (1-based, counting
    the lines of `text`, blank ones included). Each line must be complete; a line missing
    its quantity is an error here, since there is no one to ask line by line."""
    which = command_of(command) if not isinstance(command, Command) else command
    if which not in BATCH_PARSERS:
        raise ValueError(f"/{which} does not take one product per line")
    parser = BATCH_PARSERS[which]
    usage = LINE_USAGE[which]
    results: list[StockCommand | ParseError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = BULLET.sub("", line)
        if not line.strip():
            continue
        try:
            parsed = parser(line, day_first=day_first, usage=usage)
        except ParseError as error:
            results.append(error.at_line(number))
            continue
        if parsed.name is None:
            results.append(ParseError("This line has no product name.", usage, line=number))
        elif parsed.quantity is None:
            results.append(
                ParseError(f"“{_shorten(parsed.name)}” has no quantity.", usage, line=number)
            )
        else:
            results.append(parsed)
    return results


def is_batch(text: str) -> bool:
    """True when the words after a command span several non-blank lines."""
    return sum(1 for line in text.splitlines() if line.strip()) > 1


COMMAND_PREFIX = re.compile(r"^\s*/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")


def split_command(message: str) -> tuple[str, str] | None:
    """(`restock`, `milk 2`) from `/restock@StockBot milk 2`; None without a command."""
    match = COMMAND_PREFIX.match(message)
    if match is None:
        return None
    return match[1].casefold(), message[match.end() :].lstrip(" \t").removeprefix("\n")


# ---------------------------------------------------------------------------- settings


@cache
def _timezones_by_key() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def parse_timezone(text: str) -> str:
    """A canonical IANA timezone name from any spelling case: `europe/berlin` →
    `Europe/Berlin`; spaces become underscores (`America/New York`)."""
    key = re.sub(r"\s+", "_", text.strip()).casefold()
    name = _timezones_by_key().get(key)
    if name is None:
        raise ParseError(f"“{_shorten(text.strip())}” is not a timezone I know.", TIMEZONE_USAGE)
    return name


def parse_alert_time(text: str) -> time:
    """`08:30`, `8:30` or `8.30` as a time of day."""
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ParseError(f"“{_shorten(text.strip())}” is not a time of day.", ALERT_TIME_USAGE)
    return time(int(match[1]), int(match[2]))


def parse_near_expiry_days(text: str) -> int:
    return parse_days(text, NEAR_EXPIRY_USAGE, maximum=MAX_NEAR_EXPIRY_DAYS)


CURRENCY_BY_SYMBOL = {
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₽": "RUB",
    "₴": "UAH",
    "₹": "INR",
    "₺": "TRY",
    "₩": "KRW",
}


def parse_currency(text: str) -> str:
    """An ISO 4217 code in capitals (`eur` → `EUR`); a common symbol (`€`) also works."""
    cleaned = text.strip()
    if cleaned in CURRENCY_BY_SYMBOL:
        return CURRENCY_BY_SYMBOL[cleaned]
    if re.fullmatch(r"[A-Za-z]{3}", cleaned) is None:
        raise ParseError(f"“{_shorten(cleaned)}” is not a currency code.", CURRENCY_USAGE)
    return cleaned.upper()


# ------------------------------------------------------------------------------ helpers


def _optional_str(value: object) -> str | None:
    return str(value) if value is not None else None


def _optional_decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _optional_date(value: object) -> date | None:
    return value if isinstance(value, date) else None
