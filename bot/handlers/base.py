"""What every handler shares: who and where the update comes from, how to answer, flow
state, and the one error handler that turns domain errors into friendly replies."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import keyboards, logs, outcome, steps, texts
from bot.callbacks import CallbackDataError
from bot.context import BotContext
from bot.i18n import _
from bot.identity import speaker_of
from bot.parsing import ParseError
from bot.refusal import ChatRefusal
from bot.sending import reply
from bot.state import FLOW_TTL_SECONDS, StateUnavailable, UnreadableState
from bot.steps import Choice, Step, StepLost
from core import catalog
from core.access import (
    Actor,
    chat_shows,
    person_of,
    resolve_actor,
    resolve_actor_for_movement,
    resolve_actor_for_product,
)
from core.errors import DomainError, GroupNotLinked, ProductNotFound
from core.ledger import JUST_MADE
from core.model import Member, Product, Shop
from core.shops import shop_of
from db.inbox import HandledElsewhere

log = logging.getLogger(__name__)

# A refusal older than a change "just made" can be forgotten.
REFUSAL_TTL_SECONDS = int(JUST_MADE.total_seconds())


@dataclass(frozen=True)
class Here:
    """The acting member and their shop for this update. `in_group`: the update comes
    from a group chat, where everyone in it reads the answer; `shown_here`: that chat
    may show this shop (a private chat, or the group linked to it) — otherwise answers
    go to the person privately (see `deliver`)."""

    actor: Actor
    shop: Shop
    member: Member
    in_group: bool = False
    shown_here: bool = True

    @classmethod
    def of(
        cls, update: Update, actor: Actor, shop: Shop, member: Member, *, shown_here: bool = True
    ) -> Here:
        """The one way to build it: `in_group` is read from the update itself, so no
        caller can get it (and with it, costs in a group) wrong."""
        in_group = group_chat_id(update) is not None
        return cls(actor, shop, member, in_group=in_group, shown_here=shown_here)

    @property
    def is_owner(self) -> bool:
        return self.member.is_owner


def person(update: Update) -> int:
    """The person behind the update; a shared identity (an anonymous admin, a channel)
    is refused by core, so no role is ever given to or used by one."""
    speaker = speaker_of(update)
    assert speaker is not None, "an update without a sender reached a handler"
    return person_of(speaker)


def user_name(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return "?"
    return user.full_name or (f"@{user.username}" if user.username else str(user.id))


def group_chat_id(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None and chat.type != ChatType.PRIVATE else None


async def here(
    update: Update,
    context: BotContext,
    *,
    or_active_shop: bool = False,
    product_id: int | None = None,
    movement_id: int | None = None,
) -> Here:
    """`or_active_shop`: in a group linked to no shop, act in the user's active shop —
    for a command that answers privately (`shown_here` is then False).
    `product_id` / `movement_id`: a button about this product or movement acts in the
    shop that holds it, if the user is a member there (see core.access)."""
    services = context.services
    user_id = person(update)
    chat_id = group_chat_id(update)
    shown_here = True
    try:
        if product_id is not None:
            actor = await resolve_actor_for_product(services.uow(), user_id, chat_id, product_id)
        elif movement_id is not None:
            actor = await resolve_actor_for_movement(services.uow(), user_id, chat_id, movement_id)
        else:
            actor = await resolve_actor(services.uow(), user_id, chat_id)
    except GroupNotLinked:
        if not or_active_shop:
            raise
        actor = await resolve_actor(services.uow(), user_id, None)
        shown_here = False
    shop, member = await shop_of(services.uow(), actor)
    logs.bind(shop_id=shop.id)
    return Here.of(update, actor, shop, member, shown_here=shown_here)


async def here_in(update: Update, context: BotContext, shop_id: int) -> Here:
    """The user in the shop a button names; core refuses a shop they are not in. In a
    group that is not that shop's, `shown_here` is False."""
    actor = Actor(person(update), shop_id)
    uow = context.services.uow
    shop, member = await shop_of(uow(), actor)
    chat_id = group_chat_id(update)
    shown = await chat_shows(uow(), chat_id, shop_id)
    logs.bind(shop_id=shop.id)
    return Here.of(update, actor, shop, member, shown_here=shown)


def request_key(update: Update, part: int | str | None = None) -> str:
    """The idempotency key of a ledger change, plus the line of a batch.

    A button tap is its callback query id and a message its (chat, message id): both are
    unique for good. Update ids are not: Telegram restarts them at random after a week
    without updates."""
    chat, message = update.effective_chat, update.effective_message
    if update.callback_query is not None:
        key = f"c{update.callback_query.id}"
    elif chat is not None and message is not None:
        key = f"m{chat.id}:{message.message_id}"
    else:
        key = f"u{update.update_id}"
    return key if part is None else f"{key}:{part}"


async def respond(
    update: Update,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = True,
) -> None:
    """Reply to a message, or edit the message whose button was pressed. A constant of
    bot.texts is said in the update's language here (bot.i18n.N_)."""
    text = texts.truncate(_(text))
    query = update.callback_query
    if query is not None and edit and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            raise
        return
    message = update.effective_message
    if message is not None:
        await reply(message, text, keyboard)


