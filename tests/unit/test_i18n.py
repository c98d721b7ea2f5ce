"""Two languages: every message the bot can say is in every catalog (a test fails when
one is missing, untranslated, stale or names other placeholders), Russian plural forms,
numbers, money and dates per locale, and who hears which language."""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n, keyboards, texts
from bot.parsing import STOCK_VERBS, Command, ParseError, parse_command, parse_quantity
from bot.parsing.commands import AddProduct, RestockProduct
from bot.parsing.grammar import ADD_KEYWORDS, RESTOCK_KEYWORDS
from bot.parsing.usage import USAGE
from core import languages
from core.alert_model import AlertSettings
from core.errors import (
    FractionOfWholeUnit,
    InsufficientStock,
    OwnerOnly,
    ProductGone,
    UnitMismatch,
    ValueRefused,
)
from core.forecast import Velocity
from core.imports import ImportPlan, Outcome, RowPlan
from core.inventory import InventoryLine, InventoryPage
from core.inventory_query import InventoryQuery, SortBy
from core.model import LANGUAGES, Batch, Member, Product, Role, Shop
from core.status import ExpiryStatus, Status, StockStatus
from tests.unit.shopfloor import Shopfloor

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


MessageId = str | tuple[str, ...]


def _id(message: object) -> MessageId:
    return tuple(message) if isinstance(message, list | tuple) else str(message)


def extracted() -> dict[MessageId, str]:
    """Every message in bot/ and webapp/ (the Mini App API's own), as `pybabel extract
    -F babel.cfg` finds it."""
    found: dict[MessageId, str] = {}
    for package in ("bot", "webapp"):
        for filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / package), method_map=[("**.py", "python")]
        ):
            found[_id(message)] = filename
    return found


def catalog(language: str) -> dict[MessageId, MessageId]:
    with i18n.catalog_path(language).open("rb") as po:
        return {_id(m.id): _id(m.string or "") for m in read_po(po, locale=language) if m.id}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != i18n.SOURCE])
def test_every_message_is_translated_and_none_is_stale(language: str) -> None:
    source, translated = extracted(), catalog(language)
    missing = [m for m in source if m not in translated]
    untranslated = [
        m
        for m, t in translated.items()
        if m in source and (not t or (isinstance(t, tuple) and not all(t)))
    ]
    stale = [m for m in translated if m not in source]
    assert not missing, f"not in {language}'s catalog: {missing}"
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not stale, f"in {language}'s catalog but said nowhere: {stale}"


def test_russian_examples_use_russian_words() -> None:
    """A Russian bakery read 'например milk 20', '/remove milk 1 damage' and, in /help,
    'milk = 18' and [exp …] [cost …]: examples to copy in words it does not use, while
    молоко, годен, закупка and брак work as well."""
    english = re.compile(r"\b(milk|bread|exp|cost|price|damage|dairy|note|dec|cat|unit)\b")
    for message, translation in catalog("ru").items():
        if "<code>product</code>" in str(message):
            continue  # an import's columns are named as /export writes them
        forms = translation if isinstance(translation, tuple) else (translation,)
        for form in forms:
            assert not english.search(PLACEHOLDER.sub("", form)), (message, form)
            assert "? например" not in form, (message, form)  # a sentence starts upper case
            assert "Например <" not in form, (message, form)  # 'Например, …' as elsewhere


def test_a_sale_refused_in_russian_is_not_called_a_write_off() -> None:
    """'продал 100 wd-40' read 'нельзя списать 100', and 'продал -2' 'Количество для
    списания…': списать is a write-off, not a sale."""
    with i18n.speaking("ru"):
        short = texts.why(InsufficientStock("wd-40", Decimal(100), Decimal(22), "can"))
        negative = i18n._(texts.QUANTITY_NOT_POSITIVE["remove"])
    assert short == "В наличии только 22 банки «wd-40», а не 100 банок.", short
    assert "списан" not in negative, negative


