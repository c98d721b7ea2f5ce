from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot import texts
from core import shops
from core.access import Actor
from core.errors import (
    Invalid,
    InvalidValue,
    InviteInvalid,
    InviteRefusal,
    MemberNotFound,
    NotAMember,
    ValueRefused,
)
from core.model import Role, User
from core.shops import SettingsChange
from tests.unit.shopfloor import Shopfloor


async def test_the_creator_of_a_shop_is_its_owner_and_switches_to_it(
    floor: Shopfloor,
) -> None:
    shop = await shops.create_shop(floor.uow, 7, "Ana", "  Corner   Cafe ", floor.clock.now())
    assert shop.name == "Corner Cafe" and shop.id > 0
    assert (shop.timezone, shop.currency, shop.near_expiry_days) == ("UTC", "EUR", 7)
    assert shop.alert_time == time(8, 0)
    assert floor.store.state.users[7] == User(7, "Ana", shop.id)
    [(mine, member)] = await shops.my_shops(floor.uow, 7)
    assert mine == shop and member.role is Role.OWNER


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
async def test_a_shop_needs_a_sensible_name(floor: Shopfloor, name: str) -> None:
    with pytest.raises(InvalidValue):
        await shops.create_shop(floor.uow, 7, "Ana", name, floor.clock.now())
    assert floor.store.state.shops == {}


async def test_register_user_keeps_the_active_shop(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=7)
    user = await shops.register_user(floor.uow, 7, "Ana B.")
    assert user == User(7, "Ana B.", owner.shop_id)
    commits = floor.store.commits
    await shops.register_user(floor.uow, 7, "Ana B.")
    assert floor.store.commits == commits  # nothing changed, nothing written


