"""Use cases for shops, members, invites and settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.access import Actor, OwnerAction, active_actor, authorize
from core.errors import (
    Invalid,
    InviteInvalid,
    InviteRefusal,
    MemberNotFound,
    ShopNotFound,
    TextField,
    UnknownTimezone,
    ValueRefused,
)
from core.limits import MAX_SHOP_NAME, MAX_TIMEZONE, checked_length, person_name, shortened
from core.model import Invite, Member, Role, Shop, User, clean_name
from core.ports import UnitOfWork

INVITE_LIFETIME = timedelta(hours=48)


async def register_user(uow: UnitOfWork, user_id: int, name: str) -> User:
    """Remember the user's display name; keeps their active shop."""
    name = person_name(name)
    async with uow:
        user = await uow.users.get(user_id)
        updated = User(user_id, name, user.active_shop_id if user else None)
        if user != updated:
            await uow.users.save(updated)
            await uow.commit()
        return updated


async def create_shop(
    uow: UnitOfWork, user_id: int, user_name: str, name: str, now: datetime
) -> Shop:
    """A new shop owned by its creator, who switches to it. Created in a group, it does
    not link the group: that is its own step (core.groups.link_group)."""
    shop_name = clean_name(name)
    if not shop_name:
        raise ValueRefused(Invalid.SHOP_NEEDS_NAME)
    checked_length(shop_name, MAX_SHOP_NAME, TextField.SHOP_NAME)
    user_name = person_name(user_name)
    async with uow:
        shop = await uow.shops.add(Shop(id=0, name=shop_name, created_at=now))
        await uow.members.add(Member(shop.id, user_id, Role.OWNER, user_name))
        await uow.users.save(User(user_id, user_name, shop.id))
        await uow.commit()
        return shop


