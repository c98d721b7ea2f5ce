"""In-memory fakes of core's ports, for unit tests (no I/O, milliseconds).

They behave like the database adapters where core depends on it: ids are assigned on
`add` from sequences that are never rolled back, every read is scoped to a shop, a batch
can never go negative (the real table has a CHECK), and an idempotency key is unique per
shop (the real table has a UNIQUE constraint).

Transactions: all unit-of-work instances built on one `FakeStore` share its committed
state. Entering `async with uow:` takes a private copy of it; `commit()` publishes the
copy; leaving the block without commit throws the copy away. A `FakeUnitOfWork` can be
entered again and again — each entry is a fresh transaction — because the use cases
receive one unit of work and open it once per call.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

from core import ports
from core.inventory_query import (
    DASHBOARD_BOXES,
    InventoryQuery,
    InventorySlice,
    StatusFilter,
    select_page,
)
from core.ledger import take_fefo
from core.model import (
    Batch,
    Invite,
    Member,
    Movement,
    Product,
    Reason,
    Role,
    Shop,
    User,
    UserLanguage,
)
from core.takings_model import ShopValue, value_of
from tests import fakes_alerts


class IntegrityError(Exception):
    """What the real database would refuse with a constraint violation."""


Row = TypeVar("Row", Shop, User, Invite, Batch, Movement)


def _stored(row: Row) -> Row:
    """The row as the database gives it back: datetimes in UTC, naive ones refused (as
    db.models.UtcDateTime does)."""
    changes: dict[str, Any] = {}
    for column in fields(row):
        value = getattr(row, column.name)
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r}: stockbot stores aware datetimes only")
            changes[column.name] = value.astimezone(UTC)
    return replace(row, **changes) if changes else row


@dataclass
class StoreState:
    """One consistent version of every table. Values are frozen dataclasses, so a
    shallow copy of each dict is a full snapshot."""

    shops: dict[int, Shop] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    languages: dict[int, UserLanguage] = field(default_factory=dict)
    members: dict[tuple[int, int], Member] = field(default_factory=dict)
    chats: dict[int, int] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    batches: dict[int, Batch] = field(default_factory=dict)
    movements: dict[int, Movement] = field(default_factory=dict)
    alerts: fakes_alerts.AlertTables = field(default_factory=fakes_alerts.AlertTables)

    def copy(self) -> StoreState:
        return StoreState(
            shops=dict(self.shops),
            users=dict(self.users),
            languages=dict(self.languages),
            members=dict(self.members),
            chats=dict(self.chats),
            invites=dict(self.invites),
            products=dict(self.products),
            batches=dict(self.batches),
            movements=dict(self.movements),
            alerts=self.alerts.copy(),
        )


@dataclass
class FakeStore:
    """The shared "database": committed state plus sequences (not transactional, like
    PostgreSQL's)."""

    state: StoreState = field(default_factory=StoreState)
    commits: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)


class _Transaction:
    """The state a unit of work reads and writes while its block is open."""

    def __init__(self) -> None:
        self._state: StoreState | None = None

    @property
    def state(self) -> StoreState:
        if self._state is None:
            raise AssertionError("repository used outside `async with uow:`")
        return self._state


class _Repository:
    def __init__(self, tx: _Transaction, store: FakeStore) -> None:
        self._tx = tx
        self._store = store

    @property
    def _s(self) -> StoreState:
        return self._tx.state


class FakeShopRepository(_Repository):
    async def add(self, shop: Shop) -> Shop:
        added = _stored(replace(shop, id=self._store.next_id()))
        self._s.shops[added.id] = added
        return added

    async def get(self, shop_id: int) -> Shop | None:
        return self._s.shops.get(shop_id)

    async def update(self, shop: Shop) -> None:
        self._s.shops[shop.id] = _stored(shop)

    async def list_all(self) -> Sequence[Shop]:
        return sorted(self._s.shops.values(), key=lambda s: s.id)


class FakeUserRepository(_Repository):
    async def get(self, user_id: int) -> User | None:
        return self._s.users.get(user_id)

    async def save(self, user: User) -> None:
        self._s.users[user.id] = _stored(user)

    async def language(self, user_id: int) -> UserLanguage:
        return self._s.languages.get(user_id, UserLanguage())

    async def save_language(self, user_id: int, language: UserLanguage) -> None:
        self._s.languages[user_id] = language


