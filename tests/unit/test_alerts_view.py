"""Wording and buttons of alerts, and how Telegram's answers become send outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot import alerts_view as view
from bot import callbacks as cb
from bot.alert_handlers import parse_quiet
from bot.refusal import ChatRefusal
from core.alert_model import AlertKind, BatchLine, CrossingAlert, Digest, SendOutcome
from core.inventory import StatusFilter
from core.model import Batch, Product, Shop
from tests.unit.shopfloor import q

SHOP = Shop(7, "Corner <Cafe>")
MILK = Product(3, 7, "Milk", threshold=q(5), on_hand=q(2), supplier="Dairy Co")


def alert(kind: AlertKind = AlertKind.LOW) -> CrossingAlert:
    return CrossingAlert(SHOP, MILK, kind, q(2), crossing_id=11, is_owner=True)


def test_a_low_push_says_what_is_left_and_offers_the_four_buttons() -> None:
    text, keyboard = view.render(alert())
    assert "Milk" in text and "2 pcs left" in text and "Corner &lt;Cafe&gt;" in text
    actions = [cb.decode(str(b.callback_data)) for row in keyboard.inline_keyboard for b in row]
    assert actions == [
        cb.Prompt(3, cb.PromptKind.RESTOCK),
        cb.OpenCard(3),
        cb.SnoozeCrossing(7, 11),
        cb.MarkOrdered(7, 3),
    ]


def test_an_out_push_says_out() -> None:
    text, _ = view.render(alert(AlertKind.OUT))
    assert "out of stock" in text


def test_the_digest_has_its_sections_and_view_all_buttons() -> None:
    batch = Batch(1, 3, 7, q(4), datetime(2026, 3, 1, tzinfo=UTC), expiry=date(2026, 3, 1))
    digest = Digest(
        SHOP, date(2026, 3, 2), expired=(BatchLine(MILK, batch),), low=(MILK,), out=(MILK,)
    )
    text, keyboard = view.render(digest)
    assert "Expired (1)" in text and "4 pcs" in text and "Low stock (1)" in text
    actions = [cb.decode(str(b.callback_data)) for row in keyboard.inline_keyboard for b in row]
    assert cb.WriteOffExpired(7) in actions
    assert cb.ViewFromAlert(7, StatusFilter.EXPIRED) in actions
    assert cb.ViewFromAlert(7, StatusFilter.LOW) in actions
    assert cb.OpenReorderList(7) in actions


def test_a_long_section_is_cut_with_a_count() -> None:
    many = tuple(Product(i, 7, f"Item {i}", threshold=q(5), on_hand=q(1)) for i in range(25))
    text, _ = view.render(Digest(SHOP, date(2026, 3, 2), low=many))
    assert "Low stock (25)" in text and "… and 15 more" in text


def test_every_alert_action_fits_64_bytes() -> None:
    big = 2**63 - 1
    for action in (
        cb.SnoozeCrossing(big, big),
        cb.MarkOrdered(big, big),
        cb.WriteOffExpired(big, big),
        cb.OpenReorderList(big),
        cb.ToggleAlertKind(AlertKind.REORDER, "off"),
        cb.SetProductMuted(big, "off"),
    ):
        assert cb.decode(action.encode()) == action


def test_quiet_hours_are_parsed() -> None:
    assert parse_quiet("22:00-07:30") == (
        datetime(1, 1, 1, 22).time(),
        datetime(1, 1, 1, 7, 30).time(),
    )
    assert parse_quiet("off") == (None, None)
    with pytest.raises(ChatRefusal):
        parse_quiet("late")
    with pytest.raises(ChatRefusal):
        parse_quiet("25:00-07:00")


class Bot:
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.calls: list[dict[str, Any]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.calls.append({"chat_id": chat_id, "text": text, **kwargs})
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, SendOutcome.SENT),
        (RetryAfter(12), SendOutcome.RETRY),
        (Forbidden("Forbidden: bot was blocked by the user"), SendOutcome.BLOCKED),
        (BadRequest("Chat not found"), SendOutcome.BLOCKED),
        (BadRequest("Can't parse entities"), SendOutcome.FAILED),
        (TimedOut(), SendOutcome.RETRY),
    ],
)
async def test_telegram_answers_become_outcomes(
    error: Exception | None, outcome: SendOutcome
) -> None:
    bot = Bot(error)
    result = await view.TelegramNotifier(bot).send(42, alert())  # type: ignore[arg-type]
    assert result.outcome is outcome
    assert bot.calls[0]["chat_id"] == 42
    if isinstance(error, RetryAfter):
        assert result.retry_after == 12
