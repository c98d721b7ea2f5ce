"""The daily digest: its contents, the shop's own day and alert time (timezones either
side of UTC midnight, DST), quiet hours, and once per person per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import alert_audience, alerts, digests, shop_time
from core.access import Actor
from core.alert_model import AlertKind, AlertSettings, Digest, DigestSigns
from core.model import Shop
from tests.fakes import FakeStore
from tests.unit.alertdesk import AlertDesk
from tests.unit.shopfloor import Shopfloor, q

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def desk(floor: Shopfloor) -> AlertDesk:
    return AlertDesk(floor)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def shop_with_trouble(floor: Shopfloor, **settings: object) -> Actor:
    """A shop with one product of each kind of trouble, opened at the clock's time."""
    owner = await floor.open_shop(**settings)  # type: ignore[arg-type]
    today = floor.today()
    milk = await floor.product(owner, "Milk", threshold=q(5))
    await floor.restock(owner, milk.id, 2, expiry=today - timedelta(days=1))  # expired, low
    await floor.restock(owner, milk.id, 1, expiry=today + timedelta(days=3))  # near expiry
    await floor.product(owner, "Salt", threshold=q(1))  # out (never stocked)
    bread = await floor.product(owner, "Bread", threshold=q(1))
    await floor.restock(owner, bread.id, 10, reorder_date=today - timedelta(days=1))
    return owner


# -- what is in it ------------------------------------------------------------------------


async def test_the_digest_lists_every_kind_of_trouble(floor: Shopfloor, desk: AlertDesk) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    floor.at(utc(2026, 3, 2, 8, 0))
    await desk.run()
    [digest] = desk.digests_to(owner.user_id)
    assert digest.day == date(2026, 3, 2)
    assert [(x.product.name, x.batch.quantity) for x in digest.expired] == [("Milk", q(2))]
    assert [(x.product.name, x.batch.quantity) for x in digest.expiring] == [("Milk", q(1))]
    assert [p.name for p in digest.low] == ["Milk"]
    assert [p.name for p in digest.out] == ["Salt"]
    assert [p.name for p in digest.reorder_due] == ["Bread"]
    assert digest.is_owner


async def test_nothing_to_report_sends_nothing(floor: Shopfloor, desk: AlertDesk) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Milk", threshold=q(1))
    await floor.restock(owner, milk.id, 10)
    floor.clock.advance(timedelta(days=1))
    await desk.run()
    assert desk.digests_to(owner.user_id) == []


async def test_sections_follow_the_members_chosen_kinds(floor: Shopfloor, desk: AlertDesk) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    staff = await floor.hire(owner)
    await desk.choose(owner, AlertKind.EXPIRY, False)
    await desk.choose(staff, AlertKind.EXPIRY, True)
    floor.at(utc(2026, 3, 2, 8, 0))
    await desk.run()
    [mine] = desk.digests_to(owner.user_id)
    [theirs] = desk.digests_to(staff.user_id)
    assert (mine.expired, mine.expiring) == ((), ())
    assert mine.low and mine.out and mine.reorder_due
    assert theirs.expired and theirs.expiring
    assert (theirs.low, theirs.out, theirs.reorder_due, theirs.is_owner) == ((), (), (), False)


