"""Whatever happens, the books balance: every batch >= 0 and the product's on-hand
snapshot == the sum of its batches == the sum of its ledger; refusals change nothing;
replayed requests change nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.access import Actor
from core.errors import DomainError
from core.ledger import MovementResult
from core.model import REMOVAL_REASONS, Reason
from core.quantities import ZERO
from tests.fakes import FakeClock, FakeStore
from tests.unit.shopfloor import Shopfloor

TODAY = date(2026, 3, 2)

quantities = st.tuples(st.integers(0, 30_000), st.integers(0, 3)).map(
    lambda n: str(Decimal(n[0]).scaleb(-n[1]))
)
expiries = st.one_of(st.none(), st.integers(-5, 60).map(lambda d: TODAY + timedelta(days=d)))
who = st.sampled_from(["owner", "staff"])


@dataclass(frozen=True)
class Op:
    kind: str
    by: str
    quantity: str = "0"
    expiry: date | None = None
    reason: Reason = Reason.SALE
    pick: int | None = None  # which earlier movement (undo) or request (replay)


operations = st.one_of(
    st.builds(Op, st.just("restock"), who, quantities, expiries),
    st.builds(
        Op, st.just("remove"), who, quantities, reason=st.sampled_from(sorted(REMOVAL_REASONS))
    ),
    st.builds(Op, st.just("count"), who, quantities),
    st.builds(Op, st.just("adjust"), who, quantities, pick=st.sampled_from([1, -1])),
    st.builds(Op, st.just("undo"), who, pick=st.one_of(st.none(), st.integers(0, 50))),
    st.builds(Op, st.just("replay"), who, pick=st.integers(0, 50)),
)


def check_books(floor: Shopfloor, product_id: int) -> None:
    product = floor.stored_product(product_id)
    batches = floor.batches(product_id)
    movements = floor.movements(product_id)
    assert all(b.quantity >= 0 for b in batches)
    assert product.on_hand >= 0
    assert product.on_hand == sum((b.quantity for b in batches), ZERO)
    assert product.on_hand == sum((m.quantity for m in movements), ZERO)
    for batch in batches:
        allocated = sum(
            (a.quantity for m in movements for a in m.allocations if a.batch_id == batch.id),
            ZERO,
        )
        assert batch.quantity == allocated
    expiries = [b.expiry for b in batches if b.quantity > 0 and b.expiry]
    assert product.earliest_expiry == min(expiries, default=None)
    for movement in movements:
        assert movement.quantity == sum((a.quantity for a in movement.allocations), ZERO)
        # Only a count that matched the books records nothing moved.
        assert movement.quantity != 0 or (
            movement.reason is Reason.ADJUSTMENT and not movement.allocations
        )
    undone = [m.reverses_id for m in movements if m.reverses_id is not None]
    assert len(undone) == len(set(undone)), "a movement was undone twice"


async def play(ops: list[Op]) -> None:
    floor = Shopfloor(FakeStore(), FakeClock())
    owner = await floor.open_shop(owner_id=1)
    staff = await floor.hire(owner, user_id=2)
    milk = await floor.product(owner, "Oat Milk")
    actors = {"owner": owner, "staff": staff}
    sent: list[tuple[Op, str, MovementResult]] = []

    async def perform(op: Op, actor: Actor, key: str) -> MovementResult:
        if op.kind == "restock":
            return await floor.restock(actor, milk.id, op.quantity, expiry=op.expiry, key=key)
        if op.kind == "remove":
            return await floor.remove(actor, milk.id, op.quantity, op.reason, key=key)
        if op.kind == "count":
            return await floor.count(actor, milk.id, op.quantity, key=key)
        if op.kind == "adjust":
            delta = Decimal(op.quantity) * (op.pick or 1)
            return await floor.adjust(actor, milk.id, str(delta), key=key)
        movements = floor.movements(milk.id)
        target = None
        if op.pick is not None and movements:
            target = movements[op.pick % len(movements)].id
        return await floor.undo(actor, target, key=key)

    for op in ops:
        floor.clock.advance(timedelta(minutes=1))
        actor = actors[op.by]
        before_state, before_commits = floor.store.state, floor.store.commits
        if op.kind == "replay":
            if not sent:
                continue
            first_op, key, first = sent[op.pick % len(sent)]  # type: ignore[operator]
            again = await perform(first_op, actors[first_op.by], key)
            assert again.replayed and again.movement == first.movement
            assert floor.store.state is before_state
        else:
            key = floor.key()
            try:
                result = await perform(op, actor, key)
            except DomainError:
                assert floor.store.state is before_state
                assert floor.store.commits == before_commits
            else:
                if result.movement is not None:
                    sent.append((op, key, result))
                    assert result.product == floor.stored_product(milk.id)
                else:
                    assert floor.store.state is before_state  # a count that matched
        check_books(floor, milk.id)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(operations, max_size=25))
def test_any_sequence_of_stock_changes_keeps_the_books_balanced(ops: list[Op]) -> None:
    asyncio.run(play(ops))
