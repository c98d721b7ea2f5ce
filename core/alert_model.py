"""Entities of alerting: threshold crossings, deliveries to people, their preferences, and
the messages handed to a `Notifier`. Plain dataclasses; persistence maps onto them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from core.model import Batch, Product, Shop
from core.report_model import WeeklyReport


class AlertKind(enum.StrEnum):
    """What a member can choose to hear about."""

    LOW = "low"  # stock at or below the threshold
    OUT = "out"  # stock at zero
    EXPIRY = "expiry"  # expired and near-expiry batches (daily digest)
    REORDER = "reorder"  # reorder dates that are due (daily digest)


ALL_KINDS = frozenset(AlertKind)


class DeliveryKind(enum.StrEnum):
    CROSSING = "crossing"  # a push right after a movement crossed the threshold
    DIGEST = "digest"  # the daily digest of one shop for one day
    REPORT = "report"  # the weekly report of one shop to one owner (`day`: its Monday)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"  # the recipient blocked the bot (403)
    FAILED = "failed"  # refused for good, or out of attempts
    SKIPPED = "skipped"  # no longer worth sending (restocked, muted, left the shop, …)


class SendOutcome(enum.StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    RETRY = "retry"  # flood control (429) or a network error: try again later
    FAILED = "failed"  # refused for good (e.g. a malformed message)


@dataclass(frozen=True)
class Crossing:
    """A movement took a product to or below its threshold (`low`) or to zero (`out`).

    Written to the outbox in the movement's own transaction, so a crossing is recorded
    exactly when the stock change is."""

    id: int
    shop_id: int
    product_id: int
    kind: AlertKind
    on_hand: Decimal
    threshold: Decimal
    created_at: datetime
    planned_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """One message to one person. `key` is unique: it is what makes a crossing's push or
    a day's digest go out once per recipient, whoever plans it and however often."""

    id: int
    shop_id: int
    user_id: int
    kind: DeliveryKind
    key: str
    not_before: datetime
    created_at: datetime
    crossing_id: int | None = None
    product_id: int | None = None
    day: date | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    lease_until: datetime | None = None
    finished_at: datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class AlertSettings:
    """Per-shop alerting settings. Quiet hours are local times; `start > end` wraps past
    midnight (22:00–07:00); equal or unset means no quiet hours."""

    shop_id: int
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest_planned_for: date | None = None


@dataclass(frozen=True)
class ProductAlertState:
    """What people decided about one product's alerts.

    `ordered_at`: someone pressed "Ordered"; low/out alerts stay quiet until stock comes
    in. `reorder_done_for`: the reorder date a later restock has satisfied."""

    shop_id: int
    product_id: int
    muted: bool = False
    ordered_at: datetime | None = None
    reorder_done_for: date | None = None


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    retry_after: float | None = None  # seconds, from Telegram's 429
    error: str = ""


# -- messages handed to the Notifier: facts only, the interface words them ------------


@dataclass(frozen=True)
class CrossingAlert:
    shop: Shop
    product: Product  # as it is now
    kind: AlertKind  # LOW or OUT
    on_hand: Decimal  # right after the crossing
    crossing_id: int
    is_owner: bool
    reminder: bool = False  # re-sent after a snooze


@dataclass(frozen=True)
class CrossingAlerts:
    """Several products of one shop crossed for one person at once (a stocktake, a big
    sale): one message for all of them, not a push per product."""

    shop: Shop
    alerts: tuple[CrossingAlert, ...]  # one per product
    is_owner: bool

    @property
    def out(self) -> tuple[CrossingAlert, ...]:
        return tuple(a for a in self.alerts if a.kind is AlertKind.OUT)

    @property
    def low(self) -> tuple[CrossingAlert, ...]:
        return tuple(a for a in self.alerts if a.kind is not AlertKind.OUT)


@dataclass(frozen=True)
class BatchLine:
    product: Product
    batch: Batch


@dataclass(frozen=True)
class RunningOut:
    """A product in stock that sales will use up before an order placed today arrives."""

    product: Product
    days_left: int
    lead_days: int


@dataclass(frozen=True)
class Digest:
    shop: Shop
    day: date
    expired: tuple[BatchLine, ...] = ()
    expiring: tuple[BatchLine, ...] = ()
    low: tuple[Product, ...] = ()
    out: tuple[Product, ...] = ()
    reorder_due: tuple[Product, ...] = ()
    is_owner: bool = False
    running_out: tuple[RunningOut, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.expired
            or self.expiring
            or self.low
            or self.out
            or self.reorder_due
            or self.running_out
        )


AlertMessage = CrossingAlert | CrossingAlerts | Digest | WeeklyReport


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery and the message to send for it; `also`: the other deliveries
    the same message speaks for (CrossingAlerts), whose outcome is the message's."""

    delivery: Delivery
    chat_id: int
    message: AlertMessage
    also: tuple[Delivery, ...] = ()

    @property
    def deliveries(self) -> tuple[Delivery, ...]:
        return (self.delivery, *self.also)


@dataclass(frozen=True)
class ReorderLine:
    product: Product
    reasons: tuple[str, ...]  # "out", "low", "reorder_due", "running_out"
    ordered: bool
    # How much to order (core.forecast.reorder_quantity); None without a sales estimate.
    suggested: Decimal | None = None
    days_left: int | None = None
    # Without an estimate: what brings stock back to the minimum, when below it.
    to_minimum: Decimal | None = None


@dataclass(frozen=True)
class ReorderGroup:
    supplier: str  # "" when none is recorded
    lines: tuple[ReorderLine, ...]


@dataclass(frozen=True)
class ReorderList:
    shop: Shop
    day: date
    groups: tuple[ReorderGroup, ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups


@dataclass(frozen=True)
class AlertPreferences:
    """A member's view of their alert settings (and, for owners, the shop's)."""

    shop: Shop
    is_owner: bool
    kinds: frozenset[AlertKind]
    settings: AlertSettings
    muted: tuple[Product, ...]


@dataclass(frozen=True)
class DigestSigns:
    """What planning reads of a shop to know which kinds of line its digest may have:
    figures the database keeps per shop or finds through an index, not the products.
    Each is a superset of what the digest shows (it ignores mutes, snoozes and orders)."""

    low: int = 0  # active products in stock at or below their threshold
    out: int = 0  # active products out of stock
    # The earliest reorder date of an active product, among those not marked done for it.
    reorder_from: date | None = None
    # Active products in stock: the earliest of their earliest expiries per warning window
    # (the product's own days; None: the shop's near_expiry_days).
    expiry_from: Mapping[int | None, date] = field(default_factory=dict)
    # An active product above its threshold sold since the pace window opened
    # (`core.forecast.window_opening`): it may run out within its lead time.
    selling: bool = False