class FakeMemberRepository(_Repository):
    async def get(self, shop_id: int, user_id: int) -> Member | None:
        return self._s.members.get((shop_id, user_id))

    async def add(self, member: Member) -> None:
        key = (member.shop_id, member.user_id)
        if key in self._s.members:
            raise IntegrityError(f"member {key} exists")
        self._s.members[key] = member

    async def set_role(self, shop_id: int, user_id: int, role: Role) -> None:
        member = self._s.members[(shop_id, user_id)]
        self._s.members[(shop_id, user_id)] = replace(member, role=role)

    async def remove(self, shop_id: int, user_id: int) -> None:
        self._s.members.pop((shop_id, user_id), None)

    async def list(self, shop_id: int) -> Sequence[Member]:
        return [m for (s, _), m in self._s.members.items() if s == shop_id]

    async def owners_for_update(self, shop_id: int) -> Sequence[Member]:
        return [m for m in await self.list(shop_id) if m.is_owner]

    async def shops_of(self, user_id: int) -> Sequence[tuple[Shop, Member]]:
        found = [(self._s.shops[s], m) for (s, u), m in self._s.members.items() if u == user_id]
        return sorted(found, key=lambda pair: pair[0].id)


class FakeChatLinkRepository(_Repository):
    async def link(self, chat_id: int, shop_id: int) -> None:
        self._s.chats[chat_id] = shop_id

    async def unlink(self, chat_id: int) -> None:
        self._s.chats.pop(chat_id, None)

    async def shop_of(self, chat_id: int) -> int | None:
        return self._s.chats.get(chat_id)

    async def groups_of(self, shop_id: int) -> Sequence[int]:
        return sorted(chat for chat, shop in self._s.chats.items() if shop == shop_id)


class FakeInviteRepository(_Repository):
    async def add(self, invite: Invite) -> None:
        if invite.code in self._s.invites:
            raise IntegrityError(f"invite {invite.code} exists")
        self._s.invites[invite.code] = _stored(invite)

    async def get_for_update(self, code: str) -> Invite | None:
        return self._s.invites.get(code)

    async def mark_used(self, code: str, user_id: int, at: datetime) -> None:
        invite = self._s.invites[code]
        self._s.invites[code] = _stored(replace(invite, used_by=user_id, used_at=at))


class FakeProductRepository(_Repository):
    def _check(self, product: Product) -> None:
        """The table's CHECK and its unique index on (shop, name key) of active products."""
        if product.on_hand < 0:
            raise IntegrityError(f"product {product.id} would go negative: {product.on_hand}")
        for other in self._s.products.values():
            if (
                other.id != product.id
                and other.shop_id == product.shop_id
                and not (other.archived or product.archived)
                and other.key == product.key
            ):
                raise IntegrityError(f"an active product is already called {product.key!r}")

    async def add(self, product: Product) -> Product:
        added = replace(product, id=self._store.next_id())
        self._check(added)
        self._s.products[added.id] = added
        return added

    async def get(self, shop_id: int, product_id: int) -> Product | None:
        product = self._s.products.get(product_id)
        return product if product is not None and product.shop_id == shop_id else None

    async def get_many(self, shop_id: int, product_ids: Collection[int]) -> dict[int, Product]:
        return {
            p.id: p
            for p in self._s.products.values()
            if p.shop_id == shop_id and p.id in product_ids
        }

    async def get_for_update(self, shop_id: int, product_id: int) -> Product | None:
        # One transaction at a time runs in a unit test, so there is nothing to lock.
        return await self.get(shop_id, product_id)

    async def by_name(self, shop_id: int, key: str, *, lock: bool = False) -> Product | None:
        for product in self._s.products.values():
            if product.shop_id == shop_id and not product.archived and product.key == key:
                return product
        return None

    async def list(
        self, shop_id: int, *, category: str | None = None, include_archived: bool = False
    ) -> Sequence[Product]:
        return [
            p
            for p in sorted(self._s.products.values(), key=lambda p: (p.key, p.id))
            if p.shop_id == shop_id
            and (include_archived or not p.archived)
            and (category is None or p.category == category)
        ]

    async def update(self, product: Product) -> None:
        stored = self._s.products.get(product.id)
        if stored is None or stored.shop_id != product.shop_id:
            raise AssertionError(f"product {product.id} is not in shop {product.shop_id}")
        self._check(product)
        self._s.products[product.id] = product

    async def categories(self, shop_id: int) -> Sequence[str]:
        return sorted(
            {
                p.category
                for p in self._s.products.values()
                if p.shop_id == shop_id and not p.archived and p.category
            }
        )


