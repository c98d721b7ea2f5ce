"""End-to-end update throughput of the real bot (a script, not a test).

Runs the bot in-process against the local Bot API server and PostgreSQL, sends a burst of
`/sell` messages from many users of one shop, and times until every update is handled
and answered. Compares how many updates a process handles at once (INBOX_WORKERS; each
chat's updates stay one at a time and in order whatever the number), with and without
the reply rate limiter, side by side in one run. bench.webhook_bench measures the whole
path over the webhook against a bare python-telegram-bot bot.

    .venv/bin/python -m bench.updates_bench [--updates 300] [--workers 1 32] [--profile FILE]

Besides updates/s, which a shared machine's load moves a lot, it prints what load barely
moves: the CPU milliseconds per update of this process (bot and local Bot API together;
PostgreSQL's own CPU is not in it) beside a bare python-telegram-bot echo bot driven the
same way in the same process, and the SQL statements and commits per `/sell` (every
statement the bot sends, the inbox's included; `--statements` lists them by count).
`--profile FILE` profiles one more run's timed part (CPU time, not wall time) into FILE and
prints its top.

(PostgreSQL from TEST_POSTGRES_URL, as the tests use.) With python-telegram-bot's
AIORateLimiter on, replies are held to Telegram's 30 messages a second, which then bounds
the throughput; without it the figure is the bot's own capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import os
import pstats
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.runner import serve
from bot.settings import load_settings
from devtools.localapi import LocalBotApi, LocalUser
from tests.services import create_database, drop_database

USERS = 20


@dataclass
class SqlTally:
    """Statements and commits sent by every SQLAlchemy engine of this process while on."""

    statements: Counter[str] = field(default_factory=Counter)
    commits: int = 0
    on: bool = False

    def __post_init__(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._commit)

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._statement)
        event.remove(Engine, "commit", self._commit)

    def _statement(self, *args: Any) -> None:
        if self.on:
            # The statement's shape: literals differ per update, the shape does not.
            self.statements[re.sub(r"\s+", " ", str(args[2]))[:110]] += 1

    def _commit(self, *_: Any) -> None:
        if self.on:
            self.commits += 1


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    statements: int = 0
    commits: int = 0


class Measured:
    """CPU time, statements and commits of the timed part of a run (and its profile)."""

    def __init__(self, tally: SqlTally | None, profile: cProfile.Profile | None) -> None:
        self.tally = tally
        self.profile = profile

    def __enter__(self) -> Measured:
        if self.tally is not None:
            self.tally.on = True
        if self.profile is not None:
            self.profile.enable()
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.run = Run(time.perf_counter() - self.started, time.process_time() - self.cpu_started)
        if self.profile is not None:
            self.profile.disable()
        if self.tally is not None:
            self.tally.on = False
            self.run.statements = sum(self.tally.statements.values())
            self.run.commits = self.tally.commits


async def run_echo(updates: int) -> Run:
    """A bare python-telegram-bot echo bot (bench/echo_bot.py's handler, polling) answering
    `updates` texts from USERS people through the same local Bot API: the ceiling."""
    api = LocalBotApi()
    await api.start()
    application = Application.builder().token(api.token).base_url(api.base_url).build()

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text:
            await update.message.reply_text(update.message.text)

    application.add_handler(MessageHandler(filters.TEXT, echo))
    people = [LocalUser(100 + i, f"Person {i}") for i in range(USERS)]
    try:
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        with Measured(None, None) as measured:
            for index in range(updates):
                await api.send_text(people[index % USERS], None, "/sell milk 1")
            await api.wait_for(
                lambda: sum(len(api.bot_messages(p.id)) for p in people) >= updates,
                timeout=300,
            )
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    finally:
        await api.stop()
    return measured.run


async def run_once(
    updates: int,
    workers: int,
    rate_limit: bool,
    tally: SqlTally | None = None,
    profile: cProfile.Profile | None = None,
) -> Run:
    """Handling `updates` sales from USERS staff members."""
    url = await create_database("stockbot_bench_updates")
    api = LocalBotApi()
    await api.start()
    settings = load_settings(
        _env_file=None,
        database_url=url,
        redis_url=None,
        telegram_api_base_url=api.base_url,
        telegram_api_base_file_url=api.base_file_url,
        poll_timeout=1,
        inbox_workers=workers,
        telegram_rate_limit=rate_limit,
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(serve(settings, api.token, stop, http=False))
    try:
        owner = LocalUser(1, "Owner")
        await api.send_text(owner, None, "/newshop Bench")
        await api.next_message(owner.id, timeout=30)
        await api.send_text(owner, None, "/add milk")
        await api.next_message(owner.id, timeout=10)
        await api.send_text(owner, None, f"/restock milk {updates * 2}")
        await api.next_message(owner.id, timeout=10)
        staff = [LocalUser(100 + i, f"Staff {i}") for i in range(USERS)]
        for member in staff:
            await api.send_text(owner, None, "/invite")
            invite = await api.next_message(owner.id, timeout=10)
            while "/start " not in invite.shown_text:  # "Staff n joined" comes between
                invite = await api.next_message(owner.id, timeout=10)
            code = (invite.shown_text.rsplit("/start ", 1)[1]).split()[0]
            await api.send_text(member, None, f"/start {code}")
            await api.next_message(member.id, timeout=10)

        with Measured(tally, profile) as measured:
            for index in range(updates):
                await api.send_text(staff[index % USERS], None, "/sell milk 1")
            await api.wait_for(
                lambda: sum(len(api.bot_messages(m.id)) for m in staff) >= USERS + updates,
                timeout=300,
            )
        return measured.run
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot, 30)
        await api.stop()
        await drop_database(url)


def _per_update(run: Run, updates: int) -> str:
    return (
        f"{run.cpu_seconds * 1000 / updates:.1f} CPU ms/update, "
        f"{run.statements / updates:.1f} statements and {run.commits / updates:.2f} commits "
        f"per /sell"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--profile", help="write a cProfile of the timed part here")
    parser.add_argument("--statements", action="store_true", help="list statements by count")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    echo = await run_echo(args.updates)
    print(
        f"echo bot (ceiling): {args.updates} updates in {echo.seconds:.2f} s, "
        f"{echo.cpu_seconds * 1000 / args.updates:.1f} CPU ms/update"
    )
    tally = SqlTally()
    profile = cProfile.Profile(time.process_time) if args.profile else None
    results: dict[tuple[bool, int], float] = {}
    for rate_limit in (False, True):
        for workers in args.workers:
            tally.statements.clear()
            tally.commits = 0
            run = await run_once(args.updates, workers, rate_limit, tally)
            results[rate_limit, workers] = run.seconds
            limiter = "Telegram's limits kept" if rate_limit else "no rate limiter     "
            print(
                f"{limiter} workers={workers}: {args.updates} /sell updates in "
                f"{run.seconds:.2f} s = {args.updates / run.seconds:.0f} updates/s; "
                f"{_per_update(run, args.updates)}; CPU "
                f"{run.cpu_seconds / echo.cpu_seconds:.1f}x the echo bot's"
            )
            if args.statements and not rate_limit:
                for statement, times in tally.statements.most_common():
                    print(f"    {times / args.updates:5.2f}  {statement}")
    tally.close()
    if profile is not None:
        # A run of its own: the profiler's overhead would inflate the CPU figures above.
        await run_once(args.updates, args.workers[-1], False, None, profile)
        profile.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    base = results[False, args.workers[0]]
    print(f"ratios against no limiter, workers={args.workers[0]}:")
    for (rate_limit, workers), seconds in results.items():
        print(f"  limiter={rate_limit!s:5} workers={workers}: {base / seconds:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
