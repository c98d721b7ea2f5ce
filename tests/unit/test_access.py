"""Access from the attacker's side: every use case refuses strangers, removed members
and, for owner actions, staff — and a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core import alerts, catalog, groups, inventory, ledger, shops
from core.access import (
    Actor,
    resolve_actor,
    resolve_actor_for_movement,
    resolve_actor_for_product,
)
from core.catalog import ProductFields
from core.errors import (
    GroupNotLinked,
    InviteInvalid,
    InviteRefusal,
    MovementNotFound,
    NoActiveShop,
    NotAMember,
    OwnerOnly,
    ProductGone,
    ProductNotFound,
)
from core.groups import GroupStanding
from core.inventory import InventoryQuery
from core.ledger import Adjustment, Count, Removal, Restock
from core.model import Role
from core.shops import SettingsChange
from tests.unit.shopfloor import Shopfloor, q


@dataclass(frozen=True)
class Target:
    """What exists in the victim's shop."""

    owner: Actor
    staff: Actor
    product_id: int
    movement_id: int
    victim_user_id: int


UseCase = Callable[[Shopfloor, Actor, Target], Awaitable[object]]


OWNER_ONLY: dict[str, UseCase] = {
    "add_product": lambda f, a, t: catalog.add_product(f.uow, a, ProductFields(name="Tea")),
    "edit_product": lambda f, a, t: catalog.edit_product(
        f.uow, a, t.product_id, ProductFields(threshold=q(9))
    ),
    "archive_product": lambda f, a, t: catalog.archive_product(f.uow, a, t.product_id),
    "create_invite": lambda f, a, t: shops.create_invite(f.uow, a, Role.OWNER, f.clock.now()),
    "team": lambda f, a, t: shops.team(f.uow, a),
    "remove_member": lambda f, a, t: shops.remove_member(f.uow, a, t.victim_user_id),
    "set_role": lambda f, a, t: shops.set_role(f.uow, a, t.victim_user_id, Role.OWNER),
    "update_settings": lambda f, a, t: shops.update_settings(
        f.uow, a, SettingsChange(currency="USD")
    ),
}

FOR_MEMBERS: dict[str, UseCase] = {
    "find_product": lambda f, a, t: catalog.find_product(f.uow, a, "Oat Milk"),
    "get_product": lambda f, a, t: catalog.get_product(f.uow, a, t.product_id),
    "list_products": lambda f, a, t: catalog.list_products(f.uow, a),
    "categories": lambda f, a, t: catalog.categories(f.uow, a),
    "restock": lambda f, a, t: ledger.restock(
        f.uow, a, Restock(t.product_id, q(1)), key="evil-1", now=f.clock.now()
    ),
    "remove": lambda f, a, t: ledger.remove(
        f.uow, a, Removal(t.product_id, q(1)), key="evil-2", now=f.clock.now()
    ),
    "count": lambda f, a, t: ledger.count(
        f.uow, a, Count(t.product_id, q(0)), key="evil-3", now=f.clock.now()
    ),
    "adjust": lambda f, a, t: ledger.adjust(
        f.uow, a, Adjustment(t.product_id, q(-1)), key="evil-4", now=f.clock.now()
    ),
    "undo": lambda f, a, t: ledger.undo(f.uow, a, t.movement_id, key="evil-5", now=f.clock.now()),
    "inventory": lambda f, a, t: inventory.inventory(f.uow, a, InventoryQuery(), now=f.clock.now()),
    "dashboard": lambda f, a, t: inventory.dashboard(f.uow, a, now=f.clock.now()),
    "product_card": lambda f, a, t: inventory.product_card(
        f.uow, a, t.product_id, now=f.clock.now()
    ),
    "history": lambda f, a, t: inventory.history(f.uow, a),
    "shop_of": lambda f, a, t: shops.shop_of(f.uow, a),
    "switch_shop": lambda f, a, t: shops.switch_shop(f.uow, a.user_id, a.shop_id),
}

