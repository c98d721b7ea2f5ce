"""Queue engines side by side on the same load: our inbox (db.inbox + bot.inbox_processor)
against procrastinate (PostgreSQL task queue; `lock` = one job at a time per chat, in
creation order). A script that prints figures, not a test.

    .venv/bin/pip install -e '.[bench]'      # procrastinate (psycopg) for this script only
    .venv/bin/python -m bench.queue_bench [--updates 2000] [--chats 100] [--rate 200]

The same handler runs under both: one PostgreSQL transaction that checks and advances its
chat's sequence number (so an update out of its chat's order is counted) and inserts a
row, then 2 ms of waiting as for Telegram's answer. Both handle 32 updates at once.

1. burst: `--updates` updates over `--chats` chats stored as fast as the producer can,
   while the workers run; updates handled per second until the last one is done;
2. steady: updates stored at `--rate` a second for 10 s; the latency from storing an
   update to its handler finishing, p50 and p99.

procrastinate runs with `fetch_job_polling_interval` 0.1 s and LISTEN/NOTIFY on.
PostgreSQL comes from TEST_POSTGRES_URL, as the tests use it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.context import Services
from bot.inbox_processor import InboxProcessor
from bot.settings import load_settings
from db.engine import create_engine
from db.inbox import SqlInbox
from tests.services import create_database, drop_database

CONCURRENCY = 32
REPLY_SECONDS = 0.002
STEADY_SECONDS = 10.0


@dataclass
class Tally:
    stored_at: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    out_of_order: int = 0
    handled: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0
    produced_in: float = 0.0

    def finish(self, update_id: int) -> None:
        self.latencies.append(time.perf_counter() - self.stored_at.pop(update_id))
        self.handled += 1
        if self.handled >= self.expected:
            self.done.set()

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def prepare(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE IF NOT EXISTS bench_chats (chat bigint PRIMARY KEY, seq int)")
        )
        await connection.execute(
            text("CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, chat bigint)")
        )
        await connection.execute(text("TRUNCATE bench_chats, bench_rows"))


async def handle(engine: AsyncEngine, tally: Tally, update_id: int, chat: int, seq: int) -> None:
    async with engine.begin() as connection:
        moved = await connection.execute(
            text("UPDATE bench_chats SET seq = :seq WHERE chat = :chat AND seq = :seq - 1"),
            {"chat": chat, "seq": seq},
        )
        if moved.rowcount == 0:
            tally.out_of_order += 1
            await connection.execute(
                text(
                    "INSERT INTO bench_chats VALUES (:chat, :seq) "
                    "ON CONFLICT (chat) DO UPDATE SET seq = :seq"
                ),
                {"chat": chat, "seq": seq},
            )
        await connection.execute(
            text("INSERT INTO bench_rows (chat) VALUES (:chat)"), {"chat": chat}
        )
    await asyncio.sleep(REPLY_SECONDS)
    tally.finish(update_id)


def workload(updates: int, chats: int) -> list[tuple[int, int, int]]:
    """(update id, chat, the chat's sequence number), chats interleaved at random."""
    rng = random.Random(1)
    counters: dict[int, itertools.count[int]] = {}
    out = []
    for update_id in range(1, updates + 1):
        chat = rng.randrange(chats)
        out.append((update_id, chat, next(counters.setdefault(chat, itertools.count(1)))))
    return out


async def seed_chats(engine: AsyncEngine, chats: int) -> None:
    async with engine.begin() as connection:
        for chat in range(chats):
            await connection.execute(
                text("INSERT INTO bench_chats VALUES (:chat, 0)"), {"chat": chat}
            )


# --- our inbox -------------------------------------------------------------------------


class _App:
    """What InboxProcessor needs of python-telegram-bot's Application."""

    def __init__(self, engine: AsyncEngine, tally: Tally) -> None:
        self.bot = None
        self.engine, self.tally = engine, tally

    async def process_update(self, update: Any) -> None:
        data = update.api_kwargs
        await handle(self.engine, self.tally, update.update_id, data["chat"], data["seq"])


class _Clock:
    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)