class FakeInventoryQueries(_Repository):
    """Answers with core's own rule over every stored product."""

    async def page(self, shop: Shop, today: date, query: InventoryQuery) -> InventorySlice:
        return select_page(self._s.products.values(), query, shop, today)

    async def boxes(
        self, shop: Shop, today: date, first: int
    ) -> tuple[int, dict[StatusFilter, InventorySlice]]:
        listed = select_page(self._s.products.values(), InventoryQuery(page_size=1), shop, today)
        return listed.total, {
            box: select_page(
                self._s.products.values(),
                InventoryQuery(box, sort=sort, page_size=first),
                shop,
                today,
            )
            for box, sort in DASHBOARD_BOXES.items()
        }

    async def value(self, shop_id: int, *, day_start: datetime, week_start: datetime) -> ShopValue:
        return value_of(
            (p for p in self._s.products.values() if p.shop_id == shop_id),
            (m for m in self._s.movements.values() if m.shop_id == shop_id),
            day_start=day_start,
            week_start=week_start,
        )


class FakeBatchRepository(_Repository):
    async def add(self, batch: Batch) -> Batch:
        if batch.quantity < 0:
            raise IntegrityError("batch quantity must be >= 0")
        product = self._s.products.get(batch.product_id)
        if product is None or product.shop_id != batch.shop_id:
            raise IntegrityError(f"no product {batch.product_id} in shop {batch.shop_id}")
        added = _stored(replace(batch, id=self._store.next_id()))
        self._s.batches[added.id] = added
        return added

    async def get(self, batch_id: int) -> Batch | None:
        return self._s.batches.get(batch_id)

    async def in_stock(self, product_id: int) -> Sequence[Batch]:
        return [
            b
            for b in sorted(self._s.batches.values(), key=lambda b: b.id)
            if b.product_id == product_id and b.quantity > 0
        ]

    async def in_stock_of(self, product_ids: Collection[int]) -> dict[int, list[Batch]]:
        found: dict[int, list[Batch]] = {}
        for product_id in product_ids:
            if batches := await self.in_stock(product_id):
                found[product_id] = list(batches)
        return found

    async def latest(self, product_id: int) -> Batch | None:
        batches = [b for b in self._s.batches.values() if b.product_id == product_id]
        return max(batches, key=lambda b: (b.received_at, b.id), default=None)


class FakeMovementRepository(_Repository):
    async def add(self, movement: Movement) -> Movement:
        for other in self._s.movements.values():
            if (other.shop_id, other.idempotency_key) == (
                movement.shop_id,
                movement.idempotency_key,
            ):
                raise IntegrityError(f"duplicate idempotency key {movement.idempotency_key}")
            if movement.reverses_id is not None and other.reverses_id == movement.reverses_id:
                raise IntegrityError(f"movement {movement.reverses_id} is already undone")
        added = _stored(replace(movement, id=self._store.next_id()))
        self._s.movements[added.id] = added
        return added

    async def record(
        self, movement: Movement, batches: Sequence[Batch], product: Product
    ) -> Movement:
        for batch in batches:
            stored = self._s.batches.get(batch.id)
            if stored is None or stored.product_id != product.id:
                raise LookupError(f"batch {batch.id} is not of product {product.id}")
            if batch.quantity < 0:
                raise IntegrityError(f"batch {batch.id} would go negative: {batch.quantity}")
            self._s.batches[batch.id] = replace(stored, quantity=batch.quantity)
        await FakeProductRepository(self._tx, self._store).update(product)
        return await self.add(movement)

    async def record_removal(
        self, movement: Movement, product: Product
    ) -> tuple[Movement, Product] | None:
        if await self.by_key(movement.shop_id, movement.idempotency_key):
            return None
        in_stock = await FakeBatchRepository(self._tx, self._store).in_stock(product.id)
        if sum(b.quantity for b in in_stock) < -movement.quantity:
            return None
        taken = take_fefo(product, in_stock, -movement.quantity)
        recorded = await self.record(
            replace(movement, allocations=taken.allocations), taken.batches, taken.product
        )
        return recorded, taken.product

    async def get(self, shop_id: int, movement_id: int) -> Movement | None:
        movement = self._s.movements.get(movement_id)
        return movement if movement is not None and movement.shop_id == shop_id else None

    async def by_key(self, shop_id: int, key: str) -> Sequence[Movement]:
        return [
            m
            for m in sorted(self._s.movements.values(), key=lambda m: m.id)
            if m.shop_id == shop_id and m.idempotency_key == key
        ]

    async def undo_of(self, movement_id: int) -> Movement | None:
        for movement in self._s.movements.values():
            if movement.reverses_id == movement_id:
                return movement
        return None

    async def undone(self, movement_ids: Collection[int]) -> set[int]:
        reversed_ids = (m.reverses_id for m in self._s.movements.values())
        return {i for i in reversed_ids if i is not None and i in movement_ids}

    async def last_by_user(self, shop_id: int, user_id: int) -> Movement | None:
        undone = {m.reverses_id for m in self._s.movements.values() if m.reverses_id}
        for movement in self._newest_first():
            if (
                movement.shop_id == shop_id
                and movement.user_id == user_id
                and movement.reason is not Reason.UNDO
                and movement.quantity != 0
                and movement.id not in undone
            ):
                return movement
        return None

    async def newest_by_user(self, shop_id: int, user_id: int) -> Movement | None:
        for movement in self._newest_first():
            if movement.shop_id == shop_id and movement.user_id == user_id:
                return movement
        return None

    async def history(
        self,
        shop_id: int,
        *,
        product_id: int | None = None,
        before_id: int | None = None,
        limit: int = 10,
        allocations: bool = True,
    ) -> Sequence[Movement]:
        selected = [
            m
            for m in self._newest_first()
            if m.shop_id == shop_id
            and (product_id is None or m.product_id == product_id)
            and (before_id is None or m.id < before_id)
        ]
        return selected[:limit]

    async def since(self, shop_id: int, start: datetime) -> Sequence[Movement]:
        return [
            replace(m, allocations=())
            for m in reversed(self._newest_first())
            if m.shop_id == shop_id and m.created_at >= start
        ]

    async def first_moves(self, shop_id: int) -> dict[int, datetime]:
        first: dict[int, datetime] = {}
        for m in self._s.movements.values():
            if m.shop_id == shop_id:
                first[m.product_id] = min(first.get(m.product_id, m.created_at), m.created_at)
        return first

    def _newest_first(self) -> list[Movement]:
        return sorted(self._s.movements.values(), key=lambda m: m.id, reverse=True)


