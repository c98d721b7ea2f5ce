from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot import texts
from core import catalog, inventory, shops
from core.access import Actor
from core.errors import InvalidValue, ProductGone
from core.inventory import InventoryQuery, SortBy, StatusFilter
from core.model import Reason, Role
from tests.unit.shopfloor import Shopfloor, q

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
async def stocked(floor: Shopfloor) -> Actor:
    """A shop with one product in every state (window 7 days, threshold 5).

    apples   20, no expiry            ok
    bread     3, expires in 2 days    low + near expiry
    cheese    0                       out
    dates    10, expired yesterday    expired
    eggs     12, expires in 20 days   ok (expiring within 30)
    flour     4, no expiry, dry goods low
    """
    floor.clock.set(NOW)
    owner = await floor.open_shop()
    stock: list[tuple[str, str, int, int | None]] = [
        ("Apples", "fruit", 20, None),
        ("Bread", "bakery", 3, 2),
        ("Cheese", "dairy", 0, None),
        ("Dates", "fruit", 10, -1),
        ("Eggs", "dairy", 12, 20),
        ("Flour", "dry goods", 4, None),
    ]
    for name, category, quantity, expires_in in stock:
        product = await floor.product(owner, name, category=category, threshold=q(5))
        if quantity:
            expiry = days(expires_in) if expires_in is not None else None
            await floor.restock(owner, product.id, quantity, expiry=expiry)
    return owner


async def _names(floor: Shopfloor, actor: Actor, **query: object) -> list[str]:
    page = await inventory.inventory(
        floor.uow,
        actor,
        InventoryQuery(**query),  # type: ignore[arg-type]
        now=NOW,
    )
    return [line.product.name for line in page.lines]


async def test_inventory_lists_every_product_by_name_with_its_status(
    floor: Shopfloor, stocked: Actor
) -> None:
    page = await inventory.inventory(floor.uow, stocked, InventoryQuery(), now=NOW)
    assert page.total == 6 and page.pages == 1
    status = {line.product.name: line.status for line in page.lines}
    assert [line.product.name for line in page.lines] == [
        "Apples",
        "Bread",
        "Cheese",
        "Dates",
        "Eggs",
        "Flour",
    ]
    assert (status["Bread"].stock, status["Bread"].expiry) == ("low", "near_expiry")
    assert status["Cheese"].stock == "out" and status["Dates"].expiry == "expired"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (StatusFilter.LOW, ["Bread", "Cheese", "Flour"]),  # low includes out
        (StatusFilter.OUT, ["Cheese"]),
        (StatusFilter.EXPIRING, ["Bread"]),
        (StatusFilter.EXPIRED, ["Dates"]),
    ],
)
async def test_inventory_filters_by_status(
    floor: Shopfloor, stocked: Actor, status: StatusFilter, expected: list[str]
) -> None:
    assert await _names(floor, stocked, status=status) == expected


async def test_inventory_filters_by_category_any_spelling(floor: Shopfloor, stocked: Actor) -> None:
    assert await _names(floor, stocked, category=" DAIRY ") == ["Cheese", "Eggs"]
    assert await _names(floor, stocked, category="dry   goods") == ["Flour"]
    assert await _names(floor, stocked, category="dairy", status=StatusFilter.OUT) == ["Cheese"]


async def test_inventory_filters_by_expiry_window_including_expired(
    floor: Shopfloor, stocked: Actor
) -> None:
    assert await _names(floor, stocked, expiring_within_days=30) == ["Bread", "Dates", "Eggs"]
    assert await _names(floor, stocked, expiring_within_days=2) == ["Bread", "Dates"]
    assert await _names(floor, stocked, expiring_within_days=0) == ["Dates"]


async def test_inventory_sorts_by_quantity(floor: Shopfloor, stocked: Actor) -> None:
    assert await _names(floor, stocked, sort=SortBy.QUANTITY) == [
        "Cheese",
        "Bread",
        "Flour",
        "Dates",
        "Eggs",
        "Apples",
    ]


async def test_inventory_sorts_by_expiry_with_no_expiry_last(
    floor: Shopfloor, stocked: Actor
) -> None:
    assert await _names(floor, stocked, sort=SortBy.EXPIRY) == [
        "Dates",
        "Bread",
        "Eggs",
        "Apples",
        "Cheese",
        "Flour",
    ]


async def test_inventory_pages(floor: Shopfloor, stocked: Actor) -> None:
    first = await inventory.inventory(floor.uow, stocked, InventoryQuery(page_size=4), now=NOW)
    second = await inventory.inventory(
        floor.uow, stocked, InventoryQuery(page=1, page_size=4), now=NOW
    )
    beyond = await inventory.inventory(
        floor.uow, stocked, InventoryQuery(page=2, page_size=4), now=NOW
    )
    assert [x.product.name for x in first.lines] == ["Apples", "Bread", "Cheese", "Dates"]
    assert [x.product.name for x in second.lines] == ["Eggs", "Flour"]
    assert beyond.lines == () and first.total == second.total == 6
    assert first.pages == 2