async def create_invite(uow: UnitOfWork, actor: Actor, role: Role, now: datetime) -> Invite:
    """A one-time code valid for 48 hours, for the owner to hand to one person."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.INVITE)
        invite = Invite(
            code=secrets.token_urlsafe(12),
            shop_id=actor.shop_id,
            role=role,
            created_by=actor.user_id,
            expires_at=now + INVITE_LIFETIME,
        )
        await uow.invites.add(invite)
        await uow.commit()
        return invite


@dataclass(frozen=True)
class Joined:
    """Who joined which shop. `is_new`: they were not a member before; `owners`: the
    owners to tell about it (not the newcomer)."""

    shop: Shop
    member: Member
    is_new: bool
    owners: tuple[int, ...]


async def join_shop(
    uow: UnitOfWork, user_id: int, user_name: str, code: str, now: datetime
) -> Joined:
    user_name = person_name(user_name)
    async with uow:
        invite = await uow.invites.get_for_update(code)
        if invite is None:
            raise InviteInvalid(InviteRefusal.UNKNOWN)
        if invite.used_by is not None:
            raise InviteInvalid(InviteRefusal.USED)
        if invite.expires_at <= now:
            raise InviteInvalid(InviteRefusal.EXPIRED)
        shop = await uow.shops.get(invite.shop_id)
        if shop is None:
            raise ShopNotFound()
        member = await uow.members.get(shop.id, user_id)
        is_new = member is None
        if member is None:
            member = Member(shop.id, user_id, invite.role, user_name)
            await uow.members.add(member)
        await uow.invites.mark_used(code, user_id, now)
        await uow.users.save(User(user_id, user_name, shop.id))
        owners = tuple(
            m.user_id
            for m in await uow.members.list(shop.id)
            if m.is_owner and m.user_id != user_id
        )
        await uow.commit()
        return Joined(shop, member, is_new, owners)


async def team(uow: UnitOfWork, actor: Actor) -> list[Member]:
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.MANAGE_TEAM)
        return sorted(await uow.members.list(actor.shop_id), key=_owners_first)


async def team_member(uow: UnitOfWork, actor: Actor, user_id: int) -> Member:
    """One member of the team, for an owner about to change them."""
    async with uow:
        return await _member_to_change(uow, actor, user_id, OwnerAction.REMOVE_MEMBERS)


async def _member_to_change(
    uow: UnitOfWork, actor: Actor, user_id: int, action: OwnerAction
) -> Member:
    """In the caller's open unit of work: the owner may do `action`, to someone still in
    the team (MemberNotFound, not NotAMember: it is not the owner who is missing)."""
    await authorize(uow, actor, owner_action=action)
    member = await uow.members.get(actor.shop_id, user_id)
    if member is None:
        raise MemberNotFound()
    return member


def _owners_first(member: Member) -> tuple[bool, str]:
    return (not member.is_owner, member.name.casefold())


async def _other_owner_exists(uow: UnitOfWork, shop_id: int, user_id: int) -> bool:
    """Read with the owners locked: two owners removing or demoting each other at once
    each saw the other and left the shop with no owner at all."""
    owners = await uow.members.owners_for_update(shop_id)
    return any(m.user_id != user_id for m in owners)


async def remove_member(uow: UnitOfWork, actor: Actor, user_id: int) -> Member:
    async with uow:
        member = await _member_to_change(uow, actor, user_id, OwnerAction.REMOVE_MEMBERS)
        if member.is_owner and not await _other_owner_exists(uow, actor.shop_id, user_id):
            raise ValueRefused(Invalid.LAST_OWNER)
        await uow.members.remove(actor.shop_id, user_id)
        await uow.commit()
        return member


async def set_role(uow: UnitOfWork, actor: Actor, user_id: int, role: Role) -> Member:
    async with uow:
        member = await _member_to_change(uow, actor, user_id, OwnerAction.CHANGE_ROLES)
        if (
            member.is_owner
            and role is not Role.OWNER
            and not await _other_owner_exists(uow, actor.shop_id, user_id)
        ):
            raise ValueRefused(Invalid.LAST_OWNER)
        await uow.members.set_role(actor.shop_id, user_id, role)
        await uow.commit()
        return replace(member, role=role)


async def my_shops(uow: UnitOfWork, user_id: int) -> list[tuple[Shop, Member]]:
    async with uow:
        return list(await uow.members.shops_of(user_id))


async def active_shop(uow: UnitOfWork, user_id: int) -> Shop:
    """The shop the user works in from their private chat; NoActiveShop without one."""
    async with uow:
        shop, _ = await authorize(uow, await active_actor(uow, user_id))
        return shop


async def switch_shop(uow: UnitOfWork, user_id: int, shop_id: int) -> Shop:
    async with uow:
        shop, member = await authorize(uow, Actor(user_id, shop_id))
        user = await uow.users.get(user_id)
        await uow.users.save(User(user_id, user.name if user else member.name, shop_id))
        await uow.commit()
        return shop


@dataclass(frozen=True)
class SettingsChange:
    timezone: str | None = None
    currency: str | None = None
    near_expiry_days: int | None = None
    alert_time: time | None = None
    day_first: bool | None = None


async def shop_of(uow: UnitOfWork, actor: Actor) -> tuple[Shop, Member]:
    async with uow:
        return await authorize(uow, actor)


MAX_TIMEZONE_SUGGESTIONS = 3


@cache
def _timezones_by_word() -> dict[str, tuple[str, ...]]:
    """Area/City names by their lower-cased full name and by their city (`new york`)."""
    found: dict[str, list[str]] = {}
    for name in sorted(available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/")):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        for word in {name.replace("_", " ").lower(), city}:
            found.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in found.items()}


def timezones_like(typed: str) -> tuple[str, ...]:
    """The timezone names someone typing `typed` probably meant: `berlin`,
    `new_york` or `europe/berlin` for Europe/Berlin and America/New_York."""
    word = " ".join(typed.replace("_", " ").split()).lower()
    return _timezones_by_word().get(word, ())[:MAX_TIMEZONE_SUGGESTIONS]


async def update_settings(uow: UnitOfWork, actor: Actor, change: SettingsChange) -> Shop:
    shop_fields: dict[str, object] = {}
    if change.timezone is not None:
        try:
            checked_length(change.timezone, MAX_TIMEZONE, TextField.TIMEZONE)
            ZoneInfo(change.timezone)
        # A tz database directory such as "America" raises IsADirectoryError (OSError).
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            typed = shortened(change.timezone)
            raise UnknownTimezone(typed, timezones_like(change.timezone)) from exc
        shop_fields["timezone"] = change.timezone
    if change.currency is not None:
        currency = change.currency.strip().upper()
        # A code of ISO 4217: three Latin letters (`руб` is three letters, and no code).
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            raise ValueRefused(Invalid.BAD_CURRENCY)
        shop_fields["currency"] = currency
    if change.near_expiry_days is not None:
        if not 0 <= change.near_expiry_days <= 365:
            raise ValueRefused(Invalid.NEAR_EXPIRY_DAYS_RANGE)
        shop_fields["near_expiry_days"] = change.near_expiry_days
    if change.alert_time is not None:
        shop_fields["alert_time"] = change.alert_time
    if change.day_first is not None:
        shop_fields["day_first"] = change.day_first
    async with uow:
        shop, _ = await authorize(uow, actor, owner_action=OwnerAction.CHANGE_SETTINGS)
        updated = replace(shop, **shop_fields)  # type: ignore[arg-type]
        await uow.shops.update(updated)
        await uow.commit()
        return updated