async def replace_buttons(update: Update, keyboard: InlineKeyboardMarkup | None) -> None:
    """Change the pressed message's buttons. One that shows them already (tapped twice,
    or by two people) stays as it is: Telegram's "not modified" is no failure, and what
    the handler does next (a confirmation) must still happen."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def respond_privately(
    update: Update,
    context: BotContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send to the person's private chat, whatever chat the update came from. A person
    who never opened one cannot be written to first: they are told how."""
    try:
        return await context.bot.send_message(
            person(update), texts.truncate(_(text)), reply_markup=keyboard
        )
    except Forbidden:
        raise ChatRefusal(texts.open_private_chat(context.bot.username)) from None


async def deliver(
    update: Update,
    context: BotContext,
    where: Here,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = True,
    private: bool = False,
) -> None:
    """Answer where this shop may be shown: here, or — in a chat that is not the shop's,
    or with `private` (what only the person should read) — in the person's private
    chat (see `respond_personally`)."""
    if where.shown_here and not private:
        await respond(update, text, keyboard, edit=edit)
    else:
        await respond_personally(update, context, text, keyboard, edit=edit)


async def respond_personally(
    update: Update,
    context: BotContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = True,
) -> None:
    """An answer for the person alone: in their private chat as usual; from a group,
    sent to their private chat, and the group is told only that it was."""
    if group_chat_id(update) is None:
        await respond(update, text, keyboard, edit=edit)
        return
    await respond_privately(update, context, text, keyboard)
    if update.callback_query is not None:
        await answer(update, texts.SENT_PRIVATELY)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(_(texts.SENT_PRIVATELY))


async def ask(update: Update, text: str, choices: InlineKeyboardMarkup | None = None) -> None:
    """Ask for the next piece of a guided step. In a group the bot only sees replies to
    its own messages (privacy mode), so a typed answer is requested with ForceReply."""
    if choices is not None:
        await respond(update, text, choices, edit=False)
    elif group_chat_id(update) is not None:
        message = update.effective_message
        if message is not None:
            await message.reply_text(
                f"{_(text)}\n{_(texts.ASK_REPLY)}",
                reply_markup=ForceReply(selective=True),
            )
    else:
        await respond(update, text, keyboards.cancel(), edit=False)