async def test_an_empty_inventory_still_has_one_page(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    page = await inventory.inventory(floor.uow, owner, InventoryQuery(), now=NOW)
    assert (page.total, page.pages, page.lines) == (0, 1, ())


@pytest.mark.parametrize("query", [InventoryQuery(page=-1), InventoryQuery(page_size=0)])
async def test_an_impossible_page_is_refused(
    floor: Shopfloor, stocked: Actor, query: InventoryQuery
) -> None:
    with pytest.raises(InvalidValue):
        await inventory.inventory(floor.uow, stocked, query, now=NOW)


async def test_dashboard_counts_each_box_with_its_items(floor: Shopfloor, stocked: Actor) -> None:
    board = await inventory.dashboard(floor.uow, stocked, now=NOW)
    assert board.today == TODAY and board.products == 6
    # Low includes out, as the /low list: what needs reordering.
    assert [x.product.name for x in board.low.first] == ["Cheese", "Bread", "Flour"]
    assert [x.product.name for x in board.out.first] == ["Cheese"]
    assert [x.product.name for x in board.near_expiry.first] == ["Bread"]
    assert [x.product.name for x in board.expired.first] == ["Dates"]
    assert (board.low.count, board.out.count, board.near_expiry.count) == (3, 1, 1)
    assert board.expired.count == 1


async def test_each_dashboard_box_is_the_list_its_button_opens(
    floor: Shopfloor, stocked: Actor
) -> None:
    board = await inventory.dashboard(floor.uow, stocked, now=NOW, first=2)
    for box in (board.low, board.out, board.near_expiry, board.expired):
        listed = await inventory.inventory(
            floor.uow, stocked, InventoryQuery(box.status, sort=box.sort), now=NOW
        )
        assert box.count == listed.total
        assert box.first == listed.lines[:2]


async def test_dashboard_of_a_new_shop_is_empty(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    board = await inventory.dashboard(floor.uow, owner, now=NOW)
    boxes = (board.low, board.out, board.near_expiry, board.expired)
    assert [(box.count, box.first) for box in boxes] == [(0, ())] * 4


async def test_product_card_shows_batches_in_stock_first_expiring_first(
    floor: Shopfloor,
) -> None:
    floor.clock.set(NOW)
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk", threshold=q(1))
    await floor.restock(owner, milk.id, 1)
    await floor.restock(owner, milk.id, 2, expiry=days(9))
    await floor.restock(owner, milk.id, 3, expiry=days(3), reorder_date=days(5))
    await floor.restock(owner, milk.id, 4, expiry=days(1))
    await floor.remove(owner, milk.id, 4)  # empties the day-1 batch
    card = await inventory.product_card(floor.uow, owner, milk.id, now=NOW)
    assert [(b.quantity, b.expiry) for b in card.batches] == [
        (q(3), days(3)),
        (q(2), days(9)),
        (q(1), None),
    ]
    assert card.product.on_hand == q(6) and card.product.reorder_date == days(5)
    assert card.status.expiry == "near_expiry" and card.today == TODAY


async def test_history_is_newest_first_with_names_and_undone_flags(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    clerk = await floor.hire(owner, user_id=2)
    milk = await floor.product(owner, "Oat Milk", unit="l")
    bread = await floor.product(owner, "Bread")
    await floor.restock(owner, milk.id, 5)
    sale = (await floor.remove(clerk, milk.id, 1)).movement
    await floor.restock(clerk, bread.id, 2)
    assert sale is not None
    await floor.undo(owner, sale.id)

    entries = await inventory.history(floor.uow, owner)
    assert [(e.movement.reason, e.product_name, e.user_name, e.undone) for e in entries] == [
        (Reason.UNDO, "Oat Milk", "user 1", False),
        (Reason.RESTOCK, "Bread", "user 2", False),
        (Reason.SALE, "Oat Milk", "user 2", True),
        (Reason.RESTOCK, "Oat Milk", "user 1", False),
    ]
    assert entries[0].unit == "l"

    per_product = await inventory.history(floor.uow, owner, product_id=milk.id)
    assert [e.movement.reason for e in per_product] == [Reason.UNDO, Reason.SALE, Reason.RESTOCK]


async def test_history_pages_backwards(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    for quantity in range(1, 6):
        await floor.restock(owner, milk.id, quantity)
    first = await inventory.history(floor.uow, owner, limit=2)
    second = await inventory.history(floor.uow, owner, limit=2, before_id=first[-1].movement.id)
    last = await inventory.history(floor.uow, owner, limit=2, before_id=second[-1].movement.id)
    assert [e.movement.quantity for e in first + second + last] == [
        q(5),
        q(4),
        q(3),
        q(2),
        q(1),
    ]


async def test_history_names_a_member_who_has_left(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner, user_id=77)
    milk = await floor.product(owner)
    await floor.restock(clerk, milk.id, 1)
    await shops.remove_member(floor.uow, owner, clerk.user_id)
    entries = await inventory.history(floor.uow, owner)
    assert entries[0].user_name == "user 77"


async def test_history_never_shows_another_shops_movements(floor: Shopfloor) -> None:
    one, two = await floor.open_shop(), await floor.open_shop()
    milk = await floor.product(one)
    await floor.restock(one, milk.id, 1)
    assert await inventory.history(floor.uow, two) == []
    assert await inventory.history(floor.uow, two, product_id=milk.id) == []


async def test_history_says_which_entries_the_reader_may_undo(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 10)
    await floor.remove(staff, milk.id, 1)
    await floor.undo(staff)
    await floor.remove(staff, milk.id, 2)

    def undoable(entries: list[inventory.HistoryEntry]) -> list[str]:
        return [f"{e.movement.reason.value}{e.movement.quantity:+}" for e in entries if e.can_undo]

    staff_view = await inventory.history(floor.uow, staff)
    owner_view = await inventory.history(floor.uow, owner)

    assert undoable(staff_view) == ["sale-2.000"]  # not the owner's restock, not undone ones
    assert undoable(owner_view) == ["sale-2.000", "restock+10.000"]


async def test_a_near_expiry_line_carries_only_the_batches_that_expire(
    floor: Shopfloor, stocked: Actor
) -> None:
    croissant = await floor.product(stocked, "Croissant")
    await floor.restock(stocked, croissant.id, 15, expiry=days(2))
    await floor.restock(stocked, croissant.id, 30, expiry=days(20))
    page = await inventory.inventory(
        floor.uow, stocked, InventoryQuery(status=StatusFilter.EXPIRING), now=NOW
    )
    line = next(line for line in page.lines if line.product.name == "Croissant")
    assert line.product.on_hand == 45
    assert [(b.quantity, b.expiry) for b in line.expiring] == [(q(15), days(2))]
    text = texts.inventory_line(line)
    assert "15 pcs exp" in text and "45 on hand" in text, text


async def test_batches_of_one_expiry_date_are_one_line(floor: Shopfloor, stocked: Actor) -> None:
    """Three morning deliveries good until the same day read "5 pcs exp 9 Dec, 5 pcs exp
    9 Dec, 5 pcs exp 9 Dec" in the list and three lines on the card."""
    croissant = await floor.product(stocked, "Croissant")
    for quantity in (5, 5, 4):
        await floor.restock(stocked, croissant.id, quantity, expiry=days(2))
    await floor.restock(stocked, croissant.id, 6, expiry=days(3))
    page = await inventory.inventory(
        floor.uow, stocked, InventoryQuery(status=StatusFilter.EXPIRING), now=NOW
    )
    line = next(line for line in page.lines if line.product.name == "Croissant")
    assert [(b.quantity, b.expiry) for b in line.expiring] == [(q(14), days(2)), (q(6), days(3))]
    card = await inventory.product_card(floor.uow, stocked, croissant.id, now=NOW)
    shown = texts.product_card(card)
    assert shown.count("14 pcs, exp") == 1 and "5 pcs" not in shown, shown


async def test_the_product_card_gives_costs_only_to_whoever_may_see_them(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    milk = await floor.product(owner, "Milk", cost=q("0.60"), supplier="Dairy Co")
    await floor.restock(owner, milk.id, 4, cost=q("0.55"))
    mine = await inventory.product_card(floor.uow, owner, milk.id, now=floor.clock.now())
    assert mine.shows_costs and mine.product.cost == q("0.55")  # the restock set it
    assert [b.cost for b in mine.batches] == [q("0.55")]
    for card in (
        await inventory.product_card(floor.uow, clerk, milk.id, now=floor.clock.now()),
        await inventory.product_card(
            floor.uow, owner, milk.id, now=floor.clock.now(), in_group=True
        ),
    ):
        assert not card.shows_costs
        assert (card.product.cost, card.product.supplier) == (None, "")
        assert [b.cost for b in card.batches] == [None]
        assert "Cost" not in texts.product_card(card) and "Dairy" not in texts.product_card(card)


async def test_a_history_page_names_its_reader_and_refuses_another_shops_product(
    floor: Shopfloor,
) -> None:
    """The Mini App's history screen in one unit of work: who asked (what they may see)
    comes with the entries, and a product of another shop or archived is gone."""
    one, two = await floor.open_shop(), await floor.open_shop()
    staff = await floor.hire(one)
    milk = await floor.product(one)
    await floor.restock(one, milk.id, 1)
    page = await inventory.history_page(floor.uow, staff, product_id=milk.id)
    assert page.member.role is Role.STAFF
    assert [e.movement.reason for e in page.entries] == [Reason.RESTOCK]
    with pytest.raises(ProductGone):
        await inventory.history_page(floor.uow, two, product_id=milk.id)
    await catalog.archive_product(floor.uow, one, milk.id)
    with pytest.raises(ProductGone):
        await inventory.history_page(floor.uow, one, product_id=milk.id)
