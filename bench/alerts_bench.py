"""Benchmark of alerts (a script, not a test): prints its figures.

1. The digest scan over SHOPS shops × PRODUCTS products on PostgreSQL, in a database of its
   own (filled by the database itself, dropped at the end). The shops opened two months
   ago; SELLING products of each sold on about two days in three for the last 8 weeks
   (some of them fast enough to run out within their lead time), so the digest's
   "runs out" lines and the Monday report have a ledger to read. The first scan of the day
   plans every shop's digest and weekly report (NOW is a Monday after the alert time); a
   second scan is the steady per-minute cost.
2. Fan-out of FANOUT of those digests against devtools.localapi's LocalBotApi with
   Telegram's rate limits emulated (429 beyond 30 msg/s per bot or 1 msg/s per chat),
   run in a process of its own (Telegram is another machine: its CPU is not the bot's),
   through the real TelegramNotifier and two "processes" (two sets of the scheduler's
   alert jobs, each ticking every DISPATCH_EVERY seconds as the JobQueue does) sharing
   one send budget (Redis when reachable): achieved messages/second vs the allowed 30
   from the first tick to the last message's arrival at the API (and from the API's first
   message to its last), and the 429s the API answered.

`--code DIR` (repeatable) measures another checkout side by side on a copy of the same
data (e.g. `git worktree add /tmp/before main`): each checkout runs as
`python bench/alerts_bench.py scan|fanout URL` with DIR first on the import path.

    .venv/bin/python -m bench.alerts_bench [--shops 1000] [--products 1000]
        [--selling 50] [--fanout 1000] [--code DIR …]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, past every shop's 08:00 alert time
TODAY = NOW.date()
OPENED = NOW - timedelta(days=60)
OWNER_BASE = 10_000_000
HERE = Path(__file__).resolve().parents[1]
SCRIPT = str(Path(__file__).resolve())


async def fill(url: str, shops: int, products: int, selling: int) -> int:
    """Returns the number of movements."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO shops (id, name, timezone, currency, near_expiry_days, alert_time,"
            " day_first, created_at)"
            " SELECT s, 'Shop ' || s, 'UTC', 'EUR', 7, '08:00', true, $1"
            " FROM generate_series(1, $2) s",
            OPENED,
            shops,
        )
        await connection.execute(
            "INSERT INTO members (shop_id, user_id, role, name)"
            " SELECT s, $1 + s, 'owner', 'Owner ' || s FROM generate_series(1, $2) s",
            OWNER_BASE,
            shops,
        )
        # Every 50th product low, every 200th out, every 10th with a batch expiring
        # (some expired, some near), every 100th with a reorder date passed.
        await connection.execute(
            "INSERT INTO products (id, shop_id, name, name_key, category, unit, threshold,"
            " barcodes, supplier, archived, reorder_date, on_hand, earliest_expiry)"
            " SELECT s * $1 + j, s, 'Product ' || j, 'product ' || j, '', 'pcs', 5, '', '',"
            "  false, CASE WHEN j % 100 = 7 THEN $2::date - 1 END,"
            "  CASE WHEN j % 200 = 0 THEN 0 WHEN j % 50 = 0 THEN 3 ELSE 20 END,"
            "  CASE WHEN j % 10 = 1 THEN $2::date + (j % 30) - 5 END"
            " FROM generate_series(1, $3) s, generate_series(0, $1 - 1) j",
            products,
            TODAY,
            shops,
        )
        await connection.execute(
            "INSERT INTO batches (id, shop_id, product_id, quantity, received_at, expiry)"
            " SELECT id, shop_id, id, on_hand, $1, earliest_expiry FROM products"
            " WHERE earliest_expiry IS NOT NULL",
            NOW,
        )
        # SELLING products per shop sold 1-4 a day on two days in three for 8 weeks, after
        # a restock that leaves 20 on hand today: at 3 or 4 a day they run out in 5-6 days,
        # within the default lead time of 7.
        step = max(1, products // max(1, selling))
        await connection.execute(
            "INSERT INTO movements (shop_id, product_id, quantity, reason, user_id,"
            " created_at, idempotency_key)"
            " SELECT p.shop_id, p.id, -(1 + (p.id - p.shop_id * $1) % 4), 'sale',"
            "  $2 + p.shop_id,"
            "  $3::timestamptz - make_interval(days => d, hours => (p.id % 8)::int),"
            "  'bench:' || p.id || ':' || d"
            " FROM products p, generate_series(1, 56) d"
            " WHERE (p.id - p.shop_id * $1) % $4 = 3 AND (d + p.id) % 3 <> 0",
            products,
            OWNER_BASE,
            NOW,
            step,
        )
        await connection.execute(
            "INSERT INTO movements (shop_id, product_id, quantity, reason, user_id,"
            " created_at, idempotency_key)"
            " SELECT shop_id, product_id, 20 - sum(quantity), 'restock', $1 + shop_id, $2,"
            "  'bench:' || product_id || ':restock'"
            " FROM movements GROUP BY shop_id, product_id",
            OWNER_BASE,
            OPENED,
        )
        await connection.execute("VACUUM ANALYZE")
        return int(await connection.fetchval("SELECT count(*) FROM movements"))
    finally:
        await connection.close()


# -- the Bot API stand-in, in a process of its own ---------------------------------------

API_TOKEN = "123456:LOCAL-TEST-TOKEN"


class ApiProcess:
    """devtools.localapi's LocalBotApi with Telegram's limits emulated (429 past 30 msg/s
    per bot or 1 msg/s per chat), run as `python bench/alerts_bench.py api` from this
    checkout: its port on the first line of output; stdin closed, it answers how many
    messages it took, how many 429s it gave and its CPU seconds, and ends."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}/bot"

    @classmethod
    async def start(cls, chats: list[int]) -> ApiProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            SCRIPT,
            "api",
            ",".join(map(str, chats)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(HERE)},
            cwd=HERE,
        )
        assert process.stdout is not None
        port = json.loads(await process.stdout.readline())["port"]
        return cls(process, port)

    async def stop(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        counted = json.loads(await self.process.stdout.readline())
        await self.process.wait()
        return dict(counted)


async def serve_api(chats: list[int]) -> None:
    from devtools.localapi import LocalBotApi, LocalChat, LocalUser, RateLimits
    from devtools.localapi.chats import EventKind

    api = LocalBotApi(
        API_TOKEN, rate_limits=RateLimits(per_chat_per_second=1, global_per_second=30)
    )
    refused = 0
    taken: list[float] = []
    check = api.limiter.check

    def counting_check(chat_id: int) -> None:
        nonlocal refused
        try:
            check(chat_id)
        except Exception:
            refused += 1
            raise
        taken.append(time.monotonic())

    api.limiter.check = counting_check  # type: ignore[method-assign]
    for chat in chats:
        api.add_chat(LocalChat.private(LocalUser(chat, f"Owner {chat}")))
    await api.start()
    print(json.dumps({"port": api.port}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await api.stop()
    received = sum(1 for e in api.events if e.kind is EventKind.SENT)
    span = taken[-1] - taken[0] if len(taken) > 1 else 0.0
    counted = {
        "refused": refused,
        "received": received,
        "cpu": time.process_time(),
        # From the first message taken to the last: the rate once sending has begun.
        "steady": (len(taken) - 1) / span if span else 0.0,
        # When the last message arrived, on the machine's monotonic clock (the bench's).
        "last": taken[-1] if taken else None,
    }
    print(json.dumps(counted), flush=True)


# -- run inside one checkout (`python bench/alerts_bench.py scan|fanout URL …`) ------------


async def measure_scan(url: str) -> dict[str, Any]:
    from db.engine import create_engine
    from db.uow import uow_factory
    from jobs.dispatcher import DigestScanner
    from tests.fakes import FakeClock

    engine = create_engine(url, pool_size=5)
    try:
        scanner = DigestScanner(uow_factory(engine), FakeClock(NOW))
        started = time.perf_counter()
        planned = await scanner.scan_once()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = await scanner.scan_once()
        steady = time.perf_counter() - started
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(url)
    try:
        kinds = {
            r["kind"]: int(r["n"])
            for r in await connection.fetch(
                "SELECT kind, count(*) AS n FROM alert_deliveries GROUP BY kind"
            )
        }
    finally:
        await connection.close()
    return {"first": first, "planned": planned, "steady": steady, "again": again, "kinds": kinds}


async def measure_fanout(url: str, limit: int) -> dict[str, Any]:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.alerts_view import TelegramNotifier
    from db.engine import create_engine
    from db.uow import uow_factory
    from jobs import scheduler
    from jobs.ratelimit import MemorySendBudget, RedisSendBudget, SendBudget
    from tests.fakes import FakeClock
    from tests.services import redis_error, redis_url

    connection = await asyncpg.connect(url)
    try:
        owners = [
            r["user_id"]
            for r in await connection.fetch(
                "SELECT user_id FROM alert_deliveries WHERE status = 'pending'"
                " AND kind = 'digest' ORDER BY id LIMIT $1",
                limit,
            )
        ]
        # Send only the first `limit` digests: close the rest (and the reports) beforehand.
        await connection.execute(
            "UPDATE alert_deliveries SET status = 'skipped' WHERE status = 'pending'"
            " AND NOT (kind = 'digest' AND user_id = ANY($1::bigint[]))",
            owners,
        )
    finally:
        await connection.close()
    # Telegram is another machine: the Bot API stand-in runs in a process of its own, so
    # its CPU is not charged to the bot (both dispatchers, the bench and the API in one
    # event loop on two shared cores measured the stand-in as much as the bot).
    api = await ApiProcess.start(owners)
    bot = Bot(
        API_TOKEN,
        base_url=api.base_url,
        request=HTTPXRequest(connection_pool_size=64, pool_timeout=10),
    )
    await bot.initialize()
    budget: SendBudget
    if await redis_error() is None:
        import redis.asyncio as redis

        client = redis.Redis.from_url(redis_url())
        budget, budget_kind = RedisSendBudget(client, f"stockbot-bench-{time.time()}:"), "Redis"
    else:
        budget, budget_kind = MemorySendBudget(), "in-memory (Redis unreachable)"
    engine = create_engine(url, pool_size=10, max_overflow=20)
    clock = FakeClock(NOW)
    notifier = TelegramNotifier(bot)
    processes = [
        scheduler.build(
            uow_factory=uow_factory(engine), notifier=notifier, clock=clock, budget=budget
        )
        for _ in range(2)
    ]
    cpu_before = time.process_time()
    # time.monotonic: the clock the API process stamps its messages with.
    started = time.monotonic()
    deadline = started + len(owners) / 10 + 60

    def sent() -> int:
        return sum(p.dispatcher.stats.sent for p in processes)

    async def ticking(jobs: Any, offset: float) -> None:
        # As the JobQueue runs alerts.dispatch: every DISPATCH_EVERY seconds, a run that
        # is still going when the next is due makes that one skip.
        every = scheduler.DISPATCH_EVERY
        tick = started + offset
        while sent() < len(owners) and time.monotonic() < deadline:
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
            clock.set(NOW + timedelta(seconds=time.monotonic() - started))
            await jobs.dispatch()
            while tick <= time.monotonic():
                tick += every

    await asyncio.gather(*(ticking(p, i * 0.5) for i, p in enumerate(processes)))
    ticked = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    await bot.shutdown()
    counted = await api.stop()
    await engine.dispose()
    # The fan-out is over when the last message reaches Telegram (the ticks that follow,
    # finding nothing, are the bench's loop, not the bot's work).
    last = counted.get("last")
    return {
        "sent": sent(),
        "elapsed": last - started if last is not None else ticked,
        "ticked": ticked,
        "refused": counted["refused"],
        "received": counted["received"],
        "cpu": cpu,
        "api_cpu": counted["cpu"],
        "steady": counted["steady"],
        "retried": sum(p.dispatcher.stats.retried for p in processes),
        "budget": budget_kind,
    }


# -- the driver --------------------------------------------------------------------------


async def main() -> None:
    from bench.checkout import run_in  # here, not at the top: see bench.checkout

    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--selling", type=int, default=50, help="products per shop that sell")
    parser.add_argument("--fanout", type=int, default=1000)
    parser.add_argument("--code", type=lambda d: Path(d).resolve(), action="append", default=[])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from sqlalchemy.engine import make_url

    from tests.services import create_database, drop_database, postgres_admin_url

    url = await create_database("stockbot_bench")
    base = make_url(url).database
    codes = [HERE, *args.code]
    try:
        started = time.perf_counter()
        movements = await fill(url, args.shops, args.products, args.selling)
        print(
            f"data: {args.shops} shops × {args.products} products "
            f"({args.shops * args.products:,} products, {args.shops * args.products // 10:,} "
            f"batches, {movements:,} movements) loaded in {time.perf_counter() - started:.1f} s"
        )
        rows: list[tuple[str, dict[str, Any], dict[str, Any], float]] = []
        for code in codes:
            copy = f"{base}_copy"
            admin = await asyncpg.connect(postgres_admin_url())
            try:
                await admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{base}"')
            finally:
                await admin.close()
            copy_url = make_url(url).set(database=copy).render_as_string(False)
            try:
                load = os.getloadavg()[0]
                scan = run_in(code, __file__, "scan", copy_url)
                fanout = run_in(code, __file__, "fanout", copy_url, str(args.fanout))
            finally:
                await drop_database(copy_url)
            rows.append((str(code), scan, fanout, load))
            print(f"  measured {code} (load {load:.1f})", file=sys.stderr)
        for code_name, scan, fanout, load in rows:
            rate = fanout["sent"] / fanout["elapsed"] if fanout["elapsed"] else 0.0
            print(f"\n{code_name} (load average {load:.1f} when it started)")
            kinds = ", ".join(f"{n} {kind}s" for kind, n in sorted(scan["kinds"].items()))
            print(
                f"  scan: first of the day planned {scan['planned']} deliveries ({kinds}) in "
                f"{scan['first']:.2f} s ({scan['first'] / max(1, args.shops) * 1000:.1f} "
                f"ms/shop); steady per-minute scan {scan['steady'] * 1000:.0f} ms "
                f"({scan['again']} planned)"
            )
            print(
                f"  fan-out: {fanout['sent']} digests in {fanout['elapsed']:.1f} s (first tick to "
                f"the last one's arrival at the API), "
                f"{rate:.1f} msg/s of the allowed 30 ({rate / 30:.0%}); "
                f"429 answers: {fanout['refused']}; budget {fanout['budget']}, 2 processes"
            )
            if "api_cpu" in fanout:
                print(
                    f"  CPU: bot side (2 dispatchers and the bench) {fanout['cpu']:.1f} s, "
                    f"Bot API stand-in (own process) {fanout['api_cpu']:.1f} s; "
                    f"the API received {fanout['received']} messages, "
                    f"{fanout['steady']:.1f} msg/s from its first to its last "
                    f"({fanout['steady'] / 30:.0%})"
                )
    finally:
        await drop_database(url)


if __name__ == "__main__":
    if sys.argv[1:2] == ["api"]:
        asyncio.run(serve_api([int(c) for c in sys.argv[2].split(",") if c]))
    elif sys.argv[1:2] == ["scan"]:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(asyncio.run(measure_scan(sys.argv[2]))))
    elif sys.argv[1:2] == ["fanout"]:
        sys.path.insert(0, os.getcwd())
        logging.basicConfig(level=logging.ERROR)
        print(json.dumps(asyncio.run(measure_fanout(sys.argv[2], int(sys.argv[3])))))
    else:
        print(f"alerts bench, {date.today().isoformat()}")
        asyncio.run(main())