async def test_an_invite_lets_one_person_join_with_its_role(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    invite = await shops.create_invite(floor.uow, owner, Role.STAFF, floor.clock.now())
    assert invite.expires_at == floor.clock.now() + timedelta(hours=48)
    joined = await shops.join_shop(floor.uow, 50, "Ben", invite.code, floor.clock.now())
    assert joined.shop.id == owner.shop_id and joined.member.role is Role.STAFF
    assert joined.is_new and joined.owners == (owner.user_id,)
    assert floor.store.state.users[50].active_shop_id == owner.shop_id
    with pytest.raises(InviteInvalid) as used:
        await shops.join_shop(floor.uow, 51, "Cleo", invite.code, floor.clock.now())
    assert texts.why(used.value) == (
        "This invite cannot be used: it was already used (a link lets one person in); "
        "ask the owner for a new one."
    )
    assert floor.store_member(owner.shop_id, 51) is None


async def test_an_invite_expires_after_48_hours(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    invite = await shops.create_invite(floor.uow, owner, Role.STAFF, floor.clock.now())
    late = floor.clock.now() + timedelta(hours=48)
    with pytest.raises(InviteInvalid) as expired:
        await shops.join_shop(floor.uow, 50, "Ben", invite.code, late)
    assert expired.value.why is InviteRefusal.EXPIRED
    just_in_time = late - timedelta(seconds=1)
    joined = await shops.join_shop(floor.uow, 50, "Ben", invite.code, just_in_time)
    assert joined.member.user_id == 50


async def test_an_unknown_invite_code_is_refused(floor: Shopfloor) -> None:
    await floor.open_shop()
    with pytest.raises(InviteInvalid) as refused:
        await shops.join_shop(floor.uow, 50, "Ben", "no-such-code", floor.clock.now())
    assert refused.value.why is InviteRefusal.UNKNOWN


async def test_invite_codes_are_unguessable_and_distinct(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    codes = {
        (await shops.create_invite(floor.uow, owner, Role.STAFF, floor.clock.now())).code
        for _ in range(20)
    }
    assert len(codes) == 20 and all(len(code) >= 16 for code in codes)


async def test_every_owner_but_the_newcomer_is_told_of_a_join(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    partner = await floor.hire(owner, user_id=2, role=Role.OWNER)
    await floor.hire(owner, user_id=3)  # staff are not told
    invite = await shops.create_invite(floor.uow, partner, Role.OWNER, floor.clock.now())
    joined = await shops.join_shop(floor.uow, 4, "Dana", invite.code, floor.clock.now())
    assert joined.is_new and joined.owners == (1, 2)
    again = await shops.create_invite(floor.uow, owner, Role.STAFF, floor.clock.now())
    rejoined = await shops.join_shop(floor.uow, 4, "Dana", again.code, floor.clock.now())
    assert not rejoined.is_new and rejoined.member.role is Role.OWNER


async def test_an_owner_invite_makes_an_owner(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    partner = await floor.hire(owner, role=Role.OWNER)
    members = await shops.team(floor.uow, owner)
    assert {m.user_id: m.role for m in members}[partner.user_id] is Role.OWNER


async def test_team_lists_owners_first_then_by_name(floor: Shopfloor) -> None:
    owner = await floor.open_shop(owner_id=1)
    await floor.hire(owner, user_id=3)
    await floor.hire(owner, user_id=2)
    await floor.hire(owner, user_id=4, role=Role.OWNER)
    team = await shops.team(floor.uow, owner)
    assert [(m.user_id, m.role) for m in team] == [
        (1, Role.OWNER),
        (4, Role.OWNER),
        (2, Role.STAFF),
        (3, Role.STAFF),
    ]


async def test_the_last_owner_cannot_be_removed_or_demoted(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    with pytest.raises(ValueRefused) as removed:
        await shops.remove_member(floor.uow, owner, owner.user_id)
    assert removed.value.code is Invalid.LAST_OWNER
    assert texts.why(removed.value) == "A shop must keep at least one owner."
    with pytest.raises(ValueRefused) as demoted:
        await shops.set_role(floor.uow, owner, owner.user_id, Role.STAFF)
    assert demoted.value.code is Invalid.LAST_OWNER
    kept = floor.store_member(owner.shop_id, owner.user_id)
    assert kept is not None and kept.role is Role.OWNER


async def test_an_owner_may_leave_when_another_owner_remains(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    partner = await floor.hire(owner, role=Role.OWNER)
    await shops.remove_member(floor.uow, partner, owner.user_id)
    assert floor.store_member(owner.shop_id, owner.user_id) is None


async def test_removing_a_member_ends_their_access(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    removed = await shops.remove_member(floor.uow, owner, clerk.user_id)
    assert removed.user_id == clerk.user_id
    with pytest.raises(NotAMember):
        await shops.shop_of(floor.uow, clerk)


async def test_changing_someone_no_longer_in_the_team_says_so(floor: Shopfloor) -> None:
    """A second tap on Remove, or another owner's removal a moment before, told the owner
    "You are not a member of this shop. Ask one of its owners for an invite.": the
    refusal of an owner who is not in the shop, not of a member who is gone."""
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    await shops.remove_member(floor.uow, owner, clerk.user_id)
    with pytest.raises(MemberNotFound):
        await shops.remove_member(floor.uow, owner, clerk.user_id)
    with pytest.raises(MemberNotFound):
        await shops.team_member(floor.uow, owner, clerk.user_id)
    with pytest.raises(MemberNotFound):
        await shops.set_role(floor.uow, owner, clerk.user_id, Role.OWNER)


async def test_set_role_promotes_and_demotes(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    promoted = await shops.set_role(floor.uow, owner, clerk.user_id, Role.OWNER)
    assert promoted.role is Role.OWNER
    await shops.set_role(floor.uow, clerk, owner.user_id, Role.STAFF)
    demoted = floor.store_member(owner.shop_id, owner.user_id)
    assert demoted is not None and demoted.role is Role.STAFF


async def test_set_role_of_a_stranger_is_refused(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    with pytest.raises(MemberNotFound):
        await shops.set_role(floor.uow, owner, 999, Role.OWNER)


async def test_a_user_switches_between_their_shops(floor: Shopfloor) -> None:
    first = await floor.open_shop(owner_id=7, name="First")
    second = await floor.open_shop(owner_id=7, name="Second")
    assert floor.store.state.users[7].active_shop_id == second.shop_id
    shop = await shops.switch_shop(floor.uow, 7, first.shop_id)
    assert shop.name == "First" and floor.store.state.users[7].active_shop_id == first.shop_id
    assert [s.name for s, _ in await shops.my_shops(floor.uow, 7)] == ["First", "Second"]


async def test_switching_to_someone_elses_shop_is_refused(floor: Shopfloor) -> None:
    theirs = await floor.open_shop(owner_id=1)
    await floor.open_shop(owner_id=2)
    with pytest.raises(NotAMember):
        await shops.switch_shop(floor.uow, 2, theirs.shop_id)
    assert floor.store.state.users[2].active_shop_id != theirs.shop_id


async def test_settings_are_validated_and_saved(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    shop = await shops.update_settings(
        floor.uow,
        owner,
        SettingsChange(
            timezone="Pacific/Auckland",
            currency=" nzd ",
            near_expiry_days=3,
            alert_time=time(6, 30),
            day_first=False,
        ),
    )
    assert (shop.timezone, shop.currency, shop.near_expiry_days) == ("Pacific/Auckland", "NZD", 3)
    assert (shop.alert_time, shop.day_first) == (time(6, 30), False)
    assert floor.stored_shop(owner.shop_id) == shop


@pytest.mark.parametrize(
    "change",
    [
        SettingsChange(timezone="Mars/Olympus"),
        SettingsChange(timezone="America"),  # a directory of the tz database, not a zone
        SettingsChange(timezone="../etc/passwd"),
        SettingsChange(timezone=""),
        SettingsChange(currency="EURO"),
        SettingsChange(currency="E1"),
        SettingsChange(currency="12€"),
        SettingsChange(currency="руб"),  # it was saved as РУБ: letters, but no code
        SettingsChange(near_expiry_days=-1),
        SettingsChange(near_expiry_days=366),
    ],
)
async def test_bad_settings_are_refused(floor: Shopfloor, change: SettingsChange) -> None:
    owner = await floor.open_shop()
    before = floor.stored_shop(owner.shop_id)
    with pytest.raises(InvalidValue):
        await shops.update_settings(floor.uow, owner, change)
    assert floor.stored_shop(owner.shop_id) == before


async def test_shop_of_returns_the_shop_and_membership(floor: Shopfloor) -> None:
    owner = await floor.open_shop(name="Cafe")
    shop, member = await shops.shop_of(floor.uow, owner)
    assert shop.name == "Cafe" and member.is_owner
    assert Actor(owner.user_id, shop.id) == owner