async def test_muted_ordered_and_snoozed_products_stay_out_of_the_digest(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    products = {p.name: p.id for p in floor.store.state.products.values()}
    now = floor.clock.now()
    await alerts.set_muted(desk.uow, owner, products["Milk"], True)
    await alerts.mark_ordered(desk.uow, owner, products["Bread"], now)
    floor.at(utc(2026, 3, 2, 8, 0))
    await desk.run()
    [digest] = desk.digests_to(owner.user_id)
    assert digest.expired == digest.expiring == digest.low == digest.reorder_due == ()
    assert [p.name for p in digest.out] == ["Salt"]


async def test_the_digest_goes_once_a_day_however_often_the_scan_runs(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    for minute in range(0, 180, 7):
        floor.at(utc(2026, 3, 2, 8, 0) + timedelta(minutes=minute))
        await desk.run()
    floor.at(utc(2026, 3, 3, 7, 59))
    await desk.run()
    assert [d.day for d in desk.digests_to(owner.user_id)] == [date(2026, 3, 2)]
    floor.at(utc(2026, 3, 3, 8, 0))
    await desk.run()
    assert [d.day for d in desk.digests_to(owner.user_id)] == [
        date(2026, 3, 2),
        date(2026, 3, 3),
    ]


async def test_planning_the_same_day_twice_makes_no_second_delivery(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    now = utc(2026, 3, 2, 9, 0)
    first = await digests.plan_digest(desk.uow, owner.shop_id, date(2026, 3, 2), now)
    second = await digests.plan_digest(desk.uow, owner.shop_id, date(2026, 3, 2), now)
    assert (first, second) == (1, 0)


async def test_a_late_scan_still_sends_the_days_digest(floor: Shopfloor, desk: AlertDesk) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    floor.at(utc(2026, 3, 2, 22, 30))  # the bot was down all day
    await desk.run()
    assert [d.day for d in desk.digests_to(owner.user_id)] == [date(2026, 3, 2)]


# -- the shop's own day -----------------------------------------------------------------


async def test_shops_either_side_of_utc_midnight_get_their_own_day(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 1, 12, 0))
    auckland = await shop_with_trouble(floor, timezone="Pacific/Auckland")  # UTC+13
    honolulu = await shop_with_trouble(floor, timezone="Pacific/Honolulu")  # UTC-10

    floor.at(utc(2026, 3, 1, 18, 59))  # Auckland 07:59 on 2 March
    await desk.run()
    assert desk.digests_to(auckland.user_id) == []
    floor.at(utc(2026, 3, 1, 19, 0))  # Auckland 08:00 on 2 March; Honolulu 09:00 on 1 March
    await desk.run()
    assert [d.day for d in desk.digests_to(auckland.user_id)] == [date(2026, 3, 2)]
    assert [d.day for d in desk.digests_to(honolulu.user_id)] == [date(2026, 3, 1)]
    floor.at(utc(2026, 3, 2, 18, 0))  # Honolulu 08:00 on 2 March
    await desk.run()
    assert [d.day for d in desk.digests_to(honolulu.user_id)] == [
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]


async def test_expiry_is_judged_by_the_shops_day(floor: Shopfloor, desk: AlertDesk) -> None:
    floor.at(utc(2026, 3, 1, 12, 0))
    owner = await floor.open_shop(timezone="Pacific/Auckland")
    milk = await floor.product(owner, "Milk")
    await floor.restock(owner, milk.id, 4, expiry=date(2026, 3, 1))
    floor.at(utc(2026, 3, 1, 19, 0))  # 2 March in Auckland, still 1 March in UTC
    await desk.run()
    [digest] = desk.digests_to(owner.user_id)
    assert [x.batch.expiry for x in digest.expired] == [date(2026, 3, 1)]


# -- DST: Europe/Berlin springs forward 2026-03-29 02:00 -> 03:00, falls back
#    2026-10-25 03:00 -> 02:00 -----------------------------------------------------------


async def test_a_shop_opened_after_its_alert_time_hears_first_the_next_day(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 10, 0))  # alert time 08:00 has passed
    owner = await shop_with_trouble(floor)
    floor.at(utc(2026, 3, 2, 10, 1))
    await desk.run()
    assert desk.digests_to(owner.user_id) == []
    floor.at(utc(2026, 3, 3, 8, 0))
    await desk.run()
    assert [d.day for d in desk.digests_to(owner.user_id)] == [date(2026, 3, 3)]


async def test_no_digest_comes_minutes_after_the_first_products_are_added(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 7, 50))
    owner = await shop_with_trouble(floor)  # products added at 07:50, alert time 08:00
    floor.at(utc(2026, 3, 2, 8, 1))
    await desk.run()
    assert desk.digests_to(owner.user_id) == []
    floor.at(utc(2026, 3, 3, 8, 0))
    await desk.run()
    assert [d.day for d in desk.digests_to(owner.user_id)] == [date(2026, 3, 3)]


def berlin_shop(alert_time: time) -> Shop:
    return Shop(1, "Berlin", timezone="Europe/Berlin", alert_time=alert_time)


