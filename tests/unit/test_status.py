from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core import inventory
from core.catalog import ProductFields, edit_product
from core.model import Product, Shop
from core.quantities import to_quantity
from core.status import ExpiryStatus, StockStatus, shop_today, status_of
from tests.unit.shopfloor import Shopfloor, q

TODAY = date(2026, 11, 25)
SHOP = Shop(1, "Corner", near_expiry_days=7)


def _product(
    on_hand: str, threshold: str = "0", expiry: date | None = None, **kw: object
) -> Product:
    return Product(
        1,
        1,
        "Oat Milk",
        on_hand=to_quantity(on_hand),
        threshold=to_quantity(threshold),
        earliest_expiry=expiry,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("on_hand", "threshold", "expected"),
    [
        ("0", "5", StockStatus.OUT),
        ("0", "0", StockStatus.OUT),
        ("0.001", "5", StockStatus.LOW),
        ("5", "5", StockStatus.LOW),  # the reorder point itself is low, as in Square
        ("5.001", "5", StockStatus.OK),
        ("0.001", "0", StockStatus.OK),  # a threshold of 0 never reports low
        ("100", "0", StockStatus.OK),
    ],
)
def test_stock_status_out_low_ok(on_hand: str, threshold: str, expected: StockStatus) -> None:
    assert status_of(_product(on_hand, threshold), SHOP, TODAY).stock is expected


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [
        (None, ExpiryStatus.NONE),
        (TODAY - timedelta(days=1), ExpiryStatus.EXPIRED),
        (TODAY, ExpiryStatus.NEAR_EXPIRY),  # good through its date
        (TODAY + timedelta(days=7), ExpiryStatus.NEAR_EXPIRY),
        (TODAY + timedelta(days=8), ExpiryStatus.NONE),
    ],
)
def test_expiry_status_from_the_earliest_expiry(
    expiry: date | None, expected: ExpiryStatus
) -> None:
    assert status_of(_product("3", expiry=expiry), SHOP, TODAY).expiry is expected


def test_the_products_own_window_overrides_the_shops() -> None:
    in_ten_days = TODAY + timedelta(days=10)
    shop_default = _product("3", expiry=in_ten_days)
    pharmacy = _product("3", expiry=in_ten_days, expiry_warning_days=30)
    bakery = _product("3", expiry=TODAY + timedelta(days=2), expiry_warning_days=1)
    assert status_of(shop_default, SHOP, TODAY).expiry is ExpiryStatus.NONE
    assert status_of(pharmacy, SHOP, TODAY).expiry is ExpiryStatus.NEAR_EXPIRY
    assert status_of(bakery, SHOP, TODAY).expiry is ExpiryStatus.NONE


def test_a_window_of_zero_days_warns_only_on_the_day_itself() -> None:
    product = _product("3", expiry=TODAY, expiry_warning_days=0)
    assert status_of(product, SHOP, TODAY).expiry is ExpiryStatus.NEAR_EXPIRY
    tomorrow = _product("3", expiry=TODAY + timedelta(days=1), expiry_warning_days=0)
    assert status_of(tomorrow, SHOP, TODAY).expiry is ExpiryStatus.NONE


def test_stock_and_expiry_statuses_are_independent() -> None:
    both = status_of(_product("1", "5", expiry=TODAY - timedelta(days=1)), SHOP, TODAY)
    assert (both.stock, both.expiry) == (StockStatus.LOW, ExpiryStatus.EXPIRED)
    near = status_of(_product("1", "5", expiry=TODAY + timedelta(days=1)), SHOP, TODAY)
    assert (near.stock, near.expiry) == (StockStatus.LOW, ExpiryStatus.NEAR_EXPIRY)
    fine = status_of(_product("50", "5"), SHOP, TODAY)
    assert (fine.stock, fine.expiry) == (StockStatus.OK, ExpiryStatus.NONE)