EVERY_USE_CASE = {**OWNER_ONLY, **FOR_MEMBERS}
# Staff may undo only their own movements (see test_ledger), so undo is not daily work here.
DAILY_WORK = {name: use_case for name, use_case in FOR_MEMBERS.items() if name != "undo"}


@pytest.fixture
async def victim(floor: Shopfloor) -> Target:
    owner = await floor.open_shop(owner_id=1, name="Victim")
    staff = await floor.hire(owner, user_id=2)
    milk = await floor.product(owner, "Oat Milk", category="dairy")
    restock = (await floor.restock(owner, milk.id, 10)).movement
    assert restock is not None
    return Target(owner, staff, milk.id, restock.id, victim_user_id=2)


@pytest.mark.parametrize("use_case", EVERY_USE_CASE.values(), ids=list(EVERY_USE_CASE))
async def test_a_member_of_another_shop_is_not_a_member_here(
    floor: Shopfloor, victim: Target, use_case: UseCase
) -> None:
    attacker = await floor.open_shop(owner_id=66, name="Attacker")
    forged = Actor(attacker.user_id, victim.owner.shop_id)
    state = floor.store.state
    with pytest.raises(NotAMember):
        await use_case(floor, forged, victim)
    assert floor.store.state is state  # nothing was committed


@pytest.mark.parametrize("use_case", EVERY_USE_CASE.values(), ids=list(EVERY_USE_CASE))
async def test_a_removed_member_loses_access_to_everything_at_once(
    floor: Shopfloor, victim: Target, use_case: UseCase
) -> None:
    leaver = await floor.hire(victim.owner, user_id=3, role=Role.OWNER)
    await shops.remove_member(floor.uow, victim.owner, leaver.user_id)
    state = floor.store.state
    with pytest.raises(NotAMember):
        await use_case(floor, leaver, victim)
    assert floor.store.state is state


@pytest.mark.parametrize("use_case", OWNER_ONLY.values(), ids=list(OWNER_ONLY))
async def test_staff_cannot_do_what_only_owners_may(
    floor: Shopfloor, victim: Target, use_case: UseCase
) -> None:
    state = floor.store.state
    with pytest.raises(OwnerOnly):
        await use_case(floor, victim.staff, victim)
    assert floor.store.state is state


# What each piece of daily work gives staff back: the victim shop's own things, changed as
# asked (the shop starts with one product, Oat Milk, 10 on hand, one restock).
DAILY_WORK_GIVES: dict[str, Callable[[Any], object]] = {
    "find_product": lambda product: (product.id, product.shop_id),
    "get_product": lambda product: (product.id, product.shop_id),
    "list_products": lambda products: [(p.id, p.shop_id) for p in products],
    "categories": lambda names: names,
    "restock": lambda done: (done.product.id, done.product.on_hand, done.movement.user_id),
    "remove": lambda done: (done.product.id, done.product.on_hand, done.movement.user_id),
    "count": lambda done: (done.product.id, done.product.on_hand, done.movement.user_id),
    "adjust": lambda done: (done.product.id, done.product.on_hand, done.movement.user_id),
    "inventory": lambda page: [line.product.id for line in page.lines],
    "dashboard": lambda board: (board.shop.id, board.products),
    "product_card": lambda card: (card.shop.id, card.product.id),
    "history": lambda entries: [entry.movement.id for entry in entries],
    "shop_of": lambda shop_and_member: (shop_and_member[0].id, shop_and_member[1].role),
    "switch_shop": lambda shop: shop.id,
}


