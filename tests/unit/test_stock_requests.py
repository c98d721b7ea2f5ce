"""A chat's stock command is one use case in one transaction: the member, the shop, the
product by name (or close names) and the movement, authorized once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot import texts
from core.errors import NoActiveShop, ProductGone, ProductNotFound, UnitMismatch
from core.ledger import Removal, Restock, StockChange
from core.model import Product, Reason, Shop
from core.stock_requests import (
    Draft,
    Incomplete,
    Recorded,
    StockRequest,
    Suggested,
    record_stock,
)
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWork
from tests.unit.shopfloor import Shopfloor, q


def selling(name: str | None, quantity: str | None) -> StockRequest:
    def change(product: Product) -> StockChange | None:
        return None if quantity is None else Removal(product.id, q(quantity), Reason.SALE)

    return StockRequest(0, None, lambda _shop: Draft(name, change))


def by(user_id: int, request: StockRequest) -> StockRequest:
    return StockRequest(user_id, request.chat_id, request.read, request.product_id)


async def test_a_sale_by_name_is_one_transaction(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat milk")
    await floor.restock(owner, milk.id, 10)
    uow = FakeUnitOfWork(store)

    outcome = await record_stock(
        uow, by(owner.user_id, selling("oat milk", "3")), key="m1:1", now=clock.now()
    )

    assert isinstance(outcome, Recorded)
    assert outcome.result.product.on_hand == Decimal(7)
    assert outcome.place.shop.id == owner.shop_id and outcome.place.member.is_owner
    assert (uow.entries, uow.commits) == (1, 1)


async def test_the_text_is_read_for_the_shop_it_acts_in(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop(name="Bakery")
    milk = await floor.product(owner, "Flour")
    seen: list[Shop] = []

    def read(shop: Shop) -> Draft:
        seen.append(shop)
        return Draft("flour", lambda p: Restock(p.id, q(5)))

    outcome = await record_stock(
        FakeUnitOfWork(store), StockRequest(owner.user_id, None, read), key="k", now=clock.now()
    )

    assert [shop.name for shop in seen] == ["Bakery"]
    assert isinstance(outcome, Recorded) and outcome.result.product.id == milk.id


async def test_an_unknown_name_close_to_others_suggests_them_and_records_nothing(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Oat milk")
    uow = FakeUnitOfWork(store)

    outcome = await record_stock(
        uow, by(owner.user_id, selling("oat mlk", "1")), key="k", now=clock.now()
    )

    assert isinstance(outcome, Suggested)
    assert [name for _, name in outcome.missing.suggestions] == ["Oat milk"]
    assert uow.commits == 0


async def test_an_unknown_name_close_to_nothing_is_refused(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Oat milk")
    with pytest.raises(ProductNotFound):
        await record_stock(
            FakeUnitOfWork(store), by(owner.user_id, selling("zzzz", "1")), key="k", now=clock.now()
        )


async def test_a_missing_piece_is_reported_with_the_product_found(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat milk")
    uow = FakeUnitOfWork(store)

    no_name = await record_stock(
        uow, by(owner.user_id, selling(None, "1")), key="a", now=clock.now()
    )
    no_quantity = await record_stock(
        uow, by(owner.user_id, selling("oat milk", None)), key="b", now=clock.now()
    )

    assert isinstance(no_name, Incomplete) and no_name.product is None
    assert isinstance(no_quantity, Incomplete) and no_quantity.product == milk
    assert uow.commits == 0


async def test_someone_of_no_shop_is_refused_before_the_text_is_read(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    read: list[Shop] = []

    def spy(shop: Shop) -> Draft:
        read.append(shop)
        return Draft("oat milk", lambda p: Removal(p.id, q(1)))

    with pytest.raises(NoActiveShop):
        await record_stock(
            FakeUnitOfWork(store), StockRequest(4242, None, spy), key="k", now=clock.now()
        )
    assert read == []


async def test_another_shops_product_is_gone_for_a_stranger(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat milk")
    await floor.restock(owner, milk.id, 10)
    stranger = await floor.open_shop(name="Elsewhere")
    uow = FakeUnitOfWork(store)
    sell_one = StockRequest(
        stranger.user_id, None, lambda _shop: Draft(None, lambda p: Removal(p.id, q(1))), milk.id
    )

    with pytest.raises(ProductGone):
        await record_stock(uow, sell_one, key="k", now=clock.now())
    assert uow.commits == 0


async def test_the_same_key_twice_records_one_movement(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat milk")
    await floor.restock(owner, milk.id, 10)

    first = await record_stock(
        FakeUnitOfWork(store), by(owner.user_id, selling("oat milk", "2")), key="k", now=clock.now()
    )
    again = await record_stock(
        FakeUnitOfWork(store), by(owner.user_id, selling("oat milk", "2")), key="k", now=clock.now()
    )

    assert isinstance(first, Recorded) and isinstance(again, Recorded)
    assert again.result.replayed and again.result.movement == first.result.movement
    assert again.result.product.on_hand == Decimal(8)


# --- phrasings: a unit with the quantity, the quantity first, plurals -------------------


def selling_read_two_ways(
    name: str, quantity: str, literal: str, unit: str | None = None
) -> StockRequest:
    """`/sell 3 croissant` as the chat reads it: 3 of "croissant", unless a product is
    called "3 croissant" (then its quantity is still to be asked)."""

    def change(product: Product) -> StockChange | None:
        return Removal(product.id, q(quantity), Reason.SALE)

    other = Draft(literal, lambda _product: None)
    return StockRequest(0, None, lambda _shop: Draft(name, change, unit=unit, literal=other))


async def test_the_quantity_first_sells_that_many(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    croissant = await floor.product(owner, "croissant")
    await floor.restock(owner, croissant.id, 10)

    request = by(owner.user_id, selling_read_two_ways("croissant", "3", "3 croissant"))
    outcome = await record_stock(FakeUnitOfWork(store), request, key="k", now=clock.now())

    assert isinstance(outcome, Recorded) and outcome.result.product.on_hand == q(7)


async def test_a_product_called_by_all_the_words_is_meant_first(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    seven_up = await floor.product(owner, "7 up")
    await floor.product(owner, "up")

    request = by(owner.user_id, selling_read_two_ways("up", "7", "7 up"))
    outcome = await record_stock(FakeUnitOfWork(store), request, key="k", now=clock.now())

    assert isinstance(outcome, Incomplete) and outcome.product == seven_up


async def test_a_plural_names_the_product(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    await floor.restock(owner, (await floor.product(owner, "Croissant")).id, 10)
    await floor.restock(owner, (await floor.product(owner, "Blueberry")).id, 10)
    await floor.restock(owner, (await floor.product(owner, "Sourdough loaf")).id, 10)

    for name in ("croissants", "blueberries", "sourdough loaves"):
        outcome = await record_stock(
            FakeUnitOfWork(store), by(owner.user_id, selling(name, "1")), key=name, now=clock.now()
        )
        assert isinstance(outcome, Recorded), name
        assert outcome.result.product.on_hand == q(9)


async def test_a_russian_form_names_the_product(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    """`продал 3 круассана` offered "did you mean круассан" every time: a bakery selling
    all day tapped it for each sale."""
    owner = await floor.open_shop()
    for name in ("Круассан", "Булочка с маком", "Пирожок", "Пирожное", "Молоко 3,2%"):
        await floor.restock(owner, (await floor.product(owner, name)).id, 10)

    typed = {
        "круассана": "Круассан",
        "круассанов": "Круассан",
        "булочки с маком": "Булочка с маком",
        "пирожков": "Пирожок",
        "пирожных": "Пирожное",
        "молока 3,2%": "Молоко 3,2%",
    }
    for name, meant in typed.items():
        outcome = await record_stock(
            FakeUnitOfWork(store), by(owner.user_id, selling(name, "1")), key=name, now=clock.now()
        )
        assert isinstance(outcome, Recorded) and outcome.result.product.name == meant, name


async def test_a_name_spelled_with_or_without_its_hyphen_or_yo_names_the_product(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    """'wd 40 - 22' in a stocktake was 'No product called “wd 40”', and 'мед' was not 'мёд'."""
    owner = await floor.open_shop()
    for name in ("WD-40", "Мёд липовый"):
        await floor.restock(owner, (await floor.product(owner, name)).id, 10)

    for typed, meant in {"wd 40": "WD-40", "wd40": "WD-40", "мед липовый": "Мёд липовый"}.items():
        outcome = await record_stock(
            FakeUnitOfWork(store),
            by(owner.user_id, selling(typed, "1")),
            key=typed,
            now=clock.now(),
        )
        assert isinstance(outcome, Recorded) and outcome.result.product.name == meant, typed


async def test_a_decimal_point_is_no_spelling_to_drop(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    """Spelled alike dropped every mark, the decimal point too: '/sell вода 1.5л 3' in a
    shop that has only 'Вода 15 л' (the 15-litre jug) sold 3 jugs without a question."""
    owner = await floor.open_shop()
    await floor.restock(owner, (await floor.product(owner, "Вода 15 л")).id, 10)
    await floor.restock(owner, (await floor.product(owner, "Кефир 2.5%")).id, 10)
    uow = FakeUnitOfWork(store)

    outcome = await record_stock(
        uow, by(owner.user_id, selling("вода 1.5л", "3")), key="k", now=clock.now()
    )
    assert isinstance(outcome, Suggested)
    assert uow.commits == 0
    comma = await record_stock(
        FakeUnitOfWork(store),
        by(owner.user_id, selling("кефир 2,5 %", "1")),
        key="c",
        now=clock.now(),
    )
    assert isinstance(comma, Recorded) and comma.result.product.name == "Кефир 2.5%"


async def test_a_russian_form_of_two_products_still_asks_which(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "булка")
    await floor.product(owner, "булки")  # both stems are булк
    uow = FakeUnitOfWork(store)

    outcome = await record_stock(
        uow, by(owner.user_id, selling("булок", "1")), key="k", now=clock.now()
    )

    assert isinstance(outcome, Suggested)
    assert uow.commits == 0


async def test_a_unit_typed_with_the_quantity_must_be_the_products(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    flour = await floor.product(owner, "flour", unit="kg")
    await floor.restock(owner, flour.id, 10)

    for typed in ("kg", "KG", "kilos"):
        request = selling_read_two_ways("flour", "1", f"flour 1 {typed}", unit=typed)
        outcome = await record_stock(
            FakeUnitOfWork(store), by(owner.user_id, request), key=typed, now=clock.now()
        )
        assert isinstance(outcome, Recorded), typed
    uow = FakeUnitOfWork(store)
    with pytest.raises(UnitMismatch) as refused:
        request = selling_read_two_ways("flour", "2", "flour 2 pcs", unit="pcs")
        await record_stock(uow, by(owner.user_id, request), key="pcs", now=clock.now())
    assert (refused.value.typed, refused.value.unit, refused.value.product) == (
        "pcs",
        "kg",
        "flour",
    )
    assert "flour is counted in kg, not pcs" in texts.why(refused.value)
    assert uow.commits == 0


async def test_a_quantity_and_unit_alone_name_no_product_unless_one_is_called_so(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    """`/sell 2 kg`: the product is still to be asked, unless a product is called "2 kg"."""
    owner = await floor.open_shop()

    def unnamed() -> StockRequest:
        literal = Draft("2 kg", lambda _product: None)
        return by(
            owner.user_id,
            StockRequest(
                0, None, lambda _shop: Draft(None, change_none, unit="kg", literal=literal)
            ),
        )

    def change_none(_product: Product) -> StockChange | None:
        return None

    first = await record_stock(FakeUnitOfWork(store), unnamed(), key="a", now=clock.now())
    assert isinstance(first, Incomplete) and first.product is None
    called = await floor.product(owner, "2 kg")
    second = await record_stock(FakeUnitOfWork(store), unnamed(), key="b", now=clock.now())
    assert isinstance(second, Incomplete) and second.product == called


async def test_a_batch_line_takes_the_one_product_its_name_begins(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    """A batch cannot offer buttons: `sourdough 10` is the shop's only "sourdough …"."""
    owner = await floor.open_shop()
    loaf = await floor.product(owner, "Sourdough loaf")
    await floor.product(owner, "Flour")
    line = replace(by(owner.user_id, selling("sourdough", "1")), choices_offered=False)
    await floor.restock(owner, loaf.id, 5)

    outcome = await record_stock(FakeUnitOfWork(store), line, key="k", now=clock.now())

    assert isinstance(outcome, Recorded) and outcome.result.product.id == loaf.id


async def test_a_batch_line_beginning_two_names_is_not_guessed(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Sourdough loaf")
    await floor.product(owner, "Sourdough rye")
    line = replace(by(owner.user_id, selling("sourdough", "1")), choices_offered=False)

    outcome = await record_stock(FakeUnitOfWork(store), line, key="k", now=clock.now())

    assert isinstance(outcome, Suggested)
    assert sorted(n for _, n in outcome.missing.suggestions) == ["Sourdough loaf", "Sourdough rye"]


async def test_a_name_is_offered_its_close_names_only(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    """Flour shares a few letters with sourdough: not close enough to offer."""
    owner = await floor.open_shop()
    await floor.product(owner, "Sourdough loaf")
    await floor.product(owner, "Flour")

    outcome = await record_stock(
        FakeUnitOfWork(store),
        by(owner.user_id, selling("sourdough", "1")),
        key="k",
        now=clock.now(),
    )

    assert isinstance(outcome, Suggested)
    assert [name for _, name in outcome.missing.suggestions] == ["Sourdough loaf"]
