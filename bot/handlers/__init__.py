"""Every handler, registered in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from difflib import get_close_matches
from typing import Any, assert_never

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks as cb
from bot import texts
from bot.context import BotContext, StockbotApp
from bot.handlers import (
    barcode,
    catalog,
    export,
    groups,
    imports,
    language,
    report,
    shop,
    stock,
    stocktake,
    views,
)
from bot.handlers.base import (
    answer,
    current_flow,
    end_flow,
    on_error,
    recall,
    replace_buttons,
    respond,
)
from bot.parsing import CANCEL_WORDS, STOCK_VERBS, UNDO_WORDS, Command, bare_word, split_command
from bot.state import StateUnavailable
from bot.steps import (
    AddStep,
    AmountStep,
    AttachStep,
    CardStep,
    CodeChoice,
    CommandChoice,
    EditStep,
    ReasonStep,
    SettingStep,
    ShopNameStep,
    Step,
    StepLost,
    StockStep,
    StocktakeStep,
)

ActionHandler = Callable[[Update, BotContext, Any], Awaitable[None]]


async def _pick(update: Update, context: BotContext, action: cb.PickProduct) -> None:
    """A "did you mean" choice: finish whatever command asked."""
    pending = await recall(context, update, action.token)
    command = pending.command if isinstance(pending, CommandChoice) else None
    if isinstance(pending, CodeChoice):
        await barcode.attach(update, context, action.product_id, pending.code)
    elif command is Command.STOCK:
        await views.on_card(update, context, cb.OpenCard(action.product_id))
    elif command is Command.HISTORY:
        await views.on_history(update, context, cb.OpenHistory(action.product_id))
    elif command is Command.EDIT:
        await answer(update)
        await catalog.show_edit(update, context, action.product_id)
    elif command is Command.DELETE:
        await answer(update)
        await catalog.ask_delete(update, context, action.product_id)
    else:
        await stock.on_pick(update, context, action)


async def _cancel_flow(update: Update, context: BotContext, action: cb.CancelFlow) -> None:
    await end_flow(context, update)
    await answer(update)
    await respond(update, texts.FLOW_CANCELLED)


async def _keep(update: Update, context: BotContext, action: cb.Keep) -> None:
    """Nothing changes: the question becomes what stayed as it was. A step in progress
    elsewhere is left alone (the question was not one)."""
    await answer(update)
    await respond(update, texts.KEPT[action.what])


async def _finish_editing(update: Update, context: BotContext, action: cb.FinishEditing) -> None:
    """The fields stay as saved; the buttons go, so the message reads as finished."""
    await end_flow(context, update)
    await answer(update, texts.EDIT_DONE_TOAST)
    await replace_buttons(update, None)


async def _noop(update: Update, context: BotContext, action: cb.Noop) -> None:
    await answer(update)


async def _option(update: Update, context: BotContext, action: cb.ChooseOption) -> None:
    """A button inside a guided step answers it like typed text."""
    await answer(update)
    flow = await current_flow(context, update)
    if flow is None:
        await respond(update, texts.FLOW_EXPIRED, edit=False)
        return
    await _continue(update, context, flow, action.value)


ACTIONS: dict[type[cb.CallbackAction], ActionHandler] = {
    cb.Adjust: stock.on_adjust,
    cb.Prompt: stock.on_prompt,
    cb.Undo: stock.on_undo,
    cb.OpenCard: views.on_card,
    cb.OpenHistory: views.on_history,
    cb.OpenInventory: views.on_inventory,
    cb.OpenDashboard: views.on_dashboard,
    cb.OpenChart: views.on_chart,
    cb.PickProduct: _pick,
    cb.ConfirmDelete: catalog.on_confirm_delete,
    cb.RestoreProduct: catalog.on_restore,
    cb.EditField: catalog.on_edit_field,
    cb.RemoveMember: shop.on_remove_member,
    cb.ConfirmRemoveMember: shop.on_confirm_remove_member,
    cb.SetMemberRole: shop.on_set_role,
    cb.SwitchShop: shop.on_switch_shop,
    cb.ChangeSetting: shop.on_change_setting,
    cb.UnlinkGroup: groups.on_unlink,
    cb.CancelFlow: _cancel_flow,
    cb.Keep: _keep,
    cb.SkipCount: stocktake.on_skip,
    cb.FinishEditing: _finish_editing,
    cb.ChooseOption: _option,
    cb.Noop: _noop,
    cb.ShowScannedCode: barcode.on_show_code,
    cb.AddScannedProduct: barcode.on_add_product,
    cb.AttachScannedCode: barcode.on_attach,
    cb.ConfirmImport: imports.on_confirm,
}


async def on_button(update: Update, context: BotContext) -> None:
    """Decode the button; the action's handler re-checks membership and role."""
    assert update.callback_query is not None
    action = cb.decode(update.callback_query.data)
    handler = ACTIONS.get(type(action))
    if handler is None:
        raise cb.CallbackDataError(f"no handler for {type(action).__name__}")
    await handler(update, context, action)


