"""Benchmark of alerts (a script, not a test): prints its figures.

1. The digest scan over SHOPS shops × PRODUCTS products on PostgreSQL, in a database of its
   own (created, filled with COPY, dropped at the end): the first scan of the day plans
   every shop's digest; a second scan is the steady per-minute cost.
2. Fan-out of those digests against devtools.localapi's LocalBotApi with Telegram's rate
   limits emulated (429 beyond 30 msg/s per bot or 1 msg/s per chat), through the real
   TelegramNotifier and two dispatchers sharing one send budget (Redis when reachable):
   achieved messages/second vs the allowed 30, and the 429s it drew.

    .venv/bin/python -m bench.alerts_bench [--shops 1000] [--products 1000] [--fanout 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
from sqlalchemy import func, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.alerts_view import TelegramNotifier
from db.alert_models import AlertDeliveryRow
from db.engine import create_engine
from db.uow import uow_factory
from devtools.localapi import LocalBotApi, LocalChat, LocalUser, RateLimits
from jobs.dispatcher import AlertDispatcher, DigestScanner
from jobs.ratelimit import MemorySendBudget, RedisSendBudget, SendBudget
from tests.fakes import FakeClock
from tests.services import create_database, drop_database, redis_error, redis_url

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # past every shop's 08:00 alert time
TODAY = NOW.date()
OWNER_BASE = 10_000_000


async def fill(url: str, shops: int, products: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "shops",
            columns=[
                "id",
                "name",
                "timezone",
                "currency",
                "near_expiry_days",
                "alert_time",
                "day_first",
                "created_at",
            ],
            records=[
                (s, f"Shop {s}", "UTC", "EUR", 7, datetime(1, 1, 1, 8).time(), True, NOW)
                for s in range(1, shops + 1)
            ],
        )
        await connection.copy_records_to_table(
            "members",
            columns=["shop_id", "user_id", "role", "name"],
            records=[(s, OWNER_BASE + s, "owner", f"Owner {s}") for s in range(1, shops + 1)],
        )
        for s in range(1, shops + 1):
            product_rows = []
            batch_rows = []
            for j in range(products):
                pid = s * products + j
                on_hand = Decimal(20)
                if j % 50 == 0:
                    on_hand = Decimal(3)  # low
                if j % 200 == 0:
                    on_hand = Decimal(0)  # out
                expiry = None
                if j % 10 == 1:
                    expiry = TODAY + timedelta(days=(j % 30) - 5)  # some expired, some near
                    batch_rows.append((pid, s, pid, on_hand, NOW, expiry))
                reorder = TODAY - timedelta(days=1) if j % 100 == 7 else None
                product_rows.append(
                    (
                        pid,
                        s,
                        f"Product {j}",
                        f"product {j}",
                        "",
                        "pcs",
                        Decimal(5),
                        "",
                        "",
                        False,
                        reorder,
                        on_hand,
                        expiry,
                    )
                )
            await connection.copy_records_to_table(
                "products",
                columns=[
                    "id",
                    "shop_id",
                    "name",
                    "name_key",
                    "category",
                    "unit",
                    "threshold",
                    "barcodes",
                    "supplier",
                    "archived",
                    "reorder_date",
                    "on_hand",
                    "earliest_expiry",
                ],
                records=product_rows,
            )
            await connection.copy_records_to_table(
                "batches",
                columns=["id", "shop_id", "product_id", "quantity", "received_at", "expiry"],
                records=batch_rows,
            )
        for table in ("shops", "products", "batches"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def budget_for_bench() -> tuple[SendBudget, str]:
    if await redis_error() is None:
        import redis.asyncio as redis

        client = redis.Redis.from_url(redis_url())
        prefix = f"stockbot-bench-{int(time.time())}:"
        return RedisSendBudget(client, prefix), "Redis (shared by both dispatchers)"
    return MemorySendBudget(), "in-memory (Redis unreachable)"


async def fan_out(url: str, limit: int) -> None:
    engine = create_engine(url, pool_size=10, max_overflow=20)
    make_uow = uow_factory(engine)
    async with engine.connect() as connection:
        pending = await connection.scalar(select(func.count(AlertDeliveryRow.id)))
        # Send only `limit` of them: mark the rest as done beforehand.
        await connection.execute(
            AlertDeliveryRow.__table__.update()
            .where(
                AlertDeliveryRow.id
                > select(func.min(AlertDeliveryRow.id)).scalar_subquery() + limit - 1
            )
            .values(status="skipped")
        )
        await connection.commit()
    messages = min(limit, pending or 0)
    api = LocalBotApi(rate_limits=RateLimits(per_chat_per_second=1, global_per_second=30))
    await api.start()
    for shop in range(1, messages + 1):
        user = LocalUser(OWNER_BASE + shop, f"Owner {shop}")
        api.add_chat(LocalChat.private(user))
    bot = Bot(
        api.token,
        base_url=api.base_url,
        request=HTTPXRequest(connection_pool_size=64, pool_timeout=10),
    )
    await bot.initialize()
    budget, budget_kind = await budget_for_bench()
    clock = FakeClock(NOW)
    notifier = TelegramNotifier(bot)
    workers = [AlertDispatcher(make_uow, notifier, budget, clock) for _ in range(2)]
    started = time.perf_counter()
    while sum(w.stats.sent for w in workers) < messages:
        clock.set(NOW + timedelta(seconds=time.perf_counter() - started))
        done = await asyncio.gather(*(w.dispatch_once() for w in workers))
        if not any(done):
            await asyncio.sleep(0.05)
        if time.perf_counter() - started > messages / 10 + 60:
            break
    elapsed = time.perf_counter() - started
    sent = sum(w.stats.sent for w in workers)
    retried = sum(w.stats.retried for w in workers)
    print(f"fan-out: {sent} digests in {elapsed:.1f} s via LocalBotApi with 429 emulation")
    print(f"  budget: {budget_kind}; 2 dispatchers")
    print(f"  achieved {sent / elapsed:.1f} msg/s vs allowed 30 msg/s ({sent / elapsed / 30:.0%})")
    print(f"  429 answers: {retried}; delivered per chat: max 1 (one digest per owner)")
    await bot.shutdown()
    await api.stop()
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--fanout", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    url = await create_database("stockbot_bench")
    try:
        started = time.perf_counter()
        await fill(url, args.shops, args.products)
        print(
            f"data: {args.shops} shops × {args.products} products "
            f"({args.shops * args.products:,} products, "
            f"{args.shops * args.products // 10:,} batches) loaded in "
            f"{time.perf_counter() - started:.1f} s"
        )
        engine = create_engine(url, pool_size=5)
        scanner = DigestScanner(uow_factory(engine), FakeClock(NOW))
        started = time.perf_counter()
        planned = await scanner.scan_once()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = await scanner.scan_once()
        steady = time.perf_counter() - started
        print(
            f"scan: first of the day planned {planned} digests in {first:.2f} s "
            f"({first / max(1, args.shops) * 1000:.1f} ms/shop); "
            f"steady per-minute scan {steady * 1000:.0f} ms ({again} planned)"
        )
        await engine.dispose()
        await fan_out(url, args.fanout)
    finally:
        await drop_database(url)


if __name__ == "__main__":
    print(f"alerts bench, {date.today().isoformat()}")
    asyncio.run(main())
