"""The stock ledger: every change of stock is one append-only movement.

Each use case locks the product row first, so movements of one product are applied one
after another; the idempotency key is checked under that lock, so a replayed request
returns the first result instead of moving stock twice. Batch quantities and the
product's snapshot (on hand, earliest expiry) change in the same transaction as the
movement, so the snapshot always equals the sum of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from core import crossings
from core.access import Actor, OwnerAction, authorize
from core.errors import (
    DomainError,
    FractionOfWholeUnit,
    InsufficientStock,
    Invalid,
    MovementNotFound,
    NothingToUndo,
    OwnerOnly,
    ProductGone,
    UndoRefusal,
    UndoRefused,
    ValueRefused,
)
from core.model import (
    REMOVAL_REASONS,
    Allocation,
    Batch,
    Member,
    Movement,
    Product,
    Reason,
    Role,
    Shop,
)
from core.ports import RemovalAtOnce, UnitOfWork
from core.quantities import ZERO
from core.status import shop_today
from core.units import allows_fractions, is_whole

MAX_NOTE = 200
RESTOCK_SETS = ("cost", "price", "reorder_date")  # the product's fields a restock may set
REMOVERS = frozenset(Role)  # every member of a shop may sell and write off


@dataclass(frozen=True)
class Restock:
    product_id: int
    quantity: Decimal
    expiry: date | None = None
    cost: Decimal | None = None
    price: Decimal | None = None
    reorder_date: date | None = None
    note: str = ""


@dataclass(frozen=True)
class Removal:
    product_id: int
    quantity: Decimal
    reason: Reason = Reason.SALE
    note: str = ""


@dataclass(frozen=True)
class Count:
    """A stocktake: the quantity actually counted on the shelf."""

    product_id: int
    counted: Decimal
    note: str = ""


@dataclass(frozen=True)
class Adjustment:
    """A correction by a signed amount, e.g. one found or one missing."""

    product_id: int
    delta: Decimal
    note: str = ""


@dataclass(frozen=True)
class MovementResult:
    """What a stock change did. `movement` is None when a count matched the books."""

    movement: Movement | None
    before: Product
    product: Product
    replayed: bool = False
    expired_on_arrival: bool = False
    reversed: Movement | None = None  # what an undo reversed
    # The shop and who recorded it, as authorized (restock, remove, count, adjust): an
    # answer worded for them needs no second transaction to read them.
    shop: Shop | None = None
    member: Member | None = None


def fefo_order(batches: Sequence[Batch]) -> list[Batch]:
    """First-expiring-first-out; batches without expiry go last, oldest first."""
    return sorted(
        batches,
        key=lambda b: (b.expiry is None, b.expiry or date.max, b.received_at, b.id),
    )


def allocate_removal(batches: Sequence[Batch], quantity: Decimal) -> list[Allocation]:
    """Take `quantity` from the batches FEFO. The caller has checked there is enough."""
    remaining = quantity
    allocations: list[Allocation] = []
    for batch in fefo_order(batches):
        if remaining <= 0:
            break
        take = min(batch.quantity, remaining)
        if take > 0:
            allocations.append(Allocation(batch.id, -take))
            remaining -= take
    if remaining > 0:
        raise AssertionError("allocate_removal called with more than on hand")
    return allocations


def stock_after(product: Product, batches: Iterable[Batch]) -> Product:
    """The product's snapshot of its batches: on hand is what they hold, the earliest
    expiry the first of those still holding stock."""
    left = [batch for batch in batches if batch.quantity > 0]
    return replace(
        product,
        on_hand=sum((b.quantity for b in left), ZERO),
        earliest_expiry=min((b.expiry for b in left if b.expiry), default=None),
    )


@dataclass(frozen=True)
class Taken:
    """A removal planned on the batches in stock: what it takes from which batch, those
    batches with what is left in them, and the product's snapshot after."""

    allocations: tuple[Allocation, ...]
    batches: tuple[Batch, ...]
    product: Product