async def on_text(update: Update, context: BotContext) -> None:
    """Plain text answers the current guided step; without one, in a private chat it is
    a stock command typed without its slash (`sell milk 2`) or a product name to look up."""
    message = update.effective_message
    if message is None or not message.text:
        return
    text = message.text
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    if private and (name := _slashed_word(text)) is not None:
        # Telegram marks only Latin names as commands: `/продать …` is text to it, but a
        # command to whoever typed it — not a product to look up nor a step's answer. A
        # stock word is read as if typed without its slash (`/продал круассан 3`).
        if name.casefold() not in STOCK_VERBS:
            with suppress(StateUnavailable):
                await end_flow(context, update)
            await respond(update, texts.unknown_command(name, closest_command(name)), edit=False)
            return
        text = text[1:]
    word = bare_word(text)
    if word in CANCEL_WORDS and (private or _answers_the_bot(update)):
        await cancel(update, context)  # the ✖️ Cancel under a question, typed
        return
    flow = await current_flow(context, update)
    if flow is None and private and word in UNDO_WORDS:
        await stock.undo_command(update, context)
        return
    if flow is not None:
        await _continue(update, context, flow, text)
    elif private:
        if restated := stock.restated_command(text):
            # On a phone the slash is the key people skip: `sell milk 2` is /sell milk 2.
            await stock.run_stock_text(update, context, *restated)
        else:
            await views.stock_by_text(update, context, text)
    elif _answers_the_bot(update) and views.looks_like_an_answer(message.text):
        # In a group only a reply to the bot's question reaches here (privacy mode).
        await respond(update, texts.STEP_LOST, edit=False)


def _slashed_word(text: str) -> str | None:
    """`продать` of `/продать круассан 1`; None when the text does not start with a slash."""
    if not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0] if text[1:].strip() else ""


def _answers_the_bot(update: Update) -> bool:
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    return replied is not None and replied.from_user is not None and replied.from_user.is_bot


async def _continue(update: Update, context: BotContext, step: Step, reply: str) -> None:
    if await _restates_a_command(update, context, step, reply):
        return
    match step:
        case StockStep():
            await stock.continue_stock(update, context, step, reply)
        case AmountStep():
            await stock.continue_amount(update, context, step, reply)
        case ReasonStep():
            await stock.continue_reason(update, context, step, reply)
        case AddStep():
            await catalog.continue_add(update, context, reply, step.barcode)
        case AttachStep():
            await barcode.continue_attach(update, context, step, reply)
        case EditStep():
            await catalog.continue_edit(update, context, step, reply)
        case SettingStep():
            await shop.apply_setting(update, context, step.field, reply, step.shop_id)
        case CardStep():
            await views.continue_card(update, context, reply)
        case ShopNameStep():
            await shop.create_shop(update, context, reply)
        case StocktakeStep():
            await stocktake.continue_stocktake(update, context, step, reply)
        case _:
            assert_never(step)


async def _restates_a_command(update: Update, context: BotContext, step: Step, reply: str) -> bool:
    """A step's answer that is a stock command (`sell milk 2`) is that command, not the
    step's answer: the step ends and the command runs as if typed with its slash. The
    step's own command with just a quantity (`sell 2` to "How many bread were sold?")
    stays its answer. Returns whether the reply was run as a command."""
    restated = stock.restated_command(reply)
    if restated is None:
        return False
    command, text = restated
    if (
        isinstance(step, StockStep)
        and step.command is command
        and not stock.names_a_product(command, text)
    ):
        return False
    await end_flow(context, update)
    await _run_restated(update, context, command, text)
    return True


async def _run_restated(update: Update, context: BotContext, command: Command, text: str) -> None:
    if command is Command.COUNT:
        await stocktake.run_count_text(update, context, text)
    else:
        await stock.run_stock_text(update, context, command, text)


def closest_command(name: str) -> str | None:
    """The command `name` is most likely a typing mistake of (`sel`, `restok`), if any."""
    close = get_close_matches(name.casefold(), COMMANDS, n=1, cutoff=0.7)
    return close[0] if close else None


