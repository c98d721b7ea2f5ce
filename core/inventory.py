"""Read-side use cases: the inventory list, the dashboard, the product card, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from core.access import Actor, authorize
from core.errors import Invalid, ProductGone, ValueRefused
from core.forecast import Velocity, pace_of, shop_paces
from core.inventory_query import (
    DASHBOARD_BOXES,
    PAGE_SIZE,
    InventoryQuery,
    InventorySlice,
    SortBy,
    StatusFilter,
)
from core.ledger import undo_refusal
from core.model import Batch, Member, Movement, Product, Shop, clean_name
from core.ports import UnitOfWork
from core.status import ExpiryStatus, Status, expiring_batches, shop_today, status_of
from core.takings import Takings, takings_of
from core.visibility import batch_for, product_for, sees_costs

__all__ = ["PAGE_SIZE", "InventoryQuery", "SortBy", "StatusFilter"]  # the query's words

DASHBOARD_FIRST = 5  # products named in each box of the dashboard


@dataclass(frozen=True)
class InventoryLine:
    product: Product
    status: Status
    # For a product near expiry or expired: the batches that are, so a list shows the
    # quantity that expires rather than all on hand.
    expiring: tuple[Batch, ...] = ()
    pace: Velocity | None = None  # read only when sorting by days left


@dataclass(frozen=True)
class InventoryPage:
    shop: Shop
    query: InventoryQuery
    lines: tuple[InventoryLine, ...]
    total: int
    member: Member | None = None  # who asked (what they may see), as authorized

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


async def _lines(
    uow: UnitOfWork, listed: InventorySlice, shop: Shop, today: date
) -> tuple[InventoryLine, ...]:
    """Each product with its status and, near expiry or expired, the batches that are
    (read at once for the page, not a query per product)."""
    (lines,) = await _lines_of(uow, [listed.products], shop, today)
    return lines


async def _lines_of(
    uow: UnitOfWork, lists: Sequence[Sequence[Product]], shop: Shop, today: date
) -> list[tuple[InventoryLine, ...]]:
    """`_lines` of several lists with one read of their batches (the dashboard's boxes)."""
    statuses = [[(p, status_of(p, shop, today)) for p in products] for products in lists]
    dated = {p.id for listed in statuses for p, s in listed if s.expiry is not ExpiryStatus.NONE}
    batches = await uow.batches.in_stock_of(sorted(dated)) if dated else {}
    shown = []
    for listed in statuses:
        lines = []
        for product, status in listed:
            expiring: tuple[Batch, ...] = ()
            if status.expiry is not ExpiryStatus.NONE:
                expiring = expiring_batches(batches.get(product.id, []), product, shop, today)
            lines.append(InventoryLine(product, status, expiring))
        shown.append(tuple(lines))
    return shown


async def inventory(
    uow: UnitOfWork, actor: Actor, query: InventoryQuery, *, now: datetime
) -> InventoryPage:
    if query.page < 0 or query.page_size <= 0:
        raise ValueRefused(Invalid.NO_SUCH_PAGE)
    category = clean_name(query.category).lower() if query.category else None
    wanted = replace(query, category=category)
    async with uow:
        shop, member = await authorize(uow, actor)
        today = shop_today(shop, now)
        if query.sort is not SortBy.DAYS:
            listed = await uow.inventory.page(shop, today, wanted)
            lines = await _lines(uow, listed, shop, today)
            return InventoryPage(shop, query, lines, listed.total, member)
        # Days left come from the ledger, not a column: the whole list is read and
        # ordered here (a shop's list, not its ledger, is what gets large).
        everything = await uow.inventory.page(shop, today, replace(wanted, page=0, page_size=WHOLE))
        paces = await shop_paces(uow, shop, everything.products, now)
        ordered = sorted(everything.products, key=lambda p: _by_days_left(p, paces[p.id]))
        start = query.page * query.page_size
        page = InventorySlice(tuple(ordered[start : start + query.page_size]), everything.total)
        lines = await _lines(uow, page, shop, today)
    shown = tuple(replace(line, pace=paces[line.product.id]) for line in lines)
    return InventoryPage(shop, query, shown, everything.total, member)


WHOLE = 10**9  # a page that holds the whole list


def _by_days_left(product: Product, pace: Velocity) -> tuple[object, ...]:
    """Fewest days first; products without an estimate last, by name."""
    return (pace.days_left is None, pace.days_left or 0, product.key, product.id)


@dataclass(frozen=True)
class DashboardBox:
    """One box: exactly the list its button opens (`status`, in `sort` order), so the
    text, the button and the list show one number."""

    status: StatusFilter
    sort: SortBy
    count: int
    first: tuple[InventoryLine, ...]  # the first few of that list


@dataclass(frozen=True)
class Dashboard:
    shop: Shop
    today: date
    low: DashboardBox  # low or out: what needs reordering, as the /low list
    out: DashboardBox
    near_expiry: DashboardBox
    expired: DashboardBox
    products: int
    takings: Takings
    member: Member | None = None  # who asked (what they may see), as authorized


async def dashboard(
    uow: UnitOfWork,
    actor: Actor,
    *,
    now: datetime,
    first: int = DASHBOARD_FIRST,
    in_group: bool = False,
) -> Dashboard:
    """`in_group`: for a group chat, where staff read along (see core.visibility)."""
    async with uow:
        shop, member = await authorize(uow, actor)
        today = shop_today(shop, now)
        products, boxes = await uow.inventory.boxes(shop, today, first)
        lines = await _lines_of(uow, [listed.products for listed in boxes.values()], shop, today)
        shown = {
            status: DashboardBox(status, DASHBOARD_BOXES[status], listed.total, first_lines)
            for (status, listed), first_lines in zip(boxes.items(), lines, strict=True)
        }
        takings = await takings_of(uow, shop, member, now, in_group=in_group)
    return Dashboard(
        shop=shop,
        today=today,
        low=shown[StatusFilter.LOW],
        out=shown[StatusFilter.OUT],
        near_expiry=shown[StatusFilter.EXPIRING],
        expired=shown[StatusFilter.EXPIRED],
        products=products,
        takings=takings,
        member=member,
    )


@dataclass(frozen=True)
class ProductCard:
    shop: Shop
    product: Product
    status: Status
    batches: tuple[Batch, ...]
    today: date
    pace: Velocity | None = None
    shows_costs: bool = False  # the viewer may see costs: the product's are given
    member: Member | None = None  # who asked (what they may see), as authorized


async def product_card(
    uow: UnitOfWork, actor: Actor, product_id: int, *, now: datetime, in_group: bool = False
) -> ProductCard:
    """Costs and the supplier only for whoever may see them (see core.visibility);
    `in_group`: for a group chat, where staff read along."""
    async with uow:
        shop, member = await authorize(uow, actor)
        product = await uow.products.get(actor.shop_id, product_id)
        if product is None or product.archived:
            raise ProductGone(product_id)
        batches = await uow.batches.in_stock(product.id)
        pace = await pace_of(uow, shop, product, now)
    today = shop_today(shop, now)
    ordered = sorted(batches, key=lambda b: (b.expiry is None, b.expiry or date.max, b.id))
    status = status_of(product, shop, today)
    return ProductCard(
        shop,
        product_for(member, product, in_group=in_group),
        status,
        tuple(batch_for(member, b, in_group=in_group) for b in ordered),
        today,
        pace,
        shows_costs=sees_costs(member, in_group=in_group),
        member=member,
    )


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
    ledger."""
    async with uow:
        _, member = await authorize(uow, actor)
        return await _entries(uow, actor, member, product_id, before_id, limit, mark_undone)


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    member: Member  # who asked (what they may see), as authorized


async def history_page(
    uow: UnitOfWork,
    actor: Actor,
    *,
    product_id: int | None = None,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> HistoryPage:
    """`history` for a screen that names who asked, in one transaction: a product of
    another shop, or archived, is ProductGone rather than an empty history."""
    async with uow:
        _, member = await authorize(uow, actor)
        if product_id is not None:
            product = await uow.products.get(actor.shop_id, product_id)
            if product is None or product.archived:
                raise ProductGone(product_id)
        entries = await _entries(uow, actor, member, product_id, before_id, limit, True)
    return HistoryPage(entries, member)


async def _entries(
    uow: UnitOfWork,
    actor: Actor,
    member: Member,
    product_id: int | None,
    before_id: int | None,
    limit: int,
    mark_undone: bool,
) -> list[HistoryEntry]:
    # The amounts only: which batches each movement took from is not shown.
    movements = await uow.movements.history(
        actor.shop_id, product_id=product_id, before_id=before_id, limit=limit, allocations=False
    )
    names = {m.user_id: m.name for m in await uow.members.list(actor.shop_id)}
    # A page reads its products and undone marks at once, not a query per entry.
    products = await uow.products.get_many(
        actor.shop_id, {movement.product_id for movement in movements}
    )
    undone = await uow.movements.undone([m.id for m in movements]) if mark_undone else set()
    entries = []
    for movement in movements:
        product = products.get(movement.product_id)
        if movement.user_id not in names:  # a former member
            user = await uow.users.get(movement.user_id)
            names[movement.user_id] = user.name if user else str(movement.user_id)
        was_undone = movement.id in undone
        entries.append(
            HistoryEntry(
                movement=movement,
                product_name=product.name if product else "?",
                unit=product.unit if product else "",
                user_name=names[movement.user_id],
                undone=was_undone,
                can_undo=undo_refusal(movement, member, already_undone=was_undone) is None,
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
