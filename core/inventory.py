"""Read-side use cases: the inventory list, the dashboard, the product card, history."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from core.access import Actor, authorize
from core.errors import InvalidValue, ProductGone
from core.forecast import Velocity, pace_of
from core.ledger import undo_refusal
from core.model import Batch, Movement, Product, Shop, clean_name, name_key
from core.ports import UnitOfWork
from core.status import ExpiryStatus, Status, StockStatus, shop_today, status_of

PAGE_SIZE = 10


class StatusFilter(enum.StrEnum):
    ALL = "all"
    LOW = "low"  # low or out: what needs reordering
    OUT = "out"
    EXPIRING = "expiring"  # near expiry
    EXPIRED = "expired"


class SortBy(enum.StrEnum):
    NAME = "name"
    QUANTITY = "qty"
    EXPIRY = "expiry"


@dataclass(frozen=True)
class InventoryQuery:
    status: StatusFilter = StatusFilter.ALL
    category: str | None = None
    sort: SortBy = SortBy.NAME
    expiring_within_days: int | None = None
    page: int = 0
    page_size: int = PAGE_SIZE
    search: str | None = None  # part of the name, or a whole barcode


@dataclass(frozen=True)
class InventoryLine:
    product: Product
    status: Status


@dataclass(frozen=True)
class InventoryPage:
    shop: Shop
    query: InventoryQuery
    lines: tuple[InventoryLine, ...]
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def matches(line: InventoryLine, query: InventoryQuery, today: date) -> bool:
    status = line.status
    if query.status is StatusFilter.LOW and status.stock is StockStatus.OK:
        return False
    if query.status is StatusFilter.OUT and status.stock is not StockStatus.OUT:
        return False
    if query.status is StatusFilter.EXPIRING and status.expiry is not ExpiryStatus.NEAR_EXPIRY:
        return False
    if query.status is StatusFilter.EXPIRED and status.expiry is not ExpiryStatus.EXPIRED:
        return False
    if query.search and not _found(line.product, query.search):
        return False
    if query.expiring_within_days is not None:
        expiry = line.product.earliest_expiry
        if expiry is None or expiry > today + timedelta(days=query.expiring_within_days):
            return False
    return True


def _found(product: Product, search: str) -> bool:
    return name_key(search) in product.key or search.strip() in product.barcodes


def _sort_key(sort: SortBy) -> Callable[[InventoryLine], tuple[object, ...]]:
    def by_quantity(line: InventoryLine) -> tuple[object, ...]:
        return (line.product.on_hand, line.product.key)

    def by_expiry(line: InventoryLine) -> tuple[object, ...]:
        expiry = line.product.earliest_expiry
        return (expiry is None, expiry or date.max, line.product.key)

    def by_name(line: InventoryLine) -> tuple[object, ...]:
        return (line.product.key,)

    return {SortBy.QUANTITY: by_quantity, SortBy.EXPIRY: by_expiry}.get(sort, by_name)


def _lines(products: Sequence[Product], shop: Shop, today: date) -> list[InventoryLine]:
    return [InventoryLine(p, status_of(p, shop, today)) for p in products]


async def inventory(
    uow: UnitOfWork, actor: Actor, query: InventoryQuery, *, now: datetime
) -> InventoryPage:
    if query.page < 0 or query.page_size <= 0:
        raise InvalidValue("There is no such page.")
    async with uow:
        shop, _ = await authorize(uow, actor)
        category = clean_name(query.category).lower() if query.category else None
        products = await uow.products.list(actor.shop_id, category=category)
    today = shop_today(shop, now)
    selected = [line for line in _lines(products, shop, today) if matches(line, query, today)]
    selected.sort(key=_sort_key(query.sort))
    start = query.page * query.page_size
    page = tuple(selected[start : start + query.page_size])
    return InventoryPage(shop, query, page, len(selected))


@dataclass(frozen=True)
class Dashboard:
    shop: Shop
    today: date
    low: tuple[InventoryLine, ...]
    out: tuple[InventoryLine, ...]
    near_expiry: tuple[InventoryLine, ...]
    expired: tuple[InventoryLine, ...]
    products: int


def summarize(products: Sequence[Product], shop: Shop, today: date) -> Dashboard:
    """The four boxes of the dashboard; `low` excludes `out` so no product is counted twice
    in the stock boxes."""
    lines = _lines(products, shop, today)

    def box(wanted: Callable[[Status], bool], order: SortBy) -> tuple[InventoryLine, ...]:
        return tuple(sorted((x for x in lines if wanted(x.status)), key=_sort_key(order)))

    return Dashboard(
        shop=shop,
        today=today,
        low=box(lambda s: s.stock is StockStatus.LOW, SortBy.QUANTITY),
        out=box(lambda s: s.stock is StockStatus.OUT, SortBy.QUANTITY),
        near_expiry=box(lambda s: s.expiry is ExpiryStatus.NEAR_EXPIRY, SortBy.EXPIRY),
        expired=box(lambda s: s.expiry is ExpiryStatus.EXPIRED, SortBy.EXPIRY),
        products=len(lines),
    )


async def dashboard(uow: UnitOfWork, actor: Actor, *, now: datetime) -> Dashboard:
    async with uow:
        shop, _ = await authorize(uow, actor)
        products = await uow.products.list(actor.shop_id)
    return summarize(products, shop, shop_today(shop, now))


@dataclass(frozen=True)
class ProductCard:
    shop: Shop
    product: Product
    status: Status
    batches: tuple[Batch, ...]
    today: date
    pace: Velocity | None = None


async def product_card(
    uow: UnitOfWork, actor: Actor, product_id: int, *, now: datetime
) -> ProductCard:
    async with uow:
        shop, _ = await authorize(uow, actor)
        product = await uow.products.get(actor.shop_id, product_id)
        if product is None or product.archived:
            raise ProductGone(product_id)
        batches = await uow.batches.in_stock(product.id)
        pace = await pace_of(uow, shop, product, now)
    today = shop_today(shop, now)
    ordered = sorted(batches, key=lambda b: (b.expiry is None, b.expiry or date.max, b.id))
    status = status_of(product, shop, today)
    return ProductCard(shop, product, status, tuple(ordered), today, pace)


@dataclass(frozen=True)
class HistoryEntry:
    movement: Movement
    product_name: str
    unit: str
    user_name: str
    undone: bool
    can_undo: bool  # by the member who asked for the history


async def history(
    uow: UnitOfWork,
    actor: Actor,
    *,
    product_id: int | None = None,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
    mark_undone: bool = True,
) -> list[HistoryEntry]:
    """Ledger entries newest first; page on with the last entry's id as `before_id`.

    An export passes `mark_undone=False`: the undo movements themselves are in the
    ledger, and looking each entry up again would cost a query per row."""
    async with uow:
        _, member = await authorize(uow, actor)
        movements = await uow.movements.history(
            actor.shop_id, product_id=product_id, before_id=before_id, limit=limit
        )
        names = {m.user_id: m.name for m in await uow.members.list(actor.shop_id)}
        products: dict[int, Product | None] = {}
        entries = []
        for movement in movements:
            if movement.product_id not in products:
                products[movement.product_id] = await uow.products.get(
                    actor.shop_id, movement.product_id
                )
            product = products[movement.product_id]
            if movement.user_id not in names:
                user = await uow.users.get(movement.user_id)
                names[movement.user_id] = user.name if user else str(movement.user_id)
            undone = mark_undone and await uow.movements.undo_of(movement.id) is not None
            entries.append(
                HistoryEntry(
                    movement=movement,
                    product_name=product.name if product else "?",
                    unit=product.unit if product else "",
                    user_name=names[movement.user_id],
                    undone=undone,
                    can_undo=undo_refusal(movement, member, already_undone=undone) is None,
                )
            )
        return entries


@dataclass(frozen=True)
class StockPoint:
    at: datetime
    on_hand: Decimal


@dataclass(frozen=True)
class StockTimeline:
    shop: Shop
    product: Product
    points: tuple[StockPoint, ...]  # oldest first; the level from each point on


TIMELINE_PAGE = 200


async def stock_timeline(
    uow: UnitOfWork, actor: Actor, product_id: int, *, since: datetime, now: datetime
) -> StockTimeline:
    """The product's on-hand level over time, replayed backwards from the snapshot
    through the ledger, so it agrees with the ledger by construction."""
    async with uow:
        shop, _ = await authorize(uow, actor)
        product = await uow.products.get(actor.shop_id, product_id)
        if product is None or product.archived:
            raise ProductGone(product_id)
        level = product.on_hand
        points = [StockPoint(now, level)]
        before_id: int | None = None
        reached_since = False
        while not reached_since:
            movements = await uow.movements.history(
                actor.shop_id, product_id=product_id, before_id=before_id, limit=TIMELINE_PAGE
            )
            for movement in movements:
                if movement.created_at < since:
                    reached_since = True
                    break
                points.append(StockPoint(movement.created_at, level))
                level -= movement.quantity
            if len(movements) < TIMELINE_PAGE:
                break
            before_id = movements[-1].id
        # A product younger than the window starts at its first movement.
        if reached_since or len(points) == 1:
            points.append(StockPoint(since, level))
    return StockTimeline(shop, product, tuple(reversed(points)))