async def answer(update: Update, text: str | None = None) -> None:
    """Acknowledge a button tap (a toast when `text` is given). Best effort: Telegram
    refuses answers to old taps (e.g. recovered after a restart), and the work the tap
    asked for must happen all the same."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(texts.toast(_(text)) if text else None)
    except TelegramError as error:
        log.info("could not answer a button tap: %s", error)


# --- flow state -----------------------------------------------------------------------


def flow_key(update: Update) -> str:
    assert update.effective_chat is not None and update.effective_user is not None
    return f"flow:{update.effective_chat.id}:{update.effective_user.id}"


async def note_refusal(context: BotContext, update: Update) -> None:
    """Remember that this person's request here was just refused: the update's outcome
    says so (nothing more of theirs is recorded), and `/undo` after it asks before
    reversing the change they made before it (best effort)."""
    if (result := outcome.current()) is not None:
        result.refused = True
    if update.effective_chat is None or update.effective_user is None:
        return
    at = {"at": context.services.clock.now().isoformat()}
    try:
        await context.services.state.put(_refusal_key(update), at, REFUSAL_TTL_SECONDS)
    except StateUnavailable as exc:
        log.warning("could not note a refusal for %s: %s", _refusal_key(update), exc)


async def last_refusal(context: BotContext, update: Update) -> datetime | None:
    """When this person's last request here was refused, if lately. When the store
    cannot say, now: `/undo` then asks rather than guess."""
    try:
        noted = await context.services.state.get(_refusal_key(update))
    except (StateUnavailable, UnreadableState):
        return context.services.clock.now()
    return datetime.fromisoformat(noted["at"]) if noted else None


def _refusal_key(update: Update) -> str:
    return f"refused:{flow_key(update).removeprefix('flow:')}"


async def start_flow(
    context: BotContext, update: Update, step: Step, *, key: str | None = None
) -> None:
    """Remember a guided step. It carries the idempotency key of the request that began
    it (`key`, else this update's), so answering twice records one movement."""
    keyed = replace(step, key=key or request_key(update))
    await context.services.state.put(flow_key(update), steps.dump(keyed), FLOW_TTL_SECONDS)


async def current_flow(context: BotContext, update: Update) -> Step | None:
    """The open step, if any. One stored that does not read back as a step is forgotten
    and raises StepLost: the user is told so, instead of the step ending in silence."""
    try:
        stored = await context.services.state.get(flow_key(update))
        return None if stored is None else steps.load(stored)
    except (StepLost, UnreadableState) as unreadable:
        await end_flow(context, update)
        raise StepLost(str(unreadable)) from unreadable


async def end_flow(context: BotContext, update: Update) -> None:
    """Forget the current step. Best effort: it runs after a command took effect, and
    an unreachable state store must not turn that success into a "lost track" reply
    (the user would think nothing happened and send it again)."""
    try:
        await context.services.state.delete(flow_key(update))
    except StateUnavailable as exc:
        log.warning("could not clear the flow of %s: %s", flow_key(update), exc)


async def remember(
    context: BotContext, update: Update, choice: Choice, *, key: str | None = None
) -> str:
    """Keep what a button offers (e.g. a "did you mean" product) until it is tapped; a
    short token for the button's data.

    The command's own idempotency key goes with it, so tapping the choice twice records
    one movement, and so does the user, so nobody else can complete it."""
    assert update.effective_user is not None
    token = secrets.token_urlsafe(6)
    pending = replace(choice, key=key or request_key(update), user=update.effective_user.id)
    await context.services.state.put(f"pending:{token}", steps.dump(pending), FLOW_TTL_SECONDS)
    return token


async def recall(context: BotContext, update: Update, token: str) -> Choice | None:
    """The choice a button offered; None when it is gone (expired, or unreadable)."""
    try:
        stored = await context.services.state.get(f"pending:{token}")
        pending = None if stored is None else steps.load_choice(stored)
    except (UnreadableState, StepLost) as unreadable:
        log.warning("a stored choice did not read back: %s", unreadable)
        return None
    if pending is None:
        return None
    if update.effective_user is None or pending.user != update.effective_user.id:
        raise ChatRefusal(texts.CHOICE_NOT_YOURS)
    return pending


async def resolve_or_suggest(
    update: Update,
    context: BotContext,
    where: Here,
    name: str,
    choice: Choice,
    *,
    key: str | None = None,
    include_archived: bool = False,
) -> Product | None:
    """The named product; when the name is unknown but close to others, offer them as
    buttons that complete `choice` later, and return None."""
    try:
        return await catalog.find_product(
            context.services.uow(), where.actor, name, include_archived=include_archived
        )
    except ProductNotFound as missing:
        if not missing.suggestions:
            raise
        await suggest(update, context, missing, choice, key)
        return None


async def suggest(
    update: Update,
    context: BotContext,
    missing: ProductNotFound,
    choice: Choice,
    key: str | None,
) -> None:
    """Offer the close names as buttons that complete `choice` later."""
    try:
        token = await remember(context, update, choice, key=key)
    except StateUnavailable:
        raise missing from None  # its message names the suggestions as text
    await respond(
        update,
        texts.did_you_mean(missing.name),
        keyboards.suggestions(token, missing.suggestions),
        edit=False,
    )


# --- errors ---------------------------------------------------------------------------


async def on_error(update: object, context: BotContext) -> None:
    """Domain and input errors get a friendly reply; anything else is logged and the
    update is left for the inbox to retry."""
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        return
    if isinstance(error, ParseError):
        await note_refusal(context, update)
        await _tell(update, texts.input_refused(error.message, error.usage, error.line))
    elif isinstance(error, DomainError):
        await note_refusal(context, update)
        await _tell(update, texts.refused(texts.why_in_chat(error)), keyboards.way_on_from(error))
    elif isinstance(error, ChatRefusal):
        await note_refusal(context, update)
        await _tell(update, texts.refused(_(error.text)))
    elif isinstance(error, StateUnavailable):
        log.warning("state store unavailable: %s", error)
        await _tell(update, texts.STATE_LOST_PLAIN)
    elif isinstance(error, StepLost):
        log.warning("a stored step did not read back: %s", error)
        await answer(update)
        await respond(update, texts.STEP_LOST, edit=False)
    elif isinstance(error, CallbackDataError):
        log.info("rejected callback data from %s: %s", update.effective_user, error)
        await _tell(update, texts.BUTTON_EXPIRED)
    elif isinstance(error, HandledElsewhere):
        # Its effect and its answer are the other worker's; this one's rolled back.
        log.warning("update %s was handled by another worker", update.update_id)
    elif isinstance(error, TelegramError):
        # Telegram refused or lost a reply. Whatever the handler changed is committed;
        # running it again would repeat what has no idempotency key (a new shop, an
        # invite), so the update is not retried.
        log.warning("update %s: Telegram error %r", update.update_id, error)
    else:
        # Our own failure (e.g. the database): its transaction rolled back, so the
        # inbox retries the update.
        log.error("update %s failed", update.update_id, exc_info=error)
        if (result := outcome.current()) is not None and error is not None:
            result.fail(error)


async def _tell(update: Update, plain: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """A refusal: an alert on the pressed button, or a reply to the message (with
    `keyboard`, where it leads on)."""
    plain = _(plain)  # a constant of bot.texts, said in the update's language
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(texts.toast(plain), show_alert=True)
            return
        except BadRequest:
            # The handler already acknowledged the tap before it was refused; a second
            # answer is rejected, so the refusal goes to the chat instead of vanishing.
            log.info("callback %s already answered; replying in the chat", query.id)
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            texts.truncate(texts.h(plain)), reply_markup=keyboard
        )
