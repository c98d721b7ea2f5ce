"""Repositories: core's repository protocols over one SQLAlchemy session.

They map rows to core.model dataclasses (the domain never sees an ORM object), flush
each write so constraint violations surface at the call that caused them, and never
commit: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Result,
    TextClause,
    bindparam,
    delete,
    exists,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import TextualSelect

from core.ledger import take_fefo
from core.model import (
    Allocation,
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
    name_key,
)
from core.ports import RemovalAtOnce, RemovedAtOnce
from db.engine import COMMIT_WITHOUT_THE_DISK, UNDURABLE
from db.inbox import due_mark, marked_by
from db.mapping import from_row, to_values
from db.models import (
    QUANTITY_SCALE,
    BatchRow,
    GroupChatRow,
    InviteRow,
    MemberRow,
    MovementAllocationRow,
    MovementRow,
    ProductRow,
    ShopRow,
    UpdateInboxRow,
    UserLanguageRow,
    UserRow,
)


def _changed_a_row(result: Result[Any]) -> bool:
    """Whether an UPDATE found its row (an UPDATE's result is a CursorResult)."""
    return bool(getattr(result, "rowcount", 0))


def _locks_rows(session: AsyncSession) -> bool:
    """Whether SELECT … FOR UPDATE means something. SQLite has no row locks: its unit of
    work serializes whole transactions instead (see db.uow)."""
    return session.get_bind().dialect.name != "sqlite"


# --- mapping (db.mapping by attribute name; here what is stored otherwise) --------------


def _shop(row: ShopRow) -> Shop:
    return from_row(Shop, row)


def _member(row: Any) -> Member:
    return Member(row.shop_id, row.user_id, Role(row.role), row.name)


def _invite(row: InviteRow) -> Invite:
    return from_row(Invite, row, role=Role(row.role))


def _barcodes(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.split("\n") if code)


def _product(row: Any) -> Product:
    """From a ProductRow or a Core row of the products table (same attribute names)."""
    return from_row(Product, row, barcodes=_barcodes(row.barcodes))


def _product_values(product: Product) -> dict[str, Any]:
    lines = "\n".join(code.strip() for code in product.barcodes if code.strip())
    return to_values(product, leave_out=("id",), barcodes=lines, name_key=name_key(product.name))


def _batch(row: BatchRow) -> Batch:
    return from_row(Batch, row)


def _movement(row: MovementRow, allocations: Sequence[MovementAllocationRow]) -> Movement:
    return from_row(
        Movement,
        row,
        reason=Reason(row.reason),
        allocations=tuple(Allocation(a.batch_id, a.quantity) for a in allocations),
    )


# --- the reads of every stock command, built once ---------------------------------------
# Building a statement and computing its cache key cost more CPU per call than the
# query's round trip; ORM entities add the identity map and instance loading on top. A
# Core statement built once keeps its cache key and goes straight to the driver.

_users = UserRow.__table__
_members = MemberRow.__table__
_shops = ShopRow.__table__
_products = ProductRow.__table__

_MEMBER_COLUMNS = (
    *_members.c,
    # The shop's id is the member's shop_id.
    *(c.label(f"shop_{c.name}") for c in _shops.c if c.name != "id"),
)
_MEMBER_WITH_SHOP = (
    select(*_MEMBER_COLUMNS)
    .join(_shops, _shops.c.id == _members.c.shop_id)
    .where(
        _members.c.shop_id == bindparam("shop_id"),
        _members.c.user_id == bindparam("user_id"),
    )
)
# The user, and their membership of their active shop with the shop when they still
# have it: who acts where is asked next, in the same unit of work (core.access).
_USER = (
    select(
        _users.c.id.label("user_id_"),
        _users.c.name.label("user_name"),
        _users.c.active_shop_id,
        *_MEMBER_COLUMNS,
    )
    .select_from(_users)
    .outerjoin(
        _members,
        (_members.c.shop_id == _users.c.active_shop_id) & (_members.c.user_id == _users.c.id),
    )
    .outerjoin(_shops, _shops.c.id == _members.c.shop_id)
    .where(_users.c.id == bindparam("user_id"))
)
_PRODUCT_BY_ID = select(_products).where(
    _products.c.id == bindparam("product_id"), _products.c.shop_id == bindparam("shop_id")
)
_PRODUCT_BY_NAME = select(_products).where(
    _products.c.shop_id == bindparam("shop_id"),
    _products.c.archived.is_(False),
    _products.c.name_key == bindparam("key"),
)
# FOR NO KEY UPDATE: stock changes of the product queue up, while inserts that only
# reference it (batches, movements, alert rows) need not wait. A row renamed or
# archived while this waited for its lock no longer matches, and is not returned.
_PRODUCT_BY_ID_LOCKED = _PRODUCT_BY_ID.with_for_update(key_share=True)
_PRODUCT_BY_NAME_LOCKED = _PRODUCT_BY_NAME.with_for_update(key_share=True)


# --- who else in this process wants a product's lock ------------------------------------
# A transaction counts itself for the first product it locks, from before it asks until
# it ends. A stock change lets its lock go before the disk (db.engine) only when another
# one is counted for the same product: only then does anyone wait for that lock.

CONTENDING = "stockbot_contending_for"
_contenders: dict[tuple[object, ...], int] = {}


def _contend(session: AsyncSession, key: tuple[object, ...]) -> None:
    if session.info.get(CONTENDING) is None:
        session.info[CONTENDING] = key
        _contenders[key] = _contenders.get(key, 0) + 1


def _contended(session: AsyncSession) -> bool:
    key = session.info.get(CONTENDING)
    return key is not None and _contenders.get(key, 0) > 1


def stop_contending(session: AsyncSession) -> None:
    """The session's transaction ended (its locks are gone)."""
    key = session.info.pop(CONTENDING, None)
    if key is not None:
        left = _contenders.pop(key, 0) - 1
        if left > 0:
            _contenders[key] = left


def contenders_for(product_id: int) -> int:
    """How many are counted for the product (by id) now."""
    return _contenders.get(("id", product_id), 0)


@contextmanager
def contending_for(product_id: int) -> Iterator[None]:
    """Counted for the product (as a unit of work's lock by id is) while the block runs."""
    key = ("id", product_id)
    _contenders[key] = _contenders.get(key, 0) + 1
    try:
        yield
    finally:
        left = _contenders.pop(key, 0) - 1
        if left > 0:
            _contenders[key] = left


# --- a removal as one statement committed on its own (PostgreSQL) -----------------------
# Migration 0020's function: the authorization, the product's lock, the key, the stock,
# the writes and the inbox's mark, in one round trip that is its own transaction (no
# BEGIN: asyncpg sends the statement alone). Sent to asyncpg directly, prepared once per
# connection: SQLAlchemy's execute costs more CPU than the round trip.

REMOVE_AT_ONCE = f"SELECT * FROM stockbot_remove({', '.join(f'${n}' for n in range(1, 16))})"
HANDLED_ELSEWHERE = "SB001"  # the SQLSTATEs the function raises
BATCHES_SHORT = "SB002"
_QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_SCALE)


