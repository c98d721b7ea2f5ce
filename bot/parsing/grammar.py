"""Each command's grammar, and the entry points: one command, one line per product,
the command word of a message."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.i18n import _
from bot.parsing.commands import (
    AddProduct,
    Command,
    CountProduct,
    DeleteProduct,
    EditProduct,
    ParsedCommand,
    RemoveProduct,
    RestockProduct,
    SellProduct,
    ShowHistory,
    ShowInventory,
    ShowProducts,
    ShowStock,
    StockCommand,
)
from bot.parsing.date_words import date_words_for
from bot.parsing.dates import ABSOLUTE_DAY_FIRST, ShopDates
from bot.parsing.errors import ParseError, shorten
from bot.parsing.sentence import (
    Keyword,
    QuantityInUnit,
    ValueKind,
    name_and_quantity,
    product_name,
    split_sentence,
)
from bot.parsing.usage import LINE_USAGE, USAGE
from bot.parsing.words import clean, join_words, split_words
from core.inventory import SortBy, StatusFilter
from core.model import Reason
from core.product_fields import BY_NAME, Kind, ProductFields
from core.units import same_unit

ADD_KEYWORDS = {
    "cat": Keyword("category", ValueKind.WORDS, "cat dairy"),
    "category": Keyword("category", ValueKind.WORDS, "cat dairy"),
    "unit": Keyword("unit", ValueKind.WORD, "unit kg"),
    "min": Keyword("threshold", ValueKind.QUANTITY, "min 5"),
    "price": Keyword("price", ValueKind.MONEY, "price 2.50"),
    "cost": Keyword("cost", ValueKind.MONEY, "cost 1.20"),
    "barcode": Keyword("barcodes", ValueKind.WORD, "barcode 4006381333931"),
    "supplier": Keyword("supplier", ValueKind.WORDS, "supplier Green Farm"),
    "warn": Keyword("expiry_warning_days", ValueKind.DAYS, "warn 3"),
    "lead": Keyword("lead_days", ValueKind.DAYS, "lead 5"),
    # The same words in Russian (commands keep their English names).
    "кат": Keyword("category", ValueKind.WORDS, "кат молочное"),
    "категория": Keyword("category", ValueKind.WORDS, "кат молочное"),
    "ед": Keyword("unit", ValueKind.WORD, "ед kg"),
    "мин": Keyword("threshold", ValueKind.QUANTITY, "мин 5"),
    "цена": Keyword("price", ValueKind.MONEY, "цена 2.50"),
    "закупка": Keyword("cost", ValueKind.MONEY, "закупка 1.20"),
    "штрихкод": Keyword("barcodes", ValueKind.WORD, "штрихкод 4006381333931"),
    "поставщик": Keyword("supplier", ValueKind.WORDS, "поставщик Зелёная ферма"),
    "предупр": Keyword("expiry_warning_days", ValueKind.DAYS, "предупр 3"),
    "поставка": Keyword("lead_days", ValueKind.DAYS, "поставка 5"),
}
RESTOCK_KEYWORDS = {
    "exp": Keyword("expiry", ValueKind.DATE, "exp 20 dec"),
    "expires": Keyword("expiry", ValueKind.DATE, "exp 20 dec"),
    "expiry": Keyword("expiry", ValueKind.DATE, "exp 20 dec"),
    "cost": Keyword("cost", ValueKind.MONEY, "cost 1.20"),
    "price": Keyword("price", ValueKind.MONEY, "price 2.50"),
    "reorder": Keyword("reorder_date", ValueKind.DATE, "reorder +2w"),
    "note": Keyword("note", ValueKind.TEXT, "note from the market"),
    "годен": Keyword("expiry", ValueKind.DATE, "годен 20.12"),
    "срок": Keyword("expiry", ValueKind.DATE, "срок 20.12"),
    # `молоко 20 до 20.12`; `годен до 20.12` is one keyword (bot.parsing.sentence).
    "до": Keyword("expiry", ValueKind.DATE, "до 20.12"),
    "закупка": Keyword("cost", ValueKind.MONEY, "закупка 1.20"),
    "цена": Keyword("price", ValueKind.MONEY, "цена 2.50"),
    "заказ": Keyword("reorder_date", ValueKind.DATE, "заказ +2w"),
    "заметка": Keyword("note", ValueKind.TEXT, "заметка с рынка"),
}
# The word a stock command starts with when typed without its slash, as people write on
# a phone: the command's own name, a past tense, or the word in Russian.
STOCK_VERBS = {
    "restock": Command.RESTOCK,
    "restocked": Command.RESTOCK,
    "sell": Command.SELL,
    "sold": Command.SELL,
    "remove": Command.REMOVE,
    "count": Command.COUNT,
    "counted": Command.COUNT,
    "приход": Command.RESTOCK,
    "принять": Command.RESTOCK,
    "принял": Command.RESTOCK,
    "приняла": Command.RESTOCK,
    "приняли": Command.RESTOCK,
    "привоз": Command.RESTOCK,
    "привез": Command.RESTOCK,
    "привёз": Command.RESTOCK,
    "привезла": Command.RESTOCK,
    "привезли": Command.RESTOCK,
    "поступление": Command.RESTOCK,
    "поступило": Command.RESTOCK,
    "пришло": Command.RESTOCK,
    "продать": Command.SELL,
    "продал": Command.SELL,
    "продала": Command.SELL,
    "продали": Command.SELL,
    "продано": Command.SELL,
    "продажа": Command.SELL,
    "списать": Command.REMOVE,
    "списал": Command.REMOVE,
    "списала": Command.REMOVE,
    "списали": Command.REMOVE,
    "списание": Command.REMOVE,
    "пересчёт": Command.COUNT,
    "пересчет": Command.COUNT,
    "пересчитал": Command.COUNT,
    "пересчитала": Command.COUNT,
    "пересчитали": Command.COUNT,
}
# A step's ✖️ Cancel button typed as a word instead of tapped (`отмена`), and /undo typed
# without its slash. A Russian `отменить` cancels: alone it could mean either, and an
# undo by mistake would take back a sale.
CANCEL_WORDS = frozenset({"cancel", "stop", "отмена", "отменить", "отмени", "стоп"})
UNDO_WORDS = frozenset({"undo"})


def bare_word(text: str) -> str:
    """The message as one word, to compare with CANCEL_WORDS and UNDO_WORDS."""
    return text.strip().rstrip("!.").casefold()


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
    "брак": Reason.DAMAGE,
    "бой": Reason.DAMAGE,
    "порча": Reason.DAMAGE,
    "просрочка": Reason.EXPIRED,
    "корректировка": Reason.ADJUSTMENT,
    "поправка": Reason.ADJUSTMENT,  # as the button says it
    "продажа": Reason.SALE,
    "возврат": Reason.RETURN,
}
REMOVE_KEYWORDS = {
    **{
        word: Keyword("reason", ValueKind.FLAG, word, reason)
        for word, reason in REMOVE_REASONS.items()
    },
    "note": Keyword("note", ValueKind.TEXT, "note dropped a crate"),
    "заметка": Keyword("note", ValueKind.TEXT, "заметка уронили ящик"),
}
NO_KEYWORDS: dict[str, Keyword] = {}

# ---------------------------------------------------------------------------- parsers


def parse_add(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> AddProduct:
    usage = USAGE[Command.ADD]
    sentence = split_sentence(text, ADD_KEYWORDS, usage, dates=dates)
    return AddProduct(
        name=product_name(sentence.head, usage), **_product_fields(sentence.values, usage)
    )


# /edit takes /add's words, and `name` for a new name: `/edit baguete name baguette`.
EDIT_KEYWORDS = {
    **ADD_KEYWORDS,
    "name": Keyword("name", ValueKind.WORDS, "name Rye bread"),
    "название": Keyword("name", ValueKind.WORDS, "название Ржаной хлеб"),
}


@dataclass(frozen=True)
class EditChange:
    """`/edit croissant price 2 min 20`: the product's name and the change; `min_unit`:
    the unit typed with `min` (`min 2kg`), to be the product's own."""

    name: str | None
    change: ProductFields | None  # None: a name alone, for the buttons that ask
    min_unit: str | None = None


