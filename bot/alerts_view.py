"""The buttons of alert messages, and the Notifier that words (bot.texts) and sends them
(the weekly report as a chart with a caption)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot import callbacks as cb
from bot import i18n, texts
from bot.charts import report_chart_png
from bot.keyboards import button
from core.alert_model import (
    AlertKind,
    AlertMessage,
    AlertPreferences,
    CrossingAlert,
    CrossingAlerts,
    Digest,
    ReorderList,
    SendOutcome,
    SendResult,
)
from core.inventory import StatusFilter
from core.model import Shop
from core.report_model import WeeklyReport

log = logging.getLogger(__name__)


def crossing_keyboard(alert: CrossingAlert) -> InlineKeyboardMarkup:
    shop_id, product_id = alert.shop.id, alert.product.id
    return InlineKeyboardMarkup(
        [
            [
                button(texts.ALERT_RESTOCK_BUTTON, cb.Prompt(product_id, cb.PromptKind.RESTOCK)),
                button(texts.ALERT_CARD_BUTTON, cb.OpenCard(product_id)),
            ],
            [
                button(texts.SNOOZE_BUTTON, cb.SnoozeCrossing(shop_id, alert.crossing_id)),
                button(texts.ORDERED_BUTTON, cb.MarkOrdered(shop_id, product_id)),
            ],
        ]
    )


def after_action_keyboard(product_id: int) -> InlineKeyboardMarkup:
    """What stays under an alert once it was snoozed or marked ordered."""
    return InlineKeyboardMarkup(
        [
            [
                button(texts.ALERT_RESTOCK_BUTTON, cb.Prompt(product_id, cb.PromptKind.RESTOCK)),
                button(texts.ALERT_CARD_BUTTON, cb.OpenCard(product_id)),
            ]
        ]
    )


def crossings_keyboard(alerts: CrossingAlerts) -> InlineKeyboardMarkup:
    shop_id = alerts.shop.id
    views = []
    if alerts.out:
        views.append(button(texts.VIEW_OUT_BUTTON, cb.ViewFromAlert(shop_id, StatusFilter.OUT)))
    if alerts.low:
        views.append(button(texts.VIEW_LOW_BUTTON, cb.ViewFromAlert(shop_id, StatusFilter.LOW)))
    return InlineKeyboardMarkup(
        [views, [button(texts.REORDER_LIST_BUTTON, cb.OpenReorderList(shop_id))]]
    )


def digest_keyboard(digest: Digest) -> InlineKeyboardMarkup:
    shop_id = digest.shop.id
    rows: list[list[InlineKeyboardButton]] = []
    if digest.expired:
        rows.append(
            [
                button(texts.WRITE_OFF_BUTTON, cb.WriteOffExpired(shop_id)),
                button(texts.VIEW_EXPIRED_BUTTON, cb.ViewFromAlert(shop_id, StatusFilter.EXPIRED)),
            ]
        )
    views: list[InlineKeyboardButton] = []
    if digest.expiring:
        views.append(
            button(texts.VIEW_EXPIRING_BUTTON, cb.ViewFromAlert(shop_id, StatusFilter.EXPIRING))
        )
    if digest.out:
        views.append(button(texts.VIEW_OUT_BUTTON, cb.ViewFromAlert(shop_id, StatusFilter.OUT)))
    if digest.low:
        views.append(button(texts.VIEW_LOW_BUTTON, cb.ViewFromAlert(shop_id, StatusFilter.LOW)))
    if views:
        rows.append(views)
    if digest.low or digest.out or digest.reorder_due:
        rows.append([button(texts.REORDER_LIST_BUTTON, cb.OpenReorderList(shop_id))])
    return InlineKeyboardMarkup(rows)


def render(message: CrossingAlert | CrossingAlerts | Digest) -> tuple[str, InlineKeyboardMarkup]:
    if isinstance(message, CrossingAlert):
        return texts.crossing_text(message), crossing_keyboard(message)
    if isinstance(message, CrossingAlerts):
        return texts.truncate(texts.crossings_text(message)), crossings_keyboard(message)
    return texts.truncate(texts.digest_text(message)), digest_keyboard(message)


def reorder_keyboard(found: ReorderList) -> InlineKeyboardMarkup | None:
    rows = [
        [
            button(
                texts.received_button(line.product),
                cb.Prompt(line.product.id, cb.PromptKind.RESTOCK),
            )
        ]
        for group in found.groups
        for line in group.lines
    ][:20]
    return InlineKeyboardMarkup(rows) if rows else None


def preferences_keyboard(prefs: AlertPreferences) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                texts.toggle_kind_button(kind, kind in prefs.kinds),
                cb.ToggleAlertKind(kind, "off" if kind in prefs.kinds else "on"),
            )
        ]
        for kind in AlertKind
    ]
    if prefs.is_owner:
        rows.extend(
            [button(texts.unmute_button(p), cb.SetProductMuted(p.id, "off"))]
            for p in prefs.muted[:10]
        )
    return InlineKeyboardMarkup(rows)


# -- the Notifier ------------------------------------------------------------------------


def retry_after_seconds(error: RetryAfter) -> float:
    # PTB 22 returns int seconds and warns that a timedelta comes in a later major version.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramNotifier:
    """core.ports.Notifier over a telegram.Bot: words the message and sends it, and turns
    Telegram's answer into an outcome the dispatcher records."""

    def __init__(
        self, bot: Bot, language_of: Callable[[int, Shop], Awaitable[str]] | None = None
    ) -> None:
        self.bot = bot
        self.language_of = language_of

    async def send(self, chat_id: int, message: AlertMessage) -> SendResult:
        """In the recipient's language (see core.languages.recipient_language)."""
        language = (
            await self.language_of(chat_id, message.shop) if self.language_of else i18n.SOURCE
        )
        with i18n.speaking(language):
            return await self._send(chat_id, message)

    async def _send(self, chat_id: int, message: AlertMessage) -> SendResult:
        try:
            if isinstance(message, WeeklyReport):
                await self.bot.send_photo(
                    chat_id,
                    await report_chart_png(message),
                    caption=texts.report_caption(message),
                    parse_mode=ParseMode.HTML,
                )
            else:
                text, keyboard = render(message)
                await self.bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
                )
        except RetryAfter as error:
            return SendResult(
                SendOutcome.RETRY, retry_after=retry_after_seconds(error), error=str(error)
            )
        except Forbidden as error:  # blocked by the user, or kicked from the group
            return SendResult(SendOutcome.BLOCKED, error=str(error))
        except BadRequest as error:
            text_of = str(error).lower()
            if "chat not found" in text_of or "user is deactivated" in text_of:
                return SendResult(SendOutcome.BLOCKED, error=str(error))
            log.error("Telegram refused an alert to %s: %s", chat_id, error)
            return SendResult(SendOutcome.FAILED, error=str(error))
        except NetworkError as error:  # includes TimedOut
            return SendResult(SendOutcome.RETRY, error=str(error))
        except TelegramError as error:
            return SendResult(SendOutcome.RETRY, error=str(error))
        return SendResult(SendOutcome.SENT)