class _Fields:
    """An asyncpg record's fields as attributes, as db.mapping reads a row."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        return self._record[name]


def removal_arguments(
    removal: RemovalAtOnce, receipt: Any, *, undurable: bool, skip_locked: bool
) -> tuple[Any, ...]:
    movement = removal.movement
    return (
        movement.shop_id,
        movement.user_id,
        sorted(role.value for role in removal.roles),
        movement.product_id,
        -movement.quantity,
        movement.reason.value,
        movement.note.replace("\x00", ""),  # as db.models.Varchar stores it
        movement.idempotency_key,
        movement.created_at,
        removal.records_price,
        receipt.update_id if receipt is not None else None,
        receipt.at if receipt is not None else None,
        undurable,
        skip_locked,
        removal.unit,
    )


def removed_at_once(removal: RemovalAtOnce, row: Any) -> RemovedAtOnce:
    """The function's row of outcome 'done' as core's result."""
    before = _product(_Fields(row["product"]))
    shop = from_row(Shop, _Fields(row["shop"]))
    if shop.created_at is not None:
        shop = replace(shop, created_at=shop.created_at.astimezone(UTC))
    movement = replace(
        removal.movement,
        id=row["movement_id"],
        allocations=tuple(
            Allocation(batch_id, taken.quantize(_QUANTITY_STEP))
            for batch_id, taken in zip(row["batch_ids"], row["taken_quantities"], strict=True)
        ),
        sale_price=before.price if removal.records_price else None,
    )
    after = replace(
        before,
        on_hand=row["left_on_hand"].quantize(_QUANTITY_STEP),
        earliest_expiry=row["left_expiry"],
    )
    member = Member(shop.id, movement.user_id, Role(row["member_role"]), row["member_name"])
    return RemovedAtOnce(movement, before, after, shop, member)


def _shop_of(row: Any) -> Shop:
    """The shop of a row of _MEMBER_WITH_SHOP (its columns prefixed `shop_`)."""
    return from_row(Shop, row, prefix="shop_")


class Held:
    """What one unit of work read and may read again: a stock command reads its member
    twice (who acts where, then authorize) and the member's shop right after; the shop
    comes with the member's query. Writes through these repositories drop what they
    change."""

    def __init__(self) -> None:
        self.members: dict[tuple[int, int], Member] = {}
        self.shops: dict[int, Shop] = {}


# --- repositories ------------------------------------------------------------------------


class SqlShopRepository:
    def __init__(self, session: AsyncSession, held: Held | None = None) -> None:
        self.session = session
        self._held = held if held is not None else Held()

    async def add(self, shop: Shop) -> Shop:
        row = ShopRow(**to_values(shop, leave_out=("id",)))
        self.session.add(row)
        await self.session.flush()
        return _shop(row)

    async def get(self, shop_id: int) -> Shop | None:
        held = self._held.shops.get(shop_id)
        if held is not None:
            return held
        row = await self.session.get(ShopRow, shop_id)
        return _shop(row) if row else None

    async def update(self, shop: Shop) -> None:
        self._held.shops.pop(shop.id, None)
        row = await self.session.get(ShopRow, shop.id)
        if row is None:
            raise LookupError(f"shop {shop.id} does not exist")
        for name, value in to_values(shop, leave_out=("id", "created_at")).items():
            setattr(row, name, value)
        await self.session.flush()

    async def list_all(self) -> Sequence[Shop]:
        rows = await self.session.scalars(select(ShopRow).order_by(ShopRow.id))
        return [_shop(row) for row in rows]


class SqlUserRepository:
    def __init__(self, session: AsyncSession, held: Held | None = None) -> None:
        self.session = session
        self._held = held if held is not None else Held()

    async def get(self, user_id: int) -> User | None:
        row = (await self.session.execute(_USER, {"user_id": user_id})).first()
        if row is None:
            return None
        if row.role is not None:
            self._held.members[(row.shop_id, row.user_id)] = _member(row)
            self._held.shops[row.shop_id] = _shop_of(row)
        return User(row.user_id_, row.user_name, row.active_shop_id)

    async def save(self, user: User) -> None:
        row = await self.session.get(UserRow, user.id)
        if row is None:
            self.session.add(
                UserRow(id=user.id, name=user.name, active_shop_id=user.active_shop_id)
            )
        else:
            row.name = user.name
            row.active_shop_id = user.active_shop_id
        await self.session.flush()

    async def language(self, user_id: int) -> UserLanguage:
        row = await self.session.get(UserLanguageRow, user_id)
        return UserLanguage(row.chosen, row.seen) if row else UserLanguage()

    async def save_language(self, user_id: int, language: UserLanguage) -> None:
        row = await self.session.get(UserLanguageRow, user_id)
        if row is None:
            self.session.add(
                UserLanguageRow(user_id=user_id, chosen=language.chosen, seen=language.seen)
            )
        else:
            row.chosen, row.seen = language.chosen, language.seen
        await self.session.flush()


class SqlMemberRepository:
    def __init__(self, session: AsyncSession, held: Held | None = None) -> None:
        self.session = session
        self._held = held if held is not None else Held()

    async def get(self, shop_id: int, user_id: int) -> Member | None:
        held = self._held.members.get((shop_id, user_id))
        if held is not None:
            return held
        row = (
            await self.session.execute(_MEMBER_WITH_SHOP, {"shop_id": shop_id, "user_id": user_id})
        ).first()
        if row is None:
            return None
        member = self._held.members[(shop_id, user_id)] = _member(row)
        self._held.shops[shop_id] = _shop_of(row)
        return member

    async def add(self, member: Member) -> None:
        self._held.members.pop((member.shop_id, member.user_id), None)
        self.session.add(
            MemberRow(
                shop_id=member.shop_id,
                user_id=member.user_id,
                role=member.role.value,
                name=member.name,
            )
        )
        await self.session.flush()

    async def set_role(self, shop_id: int, user_id: int, role: Role) -> None:
        self._held.members.pop((shop_id, user_id), None)
        row = await self.session.get(MemberRow, (shop_id, user_id))
        if row is None:
            raise LookupError(f"user {user_id} is not a member of shop {shop_id}")
        row.role = role.value
        await self.session.flush()

    async def remove(self, shop_id: int, user_id: int) -> None:
        self._held.members.pop((shop_id, user_id), None)
        row = await self.session.get(MemberRow, (shop_id, user_id))
        if row is not None:
            await self.session.delete(row)
            await self.session.flush()

    async def list(self, shop_id: int) -> Sequence[Member]:
        rows = await self.session.scalars(
            select(MemberRow).where(MemberRow.shop_id == shop_id).order_by(MemberRow.user_id)
        )
        return [_member(row) for row in rows]

    async def owners_for_update(self, shop_id: int) -> Sequence[Member]:
        # In the order of the key, so that two of these never wait on each other crosswise.
        rows = await self.session.scalars(
            select(MemberRow)
            .where(MemberRow.shop_id == shop_id, MemberRow.role == Role.OWNER.value)
            .order_by(MemberRow.user_id)
            .with_for_update()
        )
        return [_member(row) for row in rows]

    async def shops_of(self, user_id: int) -> Sequence[tuple[Shop, Member]]:
        rows = await self.session.execute(
            select(ShopRow, MemberRow)
            .join(MemberRow, MemberRow.shop_id == ShopRow.id)
            .where(MemberRow.user_id == user_id)
            .order_by(ShopRow.id)
        )
        return [(_shop(shop), _member(member)) for shop, member in rows]


class SqlChatLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def link(self, chat_id: int, shop_id: int) -> None:
        """Link the group to the shop; a group linked before moves to this shop."""
        row = await self.session.get(GroupChatRow, chat_id)
        if row is None:
            self.session.add(GroupChatRow(chat_id=chat_id, shop_id=shop_id))
        else:
            row.shop_id = shop_id
        await self.session.flush()

    async def unlink(self, chat_id: int) -> None:
        await self.session.execute(delete(GroupChatRow).where(GroupChatRow.chat_id == chat_id))

    async def shop_of(self, chat_id: int) -> int | None:
        row = await self.session.get(GroupChatRow, chat_id)
        return row.shop_id if row else None

    async def groups_of(self, shop_id: int) -> Sequence[int]:
        rows = await self.session.scalars(
            select(GroupChatRow.chat_id)
            .where(GroupChatRow.shop_id == shop_id)
            .order_by(GroupChatRow.chat_id)
        )
        return list(rows)


class SqlInviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, invite: Invite) -> None:
        self.session.add(InviteRow(**to_values(invite, role=invite.role.value)))
        await self.session.flush()

    async def get_for_update(self, code: str) -> Invite | None:
        query = select(InviteRow).where(InviteRow.code == code)
        if _locks_rows(self.session):
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _invite(row) if row else None

    async def mark_used(self, code: str, user_id: int, at: datetime) -> None:
        row = await self.session.get(InviteRow, code)
        if row is None:
            raise LookupError(f"invite {code!r} does not exist")
        row.used_by = user_id
        row.used_at = at
        await self.session.flush()


class SqlProductRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, product: Product) -> Product:
        row = ProductRow(**_product_values(product))
        self.session.add(row)
        await self.session.flush()
        return _product(row)

    async def get(self, shop_id: int, product_id: int) -> Product | None:
        row = await self.session.get(ProductRow, product_id)
        return _product(row) if row is not None and row.shop_id == shop_id else None

    async def get_many(self, shop_id: int, product_ids: Collection[int]) -> dict[int, Product]:
        table = ProductRow.__table__
        rows = await self.session.execute(
            select(table).where(table.c.shop_id == shop_id, table.c.id.in_(list(product_ids)))
        )
        return {row.id: _product(row) for row in rows}

    async def get_for_update(self, shop_id: int, product_id: int) -> Product | None:
        query = _PRODUCT_BY_ID
        if _locks_rows(self.session):
            query = _PRODUCT_BY_ID_LOCKED
            _contend(self.session, ("id", product_id))
        row = (
            await self.session.execute(query, {"shop_id": shop_id, "product_id": product_id})
        ).first()
        return _product(row) if row else None

    async def by_name(self, shop_id: int, key: str, *, lock: bool = False) -> Product | None:
        query = _PRODUCT_BY_NAME
        if lock and _locks_rows(self.session):
            query = _PRODUCT_BY_NAME_LOCKED
            _contend(self.session, ("name", shop_id, key))
        row = (await self.session.execute(query, {"shop_id": shop_id, "key": key})).first()
        return _product(row) if row else None

    async def list(
        self, shop_id: int, *, category: str | None = None, include_archived: bool = False
    ) -> Sequence[Product]:
        # Core rows, not ORM instances: a shop may list 10,000 products at once.
        table = ProductRow.__table__
        query = select(table).where(table.c.shop_id == shop_id)
        if not include_archived:
            query = query.where(table.c.archived.is_(False))
        if category is not None:
            query = query.where(table.c.category == category)
        rows = await self.session.execute(query.order_by(table.c.name_key, table.c.id))
        return [_product(row) for row in rows]

    async def update(self, product: Product) -> None:
        # One UPDATE, not a read of the row and then a write: every stock change ends here.
        result = await self.session.execute(
            update(ProductRow)
            .where(ProductRow.id == product.id, ProductRow.shop_id == product.shop_id)
            .values(**_product_values(product))
        )
        if not _changed_a_row(result):
            raise LookupError(f"product {product.id} does not exist in shop {product.shop_id}")

    async def categories(self, shop_id: int) -> Sequence[str]:
        rows = await self.session.scalars(
            select(ProductRow.category)
            .where(
                ProductRow.shop_id == shop_id,
                ProductRow.archived.is_(False),
                ProductRow.category != "",
            )
            .distinct()
            .order_by(ProductRow.category)
        )
        return list(rows)


class SqlBatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, batch: Batch) -> Batch:
        row = BatchRow(**to_values(batch, leave_out=("id",)))
        self.session.add(row)
        await self.session.flush()
        return _batch(row)

    async def get(self, batch_id: int) -> Batch | None:
        row = await self.session.get(BatchRow, batch_id)
        return _batch(row) if row else None

    async def in_stock(self, product_id: int) -> Sequence[Batch]:
        rows = await self.session.scalars(
            select(BatchRow)
            .where(BatchRow.product_id == product_id, BatchRow.quantity > 0)
            .order_by(BatchRow.id)
        )
        return [_batch(row) for row in rows]

    async def in_stock_of(self, product_ids: Collection[int]) -> dict[int, list[Batch]]:
        found: dict[int, list[Batch]] = {}
        if not product_ids:
            return found
        rows = await self.session.scalars(
            select(BatchRow)
            .where(BatchRow.product_id.in_(list(product_ids)), BatchRow.quantity > 0)
            .order_by(BatchRow.id)
        )
        for row in rows:
            found.setdefault(row.product_id, []).append(_batch(row))
        return found

    async def latest(self, product_id: int) -> Batch | None:
        row = await self.session.scalar(
            select(BatchRow)
            .where(BatchRow.product_id == product_id)
            .order_by(BatchRow.received_at.desc(), BatchRow.id.desc())
            .limit(1)
        )
        return _batch(row) if row else None


def _record_statement() -> TextClause:
    """PostgreSQL: the writes of one stock change as one statement (see
    `SqlMovementRepository.record`). Built once; the columns are the tables'."""
    products = [c for c in ProductRow.__table__.c if c.name != "id"]
    movements = [c for c in MovementRow.__table__.c if c.name != "id"]
    product_set = ", ".join(f"{c.name} = :p_{c.name}" for c in products)
    movement_columns = ", ".join(c.name for c in movements)
    movement_values = ", ".join(f":m_{c.name}" for c in movements)
    sql = f"""
WITH b AS (
    UPDATE batches SET quantity = v.quantity
    FROM unnest(CAST(:batch_ids AS BIGINT[]), CAST(:batch_quantities AS NUMERIC[]))
        AS v(id, quantity)
    WHERE batches.id = v.id AND batches.product_id = :product_id
    RETURNING batches.id
), p AS (
    UPDATE products SET {product_set}
    WHERE products.id = :product_id AND products.shop_id = :p_shop_id
    RETURNING products.id
), m AS (
    INSERT INTO movements ({movement_columns}) VALUES ({movement_values})
    RETURNING movements.id
), a AS (
    INSERT INTO movement_allocations (movement_id, batch_id, shop_id, position, quantity)
    SELECT m.id, v.batch_id, :m_shop_id, v.position - 1, v.quantity
    FROM m, unnest(CAST(:allocation_batches AS BIGINT[]),
                   CAST(:allocation_quantities AS NUMERIC[]))
        WITH ORDINALITY AS v(batch_id, quantity, position)
    RETURNING 1
)
SELECT m.id, (SELECT count(*) FROM b) AS batches, (SELECT count(*) FROM p) AS products,
       {COMMIT_WITHOUT_THE_DISK} AS undurable
FROM m
"""
    return text(sql).bindparams(
        *(bindparam(f"p_{c.name}", type_=c.type) for c in products),
        *(bindparam(f"m_{c.name}", type_=c.type) for c in movements),
    )


