"""End-to-end update throughput of the real bot (a script, not a test).

Runs the bot in-process against the local Bot API server and PostgreSQL, sends a burst of
`/sell` messages from many users of one shop, and times until every update is handled
and answered. Compares 1 inbox worker (every chat's updates in order, the default) with
several workers, side by side in one run.

    .venv/bin/python -m bench.updates_bench [--updates 400] [--workers 1 4]
        [--admin-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time

import asyncpg
from sqlalchemy.engine import make_url

from bot.localapi import LocalBotApi, LocalUser
from bot.runner import serve
from bot.settings import load_settings
from db.migrate import upgrade

USERS = 20


async def fresh_database(admin: str, name: str) -> str:
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    await upgrade(url)
    return url


async def drop_database(admin: str, name: str) -> None:
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def run_once(admin: str, updates: int, workers: int) -> float:
    """Seconds to handle `updates` sales from USERS staff members."""
    name = f"stockbot_bench_updates_{workers}"
    url = await fresh_database(admin, name)
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
        await drop_database(admin, name)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results = {}
    for workers in args.workers:
        seconds = await run_once(args.admin_url, args.updates, workers)
        results[workers] = seconds
        print(
            f"workers={workers}: {args.updates} /sell updates in {seconds:.2f} s "
            f"= {args.updates / seconds:.0f} updates/s"
        )
    base = results[args.workers[0]]
    for workers, seconds in results.items():
        print(
            f"  workers={workers}: {base / seconds:.2f}x the throughput of "
            f"workers={args.workers[0]}"
        )


if __name__ == "__main__":
    asyncio.run(main())
