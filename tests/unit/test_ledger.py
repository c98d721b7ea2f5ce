from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot import texts
from core import ledger
from core.access import Actor
from core.errors import (
    FractionOfWholeUnit,
    InsufficientStock,
    InvalidValue,
    MovementNotFound,
    NothingToUndo,
    OwnerOnly,
    ProductNotFound,
    UndoRefusal,
    UndoRefused,
)
from core.ledger import MovementResult, Removal, Restock, UndoQuestion
from core.model import Reason, Role
from tests.unit.shopfloor import Shopfloor, q

JAN, FEB, MAR = date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)


# -- restock -------------------------------------------------------------------------


async def test_restock_adds_a_batch_and_one_movement(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk", unit="l")
    result = await floor.restock(
        owner, milk.id, "12.5", expiry=FEB, cost=Decimal("0.80"), price=Decimal("1.99")
    )
    assert result.movement is not None
    assert result.movement.reason is Reason.RESTOCK
    assert result.movement.quantity == q("12.5")
    assert result.before.on_hand == 0 and result.product.on_hand == q("12.5")
    assert [(b.quantity, b.expiry) for b in floor.batches(milk.id)] == [(q("12.5"), FEB)]
    stored = floor.stored_product(milk.id)
    assert (stored.on_hand, stored.earliest_expiry) == (q("12.5"), FEB)
    assert (stored.cost, stored.price) == (Decimal("0.80"), Decimal("1.99"))


async def test_a_change_says_the_shop_and_member_it_authorized(floor: Shopfloor) -> None:
    """What the Mini App words its answer for (costs for owners, the shop's day), from
    the change's own transaction, a replay's too."""
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await floor.product(owner, "Oat Milk", unit="l")
    first = await floor.restock(owner, milk.id, 3)
    sold = await floor.remove(staff, milk.id, 1)
    assert first.shop is not None and first.shop.id == owner.shop_id
    assert first.member is not None and first.member.role is Role.OWNER
    assert sold.member is not None and sold.member.role is Role.STAFF
    assert sold.shop == first.shop


async def test_restock_records_the_reorder_date_on_the_product(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 1, reorder_date=MAR)
    assert floor.stored_product(milk.id).reorder_date == MAR


async def test_restock_with_a_past_expiry_is_flagged_expired_on_arrival(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    result = await floor.restock(owner, milk.id, 1, expiry=floor.today() - timedelta(days=1))
    assert result.expired_on_arrival
    fresh = await floor.restock(owner, milk.id, 1, expiry=floor.today())
    assert not fresh.expired_on_arrival


@pytest.mark.parametrize("quantity", ["0", "-1"])
async def test_restock_of_nothing_or_less_is_refused(floor: Shopfloor, quantity: str) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    with pytest.raises(InvalidValue):
        await floor.restock(owner, milk.id, quantity)
    assert floor.movements() == []


async def test_a_note_longer_than_allowed_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    with pytest.raises(InvalidValue):
        await floor.restock(owner, milk.id, 1, note="x" * 201)


async def test_restock_of_an_unknown_product_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    with pytest.raises(ProductNotFound):
        await floor.restock(owner, 999, 1)


# -- removal -------------------------------------------------------------------------


async def test_removal_larger_than_on_hand_is_refused_with_the_figure(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk", unit="l")
    await floor.restock(owner, milk.id, "2.5")
    with pytest.raises(InsufficientStock) as refused:
        await floor.remove(owner, milk.id, 3)
    assert refused.value.on_hand == q("2.5") and refused.value.requested == q(3)
    assert texts.why(refused.value) == "Only 2.5 l of Oat Milk on hand; cannot remove 3 l."
    assert floor.on_hand(milk.id) == q("2.5")
    assert len(floor.movements(milk.id)) == 1


async def test_removal_of_everything_leaves_zero_not_negative(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, unit="l")
    await floor.restock(owner, milk.id, "2.5")
    await floor.remove(owner, milk.id, "2.5")
    assert floor.on_hand(milk.id) == 0
    with pytest.raises(InsufficientStock):
        await floor.remove(owner, milk.id, "0.001")
    assert all(b.quantity >= 0 for b in floor.batches(milk.id))


async def test_removals_take_first_expiring_batches_first(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    late = (await floor.restock(owner, milk.id, 5, expiry=MAR)).movement
    early = (await floor.restock(owner, milk.id, 5, expiry=JAN)).movement
    middle = (await floor.restock(owner, milk.id, 5, expiry=FEB)).movement
    assert late and early and middle
    result = await floor.remove(owner, milk.id, 7)
    assert result.movement is not None
    assert [(a.batch_id, a.quantity) for a in result.movement.allocations] == [
        (early.allocations[0].batch_id, q(-5)),
        (middle.allocations[0].batch_id, q(-2)),
    ]
    assert floor.stored_product(milk.id).earliest_expiry == FEB


async def test_removals_take_batches_without_expiry_last(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 3)  # no expiry, received first
    await floor.restock(owner, milk.id, 3, expiry=MAR)
    await floor.remove(owner, milk.id, 4)
    by_expiry = {b.expiry: b.quantity for b in floor.batches(milk.id)}
    assert by_expiry == {MAR: q(0), None: q(2)}
    assert floor.stored_product(milk.id).earliest_expiry is None


async def test_batches_with_the_same_expiry_go_oldest_first(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 2, expiry=JAN)
    floor.clock.advance(timedelta(hours=1))
    await floor.restock(owner, milk.id, 2, expiry=JAN)
    await floor.remove(owner, milk.id, 1)
    assert [b.quantity for b in floor.batches(milk.id)] == [q(1), q(2)]


@pytest.mark.parametrize(
    "reason", [Reason.SALE, Reason.DAMAGE, Reason.EXPIRED, Reason.ADJUSTMENT, Reason.RETURN]
)
async def test_removal_records_its_reason_as_a_negative_movement(
    floor: Shopfloor, reason: Reason
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    result = await floor.remove(owner, milk.id, 2, reason)
    assert result.movement is not None
    assert (result.movement.reason, result.movement.quantity) == (reason, q(-2))


@pytest.mark.parametrize("reason", [Reason.RESTOCK, Reason.UNDO])
async def test_removal_with_a_non_removal_reason_is_refused(
    floor: Shopfloor, reason: Reason
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    with pytest.raises(InvalidValue):
        await floor.remove(owner, milk.id, 1, reason)


async def test_removal_of_zero_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    with pytest.raises(InvalidValue):
        await floor.remove(owner, milk.id, 0)


# -- write-off of expired stock ----------------------------------------------------


async def write_off(
    floor: Shopfloor, actor: Actor, product_id: int, key: str = "woff-1"
) -> ledger.MovementResult | None:
    return await ledger.write_off_expired(
        floor.uow, actor, product_id, today=floor.today(), key=key, now=floor.clock.now()
    )


async def test_write_off_takes_only_what_is_left_of_expired_batches(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    expired = await floor.restock(owner, milk.id, 5, expiry=floor.today() - timedelta(days=1))
    fresh = await floor.restock(owner, milk.id, 10, expiry=floor.today() + timedelta(days=30))
    assert expired.movement and fresh.movement
    expired_batch = expired.movement.allocations[0].batch_id
    fresh_batch = fresh.movement.allocations[0].batch_id
    await floor.remove(owner, milk.id, 3)  # FEFO: the sale takes 3 of the expired batch

    result = await write_off(floor, owner, milk.id)

    assert result is not None and result.movement is not None
    assert result.movement.reason is Reason.EXPIRED
    assert result.movement.quantity == q(-2)
    assert [(a.batch_id, a.quantity) for a in result.movement.allocations] == [
        (expired_batch, q(-2))
    ]
    assert {b.id: b.quantity for b in floor.batches(milk.id)} == {
        expired_batch: q(0),
        fresh_batch: q(10),
    }
    assert floor.on_hand(milk.id) == q(10)
    assert [m.reason for m in floor.movements(milk.id)].count(Reason.EXPIRED) == 1


async def test_write_off_replayed_returns_the_first_result(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5, expiry=floor.today() - timedelta(days=1))
    first = await write_off(floor, owner, milk.id, key="tap-1")
    await floor.restock(owner, milk.id, 4, expiry=floor.today() - timedelta(days=2))

    again = await write_off(floor, owner, milk.id, key="tap-1")

    assert first is not None and again is not None
    assert again.replayed and again.movement == first.movement
    assert floor.on_hand(milk.id) == q(4)
    assert len([m for m in floor.movements(milk.id) if m.reason is Reason.EXPIRED]) == 1


async def test_write_off_with_nothing_expired_records_nothing(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5, expiry=floor.today())  # good until today
    await floor.restock(owner, milk.id, 5)  # no expiry at all

    assert await write_off(floor, owner, milk.id) is None
    assert floor.on_hand(milk.id) == q(10)
    assert [m.reason for m in floor.movements(milk.id)] == [Reason.RESTOCK, Reason.RESTOCK]


# -- count ---------------------------------------------------------------------------


async def test_count_below_the_books_removes_the_difference_in_one_adjustment(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, unit="l")
    await floor.restock(owner, milk.id, 5, expiry=FEB)
    await floor.restock(owner, milk.id, 5, expiry=JAN)
    result = await floor.count(owner, milk.id, "3.5")
    assert result.movement is not None
    assert (result.movement.reason, result.movement.quantity) == (Reason.ADJUSTMENT, q("-6.5"))
    assert floor.on_hand(milk.id) == q("3.5")
    assert {b.expiry: b.quantity for b in floor.batches(milk.id)} == {JAN: q(0), FEB: q("3.5")}
    assert len(floor.movements(milk.id)) == 3


async def test_count_above_the_books_adds_the_difference_to_the_latest_batch(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5, expiry=FEB)
    floor.clock.advance(timedelta(minutes=5))
    await floor.restock(owner, milk.id, 5, expiry=JAN)
    result = await floor.count(owner, milk.id, 12)
    assert result.movement is not None
    assert (result.movement.reason, result.movement.quantity) == (Reason.ADJUSTMENT, q(2))
    assert {b.expiry: b.quantity for b in floor.batches(milk.id)} == {FEB: q(5), JAN: q(7)}
    assert floor.on_hand(milk.id) == q(12)


async def test_count_of_a_product_never_stocked_creates_a_batch(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.count(owner, milk.id, 4)
    assert [(b.quantity, b.expiry) for b in floor.batches(milk.id)] == [(q(4), None)]
    assert floor.on_hand(milk.id) == q(4)


async def test_count_equal_to_the_books_records_a_zero_adjustment(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    result = await floor.count(owner, milk.id, 5)
    assert result.movement is not None and result.movement.quantity == 0
    assert result.movement.reason is Reason.ADJUSTMENT and result.product.on_hand == q(5)
    assert len(floor.movements(milk.id)) == 2


async def test_a_matched_count_replayed_after_a_sale_does_not_count_again(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    first = await floor.count(owner, milk.id, 5, key="count")
    await floor.remove(owner, milk.id, 2)
    replay = await floor.count(owner, milk.id, 5, key="count")
    assert replay.replayed and replay.movement == first.movement
    assert floor.on_hand(milk.id) == q(3)


async def test_a_count_that_changed_nothing_is_not_what_undo_reverses(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    sale_source = await floor.restock(owner, milk.id, 5)
    await floor.count(owner, milk.id, 5)
    undone = await floor.undo(owner)
    assert undone.movement is not None and sale_source.movement is not None
    assert undone.movement.reverses_id == sale_source.movement.id


async def test_count_to_zero_empties_every_batch(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5, expiry=JAN)
    await floor.restock(owner, milk.id, 1)
    await floor.count(owner, milk.id, 0)
    assert floor.on_hand(milk.id) == 0
    assert all(b.quantity == 0 for b in floor.batches(milk.id))


async def test_a_negative_count_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    with pytest.raises(InvalidValue):
        await floor.count(owner, milk.id, -1)


# -- whole and decimal units --------------------------------------------------------


async def test_a_fraction_of_a_unit_counted_whole_is_refused_on_every_kind_of_change(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    eggs = await floor.product(owner, "eggs", unit="pcs")
    await floor.restock(owner, eggs.id, 10)
    for change in (
        floor.restock(owner, eggs.id, "2.5"),
        floor.remove(owner, eggs.id, "1.5"),
        floor.count(owner, eggs.id, "8.5"),
        floor.adjust(owner, eggs.id, "-0.5"),
    ):
        with pytest.raises(FractionOfWholeUnit) as refused:
            await change
        assert "whole pcs" in texts.why(refused.value)
    assert floor.on_hand(eggs.id) == 10
    assert len(floor.movements(eggs.id)) == 1


async def test_the_refusal_of_a_fraction_names_the_whole_amounts_either_side(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    eggs = await floor.product(owner, "eggs", unit="box")
    await floor.restock(owner, eggs.id, 10)
    with pytest.raises(FractionOfWholeUnit) as refused:
        await floor.remove(owner, eggs.id, "1.5")
    assert (refused.value.lower, refused.value.upper) == (1, 2)
    assert "1 or 2" in texts.why(refused.value)
    assert refused.value.code == "fraction_of_whole_unit"


@pytest.mark.parametrize("unit", ["kg", "g", "l", "ml", "m", "portion"])
async def test_decimal_and_unknown_units_take_fractions(floor: Shopfloor, unit: str) -> None:
    owner = await floor.open_shop()
    flour = await floor.product(owner, "flour", unit=unit)
    await floor.restock(owner, flour.id, "2.5")
    await floor.remove(owner, flour.id, "0.25")
    assert floor.on_hand(flour.id) == q("2.25")


async def test_a_fractional_threshold_of_a_unit_counted_whole_is_refused(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    with pytest.raises(FractionOfWholeUnit):
        await floor.product(owner, "eggs", unit="pcs", threshold=q("2.5"))
    flour = await floor.product(owner, "flour", unit="kg", threshold=q("2.5"))
    assert flour.threshold == q("2.5")


# -- undo ----------------------------------------------------------------------------


async def test_undo_adds_a_compensating_movement_and_deletes_nothing(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    sale = (await floor.remove(owner, milk.id, 2)).movement
    assert sale is not None
    result = await floor.undo(owner, sale.id)
    assert result.movement is not None
    assert (result.movement.reason, result.movement.quantity) == (Reason.UNDO, q(2))
    assert result.movement.reverses_id == sale.id
    assert floor.on_hand(milk.id) == q(5)
    assert [m.reason for m in floor.movements(milk.id)] == [
        Reason.RESTOCK,
        Reason.SALE,
        Reason.UNDO,
    ]


async def test_undo_last_reverses_the_change_just_made_and_names_it(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    floor.clock.advance(timedelta(minutes=3))
    sale = (await floor.remove(owner, milk.id, 2)).movement
    floor.clock.advance(timedelta(minutes=1))
    result = await floor.undo_last(owner)
    assert isinstance(result, MovementResult) and result.reversed == sale
    assert floor.on_hand(milk.id) == 5


async def test_a_second_undo_last_asks_before_reversing_an_older_change(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk")
    bread = await floor.product(owner, "bread")
    older = (await floor.restock(owner, bread.id, 8)).movement
    await floor.restock(owner, milk.id, 5)
    assert isinstance(await floor.undo_last(owner), MovementResult)
    question = await floor.undo_last(owner)
    assert isinstance(question, UndoQuestion)
    assert (question.movement, question.product.name) == (older, "bread")
    assert floor.on_hand(bread.id) == 8  # nothing undone until confirmed by id
    await floor.undo(owner, question.movement.id)
    assert floor.on_hand(bread.id) == 0


async def test_undo_last_after_a_refused_request_asks_about_the_change_before_it(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    floor.clock.advance(timedelta(seconds=30))
    question = await floor.undo_last(owner, refused_at=floor.clock.now())
    assert isinstance(question, UndoQuestion)
    assert floor.on_hand(milk.id) == 5
    floor.clock.advance(timedelta(seconds=30))
    await floor.remove(owner, milk.id, 1)  # a change after the refusal is just made
    assert isinstance(await floor.undo_last(owner, refused_at=floor.clock.now()), UndoQuestion)
    undone = await floor.undo_last(owner, refused_at=floor.clock.now() - timedelta(seconds=1))
    assert isinstance(undone, MovementResult) and floor.on_hand(milk.id) == 5


async def test_undo_last_asks_about_a_change_that_is_not_fresh(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    floor.clock.advance(ledger.JUST_MADE + timedelta(seconds=1))
    assert isinstance(await floor.undo_last(owner), UndoQuestion)


async def test_undo_last_with_nothing_recent_says_so(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    with pytest.raises(NothingToUndo):
        await floor.undo_last(owner)
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    floor.clock.advance(ledger.UNDO_RECENT + timedelta(minutes=1))
    with pytest.raises(NothingToUndo) as refused:
        await floor.undo_last(owner)
    assert refused.value.hours == 24
    assert "no change in the last 24 hours" in texts.why(refused.value)


async def test_undo_last_looks_only_at_the_persons_own_changes(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    milk = await floor.product(owner, "milk")
    bread = await floor.product(owner, "bread")
    await floor.restock(owner, bread.id, 5)
    await floor.restock(owner, milk.id, 5)
    await floor.remove(clerk, bread.id, 1)
    result = await floor.undo_last(owner)
    assert isinstance(result, MovementResult) and result.reversed is not None
    assert result.reversed.reason is Reason.RESTOCK


async def test_undo_last_replayed_with_the_same_key_reverses_once(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    await floor.undo_last(owner, key="undo-1")
    again = await floor.undo_last(owner, key="undo-1")
    assert isinstance(again, MovementResult) and again.replayed
    assert floor.on_hand(milk.id) == 0
    assert [m.reason for m in floor.movements(milk.id)] == [Reason.RESTOCK, Reason.UNDO]


async def test_undo_of_a_restock_puts_back_the_cost_price_and_reorder_date_it_replaced(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, cost=Decimal("7.50"), price=Decimal("9.90"))
    restock = (
        await floor.restock(
            owner, milk.id, 4, cost=Decimal("7.20"), price=Decimal("9.50"), reorder_date=MAR
        )
    ).movement
    assert restock is not None
    await floor.undo(owner, restock.id)
    stored = floor.stored_product(milk.id)
    assert (stored.cost, stored.price, stored.reorder_date) == (
        Decimal("7.50"),
        Decimal("9.90"),
        None,
    )


async def test_undo_of_a_restock_keeps_a_cost_changed_since(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, cost=Decimal("7.50"))
    first = (await floor.restock(owner, milk.id, 4, cost=Decimal("7.20"))).movement
    await floor.restock(owner, milk.id, 4, cost=Decimal("7.00"))
    assert first is not None
    await floor.undo(owner, first.id)
    assert floor.stored_product(milk.id).cost == Decimal("7.00")


async def test_undo_of_a_removal_puts_stock_back_into_the_same_batches(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 2, expiry=JAN)
    await floor.restock(owner, milk.id, 5, expiry=FEB)
    before = {b.id: b.quantity for b in floor.batches(milk.id)}
    sale = (await floor.remove(owner, milk.id, 4)).movement
    assert sale is not None
    await floor.undo(owner, sale.id)
    assert {b.id: b.quantity for b in floor.batches(milk.id)} == before
    assert floor.stored_product(milk.id).earliest_expiry == JAN


async def test_undo_without_an_id_reverses_the_actors_own_newest_movement(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 10)
    mine = (await floor.remove(clerk, milk.id, 1)).movement
    await floor.remove(owner, milk.id, 2)  # the owner's, newer
    result = await floor.undo(clerk)
    assert result.movement is not None and mine is not None
    assert result.movement.reverses_id == mine.id


async def test_undo_without_an_id_steps_back_past_undone_movements(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 10)
    first = (await floor.remove(owner, milk.id, 1)).movement
    await floor.remove(owner, milk.id, 2)
    await floor.undo(owner)
    second_undo = (await floor.undo(owner)).movement
    assert first is not None and second_undo is not None
    assert second_undo.reverses_id == first.id
    assert floor.on_hand(milk.id) == q(10)


async def test_undo_with_nothing_to_undo_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    with pytest.raises(MovementNotFound):
        await floor.undo(owner)
    with pytest.raises(MovementNotFound):
        await floor.undo(owner, 12345)


async def test_a_movement_is_undone_only_once(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    restock = (await floor.restock(owner, milk.id, 5)).movement
    assert restock is not None
    await floor.undo(owner, restock.id)
    with pytest.raises(UndoRefused) as refused:
        await floor.undo(owner, restock.id)
    assert refused.value.why is UndoRefusal.ALREADY_UNDONE
    assert floor.on_hand(milk.id) == 0 and len(floor.movements()) == 2


async def test_undo_of_an_undo_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    restock = (await floor.restock(owner, milk.id, 5)).movement
    assert restock is not None
    reversal = (await floor.undo(owner, restock.id)).movement
    assert reversal is not None
    with pytest.raises(UndoRefused) as refused:
        await floor.undo(owner, reversal.id)
    assert refused.value.why is UndoRefusal.UNDO_OF_UNDO


async def test_staff_cannot_undo_another_members_movement(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    alice, bob = await floor.hire(owner), await floor.hire(owner)
    milk = await floor.product(owner)
    restock = (await floor.restock(alice, milk.id, 5)).movement
    assert restock is not None
    with pytest.raises(UndoRefused) as refused:
        await floor.undo(bob, restock.id)
    assert refused.value.why is UndoRefusal.NOT_YOURS
    assert texts.why(refused.value) == "You can only undo your own movements; ask an owner."
    assert floor.on_hand(milk.id) == q(5)


async def test_the_author_can_undo_their_own_movement(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    alice = await floor.hire(owner)
    milk = await floor.product(owner)
    restock = (await floor.restock(alice, milk.id, 5)).movement
    assert restock is not None
    await floor.undo(alice, restock.id)
    assert floor.on_hand(milk.id) == 0


async def test_an_owner_can_undo_anyones_movement(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    alice = await floor.hire(owner)
    co_owner = await floor.hire(owner, role=Role.OWNER)
    milk = await floor.product(owner)
    restock = (await floor.restock(alice, milk.id, 5)).movement
    assert restock is not None
    result = await floor.undo(co_owner, restock.id)
    assert result.movement is not None and result.movement.user_id == co_owner.user_id
    assert floor.on_hand(milk.id) == 0


async def test_undo_of_a_restock_is_refused_when_its_stock_was_used_since(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Oat Milk", unit="l")
    restock = (await floor.restock(owner, milk.id, 5)).movement
    assert restock is not None
    await floor.remove(owner, milk.id, 2)
    with pytest.raises(UndoRefused) as refused:
        await floor.undo(owner, restock.id)
    assert (refused.value.why, refused.value.left) == (UndoRefusal.STOCK_USED, q(3))
    assert "(only 3 l of that batch left)" in texts.why(refused.value)
    assert floor.on_hand(milk.id) == q(3)
    assert all(b.quantity >= 0 for b in floor.batches(milk.id))


async def test_undo_of_a_restock_is_allowed_when_later_sales_took_other_batches(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5, expiry=JAN)
    late = (await floor.restock(owner, milk.id, 5, expiry=MAR)).movement
    assert late is not None
    await floor.remove(owner, milk.id, 4)  # FEFO: from the January batch
    await floor.undo(owner, late.id)
    assert floor.on_hand(milk.id) == q(1)


async def test_undo_of_a_count_reverses_the_adjustment(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    adjustment = (await floor.count(owner, milk.id, 2)).movement
    assert adjustment is not None
    await floor.undo(owner, adjustment.id)
    assert floor.on_hand(milk.id) == q(5)


# -- idempotency ---------------------------------------------------------------------


async def test_restock_replayed_with_the_same_key_returns_the_first_result(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    first = await floor.restock(owner, milk.id, 5, key="update-42")
    again = await floor.restock(owner, milk.id, 7, key="update-42")
    assert again.replayed and not first.replayed
    assert again.movement == first.movement
    assert floor.on_hand(milk.id) == q(5) and len(floor.movements()) == 1
    assert len(floor.batches(milk.id)) == 1


async def test_removal_replayed_with_the_same_key_removes_once(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    first = await floor.remove(owner, milk.id, 2, key="cb-1")
    again = await floor.remove(owner, milk.id, 2, key="cb-1")
    assert again.replayed and again.movement == first.movement
    assert floor.on_hand(milk.id) == q(3) and len(floor.movements()) == 2


async def test_a_replayed_removal_is_not_refused_even_if_stock_ran_out_since(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    first = await floor.remove(owner, milk.id, 5, key="cb-1")
    again = await floor.remove(owner, milk.id, 5, key="cb-1")
    assert again.replayed and again.movement == first.movement


async def test_count_replayed_with_the_same_key_adjusts_once(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    first = await floor.count(owner, milk.id, 3, key="count-1")
    again = await floor.count(owner, milk.id, 3, key="count-1")
    assert again.replayed and again.movement == first.movement
    assert floor.on_hand(milk.id) == q(3) and len(floor.movements()) == 2


async def test_undo_replayed_with_the_same_key_reverses_once(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    await floor.remove(owner, milk.id, 1)
    await floor.remove(owner, milk.id, 1)
    first = await floor.undo(owner, key="undo-1")
    again = await floor.undo(owner, key="undo-1")
    assert again.replayed and again.movement == first.movement
    assert floor.on_hand(milk.id) == q(4) and len(floor.movements()) == 4


async def test_undo_by_id_replayed_with_the_same_key_is_not_refused_as_already_undone(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    restock = (await floor.restock(owner, milk.id, 5)).movement
    assert restock is not None
    first = await floor.undo(owner, restock.id, key="undo-1")
    again = await floor.undo(owner, restock.id, key="undo-1")
    assert again.replayed and again.movement == first.movement


async def test_keys_are_per_shop(floor: Shopfloor) -> None:
    one, two = await floor.open_shop(), await floor.open_shop()
    a = await floor.product(one)
    b = await floor.product(two)
    await floor.restock(one, a.id, 1, key="same")
    result = await floor.restock(two, b.id, 1, key="same")
    assert not result.replayed and floor.on_hand(b.id) == q(1)


async def test_a_refused_request_does_not_burn_its_key(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    with pytest.raises(InsufficientStock):
        await floor.remove(owner, milk.id, 1, key="k")
    await floor.restock(owner, milk.id, 2, key="other")
    result = await floor.remove(owner, milk.id, 1, key="k")
    assert not result.replayed and floor.on_hand(milk.id) == q(1)


async def test_refused_stock_changes_commit_nothing(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 1)
    state, commits = floor.store.state, floor.store.commits
    with pytest.raises(InsufficientStock):
        await ledger.remove(
            floor.uow, owner, Removal(milk.id, q(2)), key="k", now=floor.clock.now()
        )
    with pytest.raises(ProductNotFound):
        await ledger.restock(
            floor.uow, owner, Restock(milk.id + 1000, q(2)), key="k2", now=floor.clock.now()
        )
    assert floor.store.state is state and floor.store.commits == commits


# -- quick adjustments (the card's −1 / +1 buttons) ----------------------------------


async def test_a_quick_adjustment_moves_stock_by_its_delta(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 2, expiry=JAN)
    await floor.restock(owner, milk.id, 2, expiry=FEB)
    down = await floor.adjust(owner, milk.id, "-1")
    assert down.movement is not None and down.movement.reason is Reason.ADJUSTMENT
    assert {b.expiry: b.quantity for b in floor.batches(milk.id)} == {JAN: q(1), FEB: q(2)}
    await floor.adjust(owner, milk.id, "5")
    assert floor.on_hand(milk.id) == q(8)


async def test_a_quick_adjustment_below_zero_is_refused_with_the_figure(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 1)
    with pytest.raises(InsufficientStock) as refused:
        await floor.adjust(owner, milk.id, "-2")
    assert refused.value.on_hand == q(1) and floor.on_hand(milk.id) == q(1)
    with pytest.raises(InvalidValue):
        await floor.adjust(owner, milk.id, "0")


async def test_a_quick_adjustment_replayed_with_the_same_key_moves_once(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 5)
    first = await floor.adjust(owner, milk.id, "-1", key="cb-9")
    again = await floor.adjust(owner, milk.id, "-1", key="cb-9")
    assert again.replayed and again.movement == first.movement
    assert floor.on_hand(milk.id) == q(4)


async def test_staff_cannot_change_the_store_price_with_a_restock(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await floor.product(owner)
    with pytest.raises(OwnerOnly):
        await floor.restock(staff, milk.id, 5, price=q("2.00"))
    delivered = await floor.restock(staff, milk.id, 5, cost=q("0.80"))
    assert delivered.product.on_hand == q(5) and delivered.product.price is None


async def test_a_key_replayed_on_another_product_reports_the_first_product(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk")
    milt = await floor.product(owner, "milt")
    await floor.restock(owner, milk.id, 10)
    await floor.restock(owner, milt.id, 10)
    sold = await floor.remove(owner, milk.id, 3, key="sell-mil-3")

    again = await floor.remove(owner, milt.id, 3, key="sell-mil-3")

    assert again.replayed and again.movement == sold.movement
    assert again.product.id == milk.id
    assert floor.on_hand(milt.id) == q(10)