def _expected(name: str, t: Target) -> object:
    shop, product, staff = t.owner.shop_id, t.product_id, t.staff.user_id
    return {
        "find_product": (product, shop),
        "get_product": (product, shop),
        "list_products": [(product, shop)],
        "categories": ["dairy"],
        "restock": (product, q(11), staff),
        "remove": (product, q(9), staff),
        "count": (product, q(0), staff),
        "adjust": (product, q(9), staff),
        "inventory": [product],
        "dashboard": (shop, 1),
        "product_card": (shop, product),
        "history": [t.movement_id],
        "shop_of": (shop, Role.STAFF),
        "switch_shop": shop,
    }[name]


@pytest.mark.parametrize("name", list(DAILY_WORK))
async def test_staff_may_do_the_daily_work(floor: Shopfloor, victim: Target, name: str) -> None:
    result = await DAILY_WORK[name](floor, victim.staff, victim)
    assert DAILY_WORK_GIVES[name](result) == _expected(name, victim)


async def test_another_shops_product_id_is_not_found_in_your_own_shop(
    floor: Shopfloor, victim: Target
) -> None:
    attacker = await floor.open_shop(owner_id=66, name="Attacker")
    state = floor.store.state
    for attempt in (
        floor.restock(attacker, victim.product_id, 1),
        floor.remove(attacker, victim.product_id, 1),
        floor.count(attacker, victim.product_id, 0),
        catalog.get_product(floor.uow, attacker, victim.product_id),
        catalog.archive_product(floor.uow, attacker, victim.product_id),
        catalog.edit_product(floor.uow, attacker, victim.product_id, ProductFields(name="x")),
        inventory.product_card(floor.uow, attacker, victim.product_id, now=floor.clock.now()),
    ):
        with pytest.raises(ProductNotFound):
            await attempt
    assert floor.store.state is state
    assert await inventory.history(floor.uow, attacker, product_id=victim.product_id) == []


async def test_alert_buttons_with_another_shops_product_id_say_it_is_not_in_this_shop(
    floor: Shopfloor, victim: Target
) -> None:
    # They said "No product called “2”": the id from the button, as if typed as a name.
    attacker = await floor.open_shop(owner_id=66, name="Attacker")
    state = floor.store.state
    for attempt in (
        alerts.set_muted(floor.uow, attacker, victim.product_id, True),
        alerts.mark_ordered(floor.uow, attacker, victim.product_id, floor.clock.now()),
    ):
        with pytest.raises(ProductGone) as gone:
            await attempt
        assert gone.value.product_id == victim.product_id
    assert floor.store.state is state


async def test_another_shops_movement_cannot_be_undone_from_your_own_shop(
    floor: Shopfloor, victim: Target
) -> None:
    attacker = await floor.open_shop(owner_id=66, name="Attacker")
    with pytest.raises(MovementNotFound):
        await floor.undo(attacker, victim.movement_id)
    assert floor.on_hand(victim.product_id) == q(10)


async def test_an_invite_of_another_shop_cannot_be_replayed_after_use(
    floor: Shopfloor, victim: Target
) -> None:
    invite = await shops.create_invite(floor.uow, victim.owner, Role.OWNER, floor.clock.now())
    await shops.join_shop(floor.uow, 10, "Friend", invite.code, floor.clock.now())
    with pytest.raises(InviteInvalid) as refused:
        await shops.join_shop(floor.uow, 66, "Attacker", invite.code, floor.clock.now())
    assert refused.value.why is InviteRefusal.USED
    assert floor.store_member(victim.owner.shop_id, 66) is None


# -- resolve_actor -------------------------------------------------------------------