def test_a_unit_refused_is_said_as_how_many_says_it() -> None:
    """'screws is counted in box, not kg: give the quantity in box', and in Russian
    '«шурупы» считается в коробка, а не в кг' and 'считается целыми коробка'."""
    mismatch = UnitMismatch("kg", "box", "screws")
    fraction = FractionOfWholeUnit(Decimal("1.5"), "box", "screws")
    assert texts.why(mismatch) == "screws is counted in boxes, not kg: give the quantity in boxes."
    assert "counted in whole boxes: 1.5 is not" in texts.why(fraction)
    with i18n.speaking("ru"):
        assert texts.why(mismatch) == "«screws» считается не в «kg»: укажите, сколько коробок."
        assert "1,5 — не целое число коробок" in texts.why(fraction)


def test_an_archived_products_old_button_reads_as_russian() -> None:
    """'Этого товара нет (больше нет) в каталоге магазина' copied the English brackets."""
    with i18n.speaking("ru"):
        gone = texts.why(ProductGone(1))
    assert gone == "Этого товара нет в каталоге магазина (возможно, его убрали в архив).", gone


def test_russian_names_a_shop_as_a_shop() -> None:
    """'🏪 Пекарня у Алисы готов', 'Настройки Пекарня у Алисы', 'Bob теперь в Пекарня у
    Алисы': a shop's name agrees with nothing in a Russian sentence, so the sentence says
    магазин (or товар) and declines that."""
    shop = Shop(1, "Пекарня у Алисы", "Europe/Moscow", "RUB")
    with i18n.speaking("ru"):
        assert "Магазин <b>Пекарня у Алисы</b> готов" in texts.shop_created(shop)
        settings = texts.settings_text(shop, AlertSettings(shop.id))
        assert "Настройки магазина «Пекарня у Алисы»" in settings
        added = texts.product_added(Product(1, 1, "мука", unit="kg"))
        assert "Добавлен товар <b>мука</b>" in added
    # Nor a product's: 'булочка сохранён', 'булочка закончился', 'мука восстановлен'.
    masculine = re.compile(
        r"(?<!Товар «)(?<!Товар <b>)\{(name|product)\}(</b>)?»? \w+(ён|ен|ился)\b(?!\(а\))"
    )
    for message, translation in catalog("ru").items():
        forms = translation if isinstance(translation, tuple) else (translation,)
        for form in forms:
            assert not masculine.search(form), (message, form)


# Sentences of bot/texts that are English on purpose: the console's own line, a log.
NOT_SAID_TO_USERS = {
    "Mini App (logs you in as {name}): {url}",
    "no wording for the refusal %s",
}
SENTENCE = re.compile(r"[A-Za-z]+(?:'[a-z]+)? [A-Za-z]+ [A-Za-z]+")


