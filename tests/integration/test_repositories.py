"""Every repository method, one contract for each adapter: the in-memory fakes the unit
tests use (tests/fakes.py), SQLite and PostgreSQL. A fake that drifts from the database
fails here, not in a unit test that trusted it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from core.model import (
    Allocation,
    Batch,
    Invite,
    Member,
    Movement,
    Product,
    Reason,
    Role,
    Shop,
    User,
    UserLanguage,
)
from core.ports import UnitOfWork
from tests import fakes
from tests.integration.conftest import NOW

Q = Decimal
# What each adapter raises when a constraint refuses a write.
REFUSED = (IntegrityError, fakes.IntegrityError)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def uow(backend: str, request: pytest.FixtureRequest) -> UnitOfWork:
    if backend == "fake":
        return fakes.FakeUnitOfWork()
    make_uow: Callable[[], UnitOfWork] = request.getfixturevalue("make_uow")
    return make_uow()


async def _shop(uow: UnitOfWork, name: str = "Corner Cafe") -> Shop:
    async with uow:
        shop = await uow.shops.add(Shop(0, name, timezone="Europe/Berlin", created_at=NOW))
        await uow.commit()
    return shop


async def _product(uow: UnitOfWork, shop_id: int, name: str = "Oat milk", **kw: object) -> Product:
    async with uow:
        product = await uow.products.add(Product(0, shop_id, name, **kw))  # type: ignore[arg-type]
        await uow.commit()
    return product


async def test_shops_add_get_update_list(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    assert shop.id > 0
    async with uow:
        loaded = await uow.shops.get(shop.id)
        assert loaded == shop
        assert loaded.created_at == NOW and loaded.created_at.tzinfo is not None
        changed = Shop(
            shop.id,
            "Cafe",
            timezone="Asia/Tokyo",
            currency="JPY",
            near_expiry_days=3,
            alert_time=time(6, 45),
            day_first=False,
            created_at=NOW,
        )
        await uow.shops.update(changed)
        await uow.commit()
    async with uow:
        assert await uow.shops.get(shop.id) == changed
        assert await uow.shops.get(shop.id + 999) is None
        other = await uow.shops.add(Shop(0, "Bakery"))
        assert [s.id for s in await uow.shops.list_all()] == [shop.id, other.id]


async def test_leaving_without_commit_rolls_back(uow: UnitOfWork) -> None:
    async with uow:
        shop = await uow.shops.add(Shop(0, "Ghost"))
    async with uow:
        assert await uow.shops.get(shop.id) is None
        assert await uow.shops.list_all() == []


async def test_explicit_rollback_discards(uow: UnitOfWork) -> None:
    async with uow:
        shop = await uow.shops.add(Shop(0, "Ghost"))
        await uow.rollback()
        assert await uow.shops.get(shop.id) is None


async def test_users_save_inserts_then_updates(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    async with uow:
        assert await uow.users.get(7) is None
        await uow.users.save(User(7, "Ann"))
        await uow.commit()
    async with uow:
        assert await uow.users.get(7) == User(7, "Ann", None)
        await uow.users.save(User(7, "Ann B", shop.id))
        await uow.commit()
    async with uow:
        assert await uow.users.get(7) == User(7, "Ann B", shop.id)


async def test_users_may_have_telegram_sized_ids(uow: UnitOfWork) -> None:
    async with uow:
        await uow.users.save(User(7_000_000_000, "Big"))
        await uow.commit()
    async with uow:
        assert await uow.users.get(7_000_000_000) == User(7_000_000_000, "Big")


async def test_members_add_get_set_role_list_remove(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    async with uow:
        await uow.members.add(Member(shop.id, 1, Role.OWNER, "Olga"))
        await uow.members.add(Member(shop.id, 2, Role.STAFF, "Sam"))
        await uow.members.add(Member(other.id, 2, Role.OWNER, "Sam"))
        await uow.commit()
    async with uow:
        assert await uow.members.get(shop.id, 2) == Member(shop.id, 2, Role.STAFF, "Sam")
        assert await uow.members.get(shop.id, 3) is None
        await uow.members.set_role(shop.id, 2, Role.OWNER)
        await uow.commit()
    async with uow:
        assert (await uow.members.get(shop.id, 2)).role is Role.OWNER  # type: ignore[union-attr]
        assert [m.user_id for m in await uow.members.list(shop.id)] == [1, 2]
        shops = await uow.members.shops_of(2)
        assert [(s.id, m.role) for s, m in shops] == [(shop.id, Role.OWNER), (other.id, Role.OWNER)]
        assert shops[0][0] == shop
        await uow.members.remove(shop.id, 2)
        await uow.members.remove(shop.id, 99)  # not a member: nothing to do
        await uow.commit()
    async with uow:
        assert await uow.members.get(shop.id, 2) is None
        assert [s.id for s, _ in await uow.members.shops_of(2)] == [other.id]


async def test_a_members_read_holds_the_shop_as_stored(uow: UnitOfWork) -> None:
    """The member's read brings its shop in the same statement (every shop column,
    renamed); the shop the unit of work then answers is the shop as stored, each field."""
    async with uow:
        stored = await uow.shops.add(
            Shop(
                0,
                "Аптека",
                timezone="Asia/Tokyo",
                currency="JPY",
                near_expiry_days=3,
                alert_time=time(6, 45),
                day_first=False,
                created_at=NOW,
                language="ru",
            )
        )
        await uow.members.add(Member(stored.id, 1, Role.OWNER, "Olga"))
        await uow.commit()
    async with uow:
        assert await uow.members.get(stored.id, 1) is not None
        assert await uow.shops.get(stored.id) == stored


async def test_a_member_is_unique_per_shop(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    async with uow:
        await uow.members.add(Member(shop.id, 1, Role.OWNER, "Olga"))
        with pytest.raises(REFUSED):
            await uow.members.add(Member(shop.id, 1, Role.STAFF, "Olga"))


async def test_chats_link_relink_and_shop_of(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    async with uow:
        assert await uow.chats.shop_of(-100123) is None
        await uow.chats.link(-100123, shop.id)
        await uow.commit()
    async with uow:
        assert await uow.chats.shop_of(-100123) == shop.id
        await uow.chats.link(-100123, other.id)
        await uow.commit()
    async with uow:
        assert await uow.chats.shop_of(-100123) == other.id


async def test_chats_unlink_and_the_groups_of_a_shop(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    async with uow:
        for chat_id, shop_id in ((-300, shop.id), (-100, shop.id), (-200, other.id)):
            await uow.chats.link(chat_id, shop_id)
        await uow.commit()
    async with uow:
        assert list(await uow.chats.groups_of(shop.id)) == [-300, -100]
        await uow.chats.unlink(-300)
        await uow.chats.unlink(-999)  # not linked: nothing to do
        await uow.commit()
    async with uow:
        assert await uow.chats.shop_of(-300) is None
        assert list(await uow.chats.groups_of(shop.id)) == [-100]
        assert list(await uow.chats.groups_of(other.id)) == [-200]


async def test_invites_add_get_for_update_mark_used(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    invite = Invite("abc123", shop.id, Role.STAFF, 1, NOW + timedelta(hours=48))
    async with uow:
        await uow.invites.add(invite)
        await uow.commit()
    async with uow:
        assert await uow.invites.get_for_update("abc123") == invite
        assert await uow.invites.get_for_update("nope") is None
        await uow.invites.mark_used("abc123", 5, NOW + timedelta(hours=1))
        await uow.commit()
    async with uow:
        used = await uow.invites.get_for_update("abc123")
    assert used is not None
    assert (used.used_by, used.used_at) == (5, NOW + timedelta(hours=1))
    assert used.expires_at.tzinfo is not None


async def test_products_round_trip_every_field(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(
        uow,
        shop.id,
        "Oat  Milk",
        category="dairy",
        unit="l",
        threshold=Q("2.500"),
        price=Q("1.99"),
        cost=Q("0.85"),
        barcodes=("4006381333931", "123"),
        supplier="Oatly",
        expiry_warning_days=3,
        reorder_date=date(2026, 3, 9),
        on_hand=Q("12.125"),
        earliest_expiry=date(2026, 3, 20),
    )
    assert product.id > 0
    async with uow:
        loaded = await uow.products.get(shop.id, product.id)
    assert loaded == product
    assert loaded.threshold == Q("2.500") and str(loaded.on_hand) == "12.125"
    assert str(loaded.price) == "1.99"


async def test_products_get_is_scoped_to_the_shop(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    product = await _product(uow, shop.id)
    async with uow:
        assert await uow.products.get(other.id, product.id) is None
        assert await uow.products.get_for_update(other.id, product.id) is None
        assert await uow.products.get_for_update(shop.id, product.id) == product


async def test_products_by_name_uses_the_name_key_and_skips_archived(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id, "Oat Milk")
    async with uow:
        assert await uow.products.by_name(shop.id, "oat milk") == product
        assert await uow.products.by_name(shop.id, "oat") is None
        await uow.products.update(Product(product.id, shop.id, "Oat Milk", archived=True))
        await uow.commit()
    async with uow:
        assert await uow.products.by_name(shop.id, "oat milk") is None


async def test_product_names_are_unique_among_active_products(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    first = await _product(uow, shop.id, "Oat Milk")
    async with uow:
        with pytest.raises(REFUSED):
            await uow.products.add(Product(0, shop.id, "OAT   milk"))
    async with uow:
        await uow.products.update(Product(first.id, shop.id, "Oat Milk", archived=True))
        again = await uow.products.add(Product(0, shop.id, "oat milk"))
        await uow.commit()
    other = await _shop(uow, "Bakery")
    await _product(uow, other.id, "Oat Milk")  # another shop may use the name
    assert again.id != first.id


async def test_products_list_filters_and_sorts_by_name(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    await _product(uow, shop.id, "milk", category="dairy")
    await _product(uow, shop.id, "Bread", category="bakery")
    cheese = await _product(uow, shop.id, "cheese", category="dairy")
    await _product(uow, other.id, "Alien", category="dairy")
    async with uow:
        await uow.products.update(Product(cheese.id, shop.id, "cheese", "dairy", archived=True))
        await uow.commit()
    async with uow:
        assert [p.name for p in await uow.products.list(shop.id)] == ["Bread", "milk"]
        assert [p.name for p in await uow.products.list(shop.id, category="dairy")] == ["milk"]
        everything = await uow.products.list(shop.id, include_archived=True)
        assert [p.name for p in everything] == ["Bread", "cheese", "milk"]
        assert await uow.products.categories(shop.id) == ["bakery", "dairy"]


async def test_products_update_writes_catalog_and_snapshot(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id, "Milk", barcodes=("1",))
    changed = Product(
        product.id,
        shop.id,
        "Whole milk",
        category="dairy",
        unit="l",
        threshold=Q("4.000"),
        price=None,
        cost=Q("0.70"),
        barcodes=(),
        on_hand=Q("3.000"),
        earliest_expiry=date(2026, 4, 1),
        reorder_date=date(2026, 3, 5),
    )
    async with uow:
        await uow.products.update(changed)
        await uow.commit()
    async with uow:
        assert await uow.products.get(shop.id, product.id) == changed
        assert await uow.products.by_name(shop.id, "whole milk") == changed


async def test_on_hand_cannot_go_negative(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id)
    async with uow:
        with pytest.raises(REFUSED):
            await uow.products.update(Product(product.id, shop.id, "Oat milk", on_hand=Q("-1")))


async def _batch(uow: UnitOfWork, product: Product, quantity: str, **kw: object) -> Batch:
    kw.setdefault("received_at", NOW)
    batch = Batch(0, product.id, product.shop_id, Q(quantity), **kw)  # type: ignore[arg-type]
    return await uow.batches.add(batch)


async def test_batches_add_get_in_stock_latest(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id)
    async with uow:
        assert await uow.batches.latest(product.id) is None
        old = await _batch(uow, product, "5", expiry=date(2026, 3, 10), cost=Q("0.80"))
        await _batch(uow, product, "0", received_at=NOW + timedelta(hours=1))
        new = await _batch(uow, product, "2.5", received_at=NOW + timedelta(hours=2))
        await uow.commit()
    async with uow:
        assert await uow.batches.get(old.id) == old
        assert old.received_at == NOW and old.cost == Q("0.80")
        assert await uow.batches.get(old.id + 999) is None
        assert [b.id for b in await uow.batches.in_stock(product.id)] == [old.id, new.id]
        assert await uow.batches.latest(product.id) == new


# A batch going negative is refused: see test_movements_record_writes_batches_product_and_
# movement_at_once.


async def test_a_batch_belongs_to_a_product_of_its_own_shop(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    product = await _product(uow, shop.id)
    async with uow:
        with pytest.raises(REFUSED):
            await uow.batches.add(Batch(0, product.id, other.id, Q("1"), NOW))


def _movement(product: Product, quantity: str, key: str, **kw: object) -> Movement:
    kw.setdefault("reason", Reason.RESTOCK)
    kw.setdefault("user_id", 1)
    return Movement(
        id=0,
        shop_id=product.shop_id,
        product_id=product.id,
        quantity=Q(quantity),
        created_at=NOW,
        idempotency_key=key,
        **kw,  # type: ignore[arg-type]
    )


async def test_movements_add_and_get_with_allocations(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    product = await _product(uow, shop.id)
    async with uow:
        b1 = await _batch(uow, product, "3")
        b2 = await _batch(uow, product, "3")
        movement = await uow.movements.add(
            _movement(
                product,
                "-4",
                "upd:1",
                reason=Reason.SALE,
                allocations=(Allocation(b2.id, Q("-3")), Allocation(b1.id, Q("-1"))),
                note="lunch rush",
                cost=Q("0.50"),
                price=Q("1.20"),
                expiry=date(2026, 3, 9),
                reorder_date=date(2026, 3, 4),
            )
        )
        await uow.commit()
    assert movement.id > 0
    async with uow:
        loaded = await uow.movements.get(shop.id, movement.id)
        assert loaded == movement
        assert loaded.allocations == (Allocation(b2.id, Q("-3.000")), Allocation(b1.id, Q("-1")))
        assert loaded.created_at == NOW
        assert await uow.movements.get(other.id, movement.id) is None
        assert await uow.movements.get(shop.id, movement.id + 99) is None


async def test_movements_record_writes_batches_product_and_movement_at_once(
    uow: UnitOfWork,
) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id, on_hand=Q("6"))
    other = await _product(uow, shop.id, "Bread")
    async with uow:
        b1 = await _batch(uow, product, "3", expiry=date(2026, 3, 9))
        b2 = await _batch(uow, product, "3")
        foreign = await _batch(uow, other, "1")
        await uow.commit()
    sold = _movement(
        product,
        "-4",
        "sale:1",
        reason=Reason.SALE,
        allocations=(Allocation(b1.id, Q("-3")), Allocation(b2.id, Q("-1"))),
        sale_price=Q("1.20"),
    )
    after = replace(product, on_hand=Q("2"), earliest_expiry=None, price=Q("1.20"))
    async with uow:
        recorded = await uow.movements.record(
            sold, [replace(b1, quantity=Q("0")), replace(b2, quantity=Q("2"))], after
        )
        await uow.commit()
    assert recorded == replace(sold, id=recorded.id) and recorded.id > 0
    async with uow:
        assert await uow.movements.get(shop.id, recorded.id) == recorded
        assert await uow.products.get(shop.id, product.id) == after
        assert [(b.id, b.quantity) for b in await uow.batches.in_stock(product.id)] == [
            (b2.id, Q("2"))
        ]
    # Each write fails as its own repository's would, and takes the others with it.
    async with uow:
        with pytest.raises(REFUSED):
            await uow.movements.record(
                _movement(product, "-3", "sale:2", reason=Reason.SALE),
                [replace(b2, quantity=Q("-1"))],
                replace(after, on_hand=Q("0")),
            )
    async with uow:
        with pytest.raises(LookupError):
            await uow.movements.record(
                _movement(product, "-1", "sale:3", reason=Reason.SALE),
                [replace(foreign, quantity=Q("0"))],
                replace(after, on_hand=Q("1")),
            )
    async with uow:
        with pytest.raises(REFUSED):
            await uow.movements.record(sold, [], after)  # the key was used
    async with uow:
        assert await uow.products.get(shop.id, product.id) == after
        assert (await uow.batches.get(foreign.id)).quantity == Q("1")  # type: ignore[union-attr]
        assert await uow.movements.by_key(shop.id, "sale:3") == []


async def test_movements_by_key_is_per_shop_and_keys_are_unique(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    product = await _product(uow, shop.id)
    foreign = await _product(uow, other.id)
    async with uow:
        first = await uow.movements.add(_movement(product, "1", "k"))
        await uow.movements.add(_movement(foreign, "1", "k"))  # same key, other shop: fine
        await uow.commit()
    async with uow:
        assert await uow.movements.by_key(shop.id, "k") == [first]
        assert await uow.movements.by_key(shop.id, "nope") == []
        with pytest.raises(REFUSED):
            await uow.movements.add(_movement(product, "2", "k"))


async def test_undo_of_and_once_only(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id)
    async with uow:
        sale = await uow.movements.add(_movement(product, "-1", "a", reason=Reason.SALE))
        assert await uow.movements.undo_of(sale.id) is None
        undo = await uow.movements.add(
            _movement(product, "1", "b", reason=Reason.UNDO, reverses_id=sale.id)
        )
        await uow.commit()
    async with uow:
        assert await uow.movements.undo_of(sale.id) == undo
        with pytest.raises(REFUSED):
            await uow.movements.add(
                _movement(product, "1", "c", reason=Reason.UNDO, reverses_id=sale.id)
            )


async def test_last_by_user_skips_undos_and_undone(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    product = await _product(uow, shop.id)
    foreign = await _product(uow, other.id)
    async with uow:
        assert await uow.movements.last_by_user(shop.id, 1) is None
        first = await uow.movements.add(_movement(product, "5", "1"))
        second = await uow.movements.add(_movement(product, "-1", "2", reason=Reason.SALE))
        await uow.movements.add(_movement(product, "-1", "3", reason=Reason.SALE, user_id=2))
        await uow.movements.add(_movement(foreign, "1", "4"))  # same user, other shop
        assert await uow.movements.last_by_user(shop.id, 1) == second
        await uow.movements.add(
            _movement(product, "1", "5", reason=Reason.UNDO, reverses_id=second.id)
        )
        assert await uow.movements.last_by_user(shop.id, 1) == first
        assert (await uow.movements.last_by_user(shop.id, 2)).idempotency_key == "3"  # type: ignore[union-attr]


async def test_newest_by_user_is_any_kind_of_movement_in_the_shop(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    product = await _product(uow, shop.id)
    foreign = await _product(uow, other.id)
    async with uow:
        assert await uow.movements.newest_by_user(shop.id, 1) is None
        sale = await uow.movements.add(_movement(product, "-1", "1", reason=Reason.SALE))
        undo = await uow.movements.add(
            _movement(product, "1", "2", reason=Reason.UNDO, reverses_id=sale.id)
        )
        await uow.movements.add(_movement(product, "-1", "3", reason=Reason.SALE, user_id=2))
        await uow.movements.add(_movement(foreign, "1", "4"))  # same user, other shop
        assert await uow.movements.newest_by_user(shop.id, 1) == undo


async def test_history_newest_first_paged_and_per_product(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    milk = await _product(uow, shop.id, "Milk")
    bread = await _product(uow, shop.id, "Bread")
    foreign = await _product(uow, other.id)
    async with uow:
        ids = []
        for i in range(7):
            product = milk if i % 2 == 0 else bread
            ids.append((await uow.movements.add(_movement(product, "1", f"k{i}"))).id)
        await uow.movements.add(_movement(foreign, "1", "x"))
        await uow.commit()
    async with uow:
        page = await uow.movements.history(shop.id, limit=3)
        assert [m.id for m in page] == ids[::-1][:3]
        page2 = await uow.movements.history(shop.id, limit=3, before_id=page[-1].id)
        assert [m.id for m in page2] == ids[::-1][3:6]
        everything = await uow.movements.history(shop.id, limit=100)
        assert [m.id for m in everything] == ids[::-1]
        per_milk = await uow.movements.history(shop.id, product_id=milk.id)
        assert [m.id for m in per_milk] == ids[::2][::-1]
        assert await uow.movements.history(shop.id, product_id=foreign.id) == []


async def test_movements_since_a_time_and_each_products_first_move(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    other = await _shop(uow, "Bakery")
    milk = await _product(uow, shop.id, "Milk")
    bread = await _product(uow, shop.id, "Bread")
    foreign = await _product(uow, other.id)
    async with uow:
        for day, product in enumerate([milk, bread, milk, bread]):
            at = NOW + timedelta(days=day)
            await uow.movements.add(replace(_movement(product, "1", f"k{day}"), created_at=at))
        await uow.movements.add(_movement(foreign, "1", "x"))
        await uow.commit()
    async with uow:
        since = await uow.movements.since(shop.id, NOW + timedelta(days=1))
        assert [(m.product_id, m.created_at) for m in since] == [
            (bread.id, NOW + timedelta(days=1)),
            (milk.id, NOW + timedelta(days=2)),
            (bread.id, NOW + timedelta(days=3)),
        ]
        assert await uow.movements.first_moves(shop.id) == {
            milk.id: NOW,
            bread.id: NOW + timedelta(days=1),
        }


async def test_a_persons_language_round_trips_without_a_users_row(uow: UnitOfWork) -> None:
    async with uow:
        assert await uow.users.language(77) == UserLanguage()
        await uow.users.save_language(77, UserLanguage(chosen="ru"))
        await uow.commit()
    async with uow:
        await uow.users.save_language(77, UserLanguage(chosen="ru", seen="en"))
        await uow.commit()
    async with uow:
        assert await uow.users.language(77) == UserLanguage("ru", "en")
        assert await uow.users.get(77) is None


async def test_datetimes_come_back_aware_in_utc(uow: UnitOfWork) -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    async with uow:
        shop = await uow.shops.add(Shop(0, "Cafe", created_at=local))
        await uow.commit()
    async with uow:
        loaded = await uow.shops.get(shop.id)
    assert loaded is not None and loaded.created_at == local
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.created_at.tzinfo == UTC or loaded.created_at.tzname() == "UTC"


async def test_naive_datetimes_are_refused(uow: UnitOfWork) -> None:
    from sqlalchemy.exc import StatementError

    async with uow:
        with pytest.raises((StatementError, ValueError), match="naive datetime"):
            await uow.shops.add(Shop(0, "Cafe", created_at=datetime(2026, 1, 1)))


async def test_large_exact_quantities_round_trip(uow: UnitOfWork) -> None:
    shop = await _shop(uow)
    product = await _product(uow, shop.id, on_hand=Q("999999999.999"), threshold=Q("0.001"))
    async with uow:
        loaded = await uow.products.get(shop.id, product.id)
    assert loaded is not None
    assert loaded.on_hand == Q("999999999.999") and loaded.threshold == Q("0.001")
    assert isinstance(loaded.on_hand, Decimal)
