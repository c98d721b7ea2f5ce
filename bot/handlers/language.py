"""Which language each update is answered in, and /language.

First for every update: the person's own choice, else their Telegram app's language when
the bot speaks it, else English. Last: what their app said is remembered (for alerts that
reach them later), once the update went through — a write earlier would mark the update
done before its handler ran (db.inbox.marking)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from telegram import Update

from bot import i18n, outcome, texts
from bot.context import BotContext
from bot.handlers.base import here, person, respond
from bot.refusal import ChatRefusal
from core import languages
from core.model import UserLanguage

AUTO = ("auto", "telegram", "reset", "авто")
# A language as people name it rather than by its code (`/language русский`).
BY_NAME = {
    **dict.fromkeys(("english", "eng", "английский", "англ", "англ."), "en"),
    **dict.fromkeys(("russian", "rus", "русский", "рус", "рус.", "по-русски"), "ru"),
}


def _app_language(update: Update) -> str | None:
    user = update.effective_user
    return i18n.supported(user.language_code if user is not None else None)


# What was stored when the update began: the last step writes only when the app's
# language changed, without reading it again.
_stored: ContextVar[UserLanguage | None] = ContextVar("stored_language", default=None)


# The sender's stored language when it came with the update (db.inbox reads it with
# the claim): then no transaction of its own is spent on it.
_known: ContextVar[tuple[int, UserLanguage] | None] = ContextVar("known_language", default=None)


@contextmanager
def known(user_id: int | None, language: UserLanguage | None) -> Iterator[None]:
    """While the block runs, `user_id`'s stored language is `language` (None: unknown)."""
    token = _known.set(
        (user_id, language) if user_id is not None and language is not None else None
    )
    try:
        yield
    finally:
        _known.reset(token)


def of_sender(stored: UserLanguage | None, app_code: str | None) -> str:
    """The language to speak to someone outside their update's handlers (told later that
    it was recorded, or that it failed): the same rule, from what the inbox kept — their
    choice as stored, else the app's language the update carried, else English."""
    return languages.spoken(stored or UserLanguage(), i18n.supported(app_code)) or i18n.SOURCE


async def speak_their_language(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None:
        return
    known_now = _known.get()
    if known_now is not None and known_now[0] == user.id:
        found = known_now[1]
    else:
        found = await languages.language_of(context.services.uow(), user.id)
    _stored.set(found)
    i18n.use(languages.spoken(found, _app_language(update)) or i18n.SOURCE)


async def remember_app_language(update: Update, context: BotContext) -> None:
    result = outcome.current()
    user, stored, app = update.effective_user, _stored.get(), _app_language(update)
    if user is None or app is None or (stored is not None and stored.seen == app):
        return
    # A refused update (a stranger's, most often) leaves nothing behind; a member's
    # app language is kept on their next update that goes through.
    if result is not None and (result.error is not None or result.refused):
        return
    await languages.remember_seen(context.services.uow(), user.id, app)


async def language_command(update: Update, context: BotContext) -> None:
    """`/language` shows the choice; `/language ru|en` chooses; `/language auto` follows
    Telegram's again; `/language shop ru` (owners) sets the shop's, for alerts."""
    words = [BY_NAME.get(w.lower(), w.lower()) for w in context.args or []]
    uow = context.services.uow
    if not words:
        await respond(update, texts.language_now(i18n.current()))
        return
    if words[0] == "shop":
        if len(words) != 2:
            raise ChatRefusal(texts.LANGUAGE_USAGE)
        where = await here(update, context)
        shop = await languages.set_shop_language(uow(), where.actor, words[1])
        await respond(update, texts.shop_language_set(shop))
        return
    if len(words) != 1:
        raise ChatRefusal(texts.LANGUAGE_USAGE)
    if words[0] in AUTO:
        await languages.choose(uow(), person(update), None)
        i18n.use(_app_language(update) or i18n.SOURCE)
        await respond(update, texts.language_follows_telegram(i18n.current()))
        return
    chosen = await languages.choose(uow(), person(update), words[0])
    i18n.use(chosen.chosen or i18n.SOURCE)
    await respond(update, texts.language_now(i18n.current()))