_RECORD = _record_statement()


def _removal_statement() -> TextualSelect:
    """PostgreSQL: core.ledger.take_fefo and its writes as one statement, guarded by the
    idempotency key (see `SqlMovementRepository.record_removal`). Built once."""
    movements = [c for c in MovementRow.__table__.c if c.name != "id"]
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    movement_values = ", ".join(
        f"CAST(:m_{c.name} AS {c.type.compile(dialect=dialect)})" for c in movements
    )
    sql = f"""
WITH seen AS (
    SELECT FROM movements
    WHERE shop_id = :m_shop_id AND idempotency_key = :m_idempotency_key
), stock AS (
    SELECT id, quantity, expiry,
           row_number() OVER fefo AS position,
           sum(quantity) OVER fefo AS through
    FROM batches
    WHERE product_id = :product_id AND quantity > 0 AND NOT EXISTS (SELECT FROM seen)
    WINDOW fefo AS (ORDER BY expiry IS NULL, expiry, received_at, id
                    ROWS UNBOUNDED PRECEDING)
), taken AS (
    SELECT id, position,
           LEAST(quantity, CAST(:quantity AS NUMERIC) - (through - quantity)) AS take
    FROM stock
    WHERE through - quantity < CAST(:quantity AS NUMERIC)
), enough AS (
    SELECT FROM taken HAVING coalesce(sum(take), 0) = CAST(:quantity AS NUMERIC)
), b AS (
    UPDATE batches SET quantity = batches.quantity - taken.take
    FROM taken, enough
    WHERE batches.id = taken.id
), after AS (
    SELECT coalesce(sum(stock.quantity - coalesce(taken.take, 0)), 0) AS on_hand,
           min(stock.expiry) FILTER (WHERE stock.quantity > coalesce(taken.take, 0))
               AS earliest_expiry
    FROM stock LEFT JOIN taken ON taken.id = stock.id
), p AS (
    UPDATE products SET on_hand = after.on_hand, earliest_expiry = after.earliest_expiry
    FROM after, enough
    WHERE products.id = :product_id AND products.shop_id = :m_shop_id
    RETURNING products.on_hand, products.earliest_expiry
), m AS (
    INSERT INTO movements ({", ".join(c.name for c in movements)})
    SELECT {movement_values} FROM enough
    RETURNING movements.id
), a AS (
    INSERT INTO movement_allocations (movement_id, batch_id, shop_id, position, quantity)
    SELECT m.id, taken.id, :m_shop_id, taken.position - 1, -taken.take
    FROM m, taken
), done AS (
    UPDATE update_inbox SET processed_at = CAST(:handled_at AS TIMESTAMP WITH TIME ZONE)
    FROM enough
    WHERE update_inbox.update_id = CAST(:update_id AS BIGINT)
      AND update_inbox.processed_at IS NULL
    RETURNING 1
)
SELECT m.id, p.on_hand, p.earliest_expiry,
       (SELECT array_agg(id ORDER BY position) FROM taken) AS batch_ids,
       (SELECT array_agg(-take ORDER BY position) FROM taken) AS quantities,
       (SELECT count(*) FROM done) AS marked,
       {COMMIT_WITHOUT_THE_DISK} AS undurable
FROM m, p
"""
    table = BatchRow.__table__.c
    return (
        text(sql)
        .bindparams(
            *(bindparam(f"m_{c.name}", type_=c.type) for c in movements),
            bindparam("handled_at", type_=UpdateInboxRow.__table__.c.processed_at.type),
        )
        .columns(
            id=BigInteger(),
            marked=BigInteger(),
            on_hand=ProductRow.__table__.c.on_hand.type,
            earliest_expiry=ProductRow.__table__.c.earliest_expiry.type,
            batch_ids=ARRAY(table.id.type),
            quantities=ARRAY(table.quantity.type),
        )
    )