async def cancel(update: Update, context: BotContext) -> None:
    try:
        had_flow = await current_flow(context, update) is not None
    except StepLost:
        had_flow = True
    await end_flow(context, update)
    await respond(update, texts.FLOW_CANCELLED if had_flow else texts.NOTHING_TO_CANCEL)


COMMANDS: dict[str, Callable[[Update, BotContext], Coroutine[Any, Any, None]]] = {
    "start": shop.start,
    "help": shop.help_command,
    "newshop": shop.newshop,
    "invite": shop.invite,
    "team": shop.team,
    "shop": shop.shop_switch,
    "settings": shop.settings,
    "link": groups.link,
    "unlink": groups.unlink,
    "add": catalog.add,
    "edit": catalog.edit,
    "delete": catalog.delete,
    "products": views.products,
    "restock": stock.stock_command(Command.RESTOCK),
    "sell": stock.stock_command(Command.SELL),
    "remove": stock.stock_command(Command.REMOVE),
    "count": stocktake.count_command,
    "undo": stock.undo_command,
    "stock": views.stock,
    "inventory": views.inventory_command,
    "dashboard": views.dashboard,
    "low": views.low,
    "expiring": views.expiring,
    "history": views.history,
    "export": export.export,
    "import": imports.import_command,
    "report": report.report_command,
    "language": language.language_command,
    "cancel": cancel,
}


# What a phone sends besides text, photos and files; in a group it is the members' chat.
UNREADABLE = (
    filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Sticker.ALL
    | filters.ANIMATION
    | filters.LOCATION
    | filters.CONTACT
    | filters.POLL
)


async def on_edited(update: Update, context: BotContext) -> None:
    """A message edited after it was sent: what it said was done (or refused) when it
    came, and doing the edited text too would count a sale twice. In a private chat the
    person is told the edit changed nothing and how to correct it; nothing else runs."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is not None and chat.type == "private" and message is not None and message.text:
        await respond(update, texts.EDIT_CHANGES_NOTHING, edit=False)
    raise ApplicationHandlerStop


async def unreadable(update: Update, context: BotContext) -> None:
    """A voice message, a sticker…: say what the bot reads instead of keeping silent. A
    step stays open: its answer may come next, typed."""
    await respond(update, texts.CANNOT_READ_THAT, edit=False)


async def unknown_command(update: Update, context: BotContext) -> None:
    """In a private chat every command gets an answer; in a group one we do not know may
    be another bot's."""
    message = update.effective_message
    command = split_command(message.text or "") if message is not None else None
    if command is not None and command[0].casefold() in STOCK_VERBS:
        await on_text(update, context)  # `/sold milk 2` is `sold milk 2`
    elif command is not None:
        name = command[0]
        await respond(update, texts.unknown_command(name, closest_command(name)), edit=False)


async def _new_command_ends_step(update: Update, context: BotContext) -> None:
    """A new command leaves any half-answered step, so the step cannot take the plain
    message that follows as its answer."""
    message = update.effective_message
    command = split_command(message.text or "") if message is not None else None
    if command is not None and command[0] == "cancel":
        return  # /cancel ends the step itself, and says so
    with suppress(StateUnavailable):
        await end_flow(context, update)


def register(application: StockbotApp) -> None:
    from bot import alert_handlers  # it builds on this package's base module

    ACTIONS.update(alert_handlers.ACTIONS)
    # Telegram's own notice that a group became a supergroup, sent "as" the group.
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_upgrade), -20)
    # Before anything else: a shared identity (an anonymous admin, a channel) is nobody.
    application.add_handler(TypeHandler(Update, language.speak_their_language), group=-11)
    application.add_handler(TypeHandler(Update, groups.refuse_shared_identity), group=-10)
    # Before any handler could run an edited message as a new one (they all take edits).
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited), group=-9)
    alert_handlers.register(application)
    application.add_handler(MessageHandler(filters.COMMAND, _new_command_ends_step), group=-1)
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(
        MessageHandler(filters.PHOTO | filters.Document.IMAGE, barcode.on_picture)
    )
    application.add_handler(
        MessageHandler(filters.Document.ALL & ~filters.Document.IMAGE, imports.on_document)
    )
    application.add_handler(MessageHandler(UNREADABLE & filters.ChatType.PRIVATE, unreadable))
    application.add_handler(TypeHandler(Update, language.remember_app_language), group=100)
    application.add_error_handler(on_error)