def _unmarked_sentences(source: str) -> list[str]:
    """English sentences (strings and f-strings) outside _(), N_() and ngettext()."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if isinstance(parents.get(node), ast.JoinedStr | ast.Expr):
                continue  # part of an f-string, or a docstring
            text = node.value
        else:
            continue
        ancestor: ast.AST = node
        marked = False
        while ancestor in parents and not marked:
            ancestor = parents[ancestor]
            marked = (
                isinstance(ancestor, ast.Call)
                and isinstance(ancestor.func, ast.Name)
                and ancestor.func.id in ("_", "N_", "ngettext")
            )
        if not marked and SENTENCE.search(text) and text not in NOT_SAID_TO_USERS:
            found.append(text)
    return found


def test_every_sentence_the_bot_says_is_marked_for_translation() -> None:
    """'Is “1,000” 1000 or 1? …' and '“12/25/2026” is not a date here …' were f-strings
    no catalog had: a Russian reader got them in English."""
    unmarked = {
        path.name: found
        for path in sorted((ROOT / "bot" / "texts").glob("*.py"))
        if (found := _unmarked_sentences(path.read_text()))
    }
    assert not unmarked, unmarked
    with i18n.speaking("ru"):
        asked = texts.comma_or_thousands("1,000", "1000", "1")
    assert asked.startswith("«1,000» — это 1000 или 1?"), asked


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != i18n.SOURCE])
def test_a_translation_names_the_same_placeholders(language: str) -> None:
    for message, translation in catalog(language).items():
        ids = message if isinstance(message, tuple) else (message,)
        forms = translation if isinstance(translation, tuple) else (translation,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (message, form)


def test_russian_counts_days_in_its_three_forms() -> None:
    with i18n.speaking("ru"):
        assert [texts.days_left(n) for n in (1, 3, 5, 11, 21, 22)] == [
            "остался 1 день",
            "осталось 3 дня",
            "осталось 5 дней",
            "осталось 11 дней",
            "остался 21 день",
            "осталось 22 дня",
        ]
    assert [texts.days_left(n) for n in (1, 5)] == ["1 day left", "5 days left"]


def test_money_numbers_and_dates_follow_the_language() -> None:
    shop = Shop(1, "Cafe", currency="EUR")
    assert texts.money(Decimal("1234.5"), shop) == "1234.50 EUR"
    assert texts.day(date(2026, 3, 2)) == "2 Mar 2026"
    with i18n.speaking("ru"):
        assert texts.money(Decimal("1234.5"), shop) == "1\xa0234,50\xa0€"
        assert texts.day(date(2026, 3, 2)).startswith("2 мар. 2026")
        assert i18n.number(Decimal("2.5")) == "2,5"
        assert texts.qty(Decimal("10.5"), "l") == "10,5 л"  # it was 10.5 l beside 14,25 €
    assert texts.qty(Decimal("10.5"), "l") == "10.5 l"
    # A batch's Undo button and a custom adjustment's confirmation: it was "−1.5" beside
    # the line "1,5 l" above it.
    assert texts.undo_change_button("milk", texts.signed_quantity(Decimal("-1.5"))) == "↩️ milk −1.5"
    with i18n.speaking("ru"):
        assert texts.signed_quantity(Decimal("-1.5")) == "−1,5"
        assert texts.signed_quantity(Decimal("20")) == "+20"
        # A refusal and the card's pace: '1,5 l' beside 'нельзя списать 2.5' in one line.
        refusal = texts.why(InsufficientStock("молоко", Decimal("2.5"), Decimal("1.5"), "l"))
        assert "2,5" in refusal and "1,5 л" in refusal and "2.5" not in refusal
        fraction = texts.why(FractionOfWholeUnit(Decimal("1.5"), "pcs", "bread"))
        assert "1,5" in fraction and "1.5" not in fraction
        assert "~2,5 л" in texts.pace_line(Velocity(2.5, 4), "l")
    # A history line's moment, on the shop's clock: it was "7 Dec 05:08" in Russian too.
    berlin = Shop(1, "Cafe", timezone="Europe/Berlin")
    at = datetime(2026, 12, 7, 4, 8, tzinfo=UTC)
    assert texts.moment(at, berlin) == "7 Dec 05:08"
    with i18n.speaking("ru"):
        assert texts.moment(at, berlin) == "7 дек. 05:08"


def test_a_constant_is_said_in_the_language_where_it_is_sent() -> None:
    assert texts.FLOW_CANCELLED == "Cancelled."  # the msgid, as the code holds it
    with i18n.speaking("ru"):
        assert i18n._(texts.FLOW_CANCELLED) == "Отменено."
        assert i18n._("a name typed by someone") == "a name typed by someone"
    assert i18n._(texts.FLOW_CANCELLED) == "Cancelled."


def test_telegram_language_codes_map_to_ours() -> None:
    assert [i18n.supported(c) for c in ("ru", "ru-RU", "en-GB", "EN", "de", "", None)] == [
        "ru",
        "ru",
        "en",
        "en",
        None,
        None,
        None,
    ]


async def test_a_choice_wins_over_the_app_and_alerts_fall_back_to_the_shop(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    shop = floor.stored_shop(owner.shop_id)
    staff = await floor.hire(owner)
    # Never wrote: the shop's language, which an owner sets.
    assert await languages.recipient_language(floor.uow, staff.user_id, shop) == "en"
    shop = await languages.set_shop_language(floor.uow, owner, "ru")
    assert await languages.recipient_language(floor.uow, staff.user_id, shop) == "ru"
    # Writes from an English app: remembered for alerts; the update speaks it.
    assert languages.spoken(await languages.language_of(floor.uow, staff.user_id), "en") == "en"
    await languages.remember_seen(floor.uow, staff.user_id, "en")
    assert await languages.recipient_language(floor.uow, staff.user_id, shop) == "en"
    # Chooses Russian: that wins over the app, in chats and alerts.
    await languages.choose(floor.uow, staff.user_id, "ru")
    assert languages.spoken(await languages.language_of(floor.uow, staff.user_id), "en") == "ru"
    assert await languages.recipient_language(floor.uow, staff.user_id, shop) == "ru"
    # Back to the app's.
    await languages.choose(floor.uow, staff.user_id, None)
    assert languages.spoken(await languages.language_of(floor.uow, staff.user_id), "en") == "en"
    # An app in a language the bot does not speak, and nothing chosen: no preference.
    assert languages.spoken(await languages.language_of(floor.uow, 4242), None) is None


async def test_a_language_the_bot_does_not_speak_is_refused_with_the_choices(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    with pytest.raises(ValueRefused) as refused:
        await languages.choose(floor.uow, owner.user_id, "klingon")
    assert texts.why(refused.value) == "Choose one of: en, ru."
    with pytest.raises(ValueRefused) as refused:
        await languages.set_shop_language(floor.uow, owner, "de")
    assert refused.value.values == {"given": "de", "choices": ("en", "ru")}
    with pytest.raises(OwnerOnly):
        await languages.set_shop_language(floor.uow, staff, "ru")


async def test_remembering_the_app_language_writes_only_when_it_changed(
    floor: Shopfloor,
) -> None:
    await languages.remember_seen(floor.uow, 7, "ru")
    commits = floor.uow.commits
    await languages.remember_seen(floor.uow, 7, "ru")
    await languages.remember_seen(floor.uow, 7, None)
    assert floor.uow.commits == commits


def test_keywords_read_in_russian_as_in_english() -> None:
    """Commands keep their English names; the words inside them read in both."""
    restock = parse_command("restock", "молоко 20 годен 20.12.2027 цена 2.50 закупка 1.10")
    english = parse_command("restock", "молоко 20 exp 20.12.2027 price 2.50 cost 1.10")
    assert restock == english
    assert parse_command("remove", "молоко 2 брак") == parse_command("remove", "молоко 2 damage")
    # The button says Поправка: typed, it was 'не причина'.
    assert parse_command("remove", "молоко 2 поправка") == parse_command(
        "remove", "молоко 2 adjustment"
    )
    assert parse_command("remove", "банка 1 бой") == parse_command("remove", "банка 1 damage")
    added = parse_command("add", "овсяное молоко кат молочное ед l мин 5 поставка 4")
    assert added == parse_command("add", "овсяное молоко cat молочное unit l min 5 lead 4")
    every = parse_command(
        "add", "пирожок цена 1,5 закупка 0,6 штрихкод 4006381333931 поставщик Хлебзавод предупр 2"
    )
    assert every == parse_command(
        "add", "пирожок price 1,5 cost 0,6 barcode 4006381333931 supplier Хлебзавод warn 2"
    )
    with pytest.raises(ParseError, match="is not a date"):
        parse_command("restock", "молоко 20 годен когда-нибудь")


def test_an_expiry_is_said_as_russian_says_it() -> None:
    """`привоз молоко 20 до 20.12` asked "did you mean молоко" for a product called
    "молоко 20 до"; `годен до 15.12` was '«до 15.12» — не дата'."""
    expected = parse_command("restock", "молоко 20 exp 20.12.2027")
    for typed in (
        "молоко 20 до 20.12.2027",
        "молоко 20 годен до 20.12.2027",
        "молоко 20 срок годности до 20.12.2027",
        "молоко 20 срок до 20.12.2027",
    ):
        assert parse_command("restock", typed) == expected, typed
    with pytest.raises(ParseError, match="given twice"):
        parse_command("restock", "молоко 20 годен 20.12.2027 до 21.12.2027")


def test_inventory_filters_read_in_russian() -> None:
    """'/inventory мало' was 'Непонятный фильтр «мало»'."""
    assert parse_command("inventory", "мало кат выпечка сорт дни") == parse_command(
        "inventory", "low cat выпечка sort days"
    )
    assert parse_command("inventory", "просрочено") == parse_command("inventory", "expired")


def test_russian_stock_verbs_are_read() -> None:
    for word in ("привоз", "привезли", "поступление", "пришло"):
        assert STOCK_VERBS[word] is Command.RESTOCK, word
    for word in ("продали", "продажа"):
        assert STOCK_VERBS[word] is Command.SELL, word
    for word in ("списали", "списание"):
        assert STOCK_VERBS[word] is Command.REMOVE, word


def test_every_keyword_fills_a_field_of_its_command() -> None:
    """A keyword naming no field of its command is read and then dropped in silence
    (`штрихкод` once filled `barcode`, which /add does not have)."""
    for keywords, command in ((ADD_KEYWORDS, AddProduct), (RESTOCK_KEYWORDS, RestockProduct)):
        fields = {field.name for field in dataclasses.fields(command)}
        assert {keyword.field for keyword in keywords.values()} <= fields


def test_the_report_chart_speaks_the_language_it_is_drawn_in() -> None:
    with i18n.speaking("ru"):
        assert texts.report_chart_series()[0] == "Продажи"
        assert texts.week_label(date(2026, 3, 2)) == "2 мар."
    assert texts.week_label(date(2026, 3, 2)) == "2 Mar"


def test_a_cards_undo_after_a_quick_adjust_is_in_russian() -> None:
    """A Russian card after +1 showed '↩️ Undo +1': the label was joined to an untranslated
    constant."""
    with i18n.speaking("ru"):
        markup = keyboards.card(1, undo_movement=7, undo_label="+1")
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert "↩️ Отменить +1" in labels, labels


def test_russian_quotes_what_was_typed_in_its_own_marks() -> None:
    """'🤔 Товара “круассана” нет' beside '«…»' everywhere else in Russian."""
    with i18n.speaking("ru"):
        assert "Товара «круасана» нет" in texts.did_you_mean("круасана")
        assert texts.not_a_reason("подгорели").startswith("«подгорели»")
    assert "“croisant”" in texts.did_you_mean("croisant")


def test_a_stocktake_of_one_product_says_product() -> None:
    """'Count of paint done: 0 of 1 products counted.'"""
    assert "0 of 1 product counted." in texts.stocktake_done("paint", 0, 1)
    assert "2 of 3 products counted." in texts.stocktake_done("paint", 2, 3)


def test_an_import_preview_marks_a_name_it_cuts() -> None:
    """'строка 2: Товар номер 0 с довольно длинным названи' looked like the whole name."""
    name = "Товар номер 0 с довольно длинным названием для проверки"
    plan = ImportPlan((RowPlan(2, name, Outcome.CREATED, ("on_hand",), None, Decimal(19)),))
    preview = texts.import_preview("katalog.csv", plan, [])
    assert "Товар номер 0 с довольно длинным назван…" in preview, preview
    assert preview.startswith("📥 <b>katalog.csv</b>: 1 row — 1 new"), preview  # was "1 rows"


def test_import_and_barcode_replies_count_in_russian() -> None:
    codes: list[tuple[str, str, Product | None]] = [("1", "EAN-13", None), ("2", "QR", None)]
    with i18n.speaking("ru"):
        assert texts.import_progress(2, 22) == "⏳ Импорт… 2 из 22 строк"
        assert texts.import_progress(1, 21) == "⏳ Импорт… 1 из 21 строки"
        assert texts.scanned_codes(codes).startswith("🔍 <b>На фото 2 штрихкода</b>")
        assert "нет в каталоге" in texts.scanned_codes(codes)
    assert texts.import_progress(1, 21) == "⏳ Importing… 1 of 21 rows"
    assert texts.scanned_codes(codes).startswith("🔍 <b>2 barcodes in this picture</b>")


def test_a_typing_mistake_is_explained_in_russian() -> None:
    with pytest.raises(ParseError) as caught, i18n.speaking("ru"):
        parse_quantity("abc", USAGE[Command.SELL])
    with i18n.speaking("ru"):
        said = texts.input_refused(caught.value.message, caught.value.usage)
    assert said == (
        "⚠️ «abc» — не количество; укажите число, например 2, 2.5 или 2,5.\n"
        "Так: /sell <название> <кол-во>"
    )
    english = texts.input_refused("“abc” is not a quantity.", USAGE[Command.SELL])
    assert english.endswith("Use: /sell <name> <qty>")


@pytest.mark.parametrize(
    ("typed", "russian", "english"),
    [
        ("1.2345", "В «1.2345» больше трёх знаков после запятой.", "more than three decimal"),
        ("10000000000", "слишком много: самое большее", "is too large: the most is"),
    ],
)
def test_a_figure_refused_is_explained_in_russian(typed: str, russian: str, english: str) -> None:
    """They were f-strings outside the catalog: a Russian chat got them in English."""
    with pytest.raises(ParseError) as caught, i18n.speaking("ru"):
        parse_quantity(typed)
    assert russian in caught.value.message
    with pytest.raises(ParseError) as caught:
        parse_quantity(typed)
    assert english in caught.value.message


def test_lists_and_their_buttons_are_all_in_russian() -> None:
    """The inventory line said `31 pcs exp 8 дек. … +3 more (of 56 on hand)`, the footer
    `сортировка: name`, the dashboard's buttons `Low (6) ›` and /team `Make Bob staff`."""
    today = date(2026, 12, 7)
    croissant = Product(1, 1, "круассан", on_hand=Decimal(56), earliest_expiry=today)
    batches = tuple(
        Batch(n, 1, 1, Decimal(5), datetime(2026, 12, 7, tzinfo=UTC), today) for n in range(4)
    )
    near = Status(StockStatus.OK, ExpiryStatus.NEAR_EXPIRY)
    line = InventoryLine(croissant, near, expiring=batches)
    query = InventoryQuery(sort=SortBy.QUANTITY, page_size=1)
    page = InventoryPage(Shop(1, "Кафе"), query, (line,), total=2)
    bob = Member(1, 2, Role.STAFF, "Bob")
    with i18n.speaking("ru"):
        listed = texts.inventory_line(line)
        assert "годен до 7 дек." in listed and "ещё 1" in listed and "из 56" in listed, listed
        assert "Кол-во" in texts.inventory_page(page)
        assert texts.view_button(texts.DASHBOARD_LOW_BUTTON, 6) == "🟠 Мало (6) ›"
        assert texts.role_button(bob, Role.OWNER) == "Bob → владелец"
        assert texts.remove_member_button(bob) == "🚫 Убрать Bob"
        sold = texts.inventory_line(InventoryLine(replace(croissant, on_hand=Decimal(1)), near))
        assert "годен до 7 дек." in sold, sold
    assert "5 pcs exp 7 Dec 2026" in texts.inventory_line(line)
    assert "+1 more (of 56 on hand)" in texts.inventory_line(line)


def test_help_names_import_and_the_other_language() -> None:
    """/help listed neither /import nor /language (only the command menu did), so an
    owner reading it never learnt a spreadsheet could be sent, nor a Russian speaker how
    to switch."""
    assert "/import" in texts.HELP and "/language ru" in texts.HELP
    with i18n.speaking("ru"):
        russian = i18n._(texts.HELP)
    assert "/import" in russian and "/language en" in russian