_REMOVAL = _removal_statement()


class SqlMovementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self, movement: Movement, batches: Sequence[Batch], product: Product
    ) -> Movement:
        if not _locks_rows(self.session):
            # SQLite: statements are calls into a library, not round trips, and its
            # transactions run one at a time anyway (db.uow).
            for batch in batches:
                result = await self.session.execute(
                    update(BatchRow)
                    .where(BatchRow.id == batch.id, BatchRow.product_id == product.id)
                    .values(quantity=batch.quantity)
                )
                if not _changed_a_row(result):
                    raise LookupError(f"batch {batch.id} is not of product {product.id}")
            await SqlProductRepository(self.session).update(product)
            return await self.add(movement)
        values = {f"p_{name}": value for name, value in _product_values(product).items()}
        values |= {
            f"m_{name}": value
            for name, value in to_values(
                movement, leave_out=("id", "allocations"), reason=movement.reason.value
            ).items()
        }
        row = (
            await self.session.execute(
                _RECORD,
                {
                    **values,
                    "product_id": product.id,
                    "batch_ids": [batch.id for batch in batches],
                    "batch_quantities": [batch.quantity for batch in batches],
                    "allocation_batches": [a.batch_id for a in movement.allocations],
                    "allocation_quantities": [a.quantity for a in movement.allocations],
                    "undurable": (undurable := _contended(self.session)),
                },
            )
        ).one()
        if undurable:
            self.session.info[UNDURABLE] = True  # see db.engine
        if row.batches != len(batches):
            raise LookupError(f"a batch of {[b.id for b in batches]} is not of {product.id}")
        if row.products != 1:
            raise LookupError(f"product {product.id} does not exist in shop {product.shop_id}")
        return replace(movement, id=row.id)

    async def _with_allocations(self, rows: Sequence[MovementRow]) -> list[Movement]:
        if not rows:
            return []
        allocations = await self.session.scalars(
            select(MovementAllocationRow)
            .where(MovementAllocationRow.movement_id.in_([row.id for row in rows]))
            .order_by(MovementAllocationRow.movement_id, MovementAllocationRow.position)
        )
        by_movement: dict[int, list[MovementAllocationRow]] = {}
        for allocation in allocations:
            by_movement.setdefault(allocation.movement_id, []).append(allocation)
        return [_movement(row, by_movement.get(row.id, [])) for row in rows]

    async def _one(self, row: MovementRow | None) -> Movement | None:
        if row is None:
            return None
        return (await self._with_allocations([row]))[0]

    async def add(self, movement: Movement) -> Movement:
        row = MovementRow(
            **to_values(movement, leave_out=("id", "allocations"), reason=movement.reason.value)
        )
        self.session.add(row)
        await self.session.flush()
        self.session.add_all(
            MovementAllocationRow(
                movement_id=row.id,
                batch_id=allocation.batch_id,
                shop_id=movement.shop_id,
                position=position,
                quantity=allocation.quantity,
            )
            for position, allocation in enumerate(movement.allocations)
        )
        await self.session.flush()
        return replace(_movement(row, []), allocations=tuple(movement.allocations))

    async def record_removal(
        self, movement: Movement, product: Product
    ) -> tuple[Movement, Product] | None:
        quantity = -movement.quantity
        if not _locks_rows(self.session):
            if await self.by_key(movement.shop_id, movement.idempotency_key):
                return None
            in_stock = await SqlBatchRepository(self.session).in_stock(product.id)
            if sum(batch.quantity for batch in in_stock) < quantity:
                return None
            taken = take_fefo(product, in_stock, quantity)
            recorded = await self.record(
                replace(movement, allocations=taken.allocations), taken.batches, taken.product
            )
            return recorded, taken.product
        values = to_values(movement, leave_out=("id", "allocations"), reason=movement.reason.value)
        # The update being handled is marked processed by the same statement: under the
        # product's lock that is one round trip fewer before the commit.
        receipt = due_mark()
        row = (
            await self.session.execute(
                _REMOVAL,
                {f"m_{name}": value for name, value in values.items()}
                | {
                    "product_id": product.id,
                    "quantity": quantity,
                    "update_id": receipt.update_id if receipt is not None else None,
                    "handled_at": receipt.at if receipt is not None else None,
                    "undurable": (undurable := _contended(self.session)),
                },
            )
        ).one_or_none()
        if row is None:
            return None
        if undurable:
            self.session.info[UNDURABLE] = True  # see db.engine
        if receipt is not None:
            marked_by(self.session, receipt, row.marked)
        allocations = tuple(
            Allocation(batch_id, taken)
            for batch_id, taken in zip(row.batch_ids, row.quantities, strict=True)
        )
        return (
            replace(movement, id=row.id, allocations=allocations),
            replace(product, on_hand=row.on_hand, earliest_expiry=row.earliest_expiry),
        )

    async def get(self, shop_id: int, movement_id: int) -> Movement | None:
        row = await self.session.get(MovementRow, movement_id)
        if row is None or row.shop_id != shop_id:
            return None
        return await self._one(row)

    async def by_key(self, shop_id: int, key: str) -> Sequence[Movement]:
        rows = await self.session.scalars(
            select(MovementRow)
            .where(MovementRow.shop_id == shop_id, MovementRow.idempotency_key == key)
            .order_by(MovementRow.id)
        )
        return await self._with_allocations(list(rows))

    async def undo_of(self, movement_id: int) -> Movement | None:
        row = await self.session.scalar(
            select(MovementRow).where(MovementRow.reverses_id == movement_id)
        )
        return await self._one(row)

    async def undone(self, movement_ids: Collection[int]) -> set[int]:
        reversed_ids = await self.session.scalars(
            select(MovementRow.reverses_id).where(MovementRow.reverses_id.in_(list(movement_ids)))
        )
        return {movement_id for movement_id in reversed_ids if movement_id is not None}

    async def last_by_user(self, shop_id: int, user_id: int) -> Movement | None:
        undo = aliased(MovementRow)
        row = await self.session.scalar(
            select(MovementRow)
            .where(
                MovementRow.shop_id == shop_id,
                MovementRow.user_id == user_id,
                MovementRow.reason != Reason.UNDO.value,
                MovementRow.quantity != 0,  # a count that matched changed nothing
                ~exists().where(undo.reverses_id == MovementRow.id),
            )
            .order_by(MovementRow.id.desc())
            .limit(1)
        )
        return await self._one(row)

    async def since(self, shop_id: int, start: datetime) -> Sequence[Movement]:
        rows = await self.session.scalars(
            select(MovementRow)
            .where(MovementRow.shop_id == shop_id, MovementRow.created_at >= start)
            .order_by(MovementRow.id)
        )
        return [_movement(row, []) for row in rows]

    async def newest_by_user(self, shop_id: int, user_id: int) -> Movement | None:
        row = await self.session.scalar(
            select(MovementRow)
            .where(MovementRow.shop_id == shop_id, MovementRow.user_id == user_id)
            .order_by(MovementRow.id.desc())
            .limit(1)
        )
        return await self._one(row)

    async def first_moves(self, shop_id: int) -> dict[int, datetime]:
        rows = await self.session.execute(
            select(MovementRow.product_id, func.min(MovementRow.created_at))
            .where(MovementRow.shop_id == shop_id)
            .group_by(MovementRow.product_id)
        )
        return {product_id: first for product_id, first in rows if first is not None}

    async def history(
        self,
        shop_id: int,
        *,
        product_id: int | None = None,
        before_id: int | None = None,
        limit: int = 10,
        allocations: bool = True,
    ) -> Sequence[Movement]:
        query = select(MovementRow).where(MovementRow.shop_id == shop_id)
        if product_id is not None:
            query = query.where(MovementRow.product_id == product_id)
        if before_id is not None:
            query = query.where(MovementRow.id < before_id)
        rows = await self.session.scalars(query.order_by(MovementRow.id.desc()).limit(limit))
        if not allocations:
            return [_movement(row, []) for row in rows]
        return await self._with_allocations(list(rows))
