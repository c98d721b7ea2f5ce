"""A stock command from a chat, in one transaction.

`/sell milk 3` is one use case: who is asking and in which shop (the group's, or the
person's active shop), their membership (authorized once), the product the name means —
or the names it might mean — and the movement under the product's lock, all in one unit
of work. The command's text is read only once the shop is known (its date order decides
what `exp 01/06` means), by the `read` function the interface passes in; reading is pure,
so a mistake in the text rolls back having written nothing.

Where the store removes at once (PostgreSQL: `UnitOfWork.remove_at_once`), the same is
read without the product's lock, and a sale or write-off of whole units is then the
store's one statement by the product's id — the lock, the member read again after it,
the key, the stock, the movement and the update's mark in one transaction — told the
unit the command was checked against; what it does not write is done the usual way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from core import catalog, ledger
from core.access import Actor, actor_in, authorize
from core.errors import ProductGone, ProductNotFound
from core.ledger import MovementResult, StockChange
from core.model import Member, Product, Shop
from core.ports import UnitOfWork
from core.units import check_typed_unit
from core.visibility import movement_for, product_for


@dataclass(frozen=True)
class Draft:
    """A command as far as the person wrote it: the product's name (None when not
    given), and how to make the stock change for a product — None while a piece (the
    quantity, a removal's reason) is still missing.

    `unit`: the unit typed after the quantity (`flour 2.5 kg`), which must be the
    product's. `literal`: the same words read with all of them as the name (`3 croissant`
    as a product called "3 croissant", `7 up` as "7 up"): a product of exactly that name
    is meant before this reading's; with neither name a product, this reading stands."""

    name: str | None
    change_for: Callable[[Product], StockChange | None]
    unit: str | None = None
    literal: Draft | None = None


@dataclass(frozen=True)
class StockRequest:
    user_id: int
    chat_id: int | None  # the group it came from; None in a private chat
    read: Callable[[Shop], Draft]
    product_id: int | None = None  # already chosen: a button, a step, a choice
    # False for a line of a batch, which can offer no "did you mean" buttons.
    choices_offered: bool = True


@dataclass(frozen=True)
class Place:
    """Who acts in which shop, as authorized."""

    actor: Actor
    shop: Shop
    member: Member


@dataclass(frozen=True)
class Recorded:
    place: Place
    result: MovementResult


@dataclass(frozen=True)
class Suggested:
    """The name matched no product; these are close to it. Nothing was recorded."""

    place: Place
    missing: ProductNotFound


@dataclass(frozen=True)
class Incomplete:
    """A piece is missing: the product (None) or, for `product`, the rest."""

    place: Place
    product: Product | None


StockOutcome = Recorded | Suggested | Incomplete


@dataclass(frozen=True)
class _Read:
    """A complete command: who acts where, the product it names and its change."""

    place: Place
    product: Product
    change: StockChange


async def record_stock(
    uow: UnitOfWork, request: StockRequest, *, key: str, now: datetime
) -> StockOutcome:
    """Resolve, authorize and record in one transaction; `key` makes it idempotent.

    A name matching nothing and close to nothing raises ProductNotFound; a product id
    that is not (or no longer) in the shop raises ProductGone.

    Where the store removes at once (`UnitOfWork.remove_at_once`: PostgreSQL), the
    command is first read without locking anything, and a removal of whole units is
    sent as the store's one statement by the product's id, with the unit it was checked
    against: the statement locks the product, reads the member again after the lock,
    and writes the movement with the update's mark, or writes nothing. Whatever it does
    not write (a refusal, a replay, a crossing, the product changed or another member
    since) is read and recorded again below, under the product's lock, as always."""
    at_once = uow.removes_at_once()
    async with uow:
        read = await _read(uow, request, lock=not at_once)
        if not isinstance(read, _Read):
            return read
        removal = ledger.as_removal(read.change) if at_once else None
        if at_once and removal is None:
            # A restock, a count, a fraction, a correction up: recorded here, under the
            # product's lock.
            at_once = False
            locked = await uow.products.get_for_update(read.place.actor.shop_id, read.product.id)
            if locked is not None and _same_to_the_draft(locked, read.product):
                read = replace(read, product=locked)
            else:  # changed since it was read: everything again, under the lock
                read = await _read(uow, request, lock=True)
                if not isinstance(read, _Read):
                    return read
        if not at_once:
            return await _record(uow, request, read, key=key, now=now)
    # A removal of whole units, the product read without its lock: the store's one
    # statement, which writes it only if the product's unit is still the one read.
    assert removal is not None
    done = await ledger.removed_at_once(
        uow, read.place.actor, removal, key=key, now=now, unit=read.product.unit
    )
    if done is not None and done.shop is not None and done.member is not None:
        place = Place(read.place.actor, done.shop, done.member)
        result = replace(done, shop=None, member=None)  # as ledger.apply's
        return Recorded(place, _as_seen(result, done.member, in_group=request.chat_id is not None))
    async with uow:
        read = await _read(uow, request, lock=True)
        if not isinstance(read, _Read):
            return read
        return await _record(uow, request, read, key=key, now=now)