def test_an_alert_time_in_the_spring_gap_is_due_when_the_clock_jumps_past_it() -> None:
    shop = berlin_shop(time(2, 30))
    jump = utc(2026, 3, 29, 1, 0)  # 03:00 CEST, the first moment after 01:59:59 CET
    assert shop_time.local_instant(date(2026, 3, 29), time(2, 30), BERLIN) == jump
    assert shop_time.digest_day_due(shop, jump - timedelta(seconds=1)) is None
    assert shop_time.digest_day_due(shop, jump) == date(2026, 3, 29)


def test_an_alert_time_in_the_autumn_fold_is_due_at_its_first_occurrence() -> None:
    shop = berlin_shop(time(2, 30))
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST; 02:30 CET comes an hour later
    assert shop_time.local_instant(date(2026, 10, 25), time(2, 30), BERLIN) == first
    assert shop_time.digest_day_due(shop, first - timedelta(seconds=1)) is None
    assert shop_time.digest_day_due(shop, first) == date(2026, 10, 25)
    assert shop_time.digest_day_due(shop, first + timedelta(hours=1)) == date(2026, 10, 25)


def test_8am_follows_the_clock_across_both_changes() -> None:
    shop = berlin_shop(time(8, 0))
    assert shop_time.local_instant(date(2026, 3, 28), time(8), BERLIN) == utc(2026, 3, 28, 7, 0)
    assert shop_time.local_instant(date(2026, 3, 29), time(8), BERLIN) == utc(2026, 3, 29, 6, 0)
    assert shop_time.local_instant(date(2026, 10, 25), time(8), BERLIN) == utc(2026, 10, 25, 7, 0)
    assert shop_time.digest_day_due(shop, utc(2026, 3, 29, 5, 59)) is None


async def test_a_fold_day_digest_is_sent_once_though_the_hour_repeats(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 10, 24, 12, 0))
    owner = await shop_with_trouble(floor, timezone="Europe/Berlin")
    await desk.settings(owner, alert_time=time(2, 30))
    desk.sent.clear()
    moment = utc(2026, 10, 24, 23, 0)  # 01:00 CEST on the 25th
    while moment < utc(2026, 10, 25, 3, 0):  # through both 02:30s
        floor.at(moment)
        await desk.run()
        moment += timedelta(minutes=10)
    days = [d.day for d in desk.digests_to(owner.user_id)]
    assert days == [date(2026, 10, 25)]


async def test_a_gap_day_digest_is_sent_once_right_after_the_jump(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 28, 12, 0))
    owner = await shop_with_trouble(floor, timezone="Europe/Berlin")
    await desk.settings(owner, alert_time=time(2, 30))
    desk.sent.clear()
    floor.at(utc(2026, 3, 29, 0, 59))
    await desk.run()
    assert desk.digests_to(owner.user_id) == []
    floor.at(utc(2026, 3, 29, 1, 0))
    await desk.run()
    floor.at(utc(2026, 3, 29, 1, 30))
    await desk.run()
    assert [d.day for d in desk.digests_to(owner.user_id)] == [date(2026, 3, 29)]


# -- quiet hours --------------------------------------------------------------------------


def quiet(start: time, end: time) -> AlertSettings:
    return AlertSettings(1, quiet_start=start, quiet_end=end)


def test_quiet_hours_past_midnight_end_the_next_morning() -> None:
    shop = berlin_shop(time(8))
    settings = quiet(time(22), time(7))
    # 23:00 CET on 2 March -> 07:00 CET on 3 March
    assert shop_time.quiet_until(settings, shop, utc(2026, 3, 2, 22, 0)) == utc(2026, 3, 3, 6, 0)
    # 05:00 CET -> 07:00 the same day
    assert shop_time.quiet_until(settings, shop, utc(2026, 3, 3, 4, 0)) == utc(2026, 3, 3, 6, 0)
    assert shop_time.quiet_until(settings, shop, utc(2026, 3, 3, 6, 0)) is None
    assert shop_time.quiet_until(settings, shop, utc(2026, 3, 3, 12, 0)) is None


def test_quiet_hours_within_a_day_and_across_the_spring_jump() -> None:
    shop = berlin_shop(time(8))
    lunch = quiet(time(12), time(13))
    assert shop_time.quiet_until(lunch, shop, utc(2026, 3, 2, 11, 30)) == utc(2026, 3, 2, 12, 0)
    assert shop_time.quiet_until(lunch, shop, utc(2026, 3, 2, 10, 59)) is None
    night = quiet(time(1), time(2, 30))  # ends inside the gap on 29 March
    assert shop_time.quiet_until(night, shop, utc(2026, 3, 29, 0, 30)) == utc(2026, 3, 29, 1, 0)
    assert shop_time.quiet_until(AlertSettings(1), shop, utc(2026, 3, 2, 0, 0)) is None