def take_fefo(product: Product, in_stock: Sequence[Batch], quantity: Decimal) -> Taken:
    """Remove `quantity` of `product` from its batches in stock, first-expiring-first-out.

    The rule a store may apply in its own language (ports.MovementRepository.
    record_removal); tests/integration/test_ledger_sql.py holds it to this function."""
    allocations = allocate_removal(in_stock, quantity)
    batches = {batch.id: batch for batch in in_stock}
    for allocation in allocations:
        batch = batches[allocation.batch_id]
        batches[batch.id] = replace(batch, quantity=batch.quantity + allocation.quantity)
    changed = tuple(batches[a.batch_id] for a in allocations)
    return Taken(tuple(allocations), changed, stock_after(product, batches.values()))


def _positive(quantity: Decimal, what: str) -> Decimal:
    if quantity <= 0:
        raise ValueRefused(Invalid.QUANTITY_NOT_POSITIVE, action=what)
    return quantity


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValueRefused(Invalid.NOTE_TOO_LONG, limit=MAX_NOTE)
    return note


def _in_units_of(product: Product, quantity: Decimal) -> Decimal:
    """The quantity, if the product's unit allows it: no fraction of a unit counted whole."""
    if not allows_fractions(product.unit) and not is_whole(quantity):
        raise FractionOfWholeUnit(quantity, product.unit, product.name)
    return quantity


async def _locked_product(
    uow: UnitOfWork, shop_id: int, product_id: int, locked: Product | None = None
) -> Product:
    """The product read under its lock; `locked`: the caller read it so already, in this
    transaction (it is not read again when it is this product)."""
    if locked is not None and (locked.id, locked.shop_id) == (product_id, shop_id):
        product: Product | None = locked
    else:
        product = await uow.products.get_for_update(shop_id, product_id)
    if product is None or product.archived:
        raise ProductGone(product_id)
    return product


async def _replay(
    uow: UnitOfWork, shop_id: int, key: str, product: Product
) -> MovementResult | None:
    """The first result of a request seen before, if this key was seen. That result may
    be about another product (a second "did you mean" choice of one command): it is
    reported as it was, never as a movement of `product`."""
    earlier = await uow.movements.by_key(shop_id, key)
    if not earlier:
        return None
    first = earlier[0]
    if first.product_id != product.id:
        other = await uow.products.get(shop_id, first.product_id)
        product = other if other is not None else product
    return MovementResult(first, product, product, replayed=True)


async def _record(
    uow: UnitOfWork,
    actor: Actor,
    product: Product,
    allocations: Sequence[Allocation],
    reason: Reason,
    *,
    key: str,
    now: datetime,
    in_stock: Sequence[Batch] | None = None,
    catalog: dict[str, object] | None = None,
    **details: object,
) -> MovementResult:
    """The one way stock changes: write the allocations to their batches, refresh the
    product's snapshot (and any catalog fields), note a threshold crossing for the
    alerts, and append the movement, all in the caller's transaction.

    `in_stock`: the product's batches in stock as the caller read them under the
    product's lock, if it did. The snapshot is computed from those batches and the
    allocations rather than read again: under the lock no one else changes them."""
    batches = {
        batch.id: batch
        for batch in (in_stock if in_stock is not None else await uow.batches.in_stock(product.id))
    }
    changed: dict[int, Batch] = {}
    for allocation in allocations:
        batch = batches.get(allocation.batch_id) or await uow.batches.get(allocation.batch_id)
        if batch is None or batch.product_id != product.id:
            raise AssertionError(f"batch {allocation.batch_id} is not of product {product.id}")
        batch = batches[batch.id] = replace(batch, quantity=batch.quantity + allocation.quantity)
        changed[batch.id] = batch
    updated = replace(
        stock_after(product, batches.values()),
        **(catalog or {}),  # type: ignore[arg-type]
    )
    await crossings.record_stock_change(uow, product, updated, now)
    # The batches, the product's snapshot and the movement in one write: every statement
    # sent under the product's lock holds up the next change of the product.
    movement = await uow.movements.record(
        Movement(
            id=0,
            shop_id=actor.shop_id,
            product_id=product.id,
            quantity=sum((a.quantity for a in allocations), ZERO),
            reason=reason,
            user_id=actor.user_id,
            created_at=now,
            idempotency_key=key,
            allocations=tuple(allocations),
            **details,  # type: ignore[arg-type]
        ),
        list(changed.values()),
        updated,
    )
    return MovementResult(movement, product, updated)


