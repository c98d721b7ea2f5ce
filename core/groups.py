"""Use cases for the group chats a shop works in: link, move, unlink, list.

A group linked to a shop lets that shop's members act there; it shows only that shop.
Who decides which shop a group serves is the group's admins: linking (or moving) needs
an owner of the shop who is an admin of the group, as Telegram says at the time of
asking (the interface asks getChatMember and passes the answer as `GroupStanding`). So a
stranger can never claim a group, and the group's admins can always take it back.
Unlinking only ever shows less, so an owner of the linked shop may do it too.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from core.access import Actor, OwnerAction, active_actor, authorize
from core.errors import (
    GroupAction,
    GroupAdminOnly,
    GroupNotLinked,
    Invalid,
    ShopNotFound,
    ValueRefused,
)
from core.limits import shortened
from core.model import Shop, clean_name
from core.ports import UnitOfWork


class GroupStanding(enum.StrEnum):
    """A person's place in a group chat, as the messenger reports it right now."""

    ADMIN = "admin"  # its creator or an administrator
    MEMBER = "member"
    OUTSIDER = "outsider"  # left, removed, or never there


@dataclass(frozen=True)
class GroupLink:
    """The outcome of linking: `moved_from` is the shop the group served before, if
    another; `changed` is False when it was linked to this shop already."""

    chat_id: int
    shop: Shop
    moved_from: Shop | None
    changed: bool


async def link_group(
    uow: UnitOfWork,
    user_id: int,
    chat_id: int,
    standing: GroupStanding,
    *,
    shop_name: str | None = None,
) -> GroupLink:
    """Link the group to the user's active shop — or to the shop of theirs called
    `shop_name` — moving it from any other shop."""
    if standing is not GroupStanding.ADMIN:
        raise GroupAdminOnly(GroupAction.LINK)
    async with uow:
        actor = await _chosen_shop(uow, user_id, shop_name)
        shop, _ = await authorize(uow, actor, owner_action=OwnerAction.LINK_GROUP)
        linked = await uow.chats.shop_of(chat_id)
        if linked == shop.id:
            return GroupLink(chat_id, shop, None, changed=False)
        previous = await uow.shops.get(linked) if linked is not None else None
        await uow.chats.link(chat_id, shop.id)
        await uow.commit()
        return GroupLink(chat_id, shop, previous, changed=True)


async def _chosen_shop(uow: UnitOfWork, user_id: int, shop_name: str | None) -> Actor:
    if shop_name is None:
        return await active_actor(uow, user_id)
    wanted = clean_name(shop_name).casefold()
    for shop, _ in await uow.members.shops_of(user_id):
        if shop.name.casefold() == wanted:
            return Actor(user_id, shop.id)
    raise ValueRefused(Invalid.NO_SHOP_CALLED, name=shortened(clean_name(shop_name)))


async def unlink_group(
    uow: UnitOfWork, user_id: int, chat_id: int, standing: GroupStanding
) -> Shop:
    """Unlink the group from its shop, asked in the group: by an admin of the group or
    an owner of that shop. Returns the shop it served."""
    async with uow:
        linked = await uow.chats.shop_of(chat_id)
        if linked is None:
            raise GroupNotLinked()
        member = await uow.members.get(linked, user_id)
        if standing is not GroupStanding.ADMIN and not (member and member.is_owner):
            raise GroupAdminOnly(GroupAction.UNLINK)
        shop = await uow.shops.get(linked)
        if shop is None:
            raise ShopNotFound()
        await uow.chats.unlink(chat_id)
        await uow.commit()
        return shop


async def linked_groups(uow: UnitOfWork, actor: Actor) -> Sequence[int]:
    """The groups the actor's shop is linked to (owners only: it is the shop's setup)."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.MANAGE_GROUPS)
        return await uow.chats.groups_of(actor.shop_id)


async def unlink_from_shop(uow: UnitOfWork, actor: Actor, chat_id: int) -> None:
    """An owner unlinks one of the shop's groups from elsewhere (a private chat), e.g. a
    group they have left."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.MANAGE_GROUPS)
        if await uow.chats.shop_of(chat_id) != actor.shop_id:
            raise GroupNotLinked()
        await uow.chats.unlink(chat_id)
        await uow.commit()


async def group_upgraded(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> None:
    """Telegram turned a group into a supergroup, which has a new id: its link follows.
    (Told by Telegram's own service message, so nobody's standing is asked.)"""
    async with uow:
        shop_id = await uow.chats.shop_of(old_chat_id)
        if shop_id is None or await uow.chats.shop_of(new_chat_id) is not None:
            return
        await uow.chats.link(new_chat_id, shop_id)
        await uow.chats.unlink(old_chat_id)
        await uow.commit()
