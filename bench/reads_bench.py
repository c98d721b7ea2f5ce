"""Benchmark of the read paths at scale, as the ledger grows (a script, not a test).

One measured shop of PRODUCTS products among OTHER_SHOPS other shops of the same size
(each with OTHER_MOVEMENTS movements), in a PostgreSQL database of its own, filled by
the database itself (INSERT … SELECT generate_series). The measured shop's ledger grows
through each of --steps (10k, 100k, 1M movements by default); at each step every read
the bot and the Mini App make is timed through the real use cases: the inventory page,
each status filter, category, expiry before a date, each sort, a deep page, a search, the
dashboard, the product card and history pages. Prints the medians as a table, one
column per ledger size: flat columns are the goal.

`--code DIR` (repeatable) times the use cases of another checkout on the same data,
side by side: each is run as `python bench/reads_bench.py measure` with DIR first on
the import path (e.g. a `git archive` of main before a change).

    .venv/bin/python -m bench.reads_bench [--products 10000] [--other-shops 100]
        [--other-movements 10000] [--steps 10000 100000 1000000] [--code DIR …]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HERE = Path(__file__).resolve().parents[1]
OWNER = 1


async def seed_shops(url: str, shops: int, products: int, other_movements: int) -> None:
    """Shop 1 is measured; shops 2… are the others, each with `other_movements`."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SELECT setseed(0.42)")
        await connection.execute(
            "INSERT INTO shops (id, name, timezone, near_expiry_days, created_at)"
            " SELECT s, 'Shop ' || s, 'Europe/Berlin', 7, $1 FROM generate_series(1, $2) s",
            NOW,
            shops,
        )
        await connection.execute(
            "INSERT INTO users (id, name, active_shop_id) VALUES ($1, 'Owner', 1)", OWNER
        )
        await connection.execute(
            "INSERT INTO members (shop_id, user_id, role, name)"
            " SELECT s, $1, 'owner', 'Owner' FROM generate_series(1, $2) s",
            OWNER,
            shops,
        )
        await connection.execute(
            """
            INSERT INTO products (shop_id, name, name_key, category, unit, threshold, price,
                                  cost, barcodes, supplier, archived, on_hand, earliest_expiry)
            SELECT s, 'Product ' || lpad(i::text, 5, '0'), 'product ' || lpad(i::text, 5, '0'),
                   (ARRAY['dairy','bakery','drinks','produce','frozen','snacks','household',''])
                       [1 + i % 8],
                   'pcs', (ARRAY[0, 2, 5, 10])[1 + (i * 7) % 4], 1.99, 0.99,
                   (4000000000000 + s * 100000 + i)::text, '', i % 97 = 0, q,
                   CASE WHEN q > 0 AND i % 3 <> 0
                        THEN $1::date + (floor(random() * 126) - 5)::int END
            FROM generate_series(1, $2) s, generate_series(1, $3) i,
                 LATERAL (SELECT floor(random() * 41)::numeric + i * 0 + s * 0 AS q) quantity
            ORDER BY s, i
            """,
            NOW.date(),
            shops,
            products,
        )
        await connection.execute(
            """
            INSERT INTO batches (shop_id, product_id, quantity, received_at, expiry)
            SELECT shop_id, id, on_hand, $1, earliest_expiry FROM products ORDER BY id
            """,
            NOW - timedelta(days=30),
        )
        for shop in range(2, shops + 1):
            await grow_ledger(connection, shop, 0, other_movements, products)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def grow_ledger(
    connection: asyncpg.Connection, shop: int, have: int, want: int, products: int
) -> None:
    """Movements `have`+1 … `want` of the shop, round robin over its products, a year of
    them up to NOW, each with its allocation."""
    if want <= have:
        return
    await connection.execute(
        """
        WITH first AS (SELECT min(id) AS id FROM products WHERE shop_id = $1),
        added AS (
            INSERT INTO movements (shop_id, product_id, quantity, reason, user_id,
                                   created_at, idempotency_key, note, sale_price)
            SELECT $1, first.id + (g % $4), CASE WHEN g % 5 = 0 THEN 6 ELSE -1 END,
                   CASE WHEN g % 5 = 0 THEN 'restock' ELSE 'sale' END, $5,
                   $6::timestamptz - interval '365 days' + (interval '365 days') * g / $3,
                   'seed-' || g, '', CASE WHEN g % 5 = 0 THEN NULL ELSE 1.99 END
            FROM first, generate_series($2 + 1, $3) g
            ORDER BY g
            RETURNING id, product_id, quantity
        )
        INSERT INTO movement_allocations (movement_id, batch_id, shop_id, position, quantity)
        SELECT added.id, batches.id, $1, 0, added.quantity
        FROM added JOIN batches ON batches.product_id = added.product_id
        """,
        shop,
        have,
        want,
        products,
        OWNER,
        NOW,
    )


