"""/metrics in Prometheus' text format: what this process handled and what waits.

Counted as it happens: updates handled, by kind and outcome, and how long each took.
Read when scraped: the inbox and alert queues' depth (one query each), the database
pool, and the running totals the alert dispatcher and the Telegram request keep (sends,
waits for the shared send budget, 429s). Each process has its own registry; Prometheus
adds processes up by their `instance` label.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sending import RetryingRequest
from jobs.dispatcher import DispatchStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# An update waits on the database and Telegram: milliseconds to a few seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# The kinds of update Telegram sends (a bounded set: the label never grows with input).
UPDATE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "pre_checkout_query",
        "shipping_query",
        "poll",
        "poll_answer",
    }
)


def update_kind(payload: str | dict[str, Any]) -> str:
    """`command` for a message that starts with one, `photo` and `document` for files,
    else the update's type; `unreadable` when it is not JSON. `payload`: the update's
    JSON, or the update already decoded."""
    if isinstance(payload, dict):
        update: Any = payload
    else:
        try:
            update = json.loads(payload)
        except ValueError:
            return "unreadable"
    if not isinstance(update, dict):
        return "unreadable"
    kind = next((key for key in update if key in UPDATE_KINDS), "other")
    message = update.get("message")
    if kind == "message" and isinstance(message, dict):
        if str(message.get("text", "")).startswith("/"):
            return "command"
        for attachment in ("photo", "document"):
            if attachment in message:
                return attachment
    return kind


@dataclass
class Sources:
    """What is read at scrape time, as the process builds it."""

    engine: AsyncEngine | None = None
    request: RetryingRequest | None = None
    dispatch: DispatchStats | None = None
    inbox_depth: int | None = None
    alert_queue_depth: int | None = None


class _Collector(Collector):
    def __init__(self, sources: Sources) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Any]:
        sources = self._sources
        for name, value, help_text in (
            ("stockbot_inbox_depth", sources.inbox_depth, "Updates stored, not yet handled"),
            (
                "stockbot_alert_queue_depth",
                sources.alert_queue_depth,
                "Alert deliveries waiting to be sent",
            ),
        ):
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value=value)
        if sources.request is not None:
            yield CounterMetricFamily(
                "stockbot_telegram_429",
                "Requests Telegram answered with 429 (flood control)",
                value=sources.request.too_many_requests,
            )
        if sources.dispatch is not None:
            sent = CounterMetricFamily(
                "stockbot_alerts_sent", "Alerts sent, by kind", labels=["kind"]
            )
            for kind, count in sorted(sources.dispatch.sent_by_kind.items()):
                sent.add_metric([kind], count)
            yield sent
            yield CounterMetricFamily(
                "stockbot_send_budget_waits",
                "Times an alert waited for the shared send budget",
                value=sources.dispatch.budget_waits,
            )
        pool = sources.engine.sync_engine.pool if sources.engine is not None else None
        checked_out = getattr(pool, "checkedout", None)
        size = getattr(pool, "size", None)
        if callable(checked_out) and callable(size):
            yield GaugeMetricFamily(
                "stockbot_db_pool_in_use", "Database connections in use", value=checked_out()
            )
            yield GaugeMetricFamily(
                "stockbot_db_pool_size", "Database connections kept open", value=size()
            )


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    sources: Sources = field(default_factory=Sources)

    def __post_init__(self) -> None:
        self.updates = Counter(
            "stockbot_updates_handled",
            "Updates handled, by kind and outcome (ok, retry, failed)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stockbot_update_seconds",
            "Time to handle an update, by kind",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_Collector(self.sources))

    def handled(self, kind: str, outcome: str, seconds: float) -> None:
        self.updates.labels(kind, outcome).inc()
        self.latency.labels(kind).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
