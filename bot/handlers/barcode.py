"""Barcode photos: a picture (or an image sent as a file) opens the product it shows;
an unknown code is offered to be added or attached; a caption such as `sell 2` records
that movement on the product in the picture."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest

from bot import callbacks as cb
from bot import keyboards, texts
from bot.barcode_reader import MAX_IMAGE_BYTES, ImageRefused, ScannedCode, read_codes
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    answer,
    ask,
    end_flow,
    group_chat_id,
    here,
    recall,
    remember,
    resolve_or_suggest,
    respond,
    start_flow,
)
from bot.handlers.stock import PRODUCT_BUTTONS, proceed, reading, show_card
from bot.i18n import _
from bot.parsing import STOCK_VERBS, Command, ParseError, split_words
from bot.steps import AddStep, AttachStep, CodeChoice
from core import catalog
from core.access import OwnerAction, require_owner
from core.errors import GroupNotLinked, NotAMember
from core.model import Product

log = logging.getLogger(__name__)

# The words a typed stock command may start with (`sold 2`, `продал 2`), as a caption too.
CAPTION_COMMANDS = STOCK_VERBS


def caption_command(caption: str | None) -> tuple[Command, str] | None:
    """`sell 2` → (SELL, "2"); None without a caption; ParseError for anything else."""
    text = (caption or "").strip()
    if not text:
        return None
    first, _space, rest = text.partition(" ")
    word = first.lstrip("/").split("@", 1)[0].casefold()
    command = CAPTION_COMMANDS.get(word)
    if command is None:
        raise ParseError(texts.unknown_caption(first), _(texts.CAPTION_USAGE))
    split_words(rest, _(texts.CAPTION_USAGE))  # unbalanced quotes are refused before the scan
    return command, rest


async def on_picture(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    try:
        where = await here(update, context)
    except (GroupNotLinked, NotAMember):
        if group_chat_id(update) is not None:
            return  # a picture in a group that is not a shop's is none of our business
        raise
    movement = caption_command(message.caption)
    content = await _download(update, context)
    if content is None:
        return
    try:
        scanned = await asyncio.to_thread(read_codes, content)
    except ImageRefused as refused:
        await respond(update, texts.IMAGE_REFUSED[refused.why])
        return
    if not scanned:
        await respond(update, texts.NO_BARCODE_FOUND)
        return
    services = context.services
    found = await catalog.identify_barcodes(
        services.uow(), where.actor, [code.text for code in scanned]
    )
    products = [product for _, product in found]
    if len(scanned) > 1:
        await _several(update, context, where, scanned, products, caption=movement is not None)
        return
    code, product = scanned[0], products[0]
    if product is None:
        await offer_unknown(update, context, where, code.text, code.format)
    elif movement is not None:
        command, rest = movement
        text = f'"_" {rest}'
        read = reading(command, text, context.services.clock.now())
        await proceed(update, context, command, read, product.id, text)
    else:
        await show_card(update, context, where, product.id)


async def _download(update: Update, context: BotContext) -> bytes | None:
    """The picture's bytes, or None after saying why it cannot be scanned."""
    message = update.effective_message
    assert message is not None
    if message.photo:
        target: Any = message.photo[-1]  # the largest size Telegram made
    else:
        target = message.document
    size = getattr(target, "file_size", None)
    if size is not None and size > MAX_IMAGE_BYTES:
        await respond(update, texts.IMAGE_REFUSED["too_big"])
        return None
    try:
        file = await context.bot.get_file(target.file_id)
    except BadRequest as error:
        if "too big" not in str(error).lower():
            raise
        await respond(update, texts.IMAGE_REFUSED["too_big"])
        return None
    return bytes(await file.download_as_bytearray())


async def _several(
    update: Update,
    context: BotContext,
    where: Here,
    scanned: list[ScannedCode],
    products: list[Product | None],
    *,
    caption: bool,
) -> None:
    entries: list[tuple[str, Product | None, str | None]] = []
    for code, product in zip(scanned, products, strict=True):
        token = None
        if product is None and where.is_owner:
            token = await _remember_code(context, update, code)
        entries.append((code.text, product, token))
    lines = [
        (code.text, code.format, product) for code, product in zip(scanned, products, strict=True)
    ]
    text = texts.scanned_codes(lines)
    if caption:
        text += "\n\n" + texts.one_code_for_caption(len(scanned))
    await respond(update, text, keyboards.scanned_codes(entries), edit=False)


async def _remember_code(context: BotContext, update: Update, code: ScannedCode) -> str:
    return await remember(context, update, CodeChoice(code=code.text, format=code.format))


async def offer_unknown(
    update: Update, context: BotContext, where: Here, code: str, format_name: str
) -> None:
    """An owner may add the code as a new product or attach it to one; staff are told
    to ask an owner."""
    text = texts.unknown_barcode(code, format_name, owner=where.is_owner)
    if not where.is_owner:
        await respond(update, text, edit=False)
        return
    token = await remember(context, update, CodeChoice(code=code, format=format_name))
    await respond(update, text, keyboards.unknown_barcode(token), edit=False)


async def _pending_code(update: Update, context: BotContext, token: str) -> CodeChoice:
    pending = await recall(context, update, token)
    if not isinstance(pending, CodeChoice):
        raise ParseError(_(texts.FLOW_EXPIRED), _(texts.CAPTION_USAGE))
    return pending


async def on_show_code(update: Update, context: BotContext, action: cb.ShowScannedCode) -> None:
    pending = await _pending_code(update, context, action.token)
    where = await here(update, context)
    await answer(update)
    await offer_unknown(update, context, where, pending.code, pending.format)


async def on_add_product(update: Update, context: BotContext, action: cb.AddScannedProduct) -> None:
    """ "Add as new product…": the guided /add with the barcode filled in."""
    pending = await _pending_code(update, context, action.token)
    where = await here(update, context)
    require_owner(where.member, OwnerAction.ADD_PRODUCTS)
    await answer(update)
    await start_flow(context, update, AddStep(barcode=pending.code))
    await ask(update, texts.barcode_name_prompt(pending.code))


async def on_attach(update: Update, context: BotContext, action: cb.AttachScannedCode) -> None:
    """ "Attach to…": a small catalog as buttons, else a name to type (with "did you
    mean" buttons when it is close to others)."""
    pending = await _pending_code(update, context, action.token)
    where = await here(update, context)
    require_owner(where.member, OwnerAction.ATTACH_BARCODES)
    await answer(update)
    code = pending.code
    products = await catalog.list_products(context.services.uow(), where.actor)
    if 0 < len(products) <= PRODUCT_BUTTONS:
        choices = keyboards.suggestions(action.token, [(p.id, p.name) for p in products])
        await respond(update, texts.attach_prompt(code), choices, edit=False)
        return
    await start_flow(context, update, AttachStep(barcode=code))
    await ask(update, texts.attach_prompt(code))


async def continue_attach(
    update: Update, context: BotContext, step: AttachStep, reply: str
) -> None:
    where = await here(update, context)
    code = step.barcode
    product = await resolve_or_suggest(update, context, where, reply, CodeChoice(code=code))
    if product is not None:
        await attach(update, context, product.id, code)


async def attach(update: Update, context: BotContext, product_id: int, code: str) -> None:
    """A "did you mean" or catalog button chose the product for the code."""
    where = await here(update, context, product_id=product_id)
    product = await catalog.attach_barcode(context.services.uow(), where.actor, product_id, code)
    await end_flow(context, update)
    await answer(update)
    await respond(update, texts.barcode_attached(product, code), edit=False)
    await show_card(update, context, where, product.id)