async def restock(
    uow: UnitOfWork, actor: Actor, command: Restock, *, key: str, now: datetime
) -> MovementResult:
    return await _one(uow, actor, command, key=key, now=now)


async def _restock(
    uow: UnitOfWork,
    actor: Actor,
    shop: Shop,
    member: Member,
    command: Restock,
    *,
    key: str,
    now: datetime,
    locked: Product | None = None,
) -> MovementResult:
    quantity = _positive(command.quantity, "restock")
    note = _note(command.note)
    if command.price is not None and not member.is_owner:
        # Staff record deliveries (and what they cost); the shelf price is the owner's.
        raise OwnerOnly(OwnerAction.SET_PRICE)
    product = await _locked_product(uow, actor.shop_id, command.product_id, locked)
    if replayed := await _replay(uow, actor.shop_id, key, product):
        return replayed
    _in_units_of(product, quantity)
    batch = await uow.batches.add(
        Batch(
            id=0,
            product_id=product.id,
            shop_id=actor.shop_id,
            quantity=ZERO,
            received_at=now,
            expiry=command.expiry,
            cost=command.cost,
        )
    )
    allocations = (Allocation(batch.id, quantity),)
    catalog = {
        name: getattr(command, name) for name in RESTOCK_SETS if getattr(command, name) is not None
    }
    replaced = {f"{name}_before": getattr(product, name) for name in catalog}
    result = await _record(
        uow,
        actor,
        product,
        allocations,
        Reason.RESTOCK,
        key=key,
        now=now,
        catalog=catalog,
        note=note,
        cost=command.cost,
        price=command.price,
        expiry=command.expiry,
        reorder_date=command.reorder_date,
        **replaced,
    )
    expired = command.expiry is not None and command.expiry < shop_today(shop, now)
    return replace(result, expired_on_arrival=expired)


async def _remove_locked(
    uow: UnitOfWork,
    actor: Actor,
    product: Product,
    quantity: Decimal,
    reason: Reason,
    note: str,
    key: str,
    now: datetime,
    counted: Decimal | None = None,
) -> MovementResult:
    """Take `quantity` first-expiring-first-out (`take_fefo`, which the store applies in
    one statement under the product's lock), unless the key was seen: then the first
    result, as `_replay` gives it."""
    if quantity > product.on_hand:
        raise InsufficientStock(product.name, quantity, product.on_hand, product.unit)
    written = await uow.movements.record_removal(
        Movement(
            id=0,
            shop_id=actor.shop_id,
            product_id=product.id,
            quantity=-quantity,
            reason=reason,
            user_id=actor.user_id,
            created_at=now,
            idempotency_key=key,
            note=note,
            sale_price=product.price if reason is Reason.SALE else None,
            counted=counted,
        ),
        product,
    )
    if written is None:
        if replayed := await _replay(uow, actor.shop_id, key, product):
            return replayed
        raise AssertionError(f"the batches of product {product.id} hold less than its on hand")
    movement, updated = written
    await crossings.record_stock_change(uow, product, updated, now)
    return MovementResult(movement, product, updated)


def goes_at_once(change: StockChange) -> bool:
    """Whether `change` is a removal `removed_at_once` offers to the store: a removal of
    whole units with nothing to refuse before the product is read."""
    return (
        isinstance(change, Removal)
        and change.reason in REMOVAL_REASONS
        and change.quantity > 0
        and is_whole(change.quantity)
        and len(change.note) <= MAX_NOTE  # else refused the usual way, in its order
    )


def as_removal(change: StockChange) -> Removal | None:
    """`change` as the removal `removed_at_once` may offer the store, or None: a removal
    of whole units, or a correction down by whole units (a card's −1), which the usual
    way records as the same movement (`_adjust_in` → `_remove_locked`, reason
    adjustment, no sale price)."""
    if isinstance(change, Adjustment) and change.delta < 0:
        change = Removal(change.product_id, -change.delta, Reason.ADJUSTMENT, change.note)
    return change if isinstance(change, Removal) and goes_at_once(change) else None


