"""No query crosses shops: a second shop's people cannot see or touch the first shop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from core import catalog, inventory, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.errors import NotAMember, ProductNotFound
from core.inventory import InventoryQuery
from core.ledger import Count, Removal, Restock
from core.model import Role
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]
OUTSIDER_ID = 2001


@pytest.fixture
async def milk_id(make_uow: MakeUow, owner: Actor) -> int:
    product = await catalog.add_product(make_uow(), owner, ProductFields(name="Milk"))
    await ledger.restock(make_uow(), owner, Restock(product.id, Decimal(5)), key="r", now=NOW)
    return product.id


@pytest.fixture
async def outsider(make_uow: MakeUow) -> Actor:
    other = await shops.create_shop(make_uow(), OUTSIDER_ID, "Otto", "Other shop", NOW)
    return Actor(OUTSIDER_ID, other.id)


def _every_service(
    make_uow: MakeUow, actor: Actor, product_id: int
) -> dict[str, Callable[[], Awaitable[object]]]:
    u = make_uow
    return {
        "restock": lambda: ledger.restock(
            u(), actor, Restock(product_id, Decimal(1)), key="x1", now=NOW
        ),
        "remove": lambda: ledger.remove(
            u(), actor, Removal(product_id, Decimal(1)), key="x2", now=NOW
        ),
        "count": lambda: ledger.count(u(), actor, Count(product_id, Decimal(1)), key="x3", now=NOW),
        "undo": lambda: ledger.undo(u(), actor, None, key="x4", now=NOW),
        "add_product": lambda: catalog.add_product(u(), actor, ProductFields(name="Eggs")),
        "edit_product": lambda: catalog.edit_product(
            u(), actor, product_id, ProductFields(name="Eggs")
        ),
        "archive_product": lambda: catalog.archive_product(u(), actor, product_id),
        "find_product": lambda: catalog.find_product(u(), actor, "Milk"),
        "get_product": lambda: catalog.get_product(u(), actor, product_id),
        "list_products": lambda: catalog.list_products(u(), actor),
        "categories": lambda: catalog.categories(u(), actor),
        "inventory": lambda: inventory.inventory(u(), actor, InventoryQuery(), now=NOW),
        "dashboard": lambda: inventory.dashboard(u(), actor, now=NOW),
        "product_card": lambda: inventory.product_card(u(), actor, product_id, now=NOW),
        "history": lambda: inventory.history(u(), actor),
        "create_invite": lambda: shops.create_invite(u(), actor, Role.STAFF, NOW),
        "team": lambda: shops.team(u(), actor),
        "remove_member": lambda: shops.remove_member(u(), actor, 1001),
        "set_role": lambda: shops.set_role(u(), actor, 1001, Role.STAFF),
        "shop_of": lambda: shops.shop_of(u(), actor),
        "update_settings": lambda: shops.update_settings(
            u(), actor, shops.SettingsChange(currency="USD")
        ),
        "switch_shop": lambda: shops.switch_shop(u(), actor.user_id, actor.shop_id),
    }


SERVICES = list(_every_service(lambda: None, Actor(0, 0), 0))  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize("service", SERVICES)
async def test_a_non_member_is_refused_everywhere(
    make_uow: MakeUow, owner: Actor, outsider: Actor, milk_id: int, service: str
) -> None:
    intruder = Actor(outsider.user_id, owner.shop_id)
    with pytest.raises(NotAMember):
        await _every_service(make_uow, intruder, milk_id)[service]()
    # Nothing changed in the first shop.
    async with make_uow() as uow:
        product = await uow.products.get(owner.shop_id, milk_id)
        assert product is not None and product.name == "Milk" and product.on_hand == 5
        assert len(await uow.movements.history(owner.shop_id)) == 1
        assert len(await uow.members.list(owner.shop_id)) == 1


@pytest.mark.parametrize(
    "service",
    [
        "restock",
        "remove",
        "count",
        "edit_product",
        "archive_product",
        "get_product",
        "product_card",
    ],
)
async def test_another_shops_product_id_is_not_found(
    make_uow: MakeUow, owner: Actor, outsider: Actor, milk_id: int, service: str
) -> None:
    with pytest.raises(ProductNotFound):
        await _every_service(make_uow, outsider, milk_id)[service]()
    async with make_uow() as uow:
        assert (await uow.products.get(owner.shop_id, milk_id)).on_hand == 5  # type: ignore[union-attr]


async def test_another_shops_movement_cannot_be_undone(
    make_uow: MakeUow, owner: Actor, outsider: Actor, milk_id: int
) -> None:
    from core.errors import MovementNotFound

    async with make_uow() as uow:
        (movement,) = await uow.movements.history(owner.shop_id)
    with pytest.raises(MovementNotFound):
        await ledger.undo(make_uow(), outsider, movement.id, key="u", now=NOW)


async def test_lists_show_only_the_own_shop(
    make_uow: MakeUow, owner: Actor, outsider: Actor, milk_id: int
) -> None:
    assert await catalog.list_products(make_uow(), outsider) == []
    assert await inventory.history(make_uow(), outsider) == []
    board = await inventory.dashboard(make_uow(), outsider, now=NOW)
    assert board.products == 0
    with pytest.raises(ProductNotFound):
        await catalog.find_product(make_uow(), outsider, "Milk")
