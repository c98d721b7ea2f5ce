"""In-memory fakes of the alert ports (core/ports.py, "alerts"), for unit tests.

Their tables live in `StoreState.alerts`, so they take part in `FakeUnitOfWork`'s
transactions like every other fake: a copy on entry, published on commit. Deliveries are
unique by key, as the real table is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.alert_model import (
    AlertKind,
    AlertSettings,
    Crossing,
    Delivery,
    DeliveryStatus,
    DigestSigns,
    ProductAlertState,
)
from core.model import Batch, LedgerSums, Member, Movement, Product, Reason, Shop

if TYPE_CHECKING:
    from tests.fakes import FakeStore, StoreState


@dataclass
class AlertTables:
    crossings: dict[int, Crossing] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    settings: dict[int, AlertSettings] = field(default_factory=dict)
    report_weeks: dict[int, date] = field(default_factory=dict)
    kinds: dict[tuple[int, int], frozenset[AlertKind]] = field(default_factory=dict)
    product_states: dict[tuple[int, int], ProductAlertState] = field(default_factory=dict)
    snoozes: dict[tuple[int, int, int], datetime] = field(default_factory=dict)
    blocked: dict[int, datetime] = field(default_factory=dict)

    def copy(self) -> AlertTables:
        return AlertTables(
            crossings=dict(self.crossings),
            deliveries=dict(self.deliveries),
            settings=dict(self.settings),
            report_weeks=dict(self.report_weeks),
            kinds=dict(self.kinds),
            product_states=dict(self.product_states),
            snoozes=dict(self.snoozes),
            blocked=dict(self.blocked),
        )


class _AlertRepository:
    def __init__(self, tx: Any, store: FakeStore) -> None:
        self._tx = tx
        self._store = store

    @property
    def _s(self) -> StoreState:
        state: StoreState = self._tx.state
        return state

    @property
    def _a(self) -> AlertTables:
        return self._s.alerts


class FakeAlertOutbox(_AlertRepository):
    async def add(self, crossing: Crossing) -> Crossing:
        added = replace(crossing, id=self._store.next_id())
        self._a.crossings[added.id] = added
        return added

    async def pending(self, limit: int) -> Sequence[Crossing]:
        waiting = [c for c in self._a.crossings.values() if c.planned_at is None]
        return sorted(waiting, key=lambda c: c.id)[:limit]

    async def get(self, crossing_id: int) -> Crossing | None:
        return self._a.crossings.get(crossing_id)

    async def mark_planned(self, crossing_id: int, at: datetime) -> None:
        self._a.crossings[crossing_id] = replace(self._a.crossings[crossing_id], planned_at=at)


class FakeDeliveryRepository(_AlertRepository):
    async def add(self, delivery: Delivery) -> bool:
        if any(d.key == delivery.key for d in self._a.deliveries.values()):
            return False
        added = replace(delivery, id=self._store.next_id())
        self._a.deliveries[added.id] = added
        return True

    async def add_many(self, deliveries: Sequence[Delivery]) -> int:
        return sum([await self.add(d) for d in deliveries])

    async def claim(self, now: datetime, limit: int, lease: timedelta) -> Sequence[Delivery]:
        due = [
            d
            for d in sorted(self._a.deliveries.values(), key=lambda d: (d.not_before, d.id))
            if d.status is DeliveryStatus.PENDING
            and d.not_before <= now
            and (d.lease_until is None or d.lease_until <= now)
        ][:limit]
        claimed = [replace(d, lease_until=now + lease) for d in due]
        for d in claimed:
            self._a.deliveries[d.id] = d
        return claimed

    async def finish(
        self, delivery_id: int, status: DeliveryStatus, at: datetime, error: str = ""
    ) -> None:
        self._a.deliveries[delivery_id] = replace(
            self._a.deliveries[delivery_id], status=status, finished_at=at, error=error
        )

    async def retry_at(
        self, delivery_id: int, not_before: datetime, attempts: int, error: str = ""
    ) -> None:
        self._a.deliveries[delivery_id] = replace(
            self._a.deliveries[delivery_id],
            not_before=not_before,
            attempts=attempts,
            lease_until=None,
            error=error,
        )


class FakeAlertSettingsRepository(_AlertRepository):
    async def get(self, shop_id: int) -> AlertSettings:
        return self._a.settings.get(shop_id, AlertSettings(shop_id))

    async def save(self, settings: AlertSettings) -> None:
        self._a.settings[settings.shop_id] = settings

    async def digest_days(self) -> dict[int, date]:
        return {
            s.shop_id: s.digest_planned_for
            for s in self._a.settings.values()
            if s.digest_planned_for is not None
        }

    async def claim_digest_day(self, shop_id: int, day: date) -> bool:
        settings = await self.get(shop_id)
        if settings.digest_planned_for is not None and settings.digest_planned_for >= day:
            return False
        self._a.settings[shop_id] = replace(settings, digest_planned_for=day)
        return True

    async def report_weeks(self) -> dict[int, date]:
        return dict(self._a.report_weeks)

    async def claim_report_week(self, shop_id: int, monday: date) -> bool:
        last = self._a.report_weeks.get(shop_id)
        if last is not None and last >= monday:
            return False
        self._a.report_weeks[shop_id] = monday
        return True

    async def claim_digest_days(self, due: Mapping[int, date]) -> set[int]:
        return {s for s, day in due.items() if await self.claim_digest_day(s, day)}

    async def claim_report_weeks(self, due: Mapping[int, date]) -> set[int]:
        return {s for s, day in due.items() if await self.claim_report_week(s, day)}

    async def get_many(self, shop_ids: Collection[int]) -> dict[int, AlertSettings]:
        return {s: await self.get(s) for s in shop_ids}

    async def kinds_of_shops(
        self, shop_ids: Collection[int]
    ) -> dict[int, dict[int, frozenset[AlertKind]]]:
        return {s: kinds for s in shop_ids if (kinds := await self.all_kinds(s))}

    async def kinds(self, shop_id: int, user_id: int) -> frozenset[AlertKind] | None:
        return self._a.kinds.get((shop_id, user_id))

    async def set_kinds(self, shop_id: int, user_id: int, kinds: frozenset[AlertKind]) -> None:
        self._a.kinds[(shop_id, user_id)] = frozenset(kinds)

    async def all_kinds(self, shop_id: int) -> dict[int, frozenset[AlertKind]]:
        return {u: k for (s, u), k in self._a.kinds.items() if s == shop_id}


class FakeProductAlertRepository(_AlertRepository):
    async def get(self, shop_id: int, product_id: int) -> ProductAlertState:
        return self._a.product_states.get(
            (shop_id, product_id), ProductAlertState(shop_id, product_id)
        )

    async def save(self, state: ProductAlertState) -> None:
        self._a.product_states[(state.shop_id, state.product_id)] = state

    async def for_shop(self, shop_id: int) -> dict[int, ProductAlertState]:
        return {p: st for (s, p), st in self._a.product_states.items() if s == shop_id}

    async def snooze(self, shop_id: int, user_id: int, product_id: int, until: datetime) -> None:
        self._a.snoozes[(shop_id, user_id, product_id)] = until

    async def snoozed(self, shop_id: int, user_id: int, now: datetime) -> dict[int, datetime]:
        return {
            p: until
            for (s, u, p), until in self._a.snoozes.items()
            if s == shop_id and u == user_id and until > now
        }

    async def for_shops(self, shop_ids: Collection[int]) -> dict[int, dict[int, ProductAlertState]]:
        return {s: states for s in shop_ids if (states := await self.for_shop(s))}

    async def snoozed_in(
        self, shop_ids: Collection[int], now: datetime
    ) -> dict[tuple[int, int], dict[int, datetime]]:
        found: dict[tuple[int, int], dict[int, datetime]] = {}
        for (s, u, p), until in self._a.snoozes.items():
            if s in shop_ids and until > now:
                found.setdefault((s, u), {})[p] = until
        return found


class FakeRecipientRepository(_AlertRepository):
    async def blocked(self, user_ids: Collection[int]) -> set[int]:
        return {u for u in user_ids if u in self._a.blocked}

    async def mark_blocked(self, user_id: int, at: datetime) -> None:
        self._a.blocked[user_id] = at

    async def mark_reachable(self, user_id: int) -> None:
        self._a.blocked.pop(user_id, None)


class FakeAlertQueries(_AlertRepository):
    async def attention(self, shop_id: int, today: date) -> Sequence[Product]:
        return [
            p
            for p in sorted(self._s.products.values(), key=lambda p: p.id)
            if p.shop_id == shop_id
            and not p.archived
            and (
                p.on_hand <= p.threshold or (p.reorder_date is not None and p.reorder_date <= today)
            )
        ]

    async def expiring_batches(
        self, shop_id: int, today: date, default_days: int
    ) -> Sequence[tuple[Product, Batch]]:
        found: list[tuple[Product, Batch]] = []
        for batch in self._s.batches.values():
            product = self._s.products.get(batch.product_id)
            if (
                product is None
                or product.shop_id != shop_id
                or product.archived
                or batch.quantity <= 0
                or batch.expiry is None
            ):
                continue
            window = (
                product.expiry_warning_days
                if product.expiry_warning_days is not None
                else default_days
            )
            if batch.expiry <= today + timedelta(days=window):
                found.append((product, batch))
        return sorted(found, key=lambda pair: (pair[1].expiry or date.max, pair[1].id))

    async def shops(self, shop_ids: Collection[int]) -> dict[int, Shop]:
        return {s: shop for s in shop_ids if (shop := self._s.shops.get(s)) is not None}

    async def members(self, shop_ids: Collection[int]) -> dict[int, list[Member]]:
        found: dict[int, list[Member]] = {}
        for (s, _), member in sorted(self._s.members.items()):
            if s in shop_ids:
                found.setdefault(s, []).append(member)
        return found

    async def attention_of(self, days: Mapping[int, date]) -> dict[int, list[Product]]:
        return {
            s: found for s, day in days.items() if (found := list(await self.attention(s, day)))
        }

    async def expiring_batches_of(
        self, days: Mapping[int, date]
    ) -> dict[int, list[tuple[Product, Batch]]]:
        found: dict[int, list[tuple[Product, Batch]]] = {}
        for s, day in days.items():
            shop = self._s.shops.get(s)
            batches = await self.expiring_batches(s, day, shop.near_expiry_days) if shop else []
            if batches:
                found[s] = list(batches)
        return found

    async def sold_since(
        self, shop_ids: Collection[int], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, list[Product]]:
        sold = {
            m.product_id
            for m in self._s.movements.values()
            if m.shop_id in shop_ids and m.created_at >= since and m.reason in reasons
        }
        found: dict[int, list[Product]] = {}
        for p in sorted(self._s.products.values(), key=lambda p: p.id):
            if p.id in sold and not p.archived and p.on_hand > p.threshold:
                found.setdefault(p.shop_id, []).append(p)
        return found

    async def ledgers_since(
        self, products: Collection[Product], since: datetime
    ) -> dict[int, list[Movement]]:
        ids = {p.id for p in products}
        found: dict[int, list[Movement]] = {}
        for m in sorted(self._s.movements.values(), key=lambda m: m.id):
            if m.product_id in ids and m.created_at >= since:
                found.setdefault(m.product_id, []).append(replace(m, allocations=()))
        return found

    async def ledger_sums_since(
        self, products: Collection[Product], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, list[LedgerSums]]:
        ids = {p.id for p in products}
        moves = [m for m in self._s.movements.values() if m.created_at >= since]
        undone = {m.reverses_id for m in moves if m.reverses_id is not None}
        sums: dict[int, dict[datetime, tuple[Decimal, Decimal]]] = {}
        for m in moves:
            if m.product_id not in ids:
                continue
            epoch = int(m.created_at.timestamp()) // 900 * 900
            at = datetime.fromtimestamp(epoch, UTC)
            change, sold = sums.setdefault(m.product_id, {}).get(at, (Decimal(0), Decimal(0)))
            if m.reason in reasons and m.id not in undone:
                sold -= m.quantity
            sums[m.product_id][at] = (change + m.quantity, sold)
        return {
            product_id: [(at, change, sold) for at, (change, sold) in sorted(by_quarter.items())]
            for product_id, by_quarter in sums.items()
        }

    async def first_moves_of(self, products: Collection[Product]) -> dict[int, datetime]:
        ids = {p.id for p in products}
        first: dict[int, datetime] = {}
        for m in self._s.movements.values():
            if m.product_id in ids:
                first[m.product_id] = min(first.get(m.product_id, m.created_at), m.created_at)
        return first

    async def moved_within(self, spans: Mapping[int, tuple[datetime, datetime]]) -> set[int]:
        return {
            m.shop_id
            for m in self._s.movements.values()
            if m.shop_id in spans and spans[m.shop_id][0] <= m.created_at < spans[m.shop_id][1]
        }

    async def digest_signs(
        self, shop_ids: Collection[int], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, DigestSigns]:
        sold = {
            m.product_id
            for m in self._s.movements.values()
            if m.shop_id in shop_ids and m.created_at >= since and m.reason in reasons
        }
        found: dict[int, DigestSigns] = {}
        for shop_id in shop_ids:
            active = [
                p for p in self._s.products.values() if p.shop_id == shop_id and not p.archived
            ]
            expiry: dict[int | None, date] = {}
            for p in active:
                if p.on_hand > 0 and p.earliest_expiry is not None:
                    window = p.expiry_warning_days
                    expiry[window] = min(expiry.get(window, p.earliest_expiry), p.earliest_expiry)
            reorder = [
                p.reorder_date
                for p in active
                if p.reorder_date is not None
                and (
                    (state := self._a.product_states.get((shop_id, p.id))) is None
                    or state.reorder_done_for != p.reorder_date
                )
            ]
            found[shop_id] = DigestSigns(
                low=sum(1 for p in active if 0 < p.on_hand <= p.threshold),
                out=sum(1 for p in active if p.on_hand <= 0),
                reorder_from=min(reorder, default=None),
                expiry_from=expiry,
                selling=any(p.id in sold and p.on_hand > p.threshold for p in active),
            )
        return found