async def test_in_a_linked_group_a_member_acts_for_that_shop(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    other = await floor.open_shop(owner_id=1, name="Other")  # now the active shop
    await groups.link_group(floor.uow, 1, -100, GroupStanding.ADMIN, shop_name="corner shop")
    assert await resolve_actor(floor.uow, 1, -100) == Actor(1, owner.shop_id)
    assert await resolve_actor(floor.uow, 1, None) == Actor(1, other.shop_id)


async def test_in_a_linked_group_a_stranger_is_not_a_member(floor: Shopfloor) -> None:
    await floor.open_shop(owner_id=1)
    await groups.link_group(floor.uow, 1, -100, GroupStanding.ADMIN)
    await floor.open_shop(owner_id=66, name="Attacker")
    with pytest.raises(NotAMember):
        await resolve_actor(floor.uow, 66, -100)


async def test_in_an_unlinked_group_nobody_acts_for_any_shop(floor: Shopfloor) -> None:
    await floor.open_shop(owner_id=1)
    with pytest.raises(GroupNotLinked):
        await resolve_actor(floor.uow, 1, -999)


async def test_in_private_a_user_acts_for_their_active_shop(floor: Shopfloor) -> None:
    first = await floor.open_shop(owner_id=1)
    await floor.open_shop(owner_id=1, name="Second")
    await shops.switch_shop(floor.uow, 1, first.shop_id)
    assert await resolve_actor(floor.uow, 1, None) == Actor(1, first.shop_id)


async def test_removed_from_the_active_shop_a_user_falls_back_to_another(
    floor: Shopfloor,
) -> None:
    theirs = await floor.open_shop(owner_id=1, name="Theirs")
    mine = await floor.open_shop(owner_id=2, name="Mine")
    await floor.hire(theirs, user_id=2)  # joining makes "Theirs" user 2's active shop
    await shops.remove_member(floor.uow, theirs, 2)
    assert await resolve_actor(floor.uow, 2, None) == Actor(2, mine.shop_id)


async def test_a_user_in_no_shop_has_no_active_shop(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    await floor.hire(owner, user_id=2)
    await shops.remove_member(floor.uow, owner, 2)
    with pytest.raises(NoActiveShop):
        await resolve_actor(floor.uow, 2, None)
    with pytest.raises(NoActiveShop):
        await resolve_actor(floor.uow, 3, None)  # never seen


async def test_a_button_about_a_product_of_another_of_my_shops_acts_there(
    floor: Shopfloor,
) -> None:
    first = await floor.open_shop(owner_id=500, name="First")
    milk = await floor.product(first, "milk")
    second = await floor.open_shop(owner_id=500, name="Second")  # now the active shop

    actor = await resolve_actor_for_product(floor.uow, 500, None, milk.id)

    assert actor == first
    assert actor != second


async def test_a_product_of_a_shop_i_am_not_in_leaves_me_in_my_own(floor: Shopfloor) -> None:
    theirs = await floor.open_shop(owner_id=600, name="Theirs")
    milk = await floor.product(theirs, "milk")
    mine = await floor.open_shop(owner_id=700, name="Mine")

    actor = await resolve_actor_for_product(floor.uow, 700, None, milk.id)

    assert actor == mine
    with pytest.raises(ProductNotFound):
        await inventory.product_card(floor.uow, actor, milk.id, now=floor.clock.now())


async def test_an_undo_of_a_movement_in_another_of_my_shops_acts_there(
    floor: Shopfloor,
) -> None:
    first = await floor.open_shop(owner_id=800, name="First")
    milk = await floor.product(first, "milk")
    restocked = await floor.restock(first, milk.id, 3)
    await floor.open_shop(owner_id=800, name="Second")  # now the active shop
    assert restocked.movement is not None

    actor = await resolve_actor_for_movement(floor.uow, 800, None, restocked.movement.id)

    assert actor == first
    undone = await floor.undo(actor, restocked.movement.id)
    assert undone.product.on_hand == 0


def test_an_owner_only_refusal_is_a_code_the_chat_words() -> None:
    from bot import texts
    from core.access import OwnerAction
    from core.errors import OwnerOnly

    assert set(texts.OWNER_ACTION_WORDS) == set(OwnerAction)
    refusal = OwnerOnly(OwnerAction.ADD_PRODUCTS)
    assert (refusal.code, refusal.action) == ("owner_only", "add_products")
    assert texts.why(refusal) == "Only an owner can add products."
