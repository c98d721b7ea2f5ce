"""Any sequence of stock changes keeps batches >= 0 and the snapshot equal to the ledger,
on the real databases."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import catalog, ledger
from core.access import Actor
from core.catalog import ProductFields
from core.errors import DomainError
from core.ledger import Count, Removal, Restock
from core.model import Reason
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(50), places=3)
expiries = st.none() | st.dates(min_value=NOW.date(), max_value=NOW.date().replace(year=2027))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("restock"), quantities, expiries),
        st.tuples(st.just("remove"), quantities, st.sampled_from(sorted(Reason)[:5])),
        st.tuples(st.just("count"), quantities | st.just(Decimal(0)), st.none()),
        st.tuples(st.just("undo"), st.none(), st.none()),
    ),
    min_size=1,
    max_size=12,
)
_names = itertools.count()


async def _check_books(make_uow: MakeUow, owner: Actor, product_id: int) -> None:
    async with make_uow() as uow:
        product = await uow.products.get(owner.shop_id, product_id)
        movements = await uow.movements.history(owner.shop_id, product_id=product_id, limit=1000)
        batches = await uow.batches.in_stock(product_id)
        latest = await uow.batches.latest(product_id)
    assert product is not None
    assert all(b.quantity >= 0 for b in batches)
    assert latest is None or latest.quantity >= 0
    ledger_sum = sum((m.quantity for m in movements), Decimal(0))
    assert product.on_hand == ledger_sum == sum((b.quantity for b in batches), Decimal(0))
    assert product.earliest_expiry == min((b.expiry for b in batches if b.expiry), default=None)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_any_sequence_keeps_the_books_balanced(
    make_uow: MakeUow, owner: Actor, backend: str, data: st.DataObject
) -> None:
    # Fewer examples on PostgreSQL: each example is a dozen real transactions.
    if backend == "postgres" and data.draw(st.integers(0, 2), label="sample") != 0:
        return
    sequence = data.draw(steps, label="steps")
    product = await catalog.add_product(
        make_uow(), owner, ProductFields(name=f"Product {next(_names)}")
    )
    for i, step in enumerate(sequence):
        kind, quantity, extra = cast(tuple[str, Any, Any], step)
        key = f"{product.id}:{i}"
        try:
            if kind == "restock":
                await ledger.restock(
                    make_uow(), owner, Restock(product.id, quantity, expiry=extra), key=key, now=NOW
                )
            elif kind == "remove":
                await ledger.remove(
                    make_uow(), owner, Removal(product.id, quantity, extra), key=key, now=NOW
                )
            elif kind == "count":
                await ledger.count(make_uow(), owner, Count(product.id, quantity), key=key, now=NOW)
            else:
                await ledger.undo(make_uow(), owner, None, key=key, now=NOW)
        except DomainError:
            pass  # refused: insufficient stock, nothing to undo, stock already used
        await _check_books(make_uow, owner, product.id)
