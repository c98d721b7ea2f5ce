"""Who may do what in which shop. Every use case checks here, inside its transaction,
so a removed member or a forged button loses access at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.errors import GroupNotLinked, NoActiveShop, NotAMember, OwnerOnly, ShopNotFound
from core.model import Member, Shop
from core.ports import UnitOfWork


@dataclass(frozen=True)
class Actor:
    """A Telegram user acting in one shop."""

    user_id: int
    shop_id: int


async def authorize(
    uow: UnitOfWork, actor: Actor, *, owner_action: str | None = None
) -> tuple[Shop, Member]:
    """The shop and the actor's membership; refuses non-members and, for owner
    actions, staff."""
    member = await uow.members.get(actor.shop_id, actor.user_id)
    if member is None:
        raise NotAMember()
    shop = await uow.shops.get(actor.shop_id)
    if shop is None:
        raise ShopNotFound()
    if owner_action is not None and not member.is_owner:
        raise OwnerOnly(owner_action)
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
    return await _active_shop(uow, user_id)


async def _active_shop(uow: UnitOfWork, user_id: int) -> Actor:
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