async def run_inbox(url: str, items: list[tuple[int, int, int]], rate: float | None) -> Tally:
    engine = create_engine(url, pool_size=20, max_overflow=20)
    await prepare(engine)
    await seed_chats(engine, 1 + max(chat for _, chat, _ in items))
    tally = Tally(expected=len(items))
    settings = load_settings(_env_file=None, database_url=url)
    services = Services(settings, engine, lambda: None, SqlInbox(engine), None, _Clock())  # type: ignore[arg-type]
    processor = InboxProcessor(_App(engine, tally), services)  # type: ignore[arg-type]
    stop = asyncio.Event()
    worker = asyncio.create_task(processor.run(stop, CONCURRENCY))
    try:
        await produce(
            items,
            rate,
            tally,
            # Stored as if it were a message in chat c, for the inbox to order it by.
            lambda u, c, s: processor.store(
                json.dumps({"update_id": u, "chat": c, "seq": s}),
                u,
                {"message": {"chat": {"id": c}}},
            ),
        )
        await asyncio.wait_for(tally.done.wait(), 300)
    finally:
        stop.set()
        await worker
        await engine.dispose()
    return tally


# --- procrastinate ---------------------------------------------------------------------


async def run_procrastinate(
    url: str, items: list[tuple[int, int, int]], rate: float | None
) -> Tally:
    import procrastinate  # the [bench] extra

    engine = create_engine(url, pool_size=20, max_overflow=20)
    await prepare(engine)
    await seed_chats(engine, 1 + max(chat for _, chat, _ in items))
    tally = Tally(expected=len(items))
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=url, min_size=4, max_size=40)
    )

    @app.task(name="handle_update")
    async def handle_update(update_id: int, chat: int, seq: int) -> None:
        await handle(engine, tally, update_id, chat, seq)

    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        worker = asyncio.create_task(
            app.run_worker_async(
                concurrency=CONCURRENCY,
                fetch_job_polling_interval=0.1,
                listen_notify=True,
                install_signal_handlers=False,
                delete_jobs="successful",
            )
        )
        try:
            await produce(
                items,
                rate,
                tally,
                lambda u, c, s: handle_update.configure(lock=f"chat:{c}").defer_async(
                    update_id=u, chat=c, seq=s
                ),
            )
            await asyncio.wait_for(tally.done.wait(), 300)
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
    await engine.dispose()
    return tally


# --- the producer and the run ----------------------------------------------------------


async def produce(
    items: list[tuple[int, int, int]], rate: float | None, tally: Tally, store: Any
) -> None:
    """Store every update: as fast as it goes (in order, like one webhook connection per
    chat would), or at `rate` a second."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index, (update_id, chat, seq) in enumerate(items):
        if rate is not None:
            await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        tally.stored_at[update_id] = time.perf_counter()
        await store(update_id, chat, seq)
    tally.produced_in = loop.time() - start


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    burst = workload(args.updates, args.chats)
    steady = workload(int(args.rate * STEADY_SECONDS), args.chats)
    print(
        f"{args.updates} updates over {args.chats} chats, {CONCURRENCY} at once, "
        f"handler = 1 transaction + {REPLY_SECONDS * 1000:.0f} ms"
    )
    for name, run in (("inbox", run_inbox), ("procrastinate", run_procrastinate)):
        url = await create_database("stockbot_bench_queue")
        try:
            started = time.perf_counter()
            tally = await run(url, burst, None)
            seconds = time.perf_counter() - started
            print(
                f"{name:<14} burst:  {args.updates / seconds:7.1f} updates/s, "
                f"{tally.out_of_order} out of chat order, stored in {tally.produced_in:.1f} s"
            )
        finally:
            await drop_database(url)
        url = await create_database("stockbot_bench_queue")
        try:
            tally = await run(url, steady, args.rate)
            print(
                f"{name:<14} steady: {args.rate:.0f}/s, latency p50 {tally.percentile(50):6.1f} ms"
                f", p99 {tally.percentile(99):6.1f} ms, {tally.out_of_order} out of order"
            )
        finally:
            await drop_database(url)


if __name__ == "__main__":
    asyncio.run(main())
