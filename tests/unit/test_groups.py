"""Group chats from the attacker's side: who may link, move and unlink a group, and
that a shared identity (an anonymous admin, a channel) is never anybody."""

from __future__ import annotations

import pytest

from bot import texts
from core import groups, shops
from core.access import Actor, SharedAs, Speaker, chat_shows, person_of, resolve_actor
from core.errors import (
    GroupAdminOnly,
    GroupNotLinked,
    Invalid,
    InvalidValue,
    NoActiveShop,
    NotAMember,
    OwnerOnly,
    SharedIdentity,
    ValueRefused,
)
from core.groups import GroupStanding
from core.model import Role
from tests.unit.shopfloor import Shopfloor

GROUP = -100500
ADMIN, MEMBER, OUTSIDER = GroupStanding.ADMIN, GroupStanding.MEMBER, GroupStanding.OUTSIDER


@pytest.mark.parametrize("shared_as", list(SharedAs))
def test_a_shared_identity_is_nobody_in_particular(shared_as: SharedAs) -> None:
    with pytest.raises(SharedIdentity) as refused:
        person_of(Speaker(1087968824, shared_as))
    assert refused.value.shared_as == shared_as
    assert person_of(Speaker(42)) == 42


async def test_an_owner_who_is_an_admin_of_the_group_links_it(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1, name="Cafe")

    linked = await groups.link_group(floor.uow, 1, GROUP, ADMIN)

    assert (linked.shop.id, linked.moved_from, linked.changed) == (owner.shop_id, None, True)
    assert await resolve_actor(floor.uow, 1, GROUP) == owner
    again = await groups.link_group(floor.uow, 1, GROUP, ADMIN)
    assert not again.changed


@pytest.mark.parametrize("standing", [MEMBER, OUTSIDER])
async def test_an_owner_who_is_not_an_admin_of_the_group_cannot_link_it(
    floor: Shopfloor, standing: GroupStanding
) -> None:
    await floor.open_shop(owner_id=1)
    state = floor.store.state
    with pytest.raises(GroupAdminOnly):
        await groups.link_group(floor.uow, 1, GROUP, standing)
    assert floor.store.state is state


async def test_a_stranger_cannot_claim_a_group_even_as_its_admin(floor: Shopfloor) -> None:
    await floor.open_shop(owner_id=1)
    with pytest.raises(NoActiveShop):
        await groups.link_group(floor.uow, 66, GROUP, ADMIN)
    assert floor.store.state.chats == {}


async def test_staff_cannot_link_their_shop_even_as_an_admin(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    await floor.hire(owner, user_id=2)
    with pytest.raises(OwnerOnly):
        await groups.link_group(floor.uow, 2, GROUP, ADMIN)
    assert floor.store.state.chats == {}


async def test_an_owner_moves_a_group_to_another_of_their_shops_by_name(
    floor: Shopfloor,
) -> None:
    cafe = await floor.open_shop(owner_id=1, name="Cafe")
    bakery = await floor.open_shop(owner_id=1, name="Bakery")  # now the active shop
    await groups.link_group(floor.uow, 1, GROUP, ADMIN, shop_name="cafe")

    moved = await groups.link_group(floor.uow, 1, GROUP, ADMIN, shop_name="Bakery")

    assert moved.moved_from is not None and moved.moved_from.id == cafe.shop_id
    assert moved.shop.id == bakery.shop_id
    assert floor.store.state.chats == {GROUP: bakery.shop_id}
    with pytest.raises(ValueRefused) as refused:
        await groups.link_group(floor.uow, 1, GROUP, ADMIN, shop_name="Deli")
    assert (refused.value.code, refused.value.values) == (Invalid.NO_SHOP_CALLED, {"name": "Deli"})
    assert "no shop called “Deli”" in texts.why(refused.value)


async def test_a_shop_name_of_someone_elses_shop_links_nothing(floor: Shopfloor) -> None:
    await floor.open_shop(owner_id=1, name="Cafe")
    await floor.open_shop(owner_id=66, name="Squat")
    with pytest.raises(InvalidValue):
        await groups.link_group(floor.uow, 66, GROUP, ADMIN, shop_name="Cafe")
    assert floor.store.state.chats == {}


async def test_the_groups_admin_takes_back_a_group_another_shop_holds(
    floor: Shopfloor,
) -> None:
    # Issue 12: a stranger's shop held the group, and its real owner could do nothing.
    squat = await floor.open_shop(owner_id=66, name="Squat")
    floor.store.state.chats[GROUP] = squat.shop_id  # linked before links needed an admin
    mine = await floor.open_shop(owner_id=1, name="Cafe")

    moved = await groups.link_group(floor.uow, 1, GROUP, ADMIN)

    assert moved.moved_from is not None and moved.moved_from.name == "Squat"
    assert await resolve_actor(floor.uow, 1, GROUP) == mine
    with pytest.raises(NotAMember):
        await resolve_actor(floor.uow, 66, GROUP)


async def test_the_squatter_cannot_take_it_again_without_being_an_admin(
    floor: Shopfloor,
) -> None:
    await floor.open_shop(owner_id=66, name="Squat")
    mine = await floor.open_shop(owner_id=1, name="Cafe")
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)
    for standing in (MEMBER, OUTSIDER):
        with pytest.raises(GroupAdminOnly):
            await groups.link_group(floor.uow, 66, GROUP, standing)
        with pytest.raises(GroupAdminOnly):
            await groups.unlink_group(floor.uow, 66, GROUP, standing)
    assert floor.store.state.chats == {GROUP: mine.shop_id}


