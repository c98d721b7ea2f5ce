"""Who hears about what: each member's alert kinds and the shop's quiet hours.

Owners get every kind unless they chose otherwise, staff none unless they opted in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, time

from core.access import Actor, OwnerAction, authorize
from core.alert_model import (
    ALL_KINDS,
    AlertKind,
    AlertPreferences,
    AlertSettings,
)
from core.errors import Invalid, ValueRefused
from core.model import Member
from core.ports import UnitOfWork


def default_kinds(member: Member) -> frozenset[AlertKind]:
    return ALL_KINDS if member.is_owner else frozenset()


def kinds_of(member: Member, chosen: Mapping[int, frozenset[AlertKind]]) -> frozenset[AlertKind]:
    found = chosen.get(member.user_id)
    return found if found is not None else default_kinds(member)


async def preferences(uow: UnitOfWork, actor: Actor) -> AlertPreferences:
    async with uow:
        shop, member = await authorize(uow, actor)
        chosen = await uow.alert_settings.kinds(actor.shop_id, actor.user_id)
        settings = await uow.alert_settings.get(actor.shop_id)
        states = await uow.product_alerts.for_shop(actor.shop_id)
        muted = []
        for state in states.values():
            if state.muted:
                product = await uow.products.get(actor.shop_id, state.product_id)
                if product is not None and not product.archived:
                    muted.append(product)
    return AlertPreferences(
        shop=shop,
        is_owner=member.is_owner,
        kinds=chosen if chosen is not None else default_kinds(member),
        settings=settings,
        muted=tuple(sorted(muted, key=lambda p: p.key)),
    )


async def shop_alert_settings(uow: UnitOfWork, actor: Actor) -> AlertSettings:
    """The shop's alert settings (its quiet hours), for anyone of the shop to read."""
    async with uow:
        await authorize(uow, actor)
        return await uow.alert_settings.get(actor.shop_id)


async def set_kind(
    uow: UnitOfWork, actor: Actor, kind: AlertKind, enabled: bool
) -> AlertPreferences:
    """Turn one kind of alert on or off for the actor in this shop."""
    async with uow:
        _, member = await authorize(uow, actor)
        chosen = await uow.alert_settings.kinds(actor.shop_id, actor.user_id)
        kinds = chosen if chosen is not None else default_kinds(member)
        kinds = kinds | {kind} if enabled else kinds - {kind}
        await uow.alert_settings.set_kinds(actor.shop_id, actor.user_id, kinds)
        await uow.commit()
    return await preferences(uow, actor)


async def set_quiet_hours(
    uow: UnitOfWork, actor: Actor, start: time | None, end: time | None
) -> AlertSettings:
    """Owner: no pushes between `start` and `end` shop time; None/None turns them off."""
    if (start is None) != (end is None) or (start is not None and start == end):
        raise ValueRefused(Invalid.QUIET_HOURS_EMPTY)
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.SET_QUIET_HOURS)
        settings = await uow.alert_settings.get(actor.shop_id)
        updated = replace(settings, quiet_start=start, quiet_end=end)
        await uow.alert_settings.save(updated)
        await uow.commit()
        return updated


async def mark_unreachable(uow: UnitOfWork, user_id: int, at: datetime) -> None:
    """The person blocked the bot (Telegram said so): no alert is tried until they return."""
    async with uow:
        await uow.recipients.mark_blocked(user_id, at)
        await uow.commit()


async def mark_reachable(uow: UnitOfWork, user_id: int) -> None:
    """The person talks to the bot again (so they unblocked it): alerts may reach them."""
    async with uow:
        await uow.recipients.mark_reachable(user_id)
        await uow.commit()
