"""End-to-end update throughput of the real bot (a script, not a test).

Runs the bot in-process against the local Bot API server and PostgreSQL, sends a burst of
`/sell` messages from many users of one shop, and times until every update is handled
and answered. Compares how many updates a process handles at once (INBOX_WORKERS; each
chat's updates stay one at a time and in order whatever the number), with and without
the reply rate limiter, side by side in one run. bench.webhook_bench measures the whole
path over the webhook against a bare python-telegram-bot bot.

    .venv/bin/python -m bench.updates_bench [--updates 300] [--workers 1 32]

(PostgreSQL from TEST_POSTGRES_URL, as the tests use.) With python-telegram-bot's
AIORateLimiter on, replies are held to Telegram's 30 messages a second, which then bounds
the throughput; without it the figure is the bot's own capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time

from bot.runner import serve
from bot.settings import load_settings
from devtools.localapi import LocalBotApi, LocalUser
from tests.services import create_database, drop_database

USERS = 20


async def run_once(updates: int, workers: int, rate_limit: bool) -> float:
    """Seconds to handle `updates` sales from USERS staff members."""
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

        started = time.perf_counter()
        for index in range(updates):
            await api.send_text(staff[index % USERS], None, "/sell milk 1")
        await api.wait_for(
            lambda: sum(len(api.bot_messages(m.id)) for m in staff) >= USERS + updates,
            timeout=300,
        )
        return time.perf_counter() - started
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot, 30)
        await api.stop()
        await drop_database(url)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 32])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results: dict[tuple[bool, int], float] = {}
    for rate_limit in (False, True):
        for workers in args.workers:
            seconds = await run_once(args.updates, workers, rate_limit)
            results[rate_limit, workers] = seconds
            limiter = "Telegram's limits kept" if rate_limit else "no rate limiter     "
            print(
                f"{limiter} workers={workers}: {args.updates} /sell updates in "
                f"{seconds:.2f} s = {args.updates / seconds:.0f} updates/s"
            )
    base = results[False, args.workers[0]]
    print(f"ratios against no limiter, workers={args.workers[0]}:")
    for (rate_limit, workers), seconds in results.items():
        print(f"  limiter={rate_limit!s:5} workers={workers}: {base / seconds:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