async def removed_at_once(
    uow: UnitOfWork,
    actor: Actor,
    command: Removal,
    *,
    key: str,
    now: datetime,
    unit: str | None = None,
) -> MovementResult | None:
    """`command` as the store's one statement (`UnitOfWork.remove_at_once`) when it is
    a removal of whole units it may write; None when it wrote nothing (the caller goes
    the usual way, which refuses or replays as it always did). `unit`: the product's
    unit as the caller read it and checked the command against, outside the statement's
    transaction (another unit by then writes nothing)."""
    if not goes_at_once(command):
        return None
    done = await uow.remove_at_once(
        RemovalAtOnce(
            Movement(
                id=0,
                shop_id=actor.shop_id,
                product_id=command.product_id,
                quantity=-command.quantity,
                reason=command.reason,
                user_id=actor.user_id,
                created_at=now,
                idempotency_key=key,
                note=_note(command.note),
            ),
            roles=REMOVERS,
            records_price=command.reason is Reason.SALE,
            unit=unit,
        )
    )
    if done is None:
        return None
    return MovementResult(
        done.movement, done.before, done.after, shop=done.shop, member=done.member
    )


async def remove(
    uow: UnitOfWork, actor: Actor, command: Removal, *, key: str, now: datetime
) -> MovementResult:
    """Sale, damage, expiry write-off, adjustment or return to supplier; never below 0.

    A removal of whole units is first offered to the store as one statement committed
    without the unit of work's round trips (`UnitOfWork.remove_at_once`: the
    authorization, the product's lock, the key, the stock and the writes, with other
    removals of the process in one round trip); whatever it does not write (a refusal,
    a replay, a crossing to record, a product another holds, a store without it) goes
    the usual way below."""
    if done := await removed_at_once(uow, actor, command, key=key, now=now):
        return done
    return await _one(uow, actor, command, key=key, now=now)


async def _remove(
    uow: UnitOfWork,
    actor: Actor,
    command: Removal,
    *,
    key: str,
    now: datetime,
    locked: Product | None = None,
) -> MovementResult:
    if command.reason not in REMOVAL_REASONS:
        raise ValueRefused(Invalid.NOT_A_REMOVAL_REASON, reason=command.reason)
    quantity = _positive(command.quantity, "remove")
    note = _note(command.note)
    product = await _locked_product(uow, actor.shop_id, command.product_id, locked)
    # The key is checked by the removal's own write (one round trip fewer under the
    # lock); a refusal checks it first, so a replay is answered as it was.
    try:
        _in_units_of(product, quantity)
        return await _remove_locked(uow, actor, product, quantity, command.reason, note, key, now)
    except DomainError:
        if replayed := await _replay(uow, actor.shop_id, key, product):
            return replayed
        raise


async def write_off_expired(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    *,
    today: date,
    key: str,
    now: datetime,
) -> MovementResult | None:
    """Remove exactly the product's batches that expired before `today`, as one `expired`
    movement; None when nothing is expired.

    The batches are read under the product lock, and only those batches are taken (not
    first-expiring-first-out over all stock): a sale just before may have used part of an
    expired batch, and the write-off must never take good stock in its place."""
    async with uow:
        await authorize(uow, actor)
        product = await _locked_product(uow, actor.shop_id, product_id)
        if replayed := await _replay(uow, actor.shop_id, key, product):
            return replayed
        in_stock = await uow.batches.in_stock(product.id)
        expired = [
            batch
            for batch in fefo_order(in_stock)
            if batch.expiry is not None and batch.expiry < today and batch.quantity > 0
        ]
        if not expired:
            return None
        allocations = [Allocation(batch.id, -batch.quantity) for batch in expired]
        result = await _record(
            uow,
            actor,
            product,
            allocations,
            Reason.EXPIRED,
            key=key,
            now=now,
            in_stock=in_stock,
            note="expired",
        )
        await uow.commit()
        return result


async def count(
    uow: UnitOfWork, actor: Actor, command: Count, *, key: str, now: datetime
) -> MovementResult:
    """Set stock to the counted quantity with one `adjustment` of the difference."""
    return await _one(uow, actor, command, key=key, now=now)


async def adjust(
    uow: UnitOfWork, actor: Actor, command: Adjustment, *, key: str, now: datetime
) -> MovementResult:
    """A quick correction by `delta` (the card's −1 / +1 / +5 buttons)."""
    return await _one(uow, actor, command, key=key, now=now)


