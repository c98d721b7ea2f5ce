"""Drives the alert pipeline in unit tests the way the jobs do: plan crossings and due
digests, claim what is due, "send" it, record the outcome."""

from __future__ import annotations

from datetime import time

from core import alert_audience, alert_delivery, digests
from core.alert_model import (
    AlertKind,
    CrossingAlert,
    CrossingAlerts,
    Digest,
    Outgoing,
    SendOutcome,
    SendResult,
)
from core.shops import SettingsChange, update_settings
from tests.fakes import FakeUnitOfWork
from tests.unit.shopfloor import Shopfloor


class AlertDesk:
    def __init__(self, floor: Shopfloor) -> None:
        self.floor = floor
        self.sent: list[Outgoing] = []

    @property
    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.floor.store)

    async def run(self, outcome: SendResult | None = None) -> list[Outgoing]:
        """One pass of the scheduler at the clock's time; returns what went out."""
        now = self.floor.clock.now()
        await alert_delivery.plan_crossings(self.uow, now)
        for shop_id, day in await digests.due_digests(self.uow, now):
            await digests.plan_digest(self.uow, shop_id, day, now)
        batch = await alert_delivery.next_outgoing(self.uow, now)
        result = outcome or SendResult(SendOutcome.SENT)
        for item in batch:
            await alert_delivery.record_outcome(self.uow, item.deliveries, result, now)
        if result.outcome is SendOutcome.SENT:
            self.sent.extend(batch)
        return batch

    def crossings_to(self, user_id: int) -> list[CrossingAlert]:
        """Every crossing the person heard of, alone or with others in one message."""
        heard: list[CrossingAlert] = []
        for o in self.sent:
            if o.chat_id == user_id and isinstance(o.message, CrossingAlert):
                heard.append(o.message)
            elif o.chat_id == user_id and isinstance(o.message, CrossingAlerts):
                heard.extend(o.message.alerts)
        return heard

    def messages_to(self, user_id: int) -> list[Outgoing]:
        return [o for o in self.sent if o.chat_id == user_id]

    def digests_to(self, user_id: int) -> list[Digest]:
        return [
            o.message for o in self.sent if o.chat_id == user_id and isinstance(o.message, Digest)
        ]

    async def settings(self, actor: object, **change: object) -> None:
        await update_settings(self.uow, actor, SettingsChange(**change))  # type: ignore[arg-type]

    async def quiet(self, actor: object, start: time | None, end: time | None) -> None:
        await alert_audience.set_quiet_hours(self.uow, actor, start, end)  # type: ignore[arg-type]

    async def choose(self, actor: object, kind: AlertKind, enabled: bool) -> None:
        await alert_audience.set_kind(self.uow, actor, kind, enabled)  # type: ignore[arg-type]