async def test_an_owner_of_the_linked_shop_may_unlink_without_being_an_admin(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop(owner_id=1, name="Cafe")
    partner = await floor.hire(owner, user_id=2, role=Role.OWNER)
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)

    unlinked = await groups.unlink_group(floor.uow, partner.user_id, GROUP, MEMBER)

    assert unlinked.id == owner.shop_id
    assert floor.store.state.chats == {}
    with pytest.raises(GroupNotLinked):
        await groups.unlink_group(floor.uow, 1, GROUP, ADMIN)


async def test_staff_who_are_not_admins_cannot_unlink(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    await floor.hire(owner, user_id=2)
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)
    with pytest.raises(GroupAdminOnly):
        await groups.unlink_group(floor.uow, 2, GROUP, MEMBER)
    assert floor.store.state.chats == {GROUP: owner.shop_id}


async def test_any_admin_of_the_group_may_unlink_it(floor: Shopfloor) -> None:
    await floor.open_shop(owner_id=1)
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)
    await groups.unlink_group(floor.uow, 77, GROUP, ADMIN)  # in no shop at all
    assert floor.store.state.chats == {}


async def test_an_owner_lists_and_unlinks_the_shops_groups_from_private(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop(owner_id=1, name="Cafe")
    staff = await floor.hire(owner, user_id=2)
    other = await floor.open_shop(owner_id=66, name="Other")
    await shops.switch_shop(floor.uow, 1, owner.shop_id)
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)
    await groups.link_group(floor.uow, 66, -7, ADMIN)

    assert list(await groups.linked_groups(floor.uow, owner)) == [GROUP]
    with pytest.raises(OwnerOnly):
        await groups.linked_groups(floor.uow, staff)
    with pytest.raises(GroupNotLinked):  # another shop's group, by its id
        await groups.unlink_from_shop(floor.uow, owner, -7)
    with pytest.raises(NotAMember):
        await groups.unlink_from_shop(floor.uow, Actor(1, other.shop_id), -7)
    await groups.unlink_from_shop(floor.uow, owner, GROUP)
    assert floor.store.state.chats == {-7: other.shop_id}


async def test_a_group_shows_only_the_shop_it_is_linked_to(floor: Shopfloor) -> None:
    cafe = await floor.open_shop(owner_id=1, name="Cafe")
    deli = await floor.open_shop(owner_id=1, name="Deli")
    await groups.link_group(floor.uow, 1, GROUP, ADMIN, shop_name="Cafe")

    assert await chat_shows(floor.uow, GROUP, cafe.shop_id)
    assert not await chat_shows(floor.uow, GROUP, deli.shop_id)
    assert not await chat_shows(floor.uow, -999, cafe.shop_id)  # linked to no shop
    assert await chat_shows(floor.uow, None, deli.shop_id)  # a private chat


async def test_neither_a_new_shop_nor_an_invite_links_a_group(floor: Shopfloor) -> None:
    # Issue 12 item 2 / issue 9 item 1: linking is its own step, by a group admin.
    owner = await floor.open_shop(owner_id=1)
    await shops.create_invite(floor.uow, owner, Role.STAFF, floor.clock.now())
    assert floor.store.state.chats == {}


async def test_a_group_upgraded_to_a_supergroup_keeps_its_shop(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)

    await groups.group_upgraded(floor.uow, GROUP, -100_999_000)
    await groups.group_upgraded(floor.uow, GROUP, -100_999_000)  # told in both chats

    assert floor.store.state.chats == {-100_999_000: owner.shop_id}
    assert await resolve_actor(floor.uow, 1, -100_999_000) == owner


async def test_an_upgrade_never_takes_over_a_linked_supergroup(floor: Shopfloor) -> None:
    cafe = await floor.open_shop(owner_id=1, name="Cafe")
    deli = await floor.open_shop(owner_id=2, name="Deli")
    await groups.link_group(floor.uow, 1, GROUP, ADMIN)
    await groups.link_group(floor.uow, 2, -7, ADMIN)
    await groups.group_upgraded(floor.uow, GROUP, -7)
    assert floor.store.state.chats == {GROUP: cafe.shop_id, -7: deli.shop_id}