def test_an_empty_product_has_no_expiry_status() -> None:
    product = _product("0", expiry=TODAY - timedelta(days=3))
    status = status_of(product, SHOP, TODAY)
    assert (status.stock, status.expiry) == (StockStatus.OUT, ExpiryStatus.NONE)


def test_the_shop_day_follows_its_timezone() -> None:
    moment = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    assert shop_today(Shop(1, "A", timezone="Pacific/Auckland"), moment) == date(2026, 11, 26)
    assert shop_today(Shop(1, "L", timezone="America/Los_Angeles"), moment) == TODAY
    assert shop_today(Shop(1, "U"), moment) == TODAY


async def _expiry_status_at(floor: Shopfloor, timezone: str, moment: datetime) -> ExpiryStatus:
    owner = await floor.open_shop(timezone=timezone)
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 2, expiry=TODAY)
    card = await inventory.product_card(floor.uow, owner, milk.id, now=moment)
    return card.status.expiry


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 23:30 on the 25th in Auckland: still good through its date.
        (datetime(2026, 11, 25, 10, 30, tzinfo=UTC), ExpiryStatus.NEAR_EXPIRY),
        # 00:30 on the 26th in Auckland while it is still the 25th in UTC.
        (datetime(2026, 11, 25, 11, 30, tzinfo=UTC), ExpiryStatus.EXPIRED),
    ],
)
async def test_expiry_is_judged_by_the_day_in_auckland(
    floor: Shopfloor, moment: datetime, expected: ExpiryStatus
) -> None:
    floor.clock.set(datetime(2026, 11, 20, tzinfo=UTC))
    assert await _expiry_status_at(floor, "Pacific/Auckland", moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 00:30 on the 26th in UTC is 16:30 on the 25th in Los Angeles: not expired yet.
        (datetime(2026, 11, 26, 0, 30, tzinfo=UTC), ExpiryStatus.NEAR_EXPIRY),
        # 00:30 on the 26th in Los Angeles.
        (datetime(2026, 11, 26, 8, 30, tzinfo=UTC), ExpiryStatus.EXPIRED),
    ],
)
async def test_expiry_is_judged_by_the_day_in_los_angeles(
    floor: Shopfloor, moment: datetime, expected: ExpiryStatus
) -> None:
    floor.clock.set(datetime(2026, 11, 20, tzinfo=UTC))
    assert await _expiry_status_at(floor, "America/Los_Angeles", moment) is expected


async def test_expiry_status_follows_the_earliest_batch_still_in_stock(
    floor: Shopfloor,
) -> None:
    floor.clock.set(datetime(2026, 11, 25, 12, tzinfo=UTC))
    owner = await floor.open_shop()
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 2, expiry=TODAY - timedelta(days=1))
    await floor.restock(owner, milk.id, 2, expiry=TODAY + timedelta(days=30))
    now = floor.clock.now()
    card = await inventory.product_card(floor.uow, owner, milk.id, now=now)
    assert card.status.expiry is ExpiryStatus.EXPIRED
    await floor.remove(owner, milk.id, 2)  # FEFO writes off the expired batch
    card = await inventory.product_card(floor.uow, owner, milk.id, now=now)
    assert card.status.expiry is ExpiryStatus.NONE


async def test_the_product_window_overrides_the_shop_window_end_to_end(
    floor: Shopfloor,
) -> None:
    floor.clock.set(datetime(2026, 11, 25, 12, tzinfo=UTC))
    owner = await floor.open_shop(near_expiry_days=3)
    milk = await floor.product(owner)
    await floor.restock(owner, milk.id, 2, expiry=TODAY + timedelta(days=10))
    now = floor.clock.now()
    card = await inventory.product_card(floor.uow, owner, milk.id, now=now)
    assert card.status.expiry is ExpiryStatus.NONE
    await edit_product(floor.uow, owner, milk.id, ProductFields(expiry_warning_days=14))
    card = await inventory.product_card(floor.uow, owner, milk.id, now=now)
    assert card.status.expiry is ExpiryStatus.NEAR_EXPIRY
    assert card.product.on_hand == q(2)
