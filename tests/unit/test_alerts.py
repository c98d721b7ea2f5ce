"""Alert rules: threshold crossings, recipients, preferences, mute, ordered, snooze,
write-off, reorder list, delivery outcomes. Time is a FakeClock; nothing sleeps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

import pytest

from core import alert_audience, alert_delivery, alerts, reordering
from core.access import Actor
from core.alert_model import (
    AlertKind,
    CrossingAlert,
    CrossingAlerts,
    DeliveryStatus,
    ReorderList,
    SendOutcome,
    SendResult,
)
from core.errors import InvalidValue, NothingToOrder, OwnerOnly, ProductNotFound
from core.model import Batch, Product, Reason, Role
from core.shops import remove_member
from tests.fakes import FakeUnitOfWork
from tests.unit.alertdesk import AlertDesk
from tests.unit.shopfloor import Shopfloor, q


@pytest.fixture
def desk(floor: Shopfloor) -> AlertDesk:
    return AlertDesk(floor)


async def stocked(floor: Shopfloor, owner: Actor, on_hand: int = 10, threshold: int = 5) -> int:
    product = await floor.product(owner, "Oat milk", threshold=q(threshold))
    if on_hand:
        await floor.restock(owner, product.id, on_hand)
    return product.id


def outbox(floor: Shopfloor) -> list[tuple[int, str]]:
    return [(c.product_id, c.kind.value) for c in floor.store.state.alerts.crossings.values()]


# -- crossings --------------------------------------------------------------------------


async def test_a_sale_to_the_threshold_pushes_once_to_the_owner(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()  # today's digest has nothing yet

    await floor.remove(owner, milk, 5)  # 10 -> 5: at the threshold is low
    await desk.run()
    await floor.remove(owner, milk, 1)  # still low: no second push
    await desk.run()

    pushed = desk.crossings_to(owner.user_id)
    assert [(a.kind, a.on_hand) for a in pushed] == [(AlertKind.LOW, q(5))]


async def test_the_crossing_is_outboxed_with_the_movement_and_not_without_it(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    with pytest.raises(Exception):  # noqa: B017 - refused removal rolls back everything
        await floor.remove(owner, milk, 11)
    assert outbox(floor) == []
    await floor.remove(owner, milk, 6)
    assert outbox(floor) == [(milk, "low")]


async def test_stock_must_recover_above_threshold_before_the_next_low_push(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await floor.remove(owner, milk, 6)  # low
    await floor.restock(owner, milk, 1)  # 5: still low, not re-armed
    await floor.remove(owner, milk, 1)
    await desk.run()
    await floor.restock(owner, milk, 10)  # 14: recovered
    await floor.remove(owner, milk, 10)  # 4: low again -> a new crossing
    await desk.run()
    assert [a.kind for a in desk.crossings_to(owner.user_id)] == [AlertKind.LOW, AlertKind.LOW]


async def test_running_out_is_its_own_crossing(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await floor.remove(owner, milk, 6)
    await desk.run()
    await floor.remove(owner, milk, 4)
    await desk.run()
    assert [a.kind for a in desk.crossings_to(owner.user_id)] == [AlertKind.LOW, AlertKind.OUT]


async def test_straight_from_plenty_to_zero_is_one_out_push(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await floor.remove(owner, milk, 10)
    await floor.restock(owner, milk, 2)  # back to low from out: no low push
    await desk.run()
    assert outbox(floor) == [(milk, "out")]


async def test_a_threshold_of_zero_only_alerts_when_out(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner, on_hand=3, threshold=0)
    await floor.remove(owner, milk, 2)
    await floor.remove(owner, milk, 1)
    assert outbox(floor) == [(milk, "out")]


async def test_undo_and_counts_cross_like_any_movement(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    restock = await floor.restock(owner, milk, 5)  # 15
    await floor.count(owner, milk, 6)  # 15 -> 6: ok
    await floor.adjust(owner, milk, -1)  # 5: low
    assert outbox(floor) == [(milk, "low")]
    assert restock.movement is not None


async def test_crossings_of_one_shop_at_once_are_one_message_each_sent_once(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    """Found in the console: a 40-line stocktake that left 25 products low pushed 25
    separate alerts, one a second, into the owner's chat."""
    owner = await floor.open_shop()
    names = ["Oat milk", "Bread", "Eggs"]
    ids = []
    for name in names:
        product = await floor.product(owner, name, threshold=q(5))
        await floor.restock(owner, product.id, 10)
        ids.append(product.id)
    await desk.run()
    await floor.count(owner, ids[0], 0)  # out
    await floor.count(owner, ids[1], 3)  # low
    await floor.count(owner, ids[2], 4)  # low
    await desk.run()

    (message,) = [o.message for o in desk.messages_to(owner.user_id)]
    assert isinstance(message, CrossingAlerts)
    assert [a.product.name for a in message.out] == ["Oat milk"]
    assert [a.product.name for a in message.low] == ["Bread", "Eggs"]
    statuses = [d.status for d in floor.store.state.alerts.deliveries.values()]
    assert statuses == [DeliveryStatus.SENT] * 3
    assert await desk.run() == []  # nothing of it goes again

    await floor.restock(owner, ids[1], 10)
    await floor.remove(owner, ids[1], 8)  # alone: its own push, with its own buttons
    await desk.run()
    assert isinstance(desk.messages_to(owner.user_id)[-1].message, CrossingAlert)


