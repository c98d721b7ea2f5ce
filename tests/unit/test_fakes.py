"""The fakes must behave like the real adapters where core relies on it."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.model import Batch, Movement, Product, Reason, Shop
from core.ports import UnitOfWork
from core.quantities import to_quantity
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWork, IntegrityError, uow_factory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _movement(product_id: int, quantity: str, *, key: str, user: int = 1, **kw: object) -> Movement:
    return Movement(
        id=0,
        shop_id=1,
        product_id=product_id,
        quantity=to_quantity(quantity),
        reason=kw.pop("reason", Reason.RESTOCK),  # type: ignore[arg-type]
        user_id=user,
        created_at=NOW,
        idempotency_key=key,
        **kw,  # type: ignore[arg-type]
    )


def _shape(function: Callable[..., object]) -> tuple[bool, list[str]]:
    """Whether it is awaited, and the names of its parameters."""
    return inspect.iscoroutinefunction(function), list(inspect.signature(function).parameters)


def test_the_fake_unit_of_work_has_every_repository_method_of_the_port(
    uow: FakeUnitOfWork,
) -> None:
    differences = {}
    for attribute, port in typing.get_type_hints(UnitOfWork).items():
        for name, method in vars(port).items():
            if name.startswith("_") or not inspect.isfunction(method):
                continue
            awaited, parameters = _shape(method)
            wanted = (awaited, parameters[1:])  # the port's `self` is bound in the fake
            fake = getattr(getattr(uow, attribute), name, None)
            got = _shape(fake) if callable(fake) else None
            if got != wanted:
                differences[f"{attribute}.{name}"] = (got, wanted)
    assert differences == {}


async def test_changes_are_visible_to_other_units_of_work_only_after_commit(
    store: FakeStore,
) -> None:
    writer, reader = FakeUnitOfWork(store), FakeUnitOfWork(store)
    async with writer:
        shop = await writer.shops.add(Shop(0, "Corner"))
        async with reader:
            assert await reader.shops.get(shop.id) is None
        await writer.commit()
    async with reader:
        assert await reader.shops.get(shop.id) == shop
    assert writer.committed and store.commits == 1


async def test_leaving_the_block_without_commit_discards_changes(uow: FakeUnitOfWork) -> None:
    async with uow:
        shop = await uow.shops.add(Shop(0, "Corner"))
    assert not uow.committed
    async with uow:
        assert await uow.shops.get(shop.id) is None


async def test_an_exception_in_the_block_discards_changes(uow: FakeUnitOfWork) -> None:
    with pytest.raises(RuntimeError):
        async with uow:
            await uow.shops.add(Shop(0, "Corner"))
            raise RuntimeError("boom")
    async with uow:
        assert await uow.shops.list_all() == []


async def test_rollback_drops_uncommitted_changes_inside_the_block(
    uow: FakeUnitOfWork,
) -> None:
    async with uow:
        await uow.shops.add(Shop(0, "Corner"))
        await uow.rollback()
        assert await uow.shops.list_all() == []


async def test_one_instance_is_reentered_as_a_fresh_transaction_each_time(
    uow: FakeUnitOfWork,
) -> None:
    async with uow:
        first = await uow.shops.add(Shop(0, "One"))
        await uow.commit()
    async with uow:
        second = await uow.shops.add(Shop(0, "Two"))
        await uow.commit()
    async with uow:
        assert [s.name for s in await uow.shops.list_all()] == ["One", "Two"]
    assert (first.id, second.id) != (0, 0) and first.id != second.id
    assert uow.commits == 2 and uow.entries == 3


async def test_repositories_refuse_use_outside_a_transaction(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AssertionError):
        await uow.shops.get(1)


async def test_factory_units_of_work_share_one_store(store: FakeStore) -> None:
    make = uow_factory(store)
    async with make() as one:
        shop = await one.shops.add(Shop(0, "Corner"))
        await one.commit()
    async with make() as two:
        assert await two.shops.get(shop.id) == shop


async def test_products_are_scoped_to_their_shop_and_by_name_skips_archived(
    uow: FakeUnitOfWork,
) -> None:
    async with uow:
        milk = await uow.products.add(Product(0, 1, "Oat Milk"))
        await uow.products.add(Product(0, 1, "Old Bread", archived=True))
        assert await uow.products.get(2, milk.id) is None
        assert await uow.products.get_for_update(1, milk.id) == milk
        assert await uow.products.by_name(1, "oat milk") == milk
        assert await uow.products.by_name(2, "oat milk") is None
        assert await uow.products.by_name(1, "old bread") is None
        assert [p.name for p in await uow.products.list(1)] == ["Oat Milk"]
        assert len(await uow.products.list(1, include_archived=True)) == 2


async def test_batches_in_stock_are_those_above_zero_and_never_negative(
    uow: FakeUnitOfWork,
) -> None:
    async with uow:
        full = await uow.batches.add(Batch(0, 7, 1, to_quantity(3), NOW))
        empty = await uow.batches.add(Batch(0, 7, 1, to_quantity(0), NOW + timedelta(1)))
        assert await uow.batches.in_stock(7) == [full]
        assert await uow.batches.latest(7) == empty
        with pytest.raises(IntegrityError):
            await uow.batches.set_quantity(full.id, to_quantity(-1))


async def test_movements_last_by_user_skips_undos_and_undone(uow: FakeUnitOfWork) -> None:
    async with uow:
        kept = await uow.movements.add(_movement(7, "1", key="a"))
        undone = await uow.movements.add(_movement(7, "2", key="b"))
        await uow.movements.add(
            _movement(7, "-2", key="c", reason=Reason.UNDO, reverses_id=undone.id)
        )
        await uow.movements.add(_movement(7, "5", key="d", user=2))
        assert await uow.movements.last_by_user(1, 1) == kept
        assert await uow.movements.undo_of(undone.id) is not None
        assert await uow.movements.undo_of(kept.id) is None


async def test_movements_history_is_newest_first_and_pages_backwards(
    uow: FakeUnitOfWork,
) -> None:
    async with uow:
        ids = [(await uow.movements.add(_movement(7, "1", key=f"k{i}"))).id for i in range(5)]
        await uow.movements.add(_movement(8, "1", key="other"))
        page = await uow.movements.history(1, product_id=7, limit=2)
        assert [m.id for m in page] == [ids[4], ids[3]]
        page = await uow.movements.history(1, product_id=7, before_id=ids[3], limit=2)
        assert [m.id for m in page] == [ids[2], ids[1]]
        assert await uow.movements.history(2) == []


async def test_an_idempotency_key_is_unique_per_shop(uow: FakeUnitOfWork) -> None:
    async with uow:
        await uow.movements.add(_movement(7, "1", key="k"))
        with pytest.raises(IntegrityError):
            await uow.movements.add(_movement(7, "1", key="k"))
        assert len(await uow.movements.by_key(1, "k")) == 1


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(NOW)
    assert clock.now() == NOW
    clock.advance(timedelta(hours=2))
    assert clock.now() == NOW + timedelta(hours=2)