class FakeUnitOfWork(ports.UnitOfWork):
    """A unit of work over a `FakeStore`; re-enterable, one transaction per entry."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self._tx = _Transaction()
        # Each repository is typed as the port (core.ports.UnitOfWork declares it).
        self.shops = FakeShopRepository(self._tx, self.store)
        self.users = FakeUserRepository(self._tx, self.store)
        self.members = FakeMemberRepository(self._tx, self.store)
        self.chats = FakeChatLinkRepository(self._tx, self.store)
        self.invites = FakeInviteRepository(self._tx, self.store)
        self.products = FakeProductRepository(self._tx, self.store)
        self.inventory = FakeInventoryQueries(self._tx, self.store)
        self.batches = FakeBatchRepository(self._tx, self.store)
        self.movements = FakeMovementRepository(self._tx, self.store)
        self.alert_outbox = fakes_alerts.FakeAlertOutbox(self._tx, self.store)
        self.deliveries = fakes_alerts.FakeDeliveryRepository(self._tx, self.store)
        self.alert_settings = fakes_alerts.FakeAlertSettingsRepository(self._tx, self.store)
        self.product_alerts = fakes_alerts.FakeProductAlertRepository(self._tx, self.store)
        self.recipients = fakes_alerts.FakeRecipientRepository(self._tx, self.store)
        self.alert_queries = fakes_alerts.FakeAlertQueries(self._tx, self.store)
        self.committed = False  # whether the last transaction committed
        self.commits = 0  # commits made through this instance
        self.rollbacks = 0
        self.entries = 0

    async def __aenter__(self) -> Self:
        if self._tx._state is not None:
            raise AssertionError("FakeUnitOfWork entered twice without leaving")
        self._tx._state = self.store.state.copy()
        self.committed = False
        self.entries += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Anything not committed is discarded, like a real transaction's rollback.
        self._tx._state = None

    async def commit(self) -> None:
        self.store.state = self._tx.state.copy()
        self.store.commits += 1
        self.commits += 1
        self.committed = True

    async def rollback(self) -> None:
        if self._tx._state is None:
            return  # nothing to roll back outside a block, as with a real session
        self._tx._state = self.store.state.copy()
        self.rollbacks += 1


def uow_factory(store: FakeStore) -> Callable[[], FakeUnitOfWork]:
    """A new unit of work on the shared store per call, as `db.uow.uow_factory` makes."""
    return lambda: FakeUnitOfWork(store)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start if start is not None else datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
