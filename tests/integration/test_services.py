"""The core use cases over the real unit of work, on PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from core import catalog, groups, inventory, ledger, shops
from core.access import Actor, resolve_actor
from core.catalog import ProductFields
from core.errors import (
    InsufficientStock,
    InviteInvalid,
    OwnerOnly,
    ProductArchived,
    ProductExists,
    ProductNotFound,
    UndoRefused,
)
from core.groups import GroupStanding
from core.inventory import InventoryQuery, SortBy, StatusFilter
from core.ledger import Count, Removal, Restock
from core.model import Product, Reason, Role, Shop
from core.status import ExpiryStatus, StockStatus
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW, OWNER_ID, STAFF_ID

Q = Decimal
MakeUow = Callable[[], SqlUnitOfWork]


async def _product(make_uow: MakeUow, owner: Actor, name: str = "Milk", **kw: object) -> Product:
    return await catalog.add_product(make_uow(), owner, ProductFields(name=name, **kw))  # type: ignore[arg-type]


async def _staff(make_uow: MakeUow, owner: Actor) -> Actor:
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)
    shop = (await shops.join_shop(make_uow(), STAFF_ID, "Sam", invite.code, NOW)).shop
    return Actor(STAFF_ID, shop.id)


async def _ledger_total(make_uow: MakeUow, owner: Actor, product_id: int) -> Decimal:
    async with make_uow() as uow:
        movements = await uow.movements.history(owner.shop_id, product_id=product_id, limit=10_000)
    return sum((m.quantity for m in movements), Q(0))


async def _batches_total(make_uow: MakeUow, product_id: int) -> Decimal:
    async with make_uow() as uow:
        return sum((b.quantity for b in await uow.batches.in_stock(product_id)), Q(0))


async def test_restock_then_sell_first_expiring_first(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(make_uow, owner, unit="l")
    late = await ledger.restock(
        make_uow(), owner, Restock(milk.id, Q(5), expiry=date(2026, 3, 20)), key="1", now=NOW
    )
    await ledger.restock(make_uow(), owner, Restock(milk.id, Q(3)), key="2", now=NOW)
    await ledger.restock(
        make_uow(),
        owner,
        Restock(milk.id, Q(4), expiry=date(2026, 3, 10), cost=Q("0.90"), price=Q("1.50")),
        key="3",
        now=NOW,
    )
    sale = await ledger.remove(make_uow(), owner, Removal(milk.id, Q(6)), key="4", now=NOW)
    assert sale.movement is not None and sale.movement.quantity == Q(-6)
    assert sale.product.on_hand == Q(6)
    assert sale.product.earliest_expiry == date(2026, 3, 20)
    async with make_uow() as uow:
        product = await uow.products.get(owner.shop_id, milk.id)
        stored = await uow.movements.get(owner.shop_id, sale.movement.id)
        batches = {b.id: b.quantity for b in await uow.batches.in_stock(milk.id)}
    assert product == sale.product and product.cost == Q("0.90") and product.price == Q("1.50")
    assert stored == sale.movement
    assert [a.quantity for a in stored.allocations] == [Q(-4), Q(-2)]  # 10 March first
    assert late.movement is not None
    assert batches[late.movement.allocations[0].batch_id] == Q(3)
    assert await _ledger_total(make_uow, owner, milk.id) == Q(6)
    assert await _batches_total(make_uow, milk.id) == Q(6)


async def test_removal_beyond_stock_is_refused_and_changes_nothing(
    make_uow: MakeUow, owner: Actor
) -> None:
    milk = await _product(make_uow, owner)
    await ledger.restock(make_uow(), owner, Restock(milk.id, Q(2)), key="1", now=NOW)
    with pytest.raises(InsufficientStock) as refused:
        await ledger.remove(make_uow(), owner, Removal(milk.id, Q(3)), key="2", now=NOW)
    assert refused.value.on_hand == Q(2)
    async with make_uow() as uow:
        assert (await uow.products.get(owner.shop_id, milk.id)).on_hand == Q(2)  # type: ignore[union-attr]
        assert await uow.movements.by_key(owner.shop_id, "2") == []


async def test_the_same_key_twice_replays_the_first_result(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(make_uow, owner)
    first = await ledger.restock(make_uow(), owner, Restock(milk.id, Q(2)), key="k", now=NOW)
    again = await ledger.restock(make_uow(), owner, Restock(milk.id, Q(2)), key="k", now=NOW)
    assert again.replayed and again.movement == first.movement
    assert again.product.on_hand == Q(2)
    sold = await ledger.remove(make_uow(), owner, Removal(milk.id, Q(1)), key="s", now=NOW)
    resold = await ledger.remove(make_uow(), owner, Removal(milk.id, Q(1)), key="s", now=NOW)
    assert resold.replayed and resold.movement == sold.movement
    assert await _ledger_total(make_uow, owner, milk.id) == Q(1)


async def test_count_adjusts_by_the_difference(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(make_uow, owner, unit="l")  # a unit that takes fractions
    found = await ledger.count(make_uow(), owner, Count(milk.id, Q("2.5")), key="1", now=NOW)
    assert found.movement is not None and found.movement.reason is Reason.ADJUSTMENT
    assert found.product.on_hand == Q("2.5")
    same = await ledger.count(make_uow(), owner, Count(milk.id, Q("2.5")), key="2", now=NOW)
    assert same.movement is not None and same.movement.quantity == 0
    lost = await ledger.count(make_uow(), owner, Count(milk.id, Q(1)), key="3", now=NOW)
    assert lost.movement is not None and lost.movement.quantity == Q("-1.5")
    assert await _ledger_total(make_uow, owner, milk.id) == Q(1)
    assert await _batches_total(make_uow, milk.id) == Q(1)


async def test_undo_reverses_once(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(make_uow, owner)
    await ledger.restock(make_uow(), owner, Restock(milk.id, Q(5)), key="1", now=NOW)
    sale = await ledger.remove(make_uow(), owner, Removal(milk.id, Q(2)), key="2", now=NOW)
    undone = await ledger.undo(make_uow(), owner, None, key="3", now=NOW)
    assert undone.movement is not None and undone.movement.reverses_id == sale.movement.id  # type: ignore[union-attr]
    assert undone.product.on_hand == Q(5)
    replay = await ledger.undo(make_uow(), owner, None, key="3", now=NOW)
    assert replay.replayed and replay.movement == undone.movement
    with pytest.raises(UndoRefused):
        await ledger.undo(make_uow(), owner, sale.movement.id, key="4", now=NOW)  # type: ignore[union-attr]
    # The next undo without an id reaches back to the restock.
    again = await ledger.undo(make_uow(), owner, None, key="5", now=NOW)
    assert again.product.on_hand == Q(0)
    assert await _ledger_total(make_uow, owner, milk.id) == Q(0)


async def test_undo_of_a_restock_puts_back_the_cost_and_price_it_replaced(
    make_uow: MakeUow, owner: Actor
) -> None:
    milk = await _product(make_uow, owner, cost=Q("7.50"), price=Q("9.90"))
    change = Restock(milk.id, Q(5), cost=Q("7.20"), price=Q("9.50"))
    restock = await ledger.restock(make_uow(), owner, change, key="1", now=NOW)
    assert restock.movement is not None
    undone = await ledger.undo(make_uow(), owner, restock.movement.id, key="2", now=NOW)
    assert (undone.product.cost, undone.product.price) == (Q("7.50"), Q("9.90"))
    stored = await catalog.get_product(make_uow(), owner, milk.id)
    assert (stored.cost, stored.price) == (Q("7.50"), Q("9.90"))


async def test_undo_is_refused_when_the_stock_was_used(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(make_uow, owner)
    restock = await ledger.restock(make_uow(), owner, Restock(milk.id, Q(5)), key="1", now=NOW)
    await ledger.remove(make_uow(), owner, Removal(milk.id, Q(4)), key="2", now=NOW)
    with pytest.raises(UndoRefused):
        await ledger.undo(make_uow(), owner, restock.movement.id, key="3", now=NOW)  # type: ignore[union-attr]


async def test_staff_may_undo_only_their_own(make_uow: MakeUow, owner: Actor) -> None:
    staff = await _staff(make_uow, owner)
    milk = await _product(make_uow, owner)
    mine = await ledger.restock(make_uow(), owner, Restock(milk.id, Q(5)), key="1", now=NOW)
    with pytest.raises(UndoRefused):
        await ledger.undo(make_uow(), staff, mine.movement.id, key="2", now=NOW)  # type: ignore[union-attr]
    theirs = await ledger.remove(make_uow(), staff, Removal(milk.id, Q(1)), key="3", now=NOW)
    undone = await ledger.undo(make_uow(), owner, theirs.movement.id, key="4", now=NOW)  # type: ignore[union-attr]
    assert undone.product.on_hand == Q(5)


async def test_catalog_add_find_edit_archive(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(
        make_uow, owner, "Oat Milk", category="Dairy", unit="L", barcodes=("4006381333931",)
    )
    assert milk.category == "dairy" and milk.unit == "l"
    with pytest.raises(ProductExists):
        await _product(make_uow, owner, "oat  MILK")
    assert await catalog.find_product(make_uow(), owner, "OAT milk") == milk
    assert await catalog.find_product(make_uow(), owner, "4006381333931") == milk
    with pytest.raises(ProductNotFound) as missing:
        await catalog.find_product(make_uow(), owner, "oat mlk")
    assert missing.value.suggestions[0] == (milk.id, "Oat Milk")
    edited = await catalog.edit_product(
        make_uow(), owner, milk.id, ProductFields(name="Oat drink", threshold=Q(3))
    )
    assert await catalog.get_product(make_uow(), owner, milk.id) == edited
    await _product(make_uow, owner, "Bread", category="bakery")
    assert await catalog.categories(make_uow(), owner) == ["bakery", "dairy"]
    names = [p.name for p in await catalog.list_products(make_uow(), owner)]
    assert names == ["Bread", "Oat drink"]
    await catalog.archive_product(make_uow(), owner, milk.id)
    with pytest.raises(ProductNotFound):
        await catalog.get_product(make_uow(), owner, milk.id)
    with pytest.raises(ProductArchived):  # the owner is offered the archived one
        await _product(make_uow, owner, "Oat drink")
    recreated = await catalog.add_product(
        make_uow(), owner, ProductFields(name="Oat drink"), reuse_archived_name=True
    )
    assert recreated.id != milk.id


async def test_staff_cannot_edit_the_catalog(make_uow: MakeUow, owner: Actor) -> None:
    staff = await _staff(make_uow, owner)
    with pytest.raises(OwnerOnly):
        await _product(make_uow, staff, "Milk")


async def test_shops_members_invites_and_settings(make_uow: MakeUow, shop: Shop) -> None:
    owner = Actor(OWNER_ID, shop.id)
    user = await shops.register_user(make_uow(), OWNER_ID, "Olga P")
    assert user.active_shop_id == shop.id
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)
    joined = await shops.join_shop(make_uow(), STAFF_ID, "Sam", invite.code, NOW)
    assert joined.shop == shop and joined.member.role is Role.STAFF
    assert joined.owners == (OWNER_ID,)
    await groups.link_group(make_uow(), OWNER_ID, -100, GroupStanding.ADMIN)
    with pytest.raises(InviteInvalid):
        await shops.join_shop(make_uow(), 1003, "Kim", invite.code, NOW)
    assert await resolve_actor(make_uow(), STAFF_ID, -100) == Actor(STAFF_ID, shop.id)
    assert [m.user_id for m in await shops.team(make_uow(), owner)] == [OWNER_ID, STAFF_ID]
    await shops.set_role(make_uow(), owner, STAFF_ID, Role.OWNER)
    await shops.remove_member(make_uow(), owner, STAFF_ID)
    assert [m.user_id for m in await shops.team(make_uow(), owner)] == [OWNER_ID]
    second = await shops.create_shop(make_uow(), OWNER_ID, "Olga", "Bakery", NOW)
    assert [s.id for s, _ in await shops.my_shops(make_uow(), OWNER_ID)] == [shop.id, second.id]
    assert await shops.switch_shop(make_uow(), OWNER_ID, shop.id) == shop
    updated = await shops.update_settings(
        make_uow(),
        owner,
        shops.SettingsChange(timezone="Asia/Tokyo", currency="jpy", alert_time=time(7, 0)),
    )
    got, _ = await shops.shop_of(make_uow(), owner)
    assert got == updated and got.currency == "JPY" and got.alert_time == time(7, 0)


async def test_expired_invites_are_refused(make_uow: MakeUow, owner: Actor) -> None:
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)
    with pytest.raises(InviteInvalid):
        await shops.join_shop(make_uow(), STAFF_ID, "Sam", invite.code, NOW + timedelta(days=3))


async def test_inventory_dashboard_card_and_history(make_uow: MakeUow, owner: Actor) -> None:
    milk = await _product(make_uow, owner, "Milk", category="dairy", threshold=Q(5))
    bread = await _product(make_uow, owner, "Bread", category="bakery")
    await _product(make_uow, owner, "Salt")
    today = NOW.date()
    await ledger.restock(
        make_uow(), owner, Restock(milk.id, Q(3), expiry=today + timedelta(2)), key="1", now=NOW
    )
    await ledger.restock(
        make_uow(), owner, Restock(bread.id, Q(10), expiry=today - timedelta(1)), key="2", now=NOW
    )
    await ledger.remove(make_uow(), owner, Removal(bread.id, Q(1)), key="3", now=NOW)

    page = await inventory.inventory(make_uow(), owner, InventoryQuery(), now=NOW)
    assert [line.product.name for line in page.lines] == ["Bread", "Milk", "Salt"]
    low = await inventory.inventory(
        make_uow(), owner, InventoryQuery(status=StatusFilter.LOW, sort=SortBy.QUANTITY), now=NOW
    )
    assert [line.product.name for line in low.lines] == ["Salt", "Milk"]
    dairy = await inventory.inventory(make_uow(), owner, InventoryQuery(category="Dairy"), now=NOW)
    assert [line.product.name for line in dairy.lines] == ["Milk"]

    board = await inventory.dashboard(make_uow(), owner, now=NOW)
    assert [x.product.name for x in board.low.first] == ["Salt", "Milk"]  # low or out
    assert [x.product.name for x in board.out.first] == ["Salt"]
    assert [x.product.name for x in board.near_expiry.first] == ["Milk"]
    assert [x.product.name for x in board.expired.first] == ["Bread"]
    assert board.products == 3

    card = await inventory.product_card(make_uow(), owner, milk.id, now=NOW)
    assert card.status.stock is StockStatus.LOW
    assert card.status.expiry is ExpiryStatus.NEAR_EXPIRY
    assert [b.quantity for b in card.batches] == [Q(3)]

    entries = await inventory.history(make_uow(), owner)
    assert [(e.product_name, e.movement.quantity) for e in entries] == [
        ("Bread", Q(-1)),
        ("Bread", Q(10)),
        ("Milk", Q(3)),
    ]
    assert entries[0].user_name == "Olga" and not entries[0].undone
    older = await inventory.history(make_uow(), owner, before_id=entries[0].movement.id, limit=1)
    assert [e.movement.id for e in older] == [entries[1].movement.id]
    await ledger.undo(make_uow(), owner, None, key="4", now=NOW)
    per_bread = await inventory.history(make_uow(), owner, product_id=bread.id)
    assert [e.undone for e in per_bread] == [False, True, False]
