"""Benchmark of the ledger at shop scale on PostgreSQL (a script, not a test).

Seeds one shop with 10,000 products and 1,000,000 movements (with their batch
allocations) into a database of its own by COPY, then times the read paths the bot uses
(inventory list, dashboard, history pages, product card) and single stock changes,
through the real use cases and unit of work.

    .venv/bin/python -m bench.ledger_bench [--movements 1000000] [--products 10000]
        [--admin-url postgresql://postgres@127.0.0.1:5432/test] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from bench.database import fresh_database
from core import inventory, ledger
from core.access import Actor
from core.inventory import InventoryQuery, SortBy, StatusFilter
from core.ledger import Removal, Restock
from db.engine import create_engine
from db.uow import uow_factory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
USERS = (1, 2, 3)
CATEGORIES = ("dairy", "bakery", "drinks", "produce", "frozen", "snacks", "household", "")


async def seed(url: str, products: int, movements: int) -> tuple[int, int]:
    """Insert the shop; returns (shop id, a product id)."""
    rng = random.Random(42)
    connection = await asyncpg.connect(url)
    try:
        shop_id = await connection.fetchval(
            "INSERT INTO shops (name, timezone, created_at) VALUES ('Bench', 'Europe/Berlin', $1)"
            " RETURNING id",
            NOW,
        )
        for user in USERS:
            role = "owner" if user == 1 else "staff"
            await connection.execute(
                "INSERT INTO users (id, name, active_shop_id) VALUES ($1, $2, $3)",
                user,
                f"User {user}",
                shop_id,
            )
            await connection.execute(
                "INSERT INTO members (shop_id, user_id, role, name) VALUES ($1, $2, $3, $4)",
                shop_id,
                user,
                role,
                f"User {user}",
            )
        per_product = max(1, movements // products)
        sales = per_product - 1  # one restock, then sales of 1 each
        product_rows, batch_rows = [], []
        for pid in range(1, products + 1):
            received = rng.randint(sales, sales + 40)
            on_hand = Decimal(received - sales)
            expiry = NOW.date() + timedelta(days=rng.randint(-5, 120)) if pid % 3 else None
            threshold = Decimal(rng.choice((0, 2, 5, 10)))
            name = f"Product {pid:05d}"
            product_rows.append(
                (
                    pid,
                    shop_id,
                    name,
                    name.casefold(),
                    CATEGORIES[pid % len(CATEGORIES)],
                    "pcs",
                    threshold,
                    Decimal("1.99"),
                    Decimal("0.99"),
                    "",
                    "",
                    False,
                    on_hand,
                    expiry if on_hand > 0 else None,
                )
            )
            batch_rows.append((pid, shop_id, pid, on_hand, NOW - timedelta(days=30), expiry))
        await connection.copy_records_to_table(
            "products",
            records=product_rows,
            columns=[
                "id",
                "shop_id",
                "name",
                "name_key",
                "category",
                "unit",
                "threshold",
                "price",
                "cost",
                "barcodes",
                "supplier",
                "archived",
                "on_hand",
                "earliest_expiry",
            ],
        )
        await connection.copy_records_to_table(
            "batches",
            records=batch_rows,
            columns=["id", "shop_id", "product_id", "quantity", "received_at", "expiry"],
        )
        received_by_product = {row[0]: row[3] + sales for row in batch_rows}

        def movement_rows() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            rows, allocations = [], []
            start = NOW - timedelta(days=365)
            step = timedelta(days=365) / (products * per_product)
            mid = 0
            for round_ in range(per_product):
                for pid in range(1, products + 1):
                    mid += 1
                    quantity = received_by_product[pid] if round_ == 0 else Decimal(-1)
                    reason = "restock" if round_ == 0 else "sale"
                    rows.append(
                        (
                            mid,
                            shop_id,
                            pid,
                            quantity,
                            reason,
                            USERS[mid % 3],
                            start + step * mid,
                            f"u{mid}",
                            "",
                            None if round_ == 0 else Decimal("1.99"),  # the price it took
                        )
                    )
                    allocations.append((mid, pid, shop_id, 0, quantity))
            return rows, allocations

        rows, allocations = movement_rows()
        await connection.copy_records_to_table(
            "movements",
            records=rows,
            columns=[
                "id",
                "shop_id",
                "product_id",
                "quantity",
                "reason",
                "user_id",
                "created_at",
                "idempotency_key",
                "note",
                "sale_price",
            ],
        )
        await connection.copy_records_to_table(
            "movement_allocations",
            records=allocations,
            columns=["movement_id", "batch_id", "shop_id", "position", "quantity"],
        )
        for table in ("products", "batches", "movements"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("VACUUM ANALYZE")
        return int(shop_id), products // 2
    finally:
        await connection.close()


async def timed(label: str, call: Callable[[], Awaitable[object]], repeat: int = 5) -> None:
    await call()  # warm up caches and the connection pool
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"  {label:<44} median {statistics.median(samples):8.1f} ms   min {min(samples):8.1f} ms")


async def seeded(url: str, products: int, movements: int) -> tuple[int, int]:
    """`seed`, saying how long it took: the shop's id and a product's."""
    started = time.perf_counter()
    shop_id, product_id = await seed(url, products, movements)
    took = time.perf_counter() - started
    print(f"seeded {products:,} products, {movements:,} movements in {took:.1f} s")
    return shop_id, product_id


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="stockbot_bench")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    async with fresh_database(args.admin_url, args.database, keep=args.keep) as url:
        shop_id, product_id = await seeded(url, args.products, args.movements)
        engine = create_engine(url)
        make_uow = uow_factory(engine)
        owner = Actor(1, shop_id)
        try:
            async with make_uow() as uow:
                last = (await uow.movements.history(shop_id, limit=1))[0].id
            counter = iter(range(10**9))
            print("timings (through the use cases, PostgreSQL):")
            await timed(
                "inventory page 1 (all, by name)",
                lambda: inventory.inventory(make_uow(), owner, InventoryQuery(), now=NOW),
            )
            await timed(
                "inventory low/out, by quantity",
                lambda: inventory.inventory(
                    make_uow(),
                    owner,
                    InventoryQuery(status=StatusFilter.LOW, sort=SortBy.QUANTITY),
                    now=NOW,
                ),
            )
            await timed(
                "inventory category 'dairy', by expiry",
                lambda: inventory.inventory(
                    make_uow(), owner, InventoryQuery(category="dairy", sort=SortBy.EXPIRY), now=NOW
                ),
            )
            await timed("dashboard", lambda: inventory.dashboard(make_uow(), owner, now=NOW))
            await timed(
                "product card",
                lambda: inventory.product_card(make_uow(), owner, product_id, now=NOW),
            )
            await timed("history, shop, first page", lambda: inventory.history(make_uow(), owner))
            await timed(
                "history, shop, page deep in the past",
                lambda: inventory.history(make_uow(), owner, before_id=last // 2),
            )
            await timed(
                "history, one product, first page",
                lambda: inventory.history(make_uow(), owner, product_id=product_id),
            )
            await timed(
                "restock (one movement)",
                lambda: ledger.restock(
                    make_uow(),
                    owner,
                    Restock(product_id, Decimal(5), expiry=date(2027, 1, 1)),
                    key=f"bench-r{next(counter)}",
                    now=NOW,
                ),
            )
            await timed(
                "sale (one movement)",
                lambda: ledger.remove(
                    make_uow(),
                    owner,
                    Removal(product_id, Decimal(1)),
                    key=f"bench-s{next(counter)}",
                    now=NOW,
                ),
            )
            await timed(
                "undo (last movement of the user)",
                lambda: ledger.undo(
                    make_uow(), owner, None, key=f"bench-u{next(counter)}", now=NOW
                ),
            )
        finally:
            await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
