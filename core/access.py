"""Who may do what in which shop, and where a shop's data may be shown. Every use case
checks here, inside its transaction, so a removed member or a forged button loses access
at once.

Who: a role belongs to one person. An identity many people share — Telegram's anonymous
group admin, a post "as" a channel — is nobody in particular: `person_of` refuses it, so
it is never given a role (creating a shop, joining) nor uses one. The interface says
which requests come from such an identity (see `Speaker`); the rule is here.

Where: a private chat has one reader, so it shows whatever that member may see; a group
shows only the shop it is linked to (`chat_shows`). Anything about another shop is
answered to the person privately, or refused.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.errors import (
    GroupNotLinked,
    NoActiveShop,
    NotAMember,
    OwnerOnly,
    SharedIdentity,
    ShopNotFound,
)
from core.model import Member, Shop
from core.ports import UnitOfWork


class SharedAs(enum.StrEnum):
    """Why a sender is nobody in particular."""

    ANONYMOUS_ADMIN = "anonymous_admin"  # an admin with "Remain anonymous" on
    CHANNEL = "channel"  # a post on behalf of a channel


@dataclass(frozen=True)
class Speaker:
    """Who sent a request, as far as the interface can tell."""

    user_id: int
    shared_as: SharedAs | None = None


def person_of(speaker: Speaker) -> int:
    """The person behind a request, to grant or use a role; SharedIdentity when the
    sender is a shared identity (every anonymous admin of every group would otherwise be
    one and the same owner)."""
    if speaker.shared_as is not None:
        raise SharedIdentity(speaker.shared_as)
    return speaker.user_id


class OwnerAction(enum.StrEnum):
    """What only an owner of the shop may do: a code each interface words."""

    ADD_PRODUCTS = "add_products"
    EDIT_PRODUCTS = "edit_products"
    ATTACH_BARCODES = "attach_barcodes"
    DELETE_PRODUCTS = "delete_products"
    RESTORE_PRODUCTS = "restore_products"
    IMPORT = "import"
    CHANGE_SETTINGS = "change_settings"
    MUTE_ALERTS = "mute_alerts"
    SET_QUIET_HOURS = "set_quiet_hours"
    MANAGE_GROUPS = "manage_groups"
    LINK_GROUP = "link_group"
    SET_PRICE = "set_price"
    SEE_REPORT = "see_report"
    MANAGE_TEAM = "manage_team"
    REMOVE_MEMBERS = "remove_members"
    CHANGE_ROLES = "change_roles"
    INVITE = "invite"
    CHANGE_LANGUAGE = "change_language"


def require_owner(member: Member, action: OwnerAction) -> None:
    """The one rule of owner-only actions, also for an interface that refuses before it
    asks anything a staff member could not finish."""
    if not member.is_owner:
        raise OwnerOnly(action)


@dataclass(frozen=True)
class Actor:
    """A Telegram user acting in one shop."""

    user_id: int
    shop_id: int


async def authorize(
    uow: UnitOfWork, actor: Actor, *, owner_action: OwnerAction | None = None
) -> tuple[Shop, Member]:
    """The shop and the actor's membership; refuses non-members and, for owner
    actions, staff."""
    member = await uow.members.get(actor.shop_id, actor.user_id)
    if member is None:
        raise NotAMember()
    shop = await uow.shops.get(actor.shop_id)
    if shop is None:
        raise ShopNotFound()
    if owner_action is not None:
        require_owner(member, owner_action)
    return shop, member


async def resolve_actor(uow: UnitOfWork, user_id: int, chat_id: int | None) -> Actor:
    """The shop a message acts on: in a group chat (`chat_id` given) the shop linked to
    that group, in a private chat the user's active shop."""
    async with uow:
        return await actor_in(uow, user_id, chat_id)


async def actor_in(
    uow: UnitOfWork, user_id: int, chat_id: int | None, *, product_id: int | None = None
) -> Actor:
    """`resolve_actor` (or, with `product_id`, `resolve_actor_for_product`) inside the
    caller's open unit of work, for a use case that does everything in one transaction."""
    if product_id is not None:
        return await _actor_holding(uow, user_id, chat_id, _holds_product(uow, product_id))
    if chat_id is not None:
        linked = await uow.chats.shop_of(chat_id)
        if linked is None:
            raise GroupNotLinked()
        if await uow.members.get(linked, user_id) is None:
            raise NotAMember()
        return Actor(user_id, linked)
    return await active_actor(uow, user_id)


async def active_actor(uow: UnitOfWork, user_id: int) -> Actor:
    """The user in their active shop, inside the caller's open unit of work."""
    user = await uow.users.get(user_id)
    active = user.active_shop_id if user else None
    if active is not None and await uow.members.get(active, user_id) is not None:
        return Actor(user_id, active)
    # The active shop is gone (removed from it): fall back to any other shop.
    memberships = await uow.members.shops_of(user_id)
    if not memberships:
        raise NoActiveShop()
    return Actor(user_id, memberships[0][0].id)


async def resolve_actor_for_product(
    uow: UnitOfWork, user_id: int, chat_id: int | None, product_id: int
) -> Actor:
    """Like `resolve_actor`, but a button about a product of another of the user's shops
    (an alert, an old card) acts in that shop rather than failing in the active one.
    Membership is still required; in a group the group's shop always applies."""
    async with uow:
        return await actor_in(uow, user_id, chat_id, product_id=product_id)


def _holds_product(uow: UnitOfWork, product_id: int) -> Callable[[int], Awaitable[bool]]:
    async def holds(shop_id: int) -> bool:
        return await uow.products.get(shop_id, product_id) is not None

    return holds


async def resolve_actor_for_movement(
    uow: UnitOfWork, user_id: int, chat_id: int | None, movement_id: int
) -> Actor:
    """Likewise for a button about a movement (an Undo under an old confirmation)."""

    async def holds(shop_id: int) -> bool:
        return await uow.movements.get(shop_id, movement_id) is not None

    async with uow:
        return await _actor_holding(uow, user_id, chat_id, holds)


async def _actor_holding(
    uow: UnitOfWork,
    user_id: int,
    chat_id: int | None,
    holds: Callable[[int], Awaitable[bool]],
) -> Actor:
    actor = await actor_in(uow, user_id, chat_id)
    if chat_id is not None:
        return actor
    if await holds(actor.shop_id):
        return actor
    for shop, _ in await uow.members.shops_of(user_id):
        if await holds(shop.id):
            return Actor(user_id, shop.id)
    return actor


async def chat_shows(uow: UnitOfWork, chat_id: int | None, shop_id: int) -> bool:
    """Whether the chat may show this shop's data: a private chat (`chat_id` None; its
    one reader is checked as a member by `authorize`) or the group linked to the shop."""
    if chat_id is None:
        return True
    async with uow:
        return await uow.chats.shop_of(chat_id) == shop_id