async def _one(
    uow: UnitOfWork, actor: Actor, change: StockChange, *, key: str, now: datetime
) -> MovementResult:
    async with uow:
        shop, member = await authorize(uow, actor)
        result = await apply(uow, actor, shop, member, change, key=key, now=now)
        if not result.replayed:  # a replay wrote nothing
            await uow.commit()
        return replace(result, shop=shop, member=member)


async def _adjust_in(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    typed: Decimal,
    difference_of: Callable[[Product], Decimal],
    note: str,
    key: str,
    now: datetime,
    *,
    counted: bool = False,
    locked: Product | None = None,
) -> MovementResult:
    """`typed` is the figure the person gave (the count, or the change); `counted`: it was
    a count, recorded with the movement so the ledger tells a stocktake from a tap."""
    product = await _locked_product(uow, actor.shop_id, product_id, locked)
    if replayed := await _replay(uow, actor.shop_id, key, product):
        return replayed
    _in_units_of(product, typed)
    difference = difference_of(product)
    if difference < 0:
        return await _remove_locked(
            uow,
            actor,
            product,
            -difference,
            Reason.ADJUSTMENT,
            note,
            key,
            now,
            counted=typed if counted else None,
        )
    # A count that matched is still recorded (quantity 0): the stocktake happened,
    # and its key answers a replay instead of counting again.
    allocations: tuple[Allocation, ...] = ()
    if difference > 0:
        batch = await uow.batches.latest(product.id)
        if batch is None:
            batch = await uow.batches.add(
                Batch(0, product.id, actor.shop_id, ZERO, received_at=now)
            )
        allocations = (Allocation(batch.id, difference),)
    return await _record(
        uow,
        actor,
        product,
        allocations,
        Reason.ADJUSTMENT,
        key=key,
        now=now,
        note=note,
        counted=typed if counted else None,
    )


StockChange = Restock | Removal | Count | Adjustment


async def apply(
    uow: UnitOfWork,
    actor: Actor,
    shop: Shop,
    member: Member,
    change: StockChange,
    *,
    key: str,
    now: datetime,
    locked: Product | None = None,
) -> MovementResult:
    """Any stock change inside the caller's open unit of work, once `authorize` gave
    `shop` and `member`: for a use case that does more in the same transaction (see
    core.stock_requests). The caller commits. `locked`: the product as the caller read
    it under its lock in this transaction (`products.get_for_update`, or `by_name` with
    `lock`), so it is not read again."""
    if isinstance(change, Restock):
        return await _restock(uow, actor, shop, member, change, key=key, now=now, locked=locked)
    if isinstance(change, Removal):
        return await _remove(uow, actor, change, key=key, now=now, locked=locked)
    if isinstance(change, Count):
        if change.counted < 0:
            raise ValueRefused(Invalid.COUNT_NEGATIVE)
        counted = change.counted
        return await _adjust_in(
            uow,
            actor,
            change.product_id,
            counted,
            lambda p: counted - p.on_hand,
            _note(change.note),
            key,
            now,
            counted=True,
            locked=locked,
        )
    if change.delta == 0:
        raise ValueRefused(Invalid.ADJUSTMENT_ZERO)
    delta = change.delta
    return await _adjust_in(
        uow,
        actor,
        change.product_id,
        delta,
        lambda _: delta,
        _note(change.note),
        key,
        now,
        locked=locked,
    )


def undo_refusal(target: Movement, member: Member, *, already_undone: bool) -> UndoRefusal | None:
    """Why this member may not undo the movement, or None. Staff undo their own
    movements; owners anyone's."""
    if target.reason is Reason.UNDO:
        return UndoRefusal.UNDO_OF_UNDO
    if target.user_id != member.user_id and not member.is_owner:
        return UndoRefusal.NOT_YOURS
    if target.quantity == 0:
        return UndoRefusal.CHANGED_NOTHING
    if already_undone:
        return UndoRefusal.ALREADY_UNDONE
    return None


UNDO_RECENT = timedelta(hours=24)  # older than this, `/undo` has nothing to offer
JUST_MADE = timedelta(minutes=10)  # a change this fresh, and the person's last, undoes at once


@dataclass(frozen=True)
class UndoQuestion:
    """`/undo` would reverse `movement`, but it is not the change the person just made
    (they made another since, undid one, had a command refused, or it is not fresh):
    nothing is undone until they confirm this one by its id."""

    movement: Movement
    product: Product


