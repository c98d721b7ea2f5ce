"""/import and spreadsheet documents: a preview of what the file would do, then one
Import button that applies it, with a progress message edited in place."""

from __future__ import annotations

import time

from telegram import Document, Message, Update

from bot import callbacks as cb
from bot import i18n, keyboards, texts
from bot.context import BotContext
from bot.handlers.base import answer, group_chat_id, here, recall, remember, respond
from bot.i18n import _
from bot.parsing import ShopDates
from bot.spreadsheet import (
    MAX_FILE_BYTES,
    Sheet,
    SpreadsheetRefused,
    chunks,
    is_spreadsheet,
    read_sheet,
)
from bot.steps import ImportChoice
from core import imports
from core.access import OwnerAction, require_owner
from core.errors import GroupNotLinked, NotAMember
from core.imports import CHUNK, RowPlan

PROGRESS_SECONDS = 2.0  # edits of the progress message: Telegram allows about 1/s per chat


async def import_command(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    require_owner(where.member, OwnerAction.IMPORT)
    await respond(update, texts.IMPORT_HELP)


async def on_document(update: Update, context: BotContext) -> None:
    """A file that is not a picture: a spreadsheet is previewed; anything else gets a
    hint in a private chat and is left alone in a group."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    in_group = group_chat_id(update) is not None
    if not is_spreadsheet(document.file_name, document.mime_type):
        if not in_group:
            await respond(update, texts.NOT_A_SPREADSHEET_DOCUMENT)
        return
    try:
        where = await here(update, context)
    except (GroupNotLinked, NotAMember):
        if in_group:
            return
        raise
    require_owner(where.member, OwnerAction.IMPORT)
    progress = await message.reply_text(_(texts.IMPORT_READING))
    sheet = await _read(
        progress,
        context,
        document,
        ShopDates.of(where.shop, context.services.clock.now(), i18n.current()),
    )
    if sheet is None:
        return
    plan = await imports.preview_import(context.services.uow(), where.actor, sheet.rows)
    name = document.file_name or "spreadsheet"
    choice = ImportChoice(file_id=document.file_id, name=name, digest=sheet.file_key)
    token = await remember(context, update, choice)
    changes = plan.count(imports.Outcome.CREATED) + plan.count(imports.Outcome.CHANGED)
    await progress.edit_text(
        texts.truncate(texts.import_preview(name, plan, sheet.ignored_columns)),
        reply_markup=keyboards.confirm_import(token) if changes else None,
    )


async def _read(
    progress: Message, context: BotContext, document: Document, dates: ShopDates
) -> Sheet | None:
    """The file's rows, or None after the progress message says why it cannot be read."""
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        await progress.edit_text(_(texts.IMPORT_REFUSED["too_big"]))
        return None
    file = await context.bot.get_file(document.file_id)
    content = bytes(await file.download_as_bytearray())
    try:
        return read_sheet(content, document.file_name or "", dates=dates)
    except SpreadsheetRefused as refused:
        await progress.edit_text(_(texts.IMPORT_REFUSED[refused.why]))
        return None


async def on_confirm(update: Update, context: BotContext, action: cb.ConfirmImport) -> None:
    """Apply the previewed file: fetched again by its file id and checked to be the same
    bytes, then applied chunk by chunk under keys of its digest and rows."""
    pending = await recall(context, update, action.token)
    if not isinstance(pending, ImportChoice):
        await answer(update)
        await respond(update, texts.FLOW_EXPIRED, edit=False)
        return
    where = await here(update, context)
    require_owner(where.member, OwnerAction.IMPORT)
    await answer(update, texts.IMPORT_TOAST)
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    progress = query.message
    if progress.reply_markup is not None:
        await progress.edit_reply_markup(None)  # one tap; a second one finds no button
    file = await context.bot.get_file(pending.file_id)
    content = bytes(await file.download_as_bytearray())
    try:
        dates = ShopDates.of(where.shop, context.services.clock.now(), i18n.current())
        sheet = read_sheet(content, pending.name, dates=dates)
    except SpreadsheetRefused as refused:
        await respond(update, texts.IMPORT_REFUSED[refused.why], edit=False)
        return
    if sheet.file_key != pending.digest:
        await respond(update, texts.IMPORT_REFUSED["changed"], edit=False)
        return
    services = context.services
    results: list[RowPlan] = []
    seen: dict[str, int] = {}
    shown: float | None = None  # the first chunk always reports, then every 2 s at most
    for chunk in chunks(sheet.rows, CHUNK):
        results += await imports.apply_import(
            services.uow(),
            where.actor,
            chunk,
            file_key=sheet.file_key,
            now=services.clock.now(),
            seen=seen,
        )
        due = shown is None or time.monotonic() - shown >= PROGRESS_SECONDS
        if len(results) < len(sheet.rows) and due:
            await progress.edit_text(texts.import_progress(len(results), len(sheet.rows)))
            shown = time.monotonic()
    await progress.edit_text(texts.truncate(texts.import_done(pending.name, results)))
