"""The fakes' transactions behave like the real unit of work's. What each repository
method does is one contract for the fakes and both databases:
tests/integration/test_repositories.py."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.model import Movement, Reason, Shop
from core.ports import UnitOfWork
from core.quantities import to_quantity
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWork, uow_factory

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


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(NOW)
    assert clock.now() == NOW
    clock.advance(timedelta(hours=2))
    assert clock.now() == NOW + timedelta(hours=2)
