"""Which language the bot speaks to whom.

A person's own choice (/language) wins; without one, the language their Telegram app is
in, as last seen on a message of theirs; for someone never seen (an alert to a member who
never wrote), the shop's language.
"""

from __future__ import annotations

from dataclasses import replace

from core.access import Actor, OwnerAction, authorize
from core.errors import Invalid, ValueRefused
from core.model import LANGUAGES, Shop, UserLanguage
from core.ports import UnitOfWork


def checked(language: str) -> str:
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise ValueRefused(Invalid.NOT_A_LANGUAGE, given=language, choices=LANGUAGES)
    return code


async def language_of(uow: UnitOfWork, user_id: int) -> UserLanguage:
    async with uow:
        return await uow.users.language(user_id)


def spoken(found: UserLanguage, telegram: str | None) -> str | None:
    """The person's language for this update: their choice, else what their Telegram
    app is in now (`telegram`: one of LANGUAGES, or None). None: neither."""
    return found.chosen or telegram


async def remember_seen(uow: UnitOfWork, user_id: int, telegram: str | None) -> None:
    """Keep what Telegram said, for alerts that reach the person later (written only when
    it changed)."""
    if telegram is None:
        return
    async with uow:
        found = await uow.users.language(user_id)
        if found.seen != telegram:
            await uow.users.save_language(user_id, replace(found, seen=telegram))
            await uow.commit()


async def choose(uow: UnitOfWork, user_id: int, language: str | None) -> UserLanguage:
    """`language` None: follow Telegram's again."""
    chosen = checked(language) if language is not None else None
    async with uow:
        found = replace(await uow.users.language(user_id), chosen=chosen)
        await uow.users.save_language(user_id, found)
        await uow.commit()
    return found


async def set_shop_language(uow: UnitOfWork, actor: Actor, language: str) -> Shop:
    code = checked(language)
    async with uow:
        shop, _ = await authorize(uow, actor, owner_action=OwnerAction.CHANGE_LANGUAGE)
        updated = replace(shop, language=code)
        await uow.shops.update(updated)
        await uow.commit()
    return updated


async def recipient_language(uow: UnitOfWork, user_id: int, shop: Shop) -> str:
    """The language of an alert to this person about this shop."""
    async with uow:
        found = await uow.users.language(user_id)
    return found.chosen or found.seen or shop.language
