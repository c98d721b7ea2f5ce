"""Benchmark of concurrent stock changes on PostgreSQL against pgbench (a script, not a test).

WRITERS tasks record sales through the real use case (core.ledger.remove: one
transaction, the product's row lock, batches, the movement), for SECONDS each way:

- one hot product that every writer sells (they queue on its lock): target ≥ 300/s;
- distinct products, one per writer: target ≥ 50 % of pgbench's TPC-B on the same server
  in the same run (`pgbench -c WRITERS`, scale WRITERS so branches do not collide), in a
  database of its own.

Each run's databases are named after its process: two runs at once on a shared machine
must not drop each other's database (a fixed name did, mid-run).

    .venv/bin/python -m bench.writers_bench [--writers 32] [--seconds 10] [--code DIR]
        [--rounds 2] [--history 100000]

The shop has a history before the writers start (`--history` movements of other
products, then ANALYZE; 0 for none, as before 2026-12-07's session 6): see _HISTORY.

Beside movements/s, which the machine's load moves a lot, it prints what load barely
moves: the SQL statements and commits each movement sends (SQLAlchemy's
`before_cursor_execute` and `commit` events; BEGIN is asyncpg's own and not counted) and
the CPU milliseconds of this process per movement (`time.process_time()`, PostgreSQL's
own CPU not in it). `--code DIR` measures another checkout (main before a change, say)
in the same run: each round runs that checkout's writers (this script, with DIR's code
first on the path) and then this one's, and pgbench once, so the figures stand side by
side under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

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


@dataclass
class Phase:
    """One way of selling: movements/s, and per movement statements, commits, CPU ms."""

    rate: float = 0.0
    statements: float = 0.0
    commits: float = 0.0
    cpu_ms: float = 0.0


class _Tally:
    """Statements and commits of every engine made after it (connections made before an
    event listener is added need not see it)."""

    def __init__(self) -> None:
        self.statements = self.commits = 0
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._commit)

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, *_: Any) -> None:
        self.commits += 1


TALLY = _Tally()


def _count_driver_calls() -> None:
    """Statements sent to asyncpg directly, past SQLAlchemy (`Connection.fetchrow` and
    `fetchmany`, which SQLAlchemy's own statements do not use: they go through prepared
    statements), are counted too; a call of the removal's function alone is its own
    transaction, several pipelined by fetchmany are one: each a commit."""
    import asyncpg

    fetchrow = asyncpg.Connection.fetchrow

    async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        TALLY.statements += 1
        if "stockbot_remove" in query:
            TALLY.commits += 1
        return await fetchrow(self, query, *args, **kwargs)

    fetchmany = asyncpg.Connection.fetchmany

    async def counted_many(self: Any, query: str, args: Any, **kwargs: Any) -> Any:
        args = list(args)
        TALLY.statements += len(args)
        TALLY.commits += 1  # one implicit transaction for all of them
        return await fetchmany(self, query, args, **kwargs)

    asyncpg.Connection.fetchrow = counted  # type: ignore[method-assign]
    asyncpg.Connection.fetchmany = counted_many  # type: ignore[method-assign]


_count_driver_calls()

# The shop's history before the writers start (`--history`): other products with a batch
# each, and movements of them. A fresh database's tables are a page each, and PostgreSQL
# plans a foreign key's check (once per connection, kept for the whole run) as a scan of
# that page: as the run writes thousands of movements, each check reads them all. A shop
# that has traded for a while has its tables' sizes known (ANALYZE), as pgbench's
# initialization has.
_HISTORY = """
WITH p AS (
    INSERT INTO products (shop_id, name, name_key)
    SELECT :shop, 'history ' || g, 'history ' || g FROM generate_series(1, :products) AS g
    RETURNING id
), b AS (
    INSERT INTO batches (product_id, shop_id, quantity, received_at)
    SELECT id, :shop, 0, :now FROM p
    RETURNING id, product_id
), m AS (
    INSERT INTO movements (shop_id, product_id, quantity, reason, user_id, created_at,
                           idempotency_key)
    SELECT :shop, b.product_id, 0, 'adjustment', :user, :now, 'history ' || b.id || ' ' || g
    FROM b, generate_series(1, :per_product) AS g
    RETURNING id, product_id
)
INSERT INTO movement_allocations (movement_id, batch_id, shop_id, position, quantity)
SELECT m.id, b.id, :shop, 0, 0 FROM m JOIN b ON b.product_id = m.product_id
"""


async def _sell_for(
    make_uow: Callable[[], SqlUnitOfWork],
    owner: Actor,
    products: list[int],
    seconds: float,
    label: str,
) -> Phase:
    """Movements per second of len(products) writers, writer i selling products[i].
    `label` starts the phase's idempotency keys: a key of an earlier phase would make
    the sale a replay (one shop), which writes nothing."""
    statements, commits = TALLY.statements, TALLY.commits
    keys = itertools.count()
    done = 0
    stop = time.perf_counter() + seconds
    cpu = time.process_time()

    async def writer(product_id: int) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            key = f"{label}{next(keys)}"
            await ledger.remove(
                make_uow(), owner, Removal(product_id, Decimal(1)), key=key, now=NOW
            )
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(writer(p) for p in products))
    elapsed = time.perf_counter() - started
    return Phase(
        done / elapsed,
        (TALLY.statements - statements) / done,
        (TALLY.commits - commits) / done,
        (time.process_time() - cpu) * 1000 / done,
    )


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


async def _history(engine: Any, shop_id: int, movements: int) -> None:
    products = max(1, movements // 100)
    async with engine.begin() as connection:
        await connection.execute(
            text(_HISTORY),
            {
                "shop": shop_id,
                "products": products,
                "per_product": max(1, movements // products),
                "user": OWNER,
                "now": NOW,
            },
        )
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("ANALYZE")


async def writers(admin_url: str, count: int, seconds: int, history: int = 0) -> dict[str, Phase]:
    """This code's hot product and distinct products, on a database of its own."""
    async with fresh_database(admin_url, f"stockbot_writers_bench_{os.getpid()}") as url:
        engine = create_engine(url, pool_size=count, max_overflow=8)
        make_uow = uow_factory(engine)
        try:
            shop = await create_shop(make_uow(), OWNER, "Owner", "Writers", NOW)
            owner = Actor(OWNER, shop.id)
            products = []
            for i in range(count):
                added = await catalog.add_product(
                    make_uow(), owner, ProductFields(name=f"product {i}")
                )
                await ledger.restock(
                    make_uow(), owner, Restock(added.id, Decimal(10**6)), key=f"r{i}", now=NOW
                )
                products.append(added.id)
            if history:
                await _history(engine, shop.id, history)
            return {
                "hot": await _sell_for(make_uow, owner, [products[0]] * count, seconds, "h"),
                "distinct": await _sell_for(make_uow, owner, products, seconds, "d"),
            }
        finally:
            await engine.dispose()


