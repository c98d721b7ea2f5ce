"""Days of stock left where a shop looks for them — `/inventory sort days`, the daily
digest, `/reorder` — and the product's lead time, with a fixed clock and synthetic
sales histories (steady, seasonal, a stock-out gap, a one-off bulk sale)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.parsing import ParseError, parse_command
from core import digests, inventory, reordering
from core.access import Actor
from core.alert_model import ALL_KINDS
from core.catalog import ProductFields, edit_product
from core.errors import ValueRefused
from core.forecast import DEFAULT_LEAD_DAYS, pace_of, shop_paces
from core.inventory import InventoryQuery, SortBy
from core.model import Product
from tests.unit.shopfloor import Shopfloor, q

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=28, hours=8)  # after 28 days of trading


async def trade(
    floor: Shopfloor, owner: Actor, product: Product, stock: int, daily: list[int]
) -> None:
    """Restock `stock` on the first day, then sell `daily[n]` on day n (0 skips it)."""
    floor.at(START)
    await floor.restock(owner, product.id, stock)
    for n, sold in enumerate(daily, start=1):
        floor.at(START + timedelta(days=n))
        if sold:
            await floor.remove(owner, product.id, sold)
    floor.at(NOW)


STEADY = [4] * 28
SEASONAL = [2, 2, 2, 2, 6, 8, 8] * 4  # a weekly pattern: busy weekends
BULK = [3] * 20 + [60] + [3] * 7  # one catering order
GAP = [5] * 14 + [0] * 7 + [5] * 7  # out of stock for a week, then restocked


@pytest.fixture
async def shop(floor: Shopfloor) -> tuple[Actor, dict[str, Product]]:
    owner = await floor.open_shop()
    products = {
        "steady": await floor.product(owner, "Steady", threshold=q(10), lead_days=5),
        "seasonal": await floor.product(owner, "Seasonal", threshold=q(5)),
        "bulk": await floor.product(owner, "Bulk"),
        "gap": await floor.product(owner, "Gap", threshold=q(2)),
        "new": await floor.product(owner, "New"),
    }
    await trade(floor, owner, products["steady"], 150, STEADY)
    await trade(floor, owner, products["seasonal"], 400, SEASONAL)
    await trade(floor, owner, products["bulk"], 300, BULK)
    await trade(floor, owner, products["gap"], 70, GAP[:14])
    # Sold out on day 14; a week with none on hand; restocked and selling again.
    floor.at(START + timedelta(days=21, hours=1))
    await floor.restock(owner, products["gap"].id, 60)
    for n in range(22, 29):
        floor.at(START + timedelta(days=n, hours=2))
        await floor.remove(owner, products["gap"].id, 5)
    floor.at(NOW - timedelta(days=2))
    await floor.restock(owner, products["new"].id, 10)
    await floor.remove(owner, products["new"].id, 1)
    floor.at(NOW)
    return owner, {name: floor.stored_product(p.id) for name, p in products.items()}


async def test_the_shops_paces_are_each_products_own(
    floor: Shopfloor, shop: tuple[Actor, dict[str, Product]]
) -> None:
    owner, products = shop
    found = floor.stored_shop(owner.shop_id)
    async with floor.uow:
        together = await shop_paces(floor.uow, found, list(products.values()), NOW)
        for product in products.values():
            assert together[product.id] == await pace_of(floor.uow, found, product, NOW)
    assert together[products["steady"].id].per_day == pytest.approx(4, abs=0.05)
    # The week out of stock is no demand (counted as zeros it would give ~3.7).
    assert together[products["gap"].id].per_day == pytest.approx(5, abs=0.25)
    assert together[products["bulk"].id].per_day == pytest.approx(3, abs=0.5)  # capped
    assert together[products["new"].id].days_left is None


async def test_inventory_sorted_by_days_left_puts_the_first_to_run_out_first(
    floor: Shopfloor, shop: tuple[Actor, dict[str, Product]]
) -> None:
    owner, _ = shop
    page = await inventory.inventory(floor.uow, owner, InventoryQuery(sort=SortBy.DAYS), now=NOW)
    names = [line.product.name for line in page.lines]
    # Steady 38 left at 4/day (9 d), Gap 25 at 5 (5 d), Bulk ~10 d, Seasonal ~ 30 d; New last.
    assert names[:2] == ["Gap", "Steady"]
    assert names[-1] == "New"
    first = texts.inventory_line(page.lines[0])
    assert "≈ 5 days left" in first


async def test_the_digest_lists_what_runs_out_within_its_lead_time(
    floor: Shopfloor, shop: tuple[Actor, dict[str, Product]]
) -> None:
    owner, _ = shop
    async with floor.uow:
        facts = await digests.read_facts(
            floor.uow, floor.stored_shop(owner.shop_id), NOW.date(), NOW
        )
    listed = {r.product.name: (r.days_left, r.lead_days) for r in facts.running_out}
    # Gap: 5 days left, default lead time 7. Steady: 9 days left > its lead time of 5.
    assert listed == {"Gap": (5, DEFAULT_LEAD_DAYS)}
    digest = digests.build_digest(facts, ALL_KINDS, {}, is_owner=True)
    text = texts.digest_text(digest)
    assert "Runs out before a delivery would come" in text
    assert "Gap — 25 pcs, ≈ 5 days left (delivery takes 7 d)" in text


async def test_reorder_suggests_how_much_from_pace_lead_time_and_reorder_point(
    floor: Shopfloor, shop: tuple[Actor, dict[str, Product]]
) -> None:
    owner, products = shop
    await floor.remove(owner, products["steady"].id, 30)  # 8 left: low (min 10)
    found = await reordering.reorder_list(floor.uow, owner, NOW)
    lines = {line.product.name: line for group in found.groups for line in group.lines}
    # Steady: 4/day × (5 lead + 14 cover) + 10 reorder point − 8 on hand = 78
    assert lines["Steady"].suggested == 78
    assert lines["Steady"].reasons == ("low",)
    assert lines["Gap"].reasons == ("running_out",)
    text = texts.reorder_text(found)
    assert "→ order ≈ 78 pcs" in text


async def test_a_low_product_without_sales_gets_what_brings_it_to_the_minimum(
    floor: Shopfloor,
) -> None:
    """Found in the console: a bakery's reorder list after its first count said only
    "too few sales to suggest an amount" under every product, 3 baguettes of min 6 too."""
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Milk", threshold=q(5))
    await floor.restock(owner, milk.id, 3)
    found = await reordering.reorder_list(floor.uow, owner, floor.clock.now())
    [line] = [line for group in found.groups for line in group.lines]
    assert line.suggested is None and line.to_minimum == 2
    text = texts.reorder_text(found)
    assert "→ at least 2 pcs to reach the minimum; too few sales to suggest more" in text

    await floor.restock(owner, milk.id, 2)  # at the minimum: still low, nothing to reach
    found = await reordering.reorder_list(floor.uow, owner, floor.clock.now())
    [line] = [line for group in found.groups for line in group.lines]
    assert line.to_minimum is None
    assert f"→ {texts.NO_SUGGESTION}" in texts.reorder_text(found)


async def test_the_lead_time_is_set_with_add_and_edit_and_checked(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    parsed = parse_command("add", "oat milk lead 5 min 2")
    assert parsed.lead_days == 5  # type: ignore[union-attr]
    milk = await floor.product(owner, "Milk", lead_days=3)
    edited = await edit_product(floor.uow, owner, milk.id, ProductFields(lead_days=10))
    assert edited.lead_days == 10
    with pytest.raises(ValueRefused) as refused:
        await edit_product(floor.uow, owner, milk.id, ProductFields(lead_days=400))
    assert texts.why(refused.value) == "The lead time must be between 0 and 180 days."
    with pytest.raises(ParseError):
        parse_command("add", "oat milk lead soon")


def test_inventory_sort_days_is_read_and_a_wrong_sort_says_the_choices() -> None:
    assert parse_command("inventory", "low sort days").sort is SortBy.DAYS  # type: ignore[union-attr]
    with pytest.raises(ParseError, match="name, qty, expiry or days"):
        parse_command("inventory", "sort soon")