def _same_to_the_draft(locked: Product, read: Product) -> bool:
    """Whether the product under its lock is still the one the command was read and
    checked against (its stock may have changed: the ledger reads that under the lock)."""
    return not locked.archived and (locked.shop_id, locked.name, locked.unit) == (
        read.shop_id,
        read.name,
        read.unit,
    )


async def _record(
    uow: UnitOfWork, request: StockRequest, read: _Read, *, key: str, now: datetime
) -> Recorded:
    """`read.change` in the caller's open unit of work, the product locked as read."""
    place = read.place
    result = await ledger.apply(
        uow,
        place.actor,
        place.shop,
        place.member,
        read.change,
        key=key,
        now=now,
        locked=read.product,
    )
    if not result.replayed:
        await uow.commit()
    return Recorded(place, _as_seen(result, place.member, in_group=request.chat_id is not None))


async def _read(
    uow: UnitOfWork, request: StockRequest, *, lock: bool
) -> _Read | Suggested | Incomplete:
    """Who acts where, the product meant and its change, inside the caller's open unit
    of work; `lock`: the product is locked as it is read (the stock change that follows
    needs its lock, and reading it again under the lock would be one more round trip)."""
    actor = await actor_in(uow, request.user_id, request.chat_id, product_id=request.product_id)
    shop, member = await authorize(uow, actor)
    place = Place(actor, shop, member)
    draft = request.read(shop)
    if request.product_id is not None:
        if lock:
            found = await uow.products.get_for_update(actor.shop_id, request.product_id)
        else:
            found = await uow.products.get(actor.shop_id, request.product_id)
        if found is None or found.archived:
            raise ProductGone(request.product_id)
        product = found
    else:
        meant = await _meant(uow, actor.shop_id, draft, request.choices_offered, lock=lock)
        if meant is None:
            return Incomplete(place, None)
        if isinstance(meant, ProductNotFound):
            return Suggested(place, meant)
        draft, product = meant
    check_typed_unit(draft.unit, product)
    change = draft.change_for(product)
    if change is None:
        return Incomplete(place, product)
    return _Read(place, product, change)


def _as_seen(result: MovementResult, member: Member, *, in_group: bool) -> MovementResult:
    """The result as the member may see it where it is shown (see core.visibility)."""
    return replace(
        result,
        movement=movement_for(member, result.movement, in_group=in_group)
        if result.movement is not None
        else None,
        before=product_for(member, result.before, in_group=in_group),
        product=product_for(member, result.product, in_group=in_group),
        reversed=movement_for(member, result.reversed, in_group=in_group)
        if result.reversed is not None
        else None,
    )


async def _meant(
    uow: UnitOfWork, shop_id: int, draft: Draft, choices_offered: bool, *, lock: bool
) -> tuple[Draft, Product] | ProductNotFound | None:
    """The reading and product a name means: a product called by all the words first
    (`draft.literal`), then this reading's name; close names as a ProductNotFound to offer,
    raised when nothing is close; None when no product is named (`2 kg`)."""
    literal = draft.literal
    if literal is not None and literal.name is not None:
        product = await catalog.product_called(uow, shop_id, literal.name, lock=lock)
        if product is not None:
            return literal, product
    if draft.name is None:
        return None
    try:
        named = await catalog.product_named(
            uow, shop_id, draft.name, choices_offered=choices_offered, lock=lock
        )
        return draft, named
    except ProductNotFound as missing:
        if not missing.suggestions:
            raise
        return missing