async def test_a_push_no_longer_true_when_sent_is_skipped(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    await alert_delivery.plan_crossings(desk.uow, floor.clock.now())
    await floor.restock(owner, milk, 20)  # recovered before the dispatcher ran
    assert await desk.run() == []
    statuses = [d.status for d in floor.store.state.alerts.deliveries.values()]
    assert DeliveryStatus.SKIPPED in statuses


# -- recipients and preferences ---------------------------------------------------------


async def test_staff_hear_nothing_unless_they_opt_in(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await stocked(floor, owner)
    await floor.remove(owner, milk, 6)
    await desk.run()
    assert desk.crossings_to(staff.user_id) == []

    await desk.choose(staff, AlertKind.OUT, True)
    await floor.remove(owner, milk, 4)
    await desk.run()
    assert [a.kind for a in desk.crossings_to(staff.user_id)] == [AlertKind.OUT]
    assert [a.is_owner for a in desk.crossings_to(staff.user_id)] == [False]


async def test_an_owner_can_turn_a_kind_off(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.choose(owner, AlertKind.LOW, False)
    await floor.remove(owner, milk, 6)
    await floor.remove(owner, milk, 4)
    await desk.run()
    assert [a.kind for a in desk.crossings_to(owner.user_id)] == [AlertKind.OUT]
    prefs = await alert_audience.preferences(desk.uow, owner)
    assert AlertKind.LOW not in prefs.kinds and AlertKind.OUT in prefs.kinds


async def test_a_muted_product_never_alerts(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await alerts.set_muted(desk.uow, owner, milk, True)
    await floor.remove(owner, milk, 10)
    await desk.run()
    assert desk.crossings_to(owner.user_id) == []
    prefs = await alert_audience.preferences(desk.uow, owner)
    assert [p.id for p in prefs.muted] == [milk]


async def test_only_owners_mute(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await stocked(floor, owner)
    with pytest.raises(OwnerOnly):
        await alerts.set_muted(desk.uow, staff, milk, True)


async def test_ordered_tapped_after_the_delivery_came_marks_nothing(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    """'Ordered' tapped on yesterday's low alert after the restock came marked the product
    ordered again, so its next low and out alerts waited for yet another restock: the
    shop could run out with no alert at all."""
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await floor.remove(owner, milk, 6)  # low: the alert with its Ordered button
    await desk.run()
    await floor.restock(owner, milk, 10)  # the delivery came
    with pytest.raises(NothingToOrder):
        await alerts.mark_ordered(desk.uow, owner, milk, floor.clock.now())
    await floor.remove(owner, milk, 10)  # low again
    await desk.run()
    assert [a.kind for a in desk.crossings_to(owner.user_id)] == [AlertKind.LOW, AlertKind.LOW]


async def test_ordered_quiets_low_and_out_until_the_next_restock(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await floor.remove(owner, milk, 6)
    await desk.run()
    await alerts.mark_ordered(desk.uow, owner, milk, floor.clock.now())
    await floor.remove(owner, milk, 4)  # out, but ordered
    await desk.run()
    assert [a.kind for a in desk.crossings_to(owner.user_id)] == [AlertKind.LOW]

    await floor.restock(owner, milk, 3)  # the delivery came: ordered ends
    assert floor.store.state.alerts.product_states[(owner.shop_id, milk)].ordered_at is None
    await floor.remove(owner, milk, 3)
    await desk.run()
    assert [a.kind for a in desk.crossings_to(owner.user_id)] == [AlertKind.LOW, AlertKind.OUT]


async def test_snooze_quiets_for_a_day_then_reminds_if_still_short(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    [push] = await desk.run()
    until = await alerts.snooze(desk.uow, owner, push.message.crossing_id, floor.clock.now())  # type: ignore[union-attr]
    assert until == floor.clock.now() + timedelta(days=1)

    floor.clock.advance(timedelta(hours=23))
    assert [o for o in await desk.run() if o.delivery.kind == "crossing"] == []
    floor.clock.advance(timedelta(hours=1))
    reminders = [o.message for o in await desk.run() if o.delivery.kind == "crossing"]
    assert [r.reminder for r in reminders] == [True]  # type: ignore[union-attr]


async def test_a_snooze_reminder_is_dropped_when_restocked_meanwhile(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    [push] = await desk.run()
    await alerts.snooze(desk.uow, owner, push.message.crossing_id, floor.clock.now())  # type: ignore[union-attr]
    await floor.restock(owner, milk, 10)
    floor.clock.advance(timedelta(days=1))
    assert [o for o in await desk.run() if o.delivery.kind == "crossing"] == []


async def test_a_blocked_recipient_is_marked_and_skipped_later(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    await desk.run(SendResult(SendOutcome.BLOCKED))
    assert owner.user_id in floor.store.state.alerts.blocked
    await floor.restock(owner, milk, 10)
    await floor.remove(owner, milk, 14)
    assert await desk.run() == []

    await alert_audience.mark_reachable(desk.uow, owner.user_id)
    await floor.restock(owner, milk, 1)
    await floor.remove(owner, milk, 1)
    assert len(await desk.run()) == 1


async def test_a_retry_goes_again_after_the_wait_and_is_sent_once(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    await desk.run(SendResult(SendOutcome.RETRY, retry_after=30))
    floor.clock.advance(timedelta(seconds=29))
    assert await desk.run() == []
    floor.clock.advance(timedelta(seconds=1))
    assert len(await desk.run()) == 1
    floor.clock.advance(timedelta(minutes=5))
    assert await desk.run() == []


async def test_retries_give_up_after_max_attempts(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    for _ in range(alert_delivery.MAX_ATTEMPTS):
        await desk.run(SendResult(SendOutcome.RETRY))
        floor.clock.advance(alert_delivery.MAX_BACKOFF)
    [delivery] = [d for d in floor.store.state.alerts.deliveries.values() if d.kind == "crossing"]
    assert delivery.status is DeliveryStatus.FAILED


async def test_a_claimed_delivery_is_not_claimed_twice_within_its_lease(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    now = floor.clock.now()
    await alert_delivery.plan_crossings(desk.uow, now)
    first = await alert_delivery.next_outgoing(desk.uow, now, lease=timedelta(minutes=2))
    second = await alert_delivery.next_outgoing(desk.uow, now + timedelta(minutes=1))
    third = await alert_delivery.next_outgoing(
        desk.uow, now + timedelta(minutes=3)
    )  # crashed sender
    assert (len(first), len(second), len(third)) == (1, 0, 1)


async def test_a_removed_member_gets_nothing_more(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    second = await floor.hire(owner, role=Role.OWNER)
    milk = await stocked(floor, owner)
    await desk.run()
    await floor.remove(owner, milk, 6)
    await alert_delivery.plan_crossings(desk.uow, floor.clock.now())
    await remove_member(desk.uow, owner, second.user_id)
    await desk.run()
    assert desk.crossings_to(second.user_id) == []
    assert len(desk.crossings_to(owner.user_id)) == 1


# -- write-off and reorder list ---------------------------------------------------------


async def test_written_off_removes_expired_batches_with_reason_expired(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner, on_hand=0)
    today = floor.today()
    await floor.restock(owner, milk, 3, expiry=today - timedelta(days=2))
    await floor.restock(owner, milk, 4, expiry=today - timedelta(days=1))
    await floor.restock(owner, milk, 5, expiry=today + timedelta(days=30))
    results = await alerts.write_off_all_expired(
        desk.uow, owner, key="cb-1", now=floor.clock.now(), product_id=milk
    )
    assert [(r.movement.reason, r.movement.quantity) for r in results] == [  # type: ignore[union-attr]
        (Reason.EXPIRED, q(-7))
    ]
    assert floor.on_hand(milk) == q(5)
    again = await alerts.write_off_all_expired(desk.uow, owner, key="cb-1", now=floor.clock.now())
    assert again == [] and floor.on_hand(milk) == q(5)


async def test_written_off_leaves_good_stock_when_a_sale_lands_after_the_read(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner, on_hand=0)
    today = floor.today()
    await floor.restock(owner, milk, 5, expiry=today - timedelta(days=1))
    await floor.restock(owner, milk, 10, expiry=today + timedelta(days=30))
    uow = desk.uow
    read = uow.alert_queries.expiring_batches

    async def read_then_a_sale_lands(
        shop_id: int, today: date, default_days: int
    ) -> Sequence[tuple[Product, Batch]]:
        rows = await read(shop_id, today, default_days)
        await floor.remove(owner, milk, 3)  # FEFO: 3 of the expired batch
        return rows

    uow.alert_queries.expiring_batches = read_then_a_sale_lands  # type: ignore[method-assign]
    results = await alerts.write_off_all_expired(
        uow, owner, key="cb-1", now=floor.clock.now(), product_id=milk
    )

    assert [(r.movement.reason, r.movement.quantity) for r in results] == [  # type: ignore[union-attr]
        (Reason.EXPIRED, q(-2))
    ]
    assert [b.quantity for b in floor.batches(milk)] == [q(0), q(10)]
    assert floor.on_hand(milk) == q(10)


async def test_written_off_refuses_a_product_of_another_shop(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    milk = await stocked(floor, owner, on_hand=0)
    await floor.restock(owner, milk, 3, expiry=floor.today() - timedelta(days=2))
    neighbour = await floor.open_shop(name="Next door")

    with pytest.raises(ProductNotFound):
        await alerts.write_off_all_expired(
            desk.uow, neighbour, key="cb-1", now=floor.clock.now(), product_id=milk
        )
    assert floor.on_hand(milk) == q(3)


async def test_reorder_list_groups_by_supplier(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    today = floor.today()
    milk = await floor.product(owner, "Milk", threshold=q(5), supplier="Dairy Co")
    bread = await floor.product(owner, "Bread", threshold=q(2), supplier="Bakery")
    salt = await floor.product(owner, "Salt", threshold=q(1))
    tea = await floor.product(owner, "Tea", threshold=q(1), supplier="dairy co")
    await floor.restock(owner, milk.id, 3)
    await floor.restock(owner, bread.id, 10, reorder_date=today)
    await floor.restock(owner, salt.id, 1)
    await floor.restock(owner, tea.id, 10)
    await alerts.mark_ordered(desk.uow, owner, milk.id, floor.clock.now())

    found = await reordering.reorder_list(desk.uow, owner, floor.clock.now())
    assert [
        (g.supplier, [(x.product.name, x.reasons, x.ordered) for x in g.lines])
        for g in found.groups
    ] == [
        ("Bakery", [("Bread", ("reorder_due",), False)]),
        ("Dairy Co", [("Milk", ("low",), True)]),
        ("", [("Salt", ("low",), False)]),
    ]


async def test_a_restock_after_the_reorder_date_ends_the_reminder(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    owner = await floor.open_shop()
    today = floor.today()
    bread = await floor.product(owner, "Bread", threshold=q(2))
    await floor.restock(owner, bread.id, 10, reorder_date=today + timedelta(days=1))
    assert (await reordering.reorder_list(desk.uow, owner, floor.clock.now())).is_empty
    floor.clock.advance(timedelta(days=2))
    assert not (await reordering.reorder_list(desk.uow, owner, floor.clock.now())).is_empty
    await floor.restock(owner, bread.id, 5)
    assert (await reordering.reorder_list(desk.uow, owner, floor.clock.now())).is_empty


async def test_quiet_hours_need_both_ends(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    with pytest.raises(InvalidValue):
        await desk.quiet(owner, time(22), None)
    with pytest.raises(InvalidValue):
        await desk.quiet(owner, time(22), time(22))


def test_backoff_grows_and_is_capped() -> None:
    assert alert_delivery.backoff(1) == timedelta(seconds=5)
    assert alert_delivery.backoff(2) == timedelta(seconds=10)
    assert alert_delivery.backoff(30) == alert_delivery.MAX_BACKOFF


def test_fake_uow_has_every_alert_port() -> None:
    uow = FakeUnitOfWork()
    for name in (
        "alert_outbox",
        "deliveries",
        "alert_settings",
        "product_alerts",
        "recipients",
        "alert_queries",
    ):
        assert hasattr(uow, name)


async def test_the_reorder_list_names_suppliers_only_to_those_who_see_costs(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    """The card hid the supplier from staff while /reorder listed every supplier."""
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await floor.product(owner, "Milk", threshold=q(5), supplier="Dairy Co")
    await floor.restock(owner, milk.id, 3)

    def suppliers(found: ReorderList) -> list[str]:
        return [group.supplier for group in found.groups]

    now = floor.clock.now()
    assert suppliers(await reordering.reorder_list(desk.uow, owner, now)) == ["Dairy Co"]
    assert suppliers(await reordering.reorder_list(desk.uow, staff, now)) == [""]
    in_group = await reordering.reorder_list(desk.uow, owner, now, in_group=True)
    assert suppliers(in_group) == [""]
