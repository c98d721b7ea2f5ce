"""Repositories of the alert ports (core/ports.py, "alerts") over one SQLAlchemy session.

Like db.repositories: rows map to core dataclasses, nothing here commits. On PostgreSQL
the outbox and the deliveries are claimed with `FOR UPDATE SKIP LOCKED`, so several
dispatchers never take the same row; SQLite serializes whole transactions instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    case,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import NullType

from core.alert_model import (
    AlertKind,
    AlertSettings,
    Crossing,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DigestSigns,
    ProductAlertState,
)
from core.model import Batch, LedgerSums, Member, Movement, Product, Reason, Role, Shop
from db.alert_models import (
    AlertBlockedRecipientRow,
    AlertCrossingRow,
    AlertDeliveryRow,
    AlertMemberKindsRow,
    AlertProductStateRow,
    AlertShopSettingsRow,
    AlertSnoozeRow,
)
from db.engine import conflict_insert
from db.mapping import from_row
from db.models import (
    BatchRow,
    ExpiryByShopRow,
    MemberRow,
    MovementRow,
    ProductRow,
    Quantity,
    ShopRow,
    StockByShopRow,
)
from db.repositories import _barcodes, _batch, _product

MAX_WINDOW_DAYS = 366
# What a pace reads of a movement (core.forecast.velocity), in Movement's field order.
LEDGER_FIELDS = (
    "id",
    "shop_id",
    "product_id",
    "quantity",
    "reason",
    "user_id",
    "created_at",
    "idempotency_key",
    "reverses_id",
)
# core.forecast.QUARTER: the ledger's sums per quarter hour of UTC.
QUARTER_SECONDS = 900
# A product's columns beside another table's in one row, each named with this prefix.
PRODUCT_PREFIX = "p_"
_PRODUCT_COLUMNS = tuple(c.label(PRODUCT_PREFIX + c.name) for c in ProductRow.__table__.c)
# Ids per `IN (…)`: well under SQLite's limit of bound parameters, few round trips.
CHUNK = 500


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _by_day(days: Mapping[int, date]) -> dict[date, list[int]]:
    shops_on: dict[date, list[int]] = {}
    for shop_id, day in days.items():
        shops_on.setdefault(day, []).append(shop_id)
    return shops_on


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: AsyncSession, table: Any) -> Any:
    return conflict_insert(session.get_bind().dialect.name, table)


def _crossing(row: AlertCrossingRow) -> Crossing:
    return Crossing(
        id=row.id,
        shop_id=row.shop_id,
        product_id=row.product_id,
        kind=AlertKind(row.kind),
        on_hand=row.on_hand,
        threshold=row.threshold,
        created_at=row.created_at,
        planned_at=row.planned_at,
    )


def _delivery(row: AlertDeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        shop_id=row.shop_id,
        user_id=row.user_id,
        kind=DeliveryKind(row.kind),
        key=row.key,
        not_before=row.not_before,
        created_at=row.created_at,
        crossing_id=row.crossing_id,
        product_id=row.product_id,
        day=row.day,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        lease_until=row.lease_until,
        finished_at=row.finished_at,
        error=row.error,
    )


def _kinds(text: str) -> frozenset[AlertKind]:
    return frozenset(AlertKind(k) for k in text.split(",") if k)


class SqlAlertOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, crossing: Crossing) -> Crossing:
        row = AlertCrossingRow(
            shop_id=crossing.shop_id,
            product_id=crossing.product_id,
            kind=crossing.kind.value,
            on_hand=crossing.on_hand,
            threshold=crossing.threshold,
            created_at=crossing.created_at,
            planned_at=crossing.planned_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _crossing(row)

    async def pending(self, limit: int) -> Sequence[Crossing]:
        query = (
            select(AlertCrossingRow)
            .where(AlertCrossingRow.planned_at.is_(None))
            .order_by(AlertCrossingRow.id)
            .limit(limit)
        )
        if _postgres(self._session):
            query = query.with_for_update(skip_locked=True)
        rows = (await self._session.scalars(query)).all()
        return [_crossing(r) for r in rows]

    async def get(self, crossing_id: int) -> Crossing | None:
        row = await self._session.get(AlertCrossingRow, crossing_id)
        return _crossing(row) if row is not None else None

    async def mark_planned(self, crossing_id: int, at: datetime) -> None:
        await self._session.execute(
            update(AlertCrossingRow)
            .where(AlertCrossingRow.id == crossing_id)
            .values(planned_at=at)
            .execution_options(synchronize_session=False)
        )


class SqlDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delivery: Delivery) -> bool:
        statement = (
            _insert(self._session, AlertDeliveryRow)
            .values(
                shop_id=delivery.shop_id,
                user_id=delivery.user_id,
                kind=delivery.kind.value,
                key=delivery.key,
                not_before=delivery.not_before,
                created_at=delivery.created_at,
                crossing_id=delivery.crossing_id,
                product_id=delivery.product_id,
                day=delivery.day,
                status=delivery.status.value,
                attempts=delivery.attempts,
                error=delivery.error,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(AlertDeliveryRow.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def add_many(self, deliveries: Sequence[Delivery]) -> int:
        if not deliveries:
            return 0
        rows = [
            {
                "shop_id": d.shop_id,
                "user_id": d.user_id,
                "kind": d.kind.value,
                "key": d.key,
                "not_before": d.not_before,
                "created_at": d.created_at,
                "crossing_id": d.crossing_id,
                "product_id": d.product_id,
                "day": d.day,
                "status": d.status.value,
                "attempts": d.attempts,
                "error": d.error,
            }
            for d in deliveries
        ]
        # One statement compiled once and sent with many rows ("insertmanyvalues"): a
        # multi-row VALUES would be compiled anew for each chunk, bound parameter by bound
        # parameter, which cost more than the database's work for a scan's 1,000 rows.
        statement = (
            _insert(self._session, AlertDeliveryRow.__table__)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(AlertDeliveryRow.__table__.c.id)
        )
        return len((await self._session.execute(statement, rows)).all())

    async def claim(self, now: datetime, limit: int, lease: timedelta) -> Sequence[Delivery]:
        query = (
            select(AlertDeliveryRow)
            .where(
                AlertDeliveryRow.status == DeliveryStatus.PENDING.value,
                AlertDeliveryRow.not_before <= now,
                or_(AlertDeliveryRow.lease_until.is_(None), AlertDeliveryRow.lease_until <= now),
            )
            .order_by(AlertDeliveryRow.not_before, AlertDeliveryRow.id)
            .limit(limit)
        )
        if _postgres(self._session):
            query = query.with_for_update(skip_locked=True)
        rows = (await self._session.scalars(query)).all()
        if not rows:
            return []
        until = now + lease
        await self._session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.id.in_([r.id for r in rows]))
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )
        return [replace(_delivery(row), lease_until=until) for row in rows]

    async def finish(
        self, delivery_id: int, status: DeliveryStatus, at: datetime, error: str = ""
    ) -> None:
        await self._session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.id == delivery_id)
            .values(status=status.value, finished_at=at, error=error, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    async def retry_at(
        self, delivery_id: int, not_before: datetime, attempts: int, error: str = ""
    ) -> None:
        await self._session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.id == delivery_id)
            .values(not_before=not_before, attempts=attempts, error=error, lease_until=None)
            .execution_options(synchronize_session=False)
        )


class SqlAlertSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, shop_id: int) -> AlertSettings:
        row = await self._session.get(AlertShopSettingsRow, shop_id)
        if row is None:
            return AlertSettings(shop_id)
        return AlertSettings(shop_id, row.quiet_start, row.quiet_end, row.digest_planned_for)

    async def save(self, settings: AlertSettings) -> None:
        values = {
            "quiet_start": settings.quiet_start,
            "quiet_end": settings.quiet_end,
            "digest_planned_for": settings.digest_planned_for,
        }
        statement = (
            _insert(self._session, AlertShopSettingsRow)
            .values(shop_id=settings.shop_id, **values)
            .on_conflict_do_update(index_elements=["shop_id"], set_=values)
        )
        await self._session.execute(statement)

    async def digest_days(self) -> dict[int, date]:
        return await self._planned(AlertShopSettingsRow.digest_planned_for)

    async def claim_digest_day(self, shop_id: int, day: date) -> bool:
        return await self._advance("digest_planned_for", shop_id, day)

    async def report_weeks(self) -> dict[int, date]:
        return await self._planned(AlertShopSettingsRow.report_planned_for)

    async def claim_report_week(self, shop_id: int, monday: date) -> bool:
        return await self._advance("report_planned_for", shop_id, monday)

    async def claim_digest_days(self, due: Mapping[int, date]) -> set[int]:
        return await self._advance_many("digest_planned_for", due)

    async def claim_report_weeks(self, due: Mapping[int, date]) -> set[int]:
        return await self._advance_many("report_planned_for", due)

    async def get_many(self, shop_ids: Collection[int]) -> dict[int, AlertSettings]:
        found = {shop_id: AlertSettings(shop_id) for shop_id in shop_ids}
        for chunk in _chunks(shop_ids):
            rows = await self._session.execute(
                select(AlertShopSettingsRow.__table__).where(
                    AlertShopSettingsRow.shop_id.in_(chunk)
                )
            )
            for row in rows:
                found[row.shop_id] = AlertSettings(
                    row.shop_id, row.quiet_start, row.quiet_end, row.digest_planned_for
                )
        return found

    async def kinds_of_shops(
        self, shop_ids: Collection[int]
    ) -> dict[int, dict[int, frozenset[AlertKind]]]:
        found: dict[int, dict[int, frozenset[AlertKind]]] = {}
        for chunk in _chunks(shop_ids):
            rows = await self._session.execute(
                select(
                    AlertMemberKindsRow.shop_id,
                    AlertMemberKindsRow.user_id,
                    AlertMemberKindsRow.kinds,
                ).where(AlertMemberKindsRow.shop_id.in_(chunk))
            )
            for shop_id, user_id, kinds in rows:
                found.setdefault(shop_id, {})[user_id] = _kinds(kinds)
        return found

    async def _advance_many(self, column: str, due: Mapping[int, date]) -> set[int]:
        """`_advance` for many shops in one statement, sent with a row per shop."""
        if not due:
            return set()
        table = AlertShopSettingsRow.__table__
        insert = _insert(self._session, table)
        statement = insert.on_conflict_do_update(
            index_elements=["shop_id"],
            set_={column: insert.excluded[column]},
            where=or_(table.c[column].is_(None), table.c[column] < insert.excluded[column]),
        ).returning(table.c.shop_id)
        rows = [{"shop_id": shop_id, column: day} for shop_id, day in sorted(due.items())]
        return set((await self._session.scalars(statement, rows)).all())

    async def _planned(self, column: InstrumentedAttribute[date | None]) -> dict[int, date]:
        rows = await self._session.execute(
            select(AlertShopSettingsRow.shop_id, column).where(column.is_not(None))
        )
        return {shop_id: day for shop_id, day in rows if day is not None}

    async def _advance(self, column: str, shop_id: int, day: date) -> bool:
        """Move the shop's `column` to `day` if it is earlier or unset, in one statement:
        True for the one caller that moved it."""
        table = AlertShopSettingsRow.__table__
        insert = _insert(self._session, AlertShopSettingsRow).values(
            {"shop_id": shop_id, column: day}
        )
        statement = insert.on_conflict_do_update(
            index_elements=["shop_id"],
            set_={column: insert.excluded[column]},
            where=or_(table.c[column].is_(None), table.c[column] < insert.excluded[column]),
        ).returning(table.c.shop_id)
        return (await self._session.execute(statement)).first() is not None

    async def kinds(self, shop_id: int, user_id: int) -> frozenset[AlertKind] | None:
        row = await self._session.get(AlertMemberKindsRow, (shop_id, user_id))
        return _kinds(row.kinds) if row is not None else None

    async def set_kinds(self, shop_id: int, user_id: int, kinds: frozenset[AlertKind]) -> None:
        text = ",".join(sorted(k.value for k in kinds))
        statement = (
            _insert(self._session, AlertMemberKindsRow)
            .values(shop_id=shop_id, user_id=user_id, kinds=text)
            .on_conflict_do_update(index_elements=["shop_id", "user_id"], set_={"kinds": text})
        )
        await self._session.execute(statement)

    async def all_kinds(self, shop_id: int) -> dict[int, frozenset[AlertKind]]:
        rows = await self._session.scalars(
            select(AlertMemberKindsRow).where(AlertMemberKindsRow.shop_id == shop_id)
        )
        return {row.user_id: _kinds(row.kinds) for row in rows}


class SqlProductAlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @staticmethod
    def _state(row: Any) -> ProductAlertState:
        return ProductAlertState(
            row.shop_id, row.product_id, row.muted, row.ordered_at, row.reorder_done_for
        )

    async def get(self, shop_id: int, product_id: int) -> ProductAlertState:
        row = await self._session.scalar(
            select(AlertProductStateRow).where(
                AlertProductStateRow.shop_id == shop_id,
                AlertProductStateRow.product_id == product_id,
            )
        )
        return self._state(row) if row is not None else ProductAlertState(shop_id, product_id)

    async def save(self, state: ProductAlertState) -> None:
        values = {
            "muted": state.muted,
            "ordered_at": state.ordered_at,
            "reorder_done_for": state.reorder_done_for,
        }
        statement = (
            _insert(self._session, AlertProductStateRow)
            .values(shop_id=state.shop_id, product_id=state.product_id, **values)
            .on_conflict_do_update(index_elements=["shop_id", "product_id"], set_=values)
        )
        await self._session.execute(statement)

    async def for_shop(self, shop_id: int) -> dict[int, ProductAlertState]:
        rows = await self._session.scalars(
            select(AlertProductStateRow).where(AlertProductStateRow.shop_id == shop_id)
        )
        return {row.product_id: self._state(row) for row in rows}

    async def snooze(self, shop_id: int, user_id: int, product_id: int, until: datetime) -> None:
        statement = (
            _insert(self._session, AlertSnoozeRow)
            .values(shop_id=shop_id, user_id=user_id, product_id=product_id, until=until)
            .on_conflict_do_update(
                index_elements=["shop_id", "user_id", "product_id"], set_={"until": until}
            )
        )
        await self._session.execute(statement)

    async def snoozed(self, shop_id: int, user_id: int, now: datetime) -> dict[int, datetime]:
        rows = await self._session.execute(
            select(AlertSnoozeRow.product_id, AlertSnoozeRow.until).where(
                AlertSnoozeRow.shop_id == shop_id,
                AlertSnoozeRow.user_id == user_id,
                AlertSnoozeRow.until > now,
            )
        )
        return {product_id: until for product_id, until in rows}

    async def for_shops(self, shop_ids: Collection[int]) -> dict[int, dict[int, ProductAlertState]]:
        found: dict[int, dict[int, ProductAlertState]] = {}
        for chunk in _chunks(shop_ids):
            rows = await self._session.execute(
                select(AlertProductStateRow.__table__).where(
                    AlertProductStateRow.shop_id.in_(chunk)
                )
            )
            for row in rows:
                found.setdefault(row.shop_id, {})[row.product_id] = self._state(row)
        return found

    async def snoozed_in(
        self, shop_ids: Collection[int], now: datetime
    ) -> dict[tuple[int, int], dict[int, datetime]]:
        found: dict[tuple[int, int], dict[int, datetime]] = {}
        for chunk in _chunks(shop_ids):
            rows = await self._session.execute(
                select(
                    AlertSnoozeRow.shop_id,
                    AlertSnoozeRow.user_id,
                    AlertSnoozeRow.product_id,
                    AlertSnoozeRow.until,
                ).where(AlertSnoozeRow.shop_id.in_(chunk), AlertSnoozeRow.until > now)
            )
            for shop_id, user_id, product_id, until in rows:
                found.setdefault((shop_id, user_id), {})[product_id] = until
        return found


class SqlRecipientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def blocked(self, user_ids: Collection[int]) -> set[int]:
        if not user_ids:
            return set()
        rows = await self._session.scalars(
            select(AlertBlockedRecipientRow.user_id).where(
                AlertBlockedRecipientRow.user_id.in_(list(user_ids))
            )
        )
        return set(rows)

    async def mark_blocked(self, user_id: int, at: datetime) -> None:
        statement = (
            _insert(self._session, AlertBlockedRecipientRow)
            .values(user_id=user_id, blocked_at=at)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        await self._session.execute(statement)

    async def mark_reachable(self, user_id: int) -> None:
        await self._session.execute(
            delete(AlertBlockedRecipientRow).where(AlertBlockedRecipientRow.user_id == user_id)
        )


class SqlAlertQueries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def attention(self, shop_id: int, today: date) -> Sequence[Product]:
        rows = await self._session.execute(
            select(ProductRow.__table__).where(
                ProductRow.shop_id == shop_id,
                ProductRow.archived.is_(False),
                or_(ProductRow.on_hand <= ProductRow.threshold, ProductRow.reorder_date <= today),
            )
        )
        return [_product(row) for row in rows]

    async def expiring_batches(
        self, shop_id: int, today: date, default_days: int
    ) -> Sequence[tuple[Product, Batch]]:
        window = func.coalesce(ProductRow.expiry_warning_days, default_days)
        if _postgres(self._session):
            # date + integer is a date in PostgreSQL: the exact window per product.
            horizon: Any = literal(today) + window
        else:
            horizon = today + timedelta(days=MAX_WINDOW_DAYS)
        query = (
            select(BatchRow, ProductRow)
            .join(
                ProductRow,
                (ProductRow.id == BatchRow.product_id) & (ProductRow.shop_id == BatchRow.shop_id),
            )
            .where(
                BatchRow.shop_id == shop_id,
                BatchRow.quantity > 0,
                BatchRow.expiry.is_not(None),
                BatchRow.expiry <= horizon,
                ProductRow.archived.is_(False),
            )
            .order_by(BatchRow.expiry, BatchRow.id)
        )
        found: list[tuple[Product, Batch]] = []
        products: dict[int, Product] = {}
        for batch_row, product_row in await self._session.execute(query):
            product = products.get(product_row.id)
            if product is None:
                product = products[product_row.id] = _product(product_row)
            batch = _batch(batch_row)
            days = (
                product.expiry_warning_days
                if product.expiry_warning_days is not None
                else default_days
            )
            if batch.expiry is not None and batch.expiry <= today + timedelta(days=days):
                found.append((product, batch))
        return found

    async def shops(self, shop_ids: Collection[int]) -> dict[int, Shop]:
        found: dict[int, Shop] = {}
        for chunk in _chunks(shop_ids):
            rows = await self._session.execute(
                select(ShopRow.__table__).where(ShopRow.id.in_(chunk))
            )
            found.update((row.id, from_row(Shop, row)) for row in rows)
        return found

    async def members(self, shop_ids: Collection[int]) -> dict[int, list[Member]]:
        found: dict[int, list[Member]] = {}
        for chunk in _chunks(shop_ids):
            rows = await self._session.execute(
                select(MemberRow.__table__)
                .where(MemberRow.shop_id.in_(chunk))
                .order_by(MemberRow.shop_id, MemberRow.user_id)
            )
            for row in rows:
                found.setdefault(row.shop_id, []).append(
                    Member(row.shop_id, row.user_id, Role(row.role), row.name)
                )
        return found

    async def attention_of(self, days: Mapping[int, date]) -> dict[int, list[Product]]:
        found: dict[int, list[Product]] = {}
        for today, shop_ids in _by_day(days).items():
            for chunk in _chunks(shop_ids):
                rows = await self._session.execute(
                    select(ProductRow.__table__).where(
                        ProductRow.shop_id.in_(chunk),
                        ProductRow.archived.is_(False),
                        or_(
                            ProductRow.on_hand <= ProductRow.threshold,
                            ProductRow.reorder_date <= today,
                        ),
                    )
                )
                for row in rows:
                    found.setdefault(row.shop_id, []).append(_product(row))
        return found

    async def expiring_batches_of(
        self, days: Mapping[int, date]
    ) -> dict[int, list[tuple[Product, Batch]]]:
        found: dict[int, list[tuple[Product, Batch]]] = {}
        batches = BatchRow.__table__
        window = func.coalesce(ProductRow.expiry_warning_days, ShopRow.near_expiry_days)
        for today, shop_ids in _by_day(days).items():
            if _postgres(self._session):
                horizon: Any = literal(today) + window
            else:
                horizon = today + timedelta(days=MAX_WINDOW_DAYS)
            for chunk in _chunks(shop_ids):
                # Core rows, not mapped objects: a scan reads thousands of batches. Each
                # batch with its product's columns (prefixed) in one query.
                rows = (
                    await self._session.execute(
                        select(batches, window.label("warning_days"), *_PRODUCT_COLUMNS)
                        .join(
                            ProductRow,
                            (ProductRow.id == BatchRow.product_id)
                            & (ProductRow.shop_id == BatchRow.shop_id),
                        )
                        .join(ShopRow, ShopRow.id == BatchRow.shop_id)
                        .where(
                            BatchRow.shop_id.in_(chunk),
                            BatchRow.quantity > 0,
                            BatchRow.expiry.is_not(None),
                            BatchRow.expiry <= horizon,
                            ProductRow.archived.is_(False),
                        )
                        .order_by(BatchRow.shop_id, BatchRow.expiry, BatchRow.id)
                    )
                ).all()
                products: dict[int, Product] = {}
                for row in rows:
                    if row.expiry > today + timedelta(days=row.warning_days):
                        continue
                    product = products.get(row.product_id)
                    if product is None:
                        product = products[row.product_id] = from_row(
                            Product, row, prefix=PRODUCT_PREFIX, barcodes=_barcodes(row.p_barcodes)
                        )
                    found.setdefault(row.shop_id, []).append((product, from_row(Batch, row)))
        return found

    async def sold_since(
        self, shop_ids: Collection[int], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, list[Product]]:
        # Each reason spelled out, so PostgreSQL sees the predicate of the partial index of
        # sales by time (ix_movements_shop_id_created_at_sales).
        reason = or_(*(MovementRow.reason == literal_column(f"'{r.value}'") for r in reasons))
        found: dict[int, list[Product]] = {}
        for chunk in _chunks(shop_ids):
            moved = (
                select(MovementRow.product_id)
                .where(MovementRow.shop_id.in_(chunk), MovementRow.created_at >= since, reason)
                .distinct()
            )
            rows = await self._session.execute(
                select(ProductRow.__table__).where(
                    ProductRow.shop_id.in_(chunk),
                    ProductRow.archived.is_(False),
                    ProductRow.on_hand > ProductRow.threshold,
                    ProductRow.id.in_(moved),
                )
            )
            for row in rows:
                found.setdefault(row.shop_id, []).append(_product(row))
        return found

    async def ledgers_since(
        self, products: Collection[Product], since: datetime
    ) -> dict[int, list[Movement]]:
        table = MovementRow.__table__
        columns = [table.c[name] for name in LEDGER_FIELDS]
        found: dict[int, list[Movement]] = {}
        for chunk in _product_chunks(products):
            rows = await self._session.execute(
                select(*columns)
                .where(
                    table.c.shop_id.in_({p.shop_id for p in chunk}),
                    table.c.product_id.in_([p.id for p in chunk]),
                    table.c.created_at >= since,
                )
                .order_by(table.c.id)
            )
            # Built from the row's values in order: thousands of rows per scan.
            for id_, shop_id, product_id, quantity, reason, user_id, at, key, reverses in rows:
                found.setdefault(product_id, []).append(
                    Movement(
                        id_,
                        shop_id,
                        product_id,
                        quantity,
                        Reason(reason),
                        user_id,
                        at,
                        key,
                        reverses_id=reverses,
                    )
                )
        return found

    async def ledger_sums_since(
        self, products: Collection[Product], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, list[LedgerSums]]:
        table = MovementRow.__table__
        undo = table.alias("undo")
        if _postgres(self._session):
            quarter: Any = func.floor(func.extract("epoch", table.c.created_at) / QUARTER_SECONDS)
            quarter = quarter.cast(BigInteger)
        else:  # stored as UTC text; whole seconds (SQLite would round to milliseconds)
            whole = func.substr(table.c.created_at, 1, 19)
            seconds = func.strftime("%s", whole).cast(Integer)
            quarter = seconds.op("/")(QUARTER_SECONDS)
        undone = (
            select(undo.c.id)
            .where(undo.c.reverses_id == table.c.id, undo.c.created_at >= since)
            .exists()
        )
        selling = table.c.reason.in_([r.value for r in reasons]) & ~undone
        sold = func.sum(case((selling, -table.c.quantity), else_=0))
        postgres = _postgres(self._session)
        found: dict[int, list[LedgerSums]] = {}
        # quarter -> its start: products of one shop share their quarters.
        starts: dict[int, datetime] = {}

        def known(indexes: Iterable[int]) -> dict[int, datetime]:
            for index in set(indexes).difference(starts):
                starts[index] = datetime.fromtimestamp(index * QUARTER_SECONDS, UTC)
            return starts

        for chunk in _product_chunks(products):
            sums = (
                select(
                    table.c.product_id,
                    quarter.label("quarter"),
                    type_coerce(func.sum(table.c.quantity), Quantity()).label("change"),
                    type_coerce(sold, Quantity()).label("sold"),
                )
                .where(
                    table.c.shop_id.in_({p.shop_id for p in chunk}),
                    table.c.product_id.in_([p.id for p in chunk]),
                    table.c.created_at >= since,
                )
                .group_by(table.c.product_id, literal_column("quarter"))
            )
            if postgres:
                # One row per product, its quarters in arrays the driver decodes itself:
                # a busy catalog's ledger is tens of thousands of quarters per claim.
                summed = sums.subquery()
                rows = await self._session.execute(
                    select(
                        summed.c.product_id,
                        *(
                            type_coerce(
                                func.array_agg(aggregate_order_by(column, summed.c.quarter)),
                                NullType(),
                            )
                            for column in (summed.c.quarter, summed.c.change, summed.c.sold)
                        ),
                    ).group_by(summed.c.product_id)
                )
                arrays = rows.all()
                at = known(index for _, quarters, _, _ in arrays for index in quarters)
                for product_id, quarters, changes, units in arrays:
                    found[product_id] = [
                        (at[index], change, sold)
                        for index, change, sold in zip(quarters, changes, units, strict=True)
                    ]
                continue
            ordered = sums.order_by(table.c.product_id, literal_column("quarter"))
            listed = (await self._session.execute(ordered)).all()
            at = known(index for _, index, _, _ in listed)
            for product_id, index, change, units in listed:
                found.setdefault(product_id, []).append((at[index], change, units))
        return found

    async def first_moves_of(self, products: Collection[Product]) -> dict[int, datetime]:
        found: dict[int, datetime] = {}
        for chunk in _product_chunks(products):
            rows = await self._session.execute(
                select(MovementRow.product_id, func.min(MovementRow.created_at))
                .where(
                    MovementRow.shop_id.in_({p.shop_id for p in chunk}),
                    MovementRow.product_id.in_([p.id for p in chunk]),
                )
                .group_by(MovementRow.product_id)
            )
            found.update((product_id, first) for product_id, first in rows if first is not None)
        return found

    async def moved_within(self, spans: Mapping[int, tuple[datetime, datetime]]) -> set[int]:
        shops_in: dict[tuple[datetime, datetime], list[int]] = {}
        for shop_id, span in spans.items():
            shops_in.setdefault(span, []).append(shop_id)
        found: set[int] = set()
        for (start, end), shop_ids in shops_in.items():
            for chunk in _chunks(shop_ids):
                # One probe per shop that stops at its first movement in the span.
                moved = (
                    select(MovementRow.id)
                    .where(
                        MovementRow.shop_id == ShopRow.id,
                        MovementRow.created_at >= start,
                        MovementRow.created_at < end,
                    )
                    .exists()
                )
                rows = await self._session.scalars(
                    select(ShopRow.id).where(ShopRow.id.in_(chunk), moved)
                )
                found.update(rows)
        return found

    async def digest_signs(
        self, shop_ids: Collection[int], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, DigestSigns]:
        kept = StockByShopRow.__table__.c
        dated = ExpiryByShopRow.__table__.c
        products = ProductRow.__table__.c
        states = AlertProductStateRow.__table__.c
        moves = MovementRow.__table__.c
        # As in sold_since: each reason spelled out, for the partial index of sales by time.
        reason = or_(*(moves.reason == literal_column(f"'{r.value}'") for r in reasons))
        counts: dict[int, tuple[int, int]] = {}
        reorder: dict[int, date] = {}
        expiry: dict[int, dict[int | None, date]] = {}
        selling: set[int] = set()
        for chunk in _chunks(shop_ids):
            # Kept by triggers (migration 0017): one row per shop and stripe of writers.
            rows = await self._session.execute(
                select(kept.shop_id, func.sum(kept.reorder), func.sum(kept.out_of_stock))
                .where(kept.shop_id.in_(chunk))
                .group_by(kept.shop_id)
            )
            for shop_id, reordering, out in rows:
                counts[shop_id] = (int(reordering or 0) - int(out or 0), int(out or 0))
            # Kept by triggers (migration 0018): a row per expiry date and warning window.
            rows = await self._session.execute(
                select(dated.shop_id, dated.warning_days, func.min(dated.expiry))
                .where(dated.shop_id.in_(chunk), dated.products > 0)
                .group_by(dated.shop_id, dated.warning_days)
            )
            for shop_id, days, first in rows:
                window = None if days < 0 else int(days)
                expiry.setdefault(shop_id, {})[window] = first
            done = (
                select(states.product_id)
                .where(
                    states.shop_id == products.shop_id,
                    states.product_id == products.id,
                    states.reorder_done_for == products.reorder_date,
                )
                .exists()
            )
            due = await self._session.execute(
                select(products.shop_id, func.min(products.reorder_date))
                .where(
                    products.shop_id.in_(chunk),
                    # As the partial index says it (ix_products_shop_id_reorder_date).
                    products.reorder_date.is_not(None),
                    ~products.archived,
                    ~done,
                )
                .group_by(products.shop_id)
            )
            reorder.update((shop_id, first) for shop_id, first in due if first is not None)
            # One probe per shop through the partial index of sales by time, stopping at
            # the first sale of a product that may be running out.
            sold = (
                select(moves.id)
                .join(ProductRow.__table__, products.id == moves.product_id)
                .where(
                    moves.shop_id == ShopRow.id,
                    moves.created_at >= since,
                    reason,
                    products.archived.is_(False),
                    products.on_hand > products.threshold,
                )
                .exists()
            )
            selling.update(
                await self._session.scalars(select(ShopRow.id).where(ShopRow.id.in_(chunk), sold))
            )
        return {
            shop_id: DigestSigns(
                low=counts.get(shop_id, (0, 0))[0],
                out=counts.get(shop_id, (0, 0))[1],
                reorder_from=reorder.get(shop_id),
                expiry_from=expiry.get(shop_id, {}),
                selling=shop_id in selling,
            )
            for shop_id in set(counts) | set(reorder) | set(expiry) | selling
        }


def _product_chunks(products: Collection[Product]) -> Iterator[list[Product]]:
    ordered = sorted(products, key=lambda p: (p.shop_id, p.id))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]