async def test_pushes_in_quiet_hours_wait_for_their_end(floor: Shopfloor, desk: AlertDesk) -> None:
    floor.at(utc(2026, 3, 2, 12, 0))
    owner = await floor.open_shop(timezone="Europe/Berlin")
    await desk.quiet(owner, time(22), time(7))
    milk = await floor.product(owner, "Milk", threshold=q(5))
    await floor.restock(owner, milk.id, 10)
    await desk.run()
    floor.at(utc(2026, 3, 2, 22, 0))  # 23:00 in Berlin
    await floor.remove(owner, milk.id, 6)
    await desk.run()
    assert desk.crossings_to(owner.user_id) == []
    floor.at(utc(2026, 3, 3, 5, 59))
    await desk.run()
    assert desk.crossings_to(owner.user_id) == []
    floor.at(utc(2026, 3, 3, 6, 0))  # 07:00 in Berlin
    await desk.run()
    assert len(desk.crossings_to(owner.user_id)) == 1


async def test_a_digest_due_in_quiet_hours_comes_when_they_end(
    floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await shop_with_trouble(floor)
    await desk.quiet(owner, time(22), time(9))
    floor.at(utc(2026, 3, 2, 8, 0))
    await desk.run()
    assert desk.digests_to(owner.user_id) == []
    floor.at(utc(2026, 3, 2, 9, 0))
    await desk.run()
    assert [type(d) for d in desk.digests_to(owner.user_id)] == [Digest]


# -- what planning reads: which kinds of line a shop's digest may have ---------------------


def test_the_signs_name_the_kinds_a_digest_may_have_today() -> None:
    shop = Shop(id=1, name="Cafe", near_expiry_days=3)
    today = date(2026, 3, 2)
    assert digests.kinds_to_say(DigestSigns(), shop, today) == frozenset()
    assert digests.kinds_to_say(DigestSigns(out=1), shop, today) == {AlertKind.OUT}
    assert digests.kinds_to_say(DigestSigns(low=2), shop, today) == {AlertKind.LOW}
    # A product that sells may run out within its lead time: a "runs out" line is LOW's.
    assert digests.kinds_to_say(DigestSigns(selling=True), shop, today) == {AlertKind.LOW}
    tomorrow = today + timedelta(days=1)
    assert digests.kinds_to_say(DigestSigns(reorder_from=today), shop, today) == {AlertKind.REORDER}
    assert not digests.kinds_to_say(DigestSigns(reorder_from=tomorrow), shop, today)
    # Expiry within the shop's window (None), or the product's own; expired always.
    in_3 = today + timedelta(days=3)
    assert digests.kinds_to_say(DigestSigns(expiry_from={None: in_3}), shop, today) == {
        AlertKind.EXPIRY
    }
    assert not digests.kinds_to_say(DigestSigns(expiry_from={2: in_3}), shop, today)
    assert digests.kinds_to_say(
        DigestSigns(expiry_from={2: today - timedelta(days=1)}), shop, today
    )
    assert not digests.kinds_to_say(
        DigestSigns(expiry_from={None: in_3}), shop, today - timedelta(days=1)
    )


async def test_a_member_who_hears_of_none_of_the_shops_kinds_gets_no_delivery(
    store: FakeStore, floor: Shopfloor, desk: AlertDesk
) -> None:
    floor.at(utc(2026, 3, 2, 6, 0))
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Milk", threshold=q(5))
    await floor.restock(owner, milk.id, 2)  # low, nothing expires
    staff = await floor.hire(owner)
    await alert_audience.set_kind(floor.uow, staff, AlertKind.EXPIRY, True)
    floor.at(utc(2026, 3, 3, 8, 0))
    await desk.run()
    assert [[p.name for p in d.low] for d in desk.digests_to(owner.user_id)] == [["Milk"]]
    planned = {d.user_id for d in store.state.alerts.deliveries.values()}
    assert staff.user_id not in planned
