"""The store's removal (ports.MovementRepository.record_removal: one statement on
PostgreSQL) takes what core's rule takes (core.ledger.take_fefo), on random batches, on
SQLite and PostgreSQL: the same allocations in the same order, the same batches left and
the same snapshot of the product; and it writes nothing for a key already used."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ledger import take_fefo
from core.model import Batch, Movement, Product, Reason
from core.quantities import ZERO
from core.shops import create_shop
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]
TODAY = NOW.date()
_owners = itertools.count(70_000)

# Ties on expiry and on the time received, so the order's last keys decide too.
batches = st.lists(
    st.tuples(
        st.decimals(min_value=ZERO, max_value=Decimal(6), places=3)
        | st.sampled_from([ZERO, Decimal(1)]),
        st.none() | st.integers(-3, 3).map(lambda d: TODAY + timedelta(days=d)),
        st.integers(0, 2).map(lambda h: NOW - timedelta(hours=h)),
    ),
    max_size=8,
)


def _sale(product: Product, quantity: Decimal, key: str) -> Movement:
    return Movement(
        id=0,
        shop_id=product.shop_id,
        product_id=product.id,
        quantity=-quantity,
        reason=Reason.SALE,
        user_id=1,
        created_at=NOW,
        idempotency_key=key,
        sale_price=Decimal("1.20"),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_stores_removal_is_cores_first_expiring_first_out(
    make_uow: MakeUow, data: st.DataObject
) -> None:
    owner = next(_owners)
    shop = await create_shop(make_uow(), owner, "Olga", f"Shop {owner}", NOW)
    drawn = data.draw(batches, label="batches")
    async with make_uow() as uow:
        product = await uow.products.add(Product(0, shop.id, "Milk", price=Decimal("1.20")))
        for quantity, expiry, received_at in drawn:
            await uow.batches.add(Batch(0, product.id, shop.id, quantity, received_at, expiry))
        await uow.commit()
    async with make_uow() as uow:
        in_stock = await uow.batches.in_stock(product.id)
        product = await uow.products.get_for_update(shop.id, product.id)  # type: ignore[assignment]
        await uow.products.update(
            expected_before := take_fefo(product, in_stock, ZERO).product  # the ledger's books
        )
        await uow.commit()
    on_hand = expected_before.on_hand
    quantity = data.draw(
        st.decimals(min_value=Decimal("0.001"), max_value=on_hand + 1, places=3),
        label="quantity",
    )
    async with make_uow() as uow:
        locked = await uow.products.get_for_update(shop.id, product.id)
        assert locked is not None
        in_stock = await uow.batches.in_stock(product.id)
        written = await uow.movements.record_removal(_sale(locked, quantity, "k"), locked)
        if quantity > on_hand:
            assert written is None
            return
        expected = take_fefo(locked, in_stock, quantity)
        assert written is not None
        movement, after = written
        assert movement.allocations == expected.allocations
        assert movement.quantity == -quantity and movement.id > 0
        assert after == expected.product
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.products.get(shop.id, product.id) == expected.product
        for batch in expected.batches:
            assert await uow.batches.get(batch.id) == batch
        assert await uow.movements.get(shop.id, movement.id) == movement
        # The same key again: nothing written, whatever is left.
        again = await uow.movements.record_removal(
            _sale(after, min(quantity, after.on_hand) or Decimal(1), "k"), after
        )
        assert again is None
        assert await uow.products.get(shop.id, product.id) == expected.product
