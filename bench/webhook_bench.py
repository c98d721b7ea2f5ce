"""The whole path under load: webhook → inbox → handler → PostgreSQL → reply, measured
against a bare python-telegram-bot echo bot by the same load generator, against the same
local Bot API, in the same run (a script that prints figures, not a test).

    .venv/bin/python -m bench.webhook_bench [--seconds 10] [--users 16]
        [--processes 1 2 4] [--png docs/throughput.png]

What it does, in order:
1. the echo bot (bench.echo_bot), then one stockbot process (`stockbot run` in webhook
   mode, TELEGRAM_RATE_LIMIT off so the bot's own capacity shows), each posted to
   directly: `--users` staff members in a closed loop, each sending `/sell milk 1` (the
   echo bot gets the same text) and waiting for its reply before the next; replies/s,
   latency percentiles, and the bot's RSS idle and after the load;
2. an open loop at 70 % of the stockbot rate (requests spread evenly, many chats), for
   the latency at a sustainable load;
3. 1, 2, 4 stockbot processes behind nginx (Debian's package), the closed loop again,
   printed as a table and drawn as a PNG curve (matplotlib).

Like Telegram, the load generator posts each update to the webhook with the secret
header and times until the bot's answer reaches the Bot API. PostgreSQL comes from
TEST_POSTGRES_URL and Redis from TEST_REDIS_URL, as the tests use them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from devtools.localapi import (
    BotEvent,
    EventKind,
    LocalBotApi,
    LocalUser,
)
from tests.e2e.fleet import open_shop_with_staff
from tests.e2e.harness import SETTINGS_VARIABLES, free_port
from tests.loadbalancer import LoadBalancer
from tests.services import create_database, drop_database, redis_url

SECRET = "bench-Secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OWNER = LocalUser(500, "Owner")
WARMUP_SECONDS = 2.0
START_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    label: str
    replies: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0

    @property
    def rate(self) -> float:
        return self.replies / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.rate:7.1f} replies/s   p50 {self.percentile(50):6.1f} ms"
            f"   p99 {self.percentile(99):6.1f} ms   ({self.replies} in {self.seconds:.1f} s"
            f"{f', {self.timeouts} unanswered' if self.timeouts else ''})"
        )


class Replies:
    """Resolves a future per chat when the bot's next message to that chat arrives."""

    def __init__(self, api: LocalBotApi) -> None:
        self.waiting: dict[int, asyncio.Future[float]] = {}
        api.add_listener(self._on_event)

    def _on_event(self, event: BotEvent) -> None:
        if event.kind is not EventKind.SENT or event.chat_id is None:
            return
        future = self.waiting.pop(event.chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future


class Load:
    """Posts updates like Telegram does and times the answers."""

    def __init__(self, api: LocalBotApi, http: ClientSession) -> None:
        self.api = api
        self.http = http
        self.replies = Replies(api)
        self._update_ids = itertools.count(10**9)

    def update(self, user: LocalUser, text: str) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "message": self.api.world.written(user, text)}

    async def one(self, url: str, user: LocalUser, text: str) -> float | None:
        """Seconds from posting the update to the bot's reply; None without one."""
        body = self.update(user, text)
        answered = self.replies.expect(user.id)
        started = time.perf_counter()
        async with self.http.post(url, json=body, headers={SECRET_HEADER: SECRET}) as response:
            if response.status != 200:
                raise RuntimeError(f"webhook answered {response.status}")
        try:
            return await asyncio.wait_for(answered, 30) - started
        except TimeoutError:
            return None

    async def closed(
        self, label: str, url: str, users: list[LocalUser], text: str, seconds: float
    ) -> Run:
        """Every user sends, waits for the answer, sends again."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        measure_from, end = start + WARMUP_SECONDS, start + WARMUP_SECONDS + seconds
        run = Run(label, 0, seconds)

        async def user_loop(user: LocalUser) -> None:
            while loop.time() < end:
                sent_at = loop.time()
                latency = await self.one(url, user, text)
                if sent_at < measure_from:
                    continue
                if latency is None:
                    run.timeouts += 1
                else:
                    run.replies += 1
                    run.latencies.append(latency)

        await asyncio.gather(*(user_loop(u) for u in users))
        return run

    async def open(
        self, label: str, url: str, users: list[LocalUser], text: str, rate: float, seconds: float
    ) -> Run:
        """Requests at a fixed rate, each from a user with nothing in flight."""
        run = Run(label, 0, seconds)
        idle = list(users)
        tasks: set[asyncio.Task[None]] = set()

        async def send(user: LocalUser) -> None:
            latency = await self.one(url, user, text)
            idle.append(user)
            if latency is None:
                run.timeouts += 1
            else:
                run.replies += 1
                run.latencies.append(latency)

        loop = asyncio.get_running_loop()
        start = loop.time()
        for index in itertools.count():
            due = start + index / rate
            if due > start + seconds:
                break
            await asyncio.sleep(max(0.0, due - loop.time()))
            if not idle:
                run.timeouts += 1  # every user waiting: the bot fell behind
                continue
            task = asyncio.create_task(send(idle.pop(0)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        return run


# --- the processes under test ----------------------------------------------------------


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARIABLES}


@dataclass
class Process:
    process: asyncio.subprocess.Process
    port: int
    log: Path

    def rss_mb(self, field_name: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def spawn(module: list[str], env: dict[str, str], port: int, log: Path) -> Process:
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *module,
            env=env,
            cwd=log.parent,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    started = Process(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.returncode is not None:
            raise RuntimeError(f"{module} exited; see {log}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return started
        if time.monotonic() > deadline:
            raise TimeoutError(f"{module} did not listen on {port}")
        await asyncio.sleep(0.1)


async def start_echo(api: LocalBotApi, workdir: Path) -> Process:
    port = free_port()
    env = clean_environment()
    env.update(
        ECHO_TOKEN=api.token,
        ECHO_API=api.base_url,
        ECHO_PORT=str(port),
        ECHO_SECRET=SECRET,
        PYTHONPATH=str(ROOT),
    )
    return await spawn(["bench.echo_bot"], env, port, workdir / "echo.log")


async def start_stockbot(
    api: LocalBotApi, database_url: str, prefix: str, webhook_url: str | None, workdir: Path
) -> Process:
    port = free_port()
    env = clean_environment()
    env.update(
        BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_BASE_FILE_URL=api.base_file_url,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url(),
        REDIS_PREFIX=prefix,
        HOST="127.0.0.1",
        PORT=str(port),
        WEBHOOK_URL=webhook_url or f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=SECRET,
        TELEGRAM_RATE_LIMIT="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    process = await spawn(["bot.cli", "run"], env, port, workdir / f"stockbot-{port}.log")
    await asyncio.sleep(1.0)  # webhook set, menus installed, jobs scheduled
    return process


# --- the run ---------------------------------------------------------------------------


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--png", type=Path, default=None)
    args = parser.parse_args()

    users = [LocalUser(1000 + i, f"Staff {i}") for i in range(max(args.users, 64))]
    closed_users = users[: args.users]
    database = await create_database("stockbot_bench_webhook")
    prefix = f"bench-{os.getpid()}:"
    api = LocalBotApi()
    await api.start()
    workdir = Path(tempfile.mkdtemp(prefix="stockbot-bench-"))
    connector = TCPConnector(limit=256)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.users} users,")
    print(f"{args.seconds:.0f} s measured after {WARMUP_SECONDS:.0f} s warm-up; logs in {workdir}")
    try:
        await open_shop_with_staff(database, OWNER, users, stock=10_000_000)
        async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as http:
            load = Load(api, http)

            echo = await start_echo(api, workdir)
            try:
                echo_run = await load.closed(
                    "echo bot (python-telegram-bot)",
                    f"http://127.0.0.1:{echo.port}/hook",
                    closed_users,
                    "/sell milk 1",
                    args.seconds,
                )
            finally:
                await echo.stop()
            print(echo_run.line())

            bot = await start_stockbot(api, database, prefix, None, workdir)
            try:
                idle_rss = bot.rss_mb()
                hook = f"http://127.0.0.1:{bot.port}/hook"
                full = await load.closed(
                    "stockbot, 1 process", hook, closed_users, "/sell milk 1", args.seconds
                )
                print(full.line())
                rate = 0.7 * full.rate
                steady = await load.open(
                    f"stockbot at 70 % ({rate:.0f}/s, open)",
                    hook,
                    users,
                    "/sell milk 1",
                    rate,
                    args.seconds,
                )
                print(steady.line())
                loaded_rss, peak_rss = bot.rss_mb(), bot.rss_mb("VmHWM")
            finally:
                await bot.stop()
            print(f"full path / echo: {full.rate / echo_run.rate:.2f}")
            print(
                f"RSS of one process: idle {idle_rss:.0f} MB, after load {loaded_rss:.0f} MB,"
                f" peak {peak_rss:.0f} MB"
            )

            scaling: list[tuple[int, Run]] = []
            for count in args.processes:
                scaling.append(
                    (
                        count,
                        await behind_nginx(
                            load, api, database, prefix, count, closed_users, args.seconds, workdir
                        ),
                    )
                )
        if scaling:
            print("\nprocesses behind nginx   replies/s   p50 ms   p99 ms   vs 1 process")
            base = scaling[0][1].rate
            for count, run in scaling:
                print(
                    f"{count:>9}               {run.rate:9.1f} {run.percentile(50):8.1f}"
                    f" {run.percentile(99):8.1f}   {run.rate / base:6.2f}x"
                )
            if args.png is not None:
                draw(scaling, echo_run.rate, args.png)
                print(f"curve written to {args.png}")
    finally:
        await api.stop()
        await drop_database(database)


async def behind_nginx(
    load: Load,
    api: LocalBotApi,
    database: str,
    prefix: str,
    count: int,
    users: list[LocalUser],
    seconds: float,
    workdir: Path,
) -> Run:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    bots = [await start_stockbot(api, database, prefix, url, workdir) for _ in range(count)]
    balancer = LoadBalancer(workdir / f"nginx-{count}", port, [b.port for b in bots])
    await balancer.start()
    try:
        return await load.closed(
            f"{count} processes behind nginx", url, users, "/sell milk 1", seconds
        )
    finally:
        await balancer.stop()
        await asyncio.gather(*(b.stop() for b in bots))


def draw(scaling: list[tuple[int, Run]], echo_rate: float, path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4), dpi=100)
    axes = figure.add_subplot()
    counts = [c for c, _ in scaling]
    axes.plot(counts, [r.rate for _, r in scaling], marker="o", label="stockbot /sell")
    axes.axhline(echo_rate, linestyle="--", color="grey", label="echo bot, 1 process")
    axes.set_xlabel("bot processes behind nginx")
    axes.set_ylabel("replies per second")
    axes.set_xticks(counts)
    axes.set_ylim(bottom=0)
    axes.set_title(f"Throughput vs processes ({os.cpu_count()} cores, one machine)")
    axes.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, bbox_inches="tight")


if __name__ == "__main__":
    asyncio.run(main())