def parse_edit_change(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> EditChange:
    usage = USAGE[Command.EDIT]
    sentence = split_sentence(text, EDIT_KEYWORDS, usage, dates=dates)
    name = product_name(sentence.head, usage)
    if not sentence.values:
        return EditChange(name, None)
    values = dict(sentence.values)
    threshold, min_unit = values.get("threshold"), None
    if isinstance(threshold, QuantityInUnit) and "unit" not in values:
        # An edit keeps the product's unit: `min 2kg` of a product in g is refused.
        values["threshold"], min_unit = threshold.quantity, threshold.unit
    return EditChange(name, ProductFields(**_product_fields(values, usage)), min_unit)


def _product_fields(typed: dict[str, object], usage: str) -> dict[str, Any]:
    """The fields of a product change from its keywords' values."""
    # Each keyword names a field of the change; a barcode is typed one at a time.
    values: dict[str, Any] = {
        name: (value,) if BY_NAME[name].kind is Kind.BARCODES else value
        for name, value in typed.items()
    }
    threshold = values.get("threshold")
    if isinstance(threshold, QuantityInUnit):  # `min 2kg`: in the product's unit
        if "unit" not in values:
            values["unit"] = threshold.unit
        elif not same_unit(threshold.unit, str(values["unit"])):
            message = _("“min” is in the product's unit, {unit}, not {typed}.")
            raise ParseError(message.format(unit=values["unit"], typed=threshold.unit), usage)
        values["threshold"] = threshold.quantity
    if "unit" in values:
        values["unit"] = str(values["unit"]).lower()
    return values


def parse_restock(
    text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST, usage: str | None = None
) -> RestockProduct:
    usage = usage or USAGE[Command.RESTOCK]
    sentence = split_sentence(text, RESTOCK_KEYWORDS, usage, dates=dates)
    head = name_and_quantity(sentence.head, usage)
    values = sentence.values
    return RestockProduct(
        name=head.name,
        quantity=head.quantity,
        expiry=_optional_date(values.get("expiry")),
        cost=_optional_decimal(values.get("cost")),
        price=_optional_decimal(values.get("price")),
        reorder_date=_optional_date(values.get("reorder_date")),
        note=str(values.get("note", "")),
        unit=head.unit,
        literal_name=head.literal_name,
    )


def parse_sell(
    text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST, usage: str | None = None
) -> SellProduct:
    usage = usage or USAGE[Command.SELL]
    sentence = split_sentence(text, NO_KEYWORDS, usage, dates=dates)
    head = name_and_quantity(sentence.head, usage)
    return SellProduct(head.name, head.quantity, head.unit, head.literal_name)


def parse_remove(
    text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST, usage: str | None = None
) -> RemoveProduct:
    usage = usage or USAGE[Command.REMOVE]
    sentence = split_sentence(text, REMOVE_KEYWORDS, usage, dates=dates)
    head = name_and_quantity(sentence.head, usage)
    reason = sentence.values.get("reason")
    return RemoveProduct(
        name=head.name,
        quantity=head.quantity,
        reason=reason if isinstance(reason, Reason) else None,
        note=str(sentence.values.get("note", "")),
        unit=head.unit,
        literal_name=head.literal_name,
    )


def parse_count(
    text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST, usage: str | None = None
) -> CountProduct:
    usage = usage or USAGE[Command.COUNT]
    sentence = split_sentence(text, NO_KEYWORDS, usage, dates=dates)
    head = name_and_quantity(sentence.head, usage)
    return CountProduct(head.name, head.quantity, head.unit, head.literal_name)


INVENTORY_FILTERS = {
    "all": StatusFilter.ALL,
    "low": StatusFilter.LOW,
    "out": StatusFilter.OUT,
    "expiring": StatusFilter.EXPIRING,
    "expired": StatusFilter.EXPIRED,
    # The same in Russian, as the dashboard's boxes name them.
    "все": StatusFilter.ALL,
    "мало": StatusFilter.LOW,
    "нет": StatusFilter.OUT,
    "закончились": StatusFilter.OUT,
    "истекает": StatusFilter.EXPIRING,
    "истекают": StatusFilter.EXPIRING,
    "просрочено": StatusFilter.EXPIRED,
    "просрочка": StatusFilter.EXPIRED,
}
INVENTORY_SORTS = {
    "name": SortBy.NAME,
    "qty": SortBy.QUANTITY,
    "quantity": SortBy.QUANTITY,
    "expiry": SortBy.EXPIRY,
    "exp": SortBy.EXPIRY,
    "days": SortBy.DAYS,
    "название": SortBy.NAME,
    "кол-во": SortBy.QUANTITY,
    "количество": SortBy.QUANTITY,
    "срок": SortBy.EXPIRY,
    "дни": SortBy.DAYS,
}
SORT_WORDS = ("sort", "сорт", "сортировка")
CATEGORY_WORDS = ("cat", "category", "кат", "категория")


def parse_inventory(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> ShowInventory:
    """`[low|out|expiring|expired] [cat <category>] [sort name|qty|expiry|days]`, any
    order."""
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
                raise ParseError(_("Give one filter: low, out, expiring or expired."), usage)
            status = INVENTORY_FILTERS[word]
            i += 1
        elif word in SORT_WORDS and not words[i].quoted:
            if sort is not None:
                raise ParseError(_("“sort” is given twice."), usage)
            choice = words[i + 1].text.casefold() if i + 1 < len(words) else ""
            if choice not in INVENTORY_SORTS:
                raise ParseError(
                    _("“sort” takes name, qty, expiry or days, e.g. sort days."), usage
                )
            sort = INVENTORY_SORTS[choice]
            i += 2
        elif word in CATEGORY_WORDS and not words[i].quoted:
            if category is not None:
                raise ParseError(_("“cat” is given twice."), usage)
            end = i + 1
            while end < len(words) and words[end].text.casefold() not in (
                *INVENTORY_FILTERS,
                *SORT_WORDS,
            ):
                end += 1
            category = clean(join_words(words[i + 1 : end]))
            if not category or any(w.is_separator for w in words[i + 1 : end]):
                raise ParseError(_("“cat” needs a category, e.g. cat dairy."), usage)
            i = end
        else:
            message = _("Unknown filter “{typed}”; for a category write cat {typed}.")
            raise ParseError(message.format(typed=shorten(words[i].text)), usage)
    return ShowInventory(status or StatusFilter.ALL, category, sort or SortBy.NAME)


def _rest_or_none(text: str, usage: str) -> str | None:
    words = split_words(text, usage)
    return product_name(words, usage)


def parse_products(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> ShowProducts:
    return ShowProducts(_rest_or_none(text, USAGE[Command.PRODUCTS]))


def parse_history(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> ShowHistory:
    return ShowHistory(_rest_or_none(text, USAGE[Command.HISTORY]))


def parse_stock(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> ShowStock:
    return ShowStock(_rest_or_none(text, USAGE[Command.STOCK]))


def parse_edit(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> EditProduct:
    return EditProduct(_rest_or_none(text, USAGE[Command.EDIT]))


def parse_delete(text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> DeleteProduct:
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


def parse_command(
    command: str | Command, text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST
) -> ParsedCommand:
    """The typed form of `text`, the words after `/command`; a missing name or quantity
    comes back as None (see `is_complete`). Raises ParseError for malformed text."""
    parser = PARSERS[command_of(command) if not isinstance(command, Command) else command]
    return parser(_one_line(text), dates=dates)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


BULLET = re.compile(r"^\s*(?:[-•*·]\s+)")


def parse_lines(
    command: str | Command, text: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST
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
            parsed = parser(line, dates=dates, usage=usage)
        except ParseError as error:
            results.append(error.at_line(number))
            continue
        if parsed.name is None:
            results.append(ParseError(_("This line has no product name."), usage, line=number))
        elif parsed.quantity is None:
            results.append(
                ParseError(
                    _("“{name}” has no quantity.").format(name=shorten(parsed.name)),
                    usage,
                    line=number,
                )
            )
        else:
            results.append(parsed)
    return results


def is_batch(text: str) -> bool:
    """True when the words after a command span several non-blank lines."""
    return sum(1 for line in text.splitlines() if line.strip()) > 1


# A comma or semicolon, or `and` / `и` between two parts (`3 круассана и 2 багета`).
LIST_SEPARATOR = re.compile(r"[,;]\s+|;|\s+(?:and|и|&)\s+", re.IGNORECASE)
COMMAND_KEYWORDS = {
    Command.RESTOCK: RESTOCK_KEYWORDS,
    Command.REMOVE: REMOVE_KEYWORDS,
}


def as_lines(command: Command, text: str) -> str | None:
    """`2 baguettes, 3 croissants` (or `… and …`, `… и …`) on one line as the batch it
    means (one product a line), or None: each part must name a product and its quantity,
    so a name with a comma or an `and` (`rye, bread 3`, `fish and chips 2`) and the parts
    of one product (`milk 10, exp 20.12`) stay one line."""
    parts = [part.strip() for part in LIST_SEPARATOR.split(text)]
    if len(parts) < 2 or command not in BATCH_PARSERS:
        return None
    keywords = COMMAND_KEYWORDS.get(command, NO_KEYWORDS)
    for part in parts:
        first = part.split(maxsplit=1)[0].casefold() if part else ""
        if not first or first in keywords:
            return None
        parsed = _a_part(command, part)
        if parsed is None or parsed.name is None or parsed.quantity is None:
            return None
    return "\n".join(parts)


# Whether a part of a list names a product and its quantity does not depend on the day:
# its dates are read on any day, in either order and either language's words (`до
# пятницы` needs a today, `12/25` an order), and each line is read again as the shop
# reads it once it is one.
ANY_DAY_READINGS = tuple(
    ShopDates(date(2000, 1, 1), day_first, date_words_for("ru")) for day_first in (True, False)
)


def _a_part(command: Command, part: str) -> StockCommand | None:
    for dates in ANY_DAY_READINGS:
        try:
            return BATCH_PARSERS[command](part, dates=dates)
        except ParseError:
            continue
    return None


COMMAND_PREFIX = re.compile(r"^\s*/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")


# The line break after `/count` that starts a batch's first line. Every break Python's
# splitlines knows is one, U+2028 and U+2029 included: Telegram shows them as new lines,
# so they separate a batch's lines as a new line does.
FIRST_LINE_BREAK = re.compile(r"\A(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])")


def split_command(message: str) -> tuple[str, str] | None:
    """(`restock`, `milk 2`) from `/restock@StockBot milk 2`; None without a command."""
    match = COMMAND_PREFIX.match(message)
    if match is None:
        return None
    rest = message[match.end() :].lstrip(" \t")
    return match[1].casefold(), FIRST_LINE_BREAK.sub("", rest, count=1)


# ------------------------------------------------------------------------------ helpers


def _optional_decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _optional_date(value: object) -> date | None:
    return value if isinstance(value, date) else None
