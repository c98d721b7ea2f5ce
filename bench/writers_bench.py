"""Benchmark of concurrent stock changes on PostgreSQL against pgbench (a script, not a test).

WRITERS tasks record sales through the real use case (core.ledger.remove: one
transaction, the product's row lock, batches, the movement), for SECONDS each way:

- one hot product that every writer sells (they queue on its lock): target ≥ 300/s;
- distinct products, one per writer: target ≥ 50 % of pgbench's TPC-B on the same server
  in the same run (`pgbench -c WRITERS`, scale WRITERS so branches do not collide), in a
  database of its own.

    .venv/bin/python -m bench.writers_bench [--writers 32] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.engine import make_url

from bench.database import fresh_database
from core import catalog, ledger
from core.access import Actor
from core.catalog import ProductFields
from core.ledger import Removal, Restock
from core.shops import create_shop
from db.engine import create_engine
from db.uow import SqlUnitOfWork, uow_factory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
OWNER = 1


async def _sell_for(
    make_uow: Callable[[], SqlUnitOfWork], owner: Actor, products: list[int], seconds: float
) -> float:
    """Movements per second of len(products) writers, writer i selling products[i]."""
    keys = itertools.count()
    done = 0
    stop = time.perf_counter() + seconds

    async def writer(product_id: int) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await ledger.remove(
                make_uow(), owner, Removal(product_id, Decimal(1)), key=f"s{next(keys)}", now=NOW
            )
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(writer(p) for p in products))
    return done / (time.perf_counter() - started)


def pgbench_tps(url: str, writers: int, seconds: int) -> float:
    found = make_url(url)
    target = ["-h", found.host or "127.0.0.1", "-p", str(found.port or 5432)]
    target += ["-U", found.username or "postgres", found.database or ""]
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(writers), *target], check=True, capture_output=True
    )
    output = subprocess.run(
        ["pgbench", "-n", "-c", str(writers), "-j", "2", "-T", str(seconds), *target],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"pgbench said:\n{output}")
    return float(match.group(1))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is missing: apt-get install postgresql-client")
    async with fresh_database(args.admin_url, "stockbot_writers_bench") as url:
        engine = create_engine(url, pool_size=args.writers, max_overflow=8)
        make_uow = uow_factory(engine)
        try:
            shop = await create_shop(make_uow(), OWNER, "Owner", "Writers", NOW)
            owner = Actor(OWNER, shop.id)
            products = []
            for i in range(args.writers):
                added = await catalog.add_product(
                    make_uow(), owner, ProductFields(name=f"product {i}")
                )
                await ledger.restock(
                    make_uow(), owner, Restock(added.id, Decimal(10**6)), key=f"r{i}", now=NOW
                )
                products.append(added.id)
            hot = await _sell_for(make_uow, owner, [products[0]] * args.writers, args.seconds)
            distinct = await _sell_for(make_uow, owner, products, args.seconds)
        finally:
            await engine.dispose()
    async with fresh_database(args.admin_url, "stockbot_writers_pgbench") as url:
        tps = pgbench_tps(url, args.writers, args.seconds)
    print(f"{args.writers} writers, {args.seconds} s each, load {os.getloadavg()[0]:.1f}")
    print(f"  one hot product:       {hot:8.1f} movements/s   (target >= 300)")
    print(f"  distinct products:     {distinct:8.1f} movements/s")
    print(f"  pgbench TPC-B:         {tps:8.1f} tps")
    print(f"  distinct / pgbench:    {distinct / tps:8.0%}        (target >= 50 %)")


if __name__ == "__main__":
    asyncio.run(main())