async def undo_last(
    uow: UnitOfWork,
    actor: Actor,
    *,
    key: str,
    now: datetime,
    refused_at: datetime | None = None,
) -> MovementResult | UndoQuestion:
    """`/undo` with no movement named: reverse the change the person just made, or name
    the one it would reverse and ask.

    The one just made is the person's newest movement, made within JUST_MADE and after
    their last refused request (`refused_at`, as the interface saw it): so a second
    `/undo`, or one after a refused command, never silently reverses an older change.
    Nothing of theirs within UNDO_RECENT raises NothingToUndo."""
    async with uow:
        _, member = await authorize(uow, actor)
        if earlier := await uow.movements.by_key(actor.shop_id, key):
            return await _reverse(uow, actor, member, earlier[0].reverses_id, key=key, now=now)
        target = await uow.movements.last_by_user(actor.shop_id, actor.user_id)
        if target is None or now - target.created_at > UNDO_RECENT:
            raise NothingToUndo(int(UNDO_RECENT.total_seconds() // 3600))
        newest = await uow.movements.newest_by_user(actor.shop_id, actor.user_id)
        just_made = (
            newest is not None
            and newest.id == target.id
            and now - target.created_at <= JUST_MADE
            and (refused_at is None or target.created_at > refused_at)
        )
        if not just_made:
            product = await uow.products.get(actor.shop_id, target.product_id)
            if product is None:
                raise MovementNotFound()
            return UndoQuestion(target, product)
        return await _reverse(uow, actor, member, target.id, key=key, now=now)


async def undo(
    uow: UnitOfWork,
    actor: Actor,
    movement_id: int | None,
    *,
    key: str,
    now: datetime,
) -> MovementResult:
    """Reverse a movement with a compensating `undo` movement, once.

    Without `movement_id` it reverses the actor's own newest movement. Staff may undo
    only their own movements; owners anyone's."""
    async with uow:
        _, member = await authorize(uow, actor)
        if earlier := await uow.movements.by_key(actor.shop_id, key):
            movement_id = earlier[0].reverses_id
        return await _reverse(uow, actor, member, movement_id, key=key, now=now)


def _restored(target: Movement, product: Product) -> dict[str, object]:
    """What undoing `target` puts back on the product: each field a restock set, to the
    value it replaced, unless it was changed again since (that later value stays)."""
    if target.reason is not Reason.RESTOCK:
        return {}
    return {
        name: getattr(target, f"{name}_before")
        for name in RESTOCK_SETS
        if getattr(target, name) is not None and getattr(product, name) == getattr(target, name)
    }


async def _reverse(
    uow: UnitOfWork,
    actor: Actor,
    member: Member,
    movement_id: int | None,
    *,
    key: str,
    now: datetime,
) -> MovementResult:
    """The undo of one movement inside the caller's open unit of work; commits."""
    if movement_id is None:
        target = await uow.movements.last_by_user(actor.shop_id, actor.user_id)
    else:
        target = await uow.movements.get(actor.shop_id, movement_id)
    if target is None:
        raise MovementNotFound()
    locked = await uow.products.get_for_update(actor.shop_id, target.product_id)
    if locked is None:
        raise MovementNotFound()
    product = locked
    if replayed := await _replay(uow, actor.shop_id, key, product):
        return replayed
    undone = await uow.movements.undo_of(target.id) is not None
    if refusal := undo_refusal(target, member, already_undone=undone):
        raise UndoRefused(refusal)
    reversal = tuple(Allocation(a.batch_id, -a.quantity) for a in target.allocations)
    for allocation in reversal:
        batch = await uow.batches.get(allocation.batch_id)
        if batch is None or batch.quantity + allocation.quantity < 0:
            left = batch.quantity if batch else ZERO
            raise UndoRefused(UndoRefusal.STOCK_USED, left=left, unit=product.unit)
    result = await _record(
        uow,
        actor,
        product,
        reversal,
        Reason.UNDO,
        key=key,
        now=now,
        catalog=_restored(target, product),
        note=f"undo of #{target.id}",
        reverses_id=target.id,
    )
    await uow.commit()
    return replace(result, reversed=target)
