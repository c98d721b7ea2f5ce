"""The typed context handlers receive: services come from here, never from globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, CallbackContext, ExtBot

from bot.metrics import Metrics
from bot.settings import Settings
from bot.state import StateStore
from core.ports import Clock, UnitOfWork
from db.inbox import SqlInbox


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    uow_factory: Callable[[], UnitOfWork]
    inbox: SqlInbox
    state: StateStore
    clock: Clock
    redis: Redis | None = None
    metrics: Metrics = field(default_factory=Metrics)

    def uow(self) -> UnitOfWork:
        return self.uow_factory()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


StockbotApp = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