def other_writers(
    code: Path, admin_url: str, count: int, seconds: int, history: int
) -> dict[str, Phase]:
    """`writers` of another checkout: this script run with its code first on the path."""
    from bench.checkout import run_in  # here, not at the top: see bench.checkout

    arguments = ("--admin-url", admin_url, "--writers", str(count), "--seconds", str(seconds))
    arguments += ("--history", str(history))
    phases = run_in(code, __file__, *arguments, "--json")
    return {name: Phase(**phase) for name, phase in phases.items()}


def _print(label: str, phases: dict[str, Phase], tps: float) -> None:
    for name, phase in phases.items():
        print(
            f"  {label:12} {name:8} {phase.rate:8.1f} movements/s"
            + (f" ({phase.rate / tps:4.0%} of pgbench)" if name == "distinct" else " " * 18)
            + f"  {phase.statements:4.1f} statements, {phase.commits:4.2f} commits,"
            f" {phase.cpu_ms:5.2f} CPU ms per movement"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--code", type=Path, help="another checkout to measure, same run")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--history",
        type=int,
        default=100_000,
        help="movements of other products made before the writers start (0: none)",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:  # one checkout's writers for `--code` of another run
        phases = await writers(args.admin_url, args.writers, args.seconds, args.history)
        print(json.dumps({name: asdict(phase) for name, phase in phases.items()}))
        return
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is missing: apt-get install postgresql-client")
    print(f"{args.writers} writers, {args.seconds} s each way, history {args.history:,}")
    for round_ in range(args.rounds):
        other = None
        if args.code is not None:
            other = other_writers(
                args.code.resolve(), args.admin_url, args.writers, args.seconds, args.history
            )
        phases = await writers(args.admin_url, args.writers, args.seconds, args.history)
        async with fresh_database(args.admin_url, f"stockbot_writers_pgbench_{os.getpid()}") as url:
            tps = pgbench_tps(url, args.writers, args.seconds)
        print(f"round {round_ + 1}, load {os.getloadavg()[0]:.1f}: pgbench TPC-B {tps:.1f} tps")
        if other is not None:
            _print(str(args.code), other, tps)
        _print("this code", phases, tps)
    print("targets: hot >= 300 movements/s; distinct >= 50 % of pgbench")


if __name__ == "__main__":
    asyncio.run(main())
