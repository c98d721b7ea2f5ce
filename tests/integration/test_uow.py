"""The unit of work: transactions, and the duplicate-key backstop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest

from core import catalog, ledger
from core.access import Actor
from core.catalog import ProductFields
from core.errors import DuplicateRequest
from core.ledger import MovementResult, Restock
from core.model import Movement, Reason, Shop
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]


def _movement(shop_id: int, product_id: int, key: str) -> Movement:
    return Movement(0, shop_id, product_id, Decimal(1), Reason.RESTOCK, 1, NOW, key)


async def test_a_duplicate_key_becomes_duplicate_request(make_uow: MakeUow, owner: Actor) -> None:
    milk = await catalog.add_product(make_uow(), owner, ProductFields(name="Milk"))
    async with make_uow() as uow:
        await uow.movements.add(_movement(owner.shop_id, milk.id, "k"))
        await uow.commit()
    with pytest.raises(DuplicateRequest):
        async with make_uow() as uow:
            await uow.movements.add(_movement(owner.shop_id, milk.id, "k"))
            await uow.commit()
    async with make_uow() as uow:  # the losing transaction left nothing behind
        assert len(await uow.movements.by_key(owner.shop_id, "k")) == 1


async def test_units_of_work_do_not_nest(make_uow: MakeUow) -> None:
    uow = make_uow()
    async with uow:
        with pytest.raises(RuntimeError):
            await uow.__aenter__()


async def test_a_unit_of_work_can_be_entered_again(make_uow: MakeUow) -> None:
    uow = make_uow()
    async with uow:
        shop = await uow.shops.add(Shop(0, "A"))
        await uow.commit()
    async with uow:
        assert await uow.shops.get(shop.id) == shop


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_one_key_on_two_products_at_once_records_one_movement(
    make_uow: MakeUow, owner: Actor
) -> None:
    # The product lock does not cover this race (two different products), so the unique
    # constraint decides; the loser retries and gets the winner's movement back.
    products = [
        await catalog.add_product(make_uow(), owner, ProductFields(name=name))
        for name in ("Milk", "Bread")
    ]

    async def restock(product_id: int) -> MovementResult:
        async def once() -> MovementResult:
            return await ledger.restock(
                make_uow(), owner, Restock(product_id, Decimal(1)), key="same", now=NOW
            )

        try:
            return await once()
        except DuplicateRequest:
            return await once()  # as the inbox retries the update: now a replay

    results = await asyncio.gather(*(restock(p.id) for p in products for _ in range(3)))
    movements = {r.movement.id for r in results if r.movement}
    assert len(movements) == 1
    async with make_uow() as uow:
        assert len(await uow.movements.by_key(owner.shop_id, "same")) == 1
        on_hand = [(await uow.products.get(owner.shop_id, p.id)).on_hand for p in products]  # type: ignore[union-attr]
    assert sorted(on_hand) == [Decimal(0), Decimal(1)]