# -- measuring (this part runs with the code under test first on the import path) -----


async def measure(url: str, repeat: int) -> dict[str, float]:
    from sqlalchemy import text

    from core import inventory
    from core.access import Actor
    from core.inventory import InventoryQuery, SortBy, StatusFilter
    from db.engine import create_engine
    from db.uow import uow_factory

    engine = create_engine(url)
    make_uow = uow_factory(engine)
    owner = Actor(OWNER, 1)
    async with make_uow() as uow:
        product_id = (await uow.movements.history(1, limit=1))[0].product_id
        oldest, newest = (
            await uow.session.execute(
                text("SELECT min(id), max(id) FROM movements WHERE shop_id = 1")
            )
        ).one()

    def page(**query: Any) -> Callable[[], Awaitable[object]]:
        return lambda: inventory.inventory(make_uow(), owner, InventoryQuery(**query), now=NOW)

    reads: dict[str, Callable[[], Awaitable[object]]] = {
        "inventory, all by name": page(),
        "inventory, by quantity": page(sort=SortBy.QUANTITY),
        "inventory, by expiry": page(sort=SortBy.EXPIRY),
        "inventory, page 500 of 1000": page(page=500),
        "filter low (and out)": page(status=StatusFilter.LOW, sort=SortBy.QUANTITY),
        "filter out": page(status=StatusFilter.OUT),
        "filter near expiry": page(status=StatusFilter.EXPIRING, sort=SortBy.EXPIRY),
        "filter expired": page(status=StatusFilter.EXPIRED, sort=SortBy.EXPIRY),
        "filter category": page(category="dairy"),
        "filter expiry before a date": page(expiring_within_days=10, sort=SortBy.EXPIRY),
        "search by name": page(search="0042"),
        "dashboard": lambda: inventory.dashboard(make_uow(), owner, now=NOW),
        "product card": lambda: inventory.product_card(make_uow(), owner, product_id, now=NOW),
        "history, shop, first page": lambda: inventory.history(make_uow(), owner),
        "history, shop, deep page": lambda: inventory.history(
            make_uow(), owner, before_id=(oldest + newest) // 2
        ),
        "history, product, first page": lambda: inventory.history(
            make_uow(), owner, product_id=product_id
        ),
    }
    medians = {}
    try:
        for label, read in reads.items():
            await read()  # warm the pool and the caches
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                await read()
                samples.append((time.perf_counter() - started) * 1000)
            medians[label] = statistics.median(samples)
    finally:
        await engine.dispose()
    return medians


async def main() -> None:
    from bench.checkout import run_in  # here, not at the top: see bench.checkout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="stockbot_reads_bench")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--other-shops", type=int, default=100)
    parser.add_argument("--other-movements", type=int, default=10_000)
    parser.add_argument("--steps", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--code", type=lambda d: Path(d).resolve(), action="append", default=[])
    args = parser.parse_args()
    codes = [HERE, *args.code]

    from bench.database import fresh_database  # the project's code, only in this process

    async with fresh_database(args.admin_url, args.database) as url:
        started = time.perf_counter()
        await seed_shops(url, 1 + args.other_shops, args.products, args.other_movements)
        print(
            f"seeded {1 + args.other_shops} shops × {args.products:,} products "
            f"({args.other_shops} others with {args.other_movements:,} movements each) "
            f"in {time.perf_counter() - started:.0f} s"
        )
        columns: dict[str, dict[str, float]] = {}
        have = 0
        for step in args.steps:
            connection = await asyncpg.connect(url)
            try:
                await grow_ledger(connection, 1, have, step, args.products)
                await connection.execute("VACUUM ANALYZE movements, movement_allocations")
            finally:
                await connection.close()
            have = step
            load = os.getloadavg()[0]
            for code in codes:
                name = f"{step:,} mv" + (f" {code.name}" if len(codes) > 1 else "")
                columns[name] = run_in(code, __file__, "measure", url, str(args.repeat))
                print(f"  measured {name} (load {load:.1f})", file=sys.stderr)
        labels = list(next(iter(columns.values())))
        print(f"\nmedian ms, shop of {args.products:,} products; columns: ledger size [code]")
        print(f"{'read':<30}" + "".join(f"{name:>22}" for name in columns))
        for label in labels:
            print(f"{label:<30}" + "".join(f"{col[label]:>22.1f}" for col in columns.values()))


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(asyncio.run(measure(sys.argv[2], int(sys.argv[3])))))
    else:
        asyncio.run(main())
