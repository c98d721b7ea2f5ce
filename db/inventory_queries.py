"""Inventory lists and the dashboard in SQL (core.ports.InventoryQueries).

core.inventory_query's rule written as WHERE and ORDER BY clauses, so a page of a
10,000-product shop reads its ten rows and a count, in one round trip. The statuses are
core.status's rule: tests/integration/test_inventory_queries.py compares this module's
answers with core's on random catalogs, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core.inventory_query import (
    DASHBOARD_BOXES,
    InventoryQuery,
    InventorySlice,
    SortBy,
    StatusFilter,
    barcode_search,
    sort_key,
)
from core.model import Shop, name_key
from core.takings_model import ShopValue
from db.models import (
    ExactDecimal,
    ExpiryByShopRow,
    MovementRow,
    ProductRow,
    SalesByHourRow,
    StockByShopRow,
)
from db.repositories import _product

products = ProductRow.__table__
columns = products.c


class days_until(FunctionElement[int]):
    """Whole days from the second date to the first (negative when it is past)."""

    type = Integer()
    inherit_cache = True


class holds_text(FunctionElement[bool]):
    """Whether the first text contains the second, exactly (no LIKE wildcards or case
    folding, as Python's `in`)."""

    type = Boolean()
    inherit_cache = True


def _render(function: type[FunctionElement[Any]], dialect: str, template: str) -> None:
    def render(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
        return template.format(*(compiler.process(clause, **kw) for clause in element.clauses))

    compiles(function, dialect)(render)


_render(days_until, "postgresql", "({0} - CAST({1} AS DATE))")
_render(days_until, "sqlite", "CAST(julianday({0}) - julianday({1}) AS INTEGER)")
_render(holds_text, "postgresql", "(strpos({0}, {1}) > 0)")
_render(holds_text, "sqlite", "(instr({0}, {1}) > 0)")


def status_condition(
    wanted: StatusFilter, shop: Shop | _ShopParams, today: date | ColumnElement[date]
) -> ColumnElement[bool]:
    """core.inventory_query.has_status over core.status's rule, as SQL."""
    # A literal 0, not a parameter: the partial indexes' predicates name it (db.models).
    zero: ColumnElement[int] = literal_column("0", Integer())
    in_stock = columns.on_hand > zero
    match wanted:
        case StatusFilter.LOW:
            return or_(columns.on_hand <= zero, columns.on_hand <= columns.threshold)
        case StatusFilter.OUT:
            return columns.on_hand <= zero
        case StatusFilter.EXPIRED:
            return and_(in_stock, columns.earliest_expiry < today)
        case StatusFilter.EXPIRING:
            window = func.coalesce(columns.expiry_warning_days, shop.near_expiry_days)
            return and_(
                in_stock,
                columns.earliest_expiry >= today,
                days_until(columns.earliest_expiry, today) <= window,
            )
        case StatusFilter.ALL:
            return true()


class _ShopParams:
    """A shop's figures as the parameters of a statement built once (see _boxes)."""

    def __init__(self) -> None:
        self.id: Any = bindparam("shop_id", type_=Integer())
        self.near_expiry_days: Any = bindparam("near_days", type_=Integer())


def _in_shop(shop: Shop | _ShopParams) -> list[ColumnElement[bool]]:
    return [columns.shop_id == shop.id, ~columns.archived]


def _conditions(
    shop: Shop | _ShopParams, today: date | ColumnElement[date], query: InventoryQuery
) -> list[ColumnElement[bool]]:
    conditions = [*_in_shop(shop), status_condition(query.status, shop, today)]
    if query.category is not None:
        conditions.append(columns.category == query.category)
    if query.search:
        found: ColumnElement[bool] = holds_text(columns.name_key, name_key(query.search))
        code = barcode_search(query.search)
        if code is not None:
            found = or_(found, holds_text("\n" + columns.barcodes + "\n", f"\n{code}\n"))
        conditions.append(found)
    if query.expiring_within_days is not None:
        until = today + timedelta(days=query.expiring_within_days)
        conditions.append(columns.earliest_expiry <= until)
    if query.expires_before is not None:
        conditions.append(columns.earliest_expiry < query.expires_before)
    return conditions


def _order(sort: SortBy) -> list[Any]:
    """core.inventory_query.sort_key as ORDER BY (names compare by code point: the column
    is COLLATE "C" on PostgreSQL, and SQLite compares bytes)."""
    by_name = [columns.name_key, columns.id]
    if sort is SortBy.QUANTITY:
        return [columns.on_hand, *by_name]
    if sort is SortBy.EXPIRY:
        return [columns.earliest_expiry.asc().nulls_last(), *by_name]
    return by_name


def _listed(
    shop: Shop | _ShopParams, today: date | ColumnElement[date], query: InventoryQuery
) -> Select[Any]:
    return select(products).where(*_conditions(shop, today, query)).order_by(*_order(query.sort))


def _money_value() -> ExactDecimal:
    """Quantity × price keeps five decimals exactly (SQLite adds them as doubles)."""
    return ExactDecimal(18, 5)


class SqlInventoryQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, shop: Shop, today: date, query: InventoryQuery) -> InventorySlice:
        conditions = _conditions(shop, today, query)
        count = select(func.count()).select_from(products).where(*conditions)
        # The count rides along as a column: one round trip for the page and its total.
        rows = (
            await self.session.execute(
                _listed(shop, today, query)
                .add_columns(count.scalar_subquery().label("total"))
                .limit(query.page_size)
                .offset(query.page * query.page_size)
            )
        ).all()
        if rows:
            total = int(rows[0].total)
        else:  # past the last page, or nothing matches
            total = int(await self.session.scalar(count) or 0) if query.page else 0
        return InventorySlice(tuple(_product(row) for row in rows), total)

    async def boxes(
        self, shop: Shop, today: date, first: int
    ) -> tuple[int, dict[StatusFilter, InventorySlice]]:
        rows = (
            await self.session.execute(
                _boxes(),
                {"shop_id": shop.id, "near_days": shop.near_expiry_days, "today": today}
                | {"first": first},
            )
        ).all()
        found: dict[StatusFilter, list[Any]] = {box: [] for box in DASHBOARD_BOXES}
        for row in rows:
            if row.box is not None:
                found[StatusFilter(row.box)].append(_product(row))
        counts = rows[0]
        totals = {
            StatusFilter.LOW: counts.n_low,
            StatusFilter.OUT: counts.n_out,
            StatusFilter.EXPIRING: counts.n_expiring,
            StatusFilter.EXPIRED: counts.n_expired,
        }
        return int(counts.n_all or 0), {
            box: InventorySlice(
                tuple(sorted(found[box], key=sort_key(sort))), int(totals[box] or 0)
            )
            for box, sort in DASHBOARD_BOXES.items()
        }

    async def value(self, shop_id: int, *, day_start: datetime, week_start: datetime) -> ShopValue:
        """Sales since `day_start` and since `week_start`: the priced sales of whole hours
        from the totals the database keeps per hour (migration 0016), the rest from the
        ledger — the part of an hour before the first whole one, and the sales that
        recorded no price (valued at the product's price today). A few hundred small rows
        and a handful of sales, however long the ledger."""
        week_hour, day_hour = _first_whole_hour(week_start), _first_whole_hour(day_start)
        row = (
            await self.session.execute(
                _value(),
                {
                    "shop_id": shop_id,
                    "week_start": week_start,
                    "week_hour": week_hour,
                    "week_hour_n": _hour_number(week_hour),
                    "day_start": day_start,
                    "day_hour": day_hour,
                    "day_hour_n": _hour_number(day_hour),
                },
            )
        ).one()
        zero = Decimal(0)
        today = (_exact(row.today_kept) or zero) + (_exact(row.today_read) or zero)
        week = (_exact(row.week_kept) or zero) + (_exact(row.week_read) or zero)
        stock = Decimal(int(row.stock_e5 or 0)).scaleb(-5).quantize(_E5)
        return ShopValue(today, week, stock)


_E5 = Decimal("0.00001")


# The dashboard's two statements are built once, their figures parameters: building a
# statement of subqueries and unions in SQLAlchemy took more of a dashboard's time than
# the database spent on it.


@cache
def _boxes() -> Select[Any]:
    """The dashboard's counts and the first few of each box, in one statement, the
    counts from the figures the database keeps (migrations 0017 and 0018)."""
    shop, today = _ShopParams(), bindparam("today", type_=Date())
    kept = StockByShopRow.__table__.c

    dated = ExpiryByShopRow.__table__.c
    # core.status's window: the product's own days, else the shop's (-1 in the table).
    window = case((dated.warning_days < 0, shop.near_expiry_days), else_=dated.warning_days)

    def counted(status: StatusFilter, *conditions: ColumnElement[bool]) -> Any:
        tally = select(func.sum(dated.products)).where(dated.shop_id == shop.id, *conditions)
        return tally.scalar_subquery().label(f"n_{status.value}")

    totals = (
        select(
            func.sum(kept.products).label("n_all"),
            func.sum(kept.reorder).label("n_low"),
            func.sum(kept.out_of_stock).label("n_out"),
        )
        .where(kept.shop_id == shop.id)
        .subquery("kept")
    )
    # The products in stock per expiry date are kept too (expiry_by_shop, migration
    # 0018); which dates are expired or near today is decided here, so the counts are
    # right on any day.
    counts = select(
        totals,
        counted(
            StatusFilter.EXPIRING,
            dated.expiry >= today,
            days_until(dated.expiry, today) <= window,
        ),
        counted(StatusFilter.EXPIRED, dated.expiry < today),
    ).subquery("counts")
    first = bindparam("first", type_=Integer())
    firsts = [
        _listed(shop, today, InventoryQuery(box, sort=sort))
        .add_columns(literal(box.value).label("box"))
        .limit(first)
        .subquery()
        for box, sort in DASHBOARD_BOXES.items()
    ]
    listed = union_all(*(select(*part.c) for part in firsts)).subquery("firsts")
    # One round trip: the counts joined to the first few of every box (a row of counts
    # alone when every box is empty).
    return select(counts, listed).select_from(counts.outerjoin(listed, true()))


@cache
def _value() -> Select[Any]:
    """Sales since the day's and the week's start, and the stock at cost."""
    shop_id = bindparam("shop_id", type_=Integer())
    sales = MovementRow.__table__.c
    at = sales.created_at.type
    undo = MovementRow.__table__.alias("undo")
    # core.takings_model.sale_price_of: the sale's own price, else the product's; a
    # price of 0 counts as none, as Python's `or` does.
    price = func.coalesce(
        func.nullif(sales.sale_price, 0), func.nullif(columns.price, 0), literal_column("0")
    )
    taken = type_coerce(-sales.quantity * price, _money_value())
    # Written as the partial indexes' predicates are (literals, not parameters).
    unpriced = literal_column("coalesce(movements.sale_price, 0) = 0", Boolean())

    def from_ledger(part: str, *conditions: ColumnElement[bool]) -> Select[Any]:
        return (
            select(literal(part).label("part"), sales.created_at, taken.label("taken"))
            .select_from(MovementRow.__table__.join(products, columns.id == sales.product_id))
            .where(
                sales.shop_id == shop_id,
                sales.reason == literal_column("'sale'"),  # as the indexes' predicates
                ~exists().where(undo.c.reverses_id == sales.id),
                *conditions,
            )
        )

    def opening(start: str) -> ColumnElement[bool]:
        """The priced sales from `start` to its first whole hour."""
        since, hour = bindparam(f"{start}_start", type_=at), bindparam(f"{start}_hour", type_=at)
        return and_(sales.created_at >= since, sales.created_at < hour, ~unpriced)

    week_start, day_start = bindparam("week_start", type_=at), bindparam("day_start", type_=at)
    ledger = union_all(
        from_ledger("week", opening("week")),
        from_ledger("day", opening("day")),
        from_ledger("unpriced", sales.created_at >= week_start, unpriced),
    ).subquery("ledger")
    hours = SalesByHourRow.__table__.c
    day_hour_n = bindparam("day_hour_n", type_=BigInteger())
    # One pass over each: the hours since the week's first whole one (today's are
    # the later ones), and the ledger's parts (the statement is planned each time:
    # each part once, not once per figure).
    kept = (
        select(
            func.sum(case((hours.hour >= day_hour_n, hours.taken))).label("day"),
            func.sum(hours.taken).label("week"),
        )
        .where(
            hours.shop_id == shop_id,
            hours.hour >= bindparam("week_hour_n", type_=BigInteger()),
        )
        .subquery("kept")
    )
    today_rows = and_(ledger.c.part.in_(["day", "unpriced"]), ledger.c.created_at >= day_start)
    read = select(
        func.sum(case((today_rows, ledger.c.taken))).label("day"),
        func.sum(case((ledger.c.part.in_(["week", "unpriced"]), ledger.c.taken))).label("week"),
    ).subquery("read")
    # The stock at cost is kept by the database (stock_by_shop, migration 0017).
    stock = StockByShopRow.__table__.c
    return select(
        kept.c.day.label("today_kept"),
        read.c.day.label("today_read"),
        kept.c.week.label("week_kept"),
        read.c.week.label("week_read"),
        select(func.sum(stock.value_e5))
        .where(stock.shop_id == shop_id)
        .scalar_subquery()
        .label("stock_e5"),
    ).select_from(kept.join(read, true()))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR = timedelta(hours=1)


def _first_whole_hour(moment: datetime) -> datetime:
    """The first UTC hour that starts at or after `moment`."""
    whole = _EPOCH + (moment - _EPOCH) // _HOUR * _HOUR
    return whole if whole == moment else whole + _HOUR


def _hour_number(hour: datetime) -> int:
    """Hours since the epoch: sales_by_hour's key (migration 0016)."""
    return (hour - _EPOCH) // _HOUR


def _exact(value: object) -> Decimal | None:
    """A sum read back as an exact Decimal on both dialects."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(Decimal("0.00001"))
