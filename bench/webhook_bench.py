"""The whole path under load: webhook → inbox → handler → PostgreSQL → reply, measured
against a bare python-telegram-bot echo bot by the same load generator, against the same
local Bot API, in the same run (a script that prints figures, not a test).

    .venv/bin/python -m bench.webhook_bench [--seconds 10] [--users 16]
        [--processes 1 2 4] [--png docs/throughput.png] [--code DIR] [--rate R] [--turns N]

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

`--code DIR` measures the stockbot of another checkout (main before a change, say) in the
same run, right before this checkout's, on a database of its own migrated by its own code:
the two figures are then side by side under the same load. Beside replies/s, which the
machine's load moves, it prints the CPU milliseconds each bot process spent per reply
(`/proc/<pid>/stat`, warm-up included; PostgreSQL's own CPU is not in it). A closed
loop's rate differs between the two, and with it how much work is batched per wake-up;
`--rate R` adds an open loop at R updates/s for each, so their CPU per reply is also
compared at one and the same load. `--turns N` keeps the echo bot, `--code`'s bot and
this one's running and measures them in N turns, each turn rotated (none always first),
and prints the medians: a shared machine's load drifts over a run, and turns spread the
drift over all three. `--products N` has user i sell product i mod N instead of every
user selling milk (one product's lock otherwise bounds the closed loop as much as the
bot). Beside the bot's CPU, each line shows the CPU of the PostgreSQL backends serving
its database (when the server runs on this machine), per reply: a lower bound, since a
backend that ended during the run is not counted.

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

import asyncpg
from aiohttp import ClientSession, ClientTimeout, TCPConnector
from sqlalchemy.engine import make_url

from devtools.localapi import (
    BotEvent,
    EventKind,
    LocalBotApi,
    LocalUser,
)
from tests.e2e.harness import SETTINGS_VARIABLES, free_port
from tests.loadbalancer import LoadBalancer
from tests.services import drop_database, redis_url

SECRET = "bench-Secret_0123456789"
SALE = "/sell milk 1"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OWNER = LocalUser(500, "Owner")
WARMUP_SECONDS = 2.0
START_TIMEOUT = 60.0
GIL_ONLY = os.environ.get("BENCH_PROFILE_GIL") == "1"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    label: str
    replies: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    # Every reply, the warm-up's included, and the bot's CPU seconds over them.
    answered: int = 0
    cpu_seconds: float = float("nan")
    # The CPU of the PostgreSQL backends serving the bot's database over the same time.
    database_cpu_seconds: float = float("nan")

    @property
    def cpu_ms_per_reply(self) -> float:
        return self.cpu_seconds * 1000 / self.answered if self.answered else float("nan")

    @property
    def database_cpu_ms_per_reply(self) -> float:
        if not self.answered:
            return float("nan")
        return self.database_cpu_seconds * 1000 / self.answered

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
            f"   {self.cpu_ms_per_reply:5.1f} CPU ms/reply"
            + (
                ""
                if self.database_cpu_seconds != self.database_cpu_seconds  # nan: not measured
                else f" (+ {self.database_cpu_ms_per_reply:.1f} PostgreSQL)"
            )
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

    def __init__(self, api: LocalBotApi, http: ClientSession, products: int = 1) -> None:
        self.api = api
        self.http = http
        self.replies = Replies(api)
        self._update_ids = itertools.count(10**9)
        self.products = products

    def sale(self, user: LocalUser) -> str:
        """What `user` sends: `/sell milk 1`, or with --products N one of N products
        (user i always the same one, so no two of N users share a product's lock)."""
        if self.products <= 1:
            return SALE
        return f"/sell item{user.id % self.products} 1"

    def update(self, user: LocalUser, text: str) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "message": self.api.world.written(user, text)}

    async def one(self, url: str, user: LocalUser, text: str) -> float | None:
        """Seconds from posting the update to the bot's reply; None without one."""
        body = self.update(user, self.sale(user) if text == SALE else text)
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
                if latency is not None:
                    run.answered += 1
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
                run.answered += 1
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


async def backends_cpu(database: str | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to `database`, when the
    server runs on this machine (its processes' /proc/<pid>/stat); empty otherwise. A
    bot's pool keeps its connections, so their sum over a run is the server's work for
    it (the WAL writer's and the checkpointer's shared work aside)."""
    if database is None:
        return {}
    try:
        connection = await asyncpg.connect(database)
        try:
            pids = [row[0] for row in await connection.fetch(BACKENDS, make_url(database).database)]
        finally:
            await connection.close()
    except (OSError, asyncpg.PostgresError):
        return {}
    cpu = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            cpu[pid] = process_cpu_seconds(pid)
    return cpu


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process of this machine so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


BACKENDS = "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"


@dataclass
class Process:
    process: asyncio.subprocess.Process
    port: int
    log: Path
    database: str | None = None

    def cpu_seconds(self) -> float:
        """User and system CPU time of the process so far."""
        return process_cpu_seconds(self.process.pid)

    async def measured(self, run: Any) -> Run:
        """`run` awaited, with this process's CPU time over it (and, for a bot with a
        database, its PostgreSQL backends' on this machine)."""
        before = self.cpu_seconds()
        backends_before = await backends_cpu(self.database)
        result: Run = await run
        result.cpu_seconds = self.cpu_seconds() - before
        backends_after = await backends_cpu(self.database)
        if backends_after:
            result.database_cpu_seconds = sum(
                cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_after.items()
            )
        return result

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
    api: LocalBotApi,
    database_url: str,
    prefix: str,
    webhook_url: str | None,
    workdir: Path,
    code: Path | None = None,
) -> Process:
    port = free_port()
    env = clean_environment()
    if code is not None:
        env["PYTHONPATH"] = str(code)
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
    process.database = database_url
    await asyncio.sleep(1.0)  # webhook set, menus installed, jobs scheduled
    return process


PREPARE = """
import asyncio, sys
from datetime import UTC, datetime
from decimal import Decimal
from core import catalog, ledger
from core.access import Actor
from core.catalog import ProductFields
from db.engine import create_engine
from db.uow import uow_factory
from devtools.localapi import LocalUser
from tests.e2e.fleet import open_shop_with_staff
from tests.services import create_database

async def main():
    url = await create_database("stockbot_bench_webhook")
    users = [LocalUser(1000 + i, f"Staff {i}") for i in range(int(sys.argv[1]))]
    owner = LocalUser(500, "Owner")
    await open_shop_with_staff(url, owner, users, stock=10_000_000)
    products = int(sys.argv[2])
    if products > 1:
        engine = create_engine(url)
        make = uow_factory(engine)
        actor = Actor(owner.id, 1)  # the new database's only shop
        for i in range(products):
            fields = ProductFields(name=f"item{i}", unit="l")
            item = await catalog.add_product(make(), actor, fields)
            restock = ledger.Restock(item.id, Decimal(10_000_000))
            await ledger.restock(make(), actor, restock, key=f"bench-{i}", now=datetime.now(UTC))
        await engine.dispose()
    print(url)

asyncio.run(main())
"""


async def prepare_database(users: int, code: Path | None, products: int = 1) -> str:
    """A new database with the bench's shop and staff, migrated and filled by the code of
    `code` (this checkout's when None), so an older checkout runs on its own schema."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code or ROOT)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PREPARE,
        str(users),
        str(products),
        env=env,
        cwd=env["PYTHONPATH"],  # `-c` puts the working directory first on the path
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the bench database for {code or ROOT} could not be made")
    return out.decode().strip().splitlines()[-1]


@dataclass
class Measured:
    closed: Run
    steady: Run
    idle_rss: float
    loaded_rss: float
    peak_rss: float


async def measure_stockbot(
    load: Load,
    api: LocalBotApi,
    database: str,
    prefix: str,
    workdir: Path,
    users: list[LocalUser],
    closed_users: list[LocalUser],
    seconds: float,
    label: str,
    code: Path | None = None,
    profile: Path | None = None,
    fixed_rate: float | None = None,
) -> Measured:
    """One stockbot process: the closed loop, then the open loop at 70 % of its rate
    (and at `fixed_rate`, the same for every checkout measured, when given)."""
    bot = await start_stockbot(api, database, prefix, None, workdir, code)
    try:
        idle_rss = bot.rss_mb()
        hook = f"http://127.0.0.1:{bot.port}/hook"
        spy = None if profile is None else await start_profile(bot, profile, seconds)
        full = await bot.measured(
            load.closed(f"{label}, 1 process", hook, closed_users, SALE, seconds)
        )
        if spy is not None:
            await spy.wait()
        print(full.line())
        rate = 0.7 * full.rate
        steady = await bot.measured(
            load.open(
                f"{label} at 70 % ({rate:.0f}/s, open)",
                hook,
                users,
                SALE,
                rate,
                seconds,
            )
        )
        print(steady.line())
        if fixed_rate is not None:
            fixed = await bot.measured(
                load.open(
                    f"{label} at {fixed_rate:.0f}/s (open)",
                    hook,
                    users,
                    SALE,
                    fixed_rate,
                    seconds,
                )
            )
            print(fixed.line())
        return Measured(full, steady, idle_rss, bot.rss_mb(), bot.rss_mb("VmHWM"))
    finally:
        await bot.stop()


async def start_profile(bot: Process, out: Path, seconds: float) -> asyncio.subprocess.Process:
    """py-spy sampling the bot over the closed loop's measured seconds (idle excluded),
    written as collapsed stacks (one line per stack, its sample count last)."""
    spy = Path(sys.executable).parent / "py-spy"
    process = await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        "--pid",
        str(bot.process.pid),
        "--duration",
        str(int(WARMUP_SECONDS + seconds)),
        "--rate",
        "200",
        # Samples only while the bot holds the GIL: Python's own work, not the time a
        # socket write spends waking (and yielding the CPU to) the other end.
        *(["--gil"] if GIL_ONLY else []),
        "--format",
        "raw",
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return process


# --- the run ---------------------------------------------------------------------------


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--png", type=Path, default=None)
    parser.add_argument(
        "--code", type=Path, default=None, help="another checkout to measure first, same run"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="an open loop at this rate too, the same for --code's bot and this one's: CPU"
        " per reply compared at one load (a closed loop's rate, and so its batching, differ)",
    )
    parser.add_argument(
        "--products",
        type=int,
        default=1,
        help="sell N products (user i the product i mod N) instead of every user selling"
        " milk: with one product the closed loop measures that product's lock as much as"
        " the bot",
    )
    parser.add_argument(
        "--turns",
        type=int,
        default=0,
        help="instead of the runs above: the echo bot, --code's bot (if given) and this one's"
        " kept running and measured in turns, each turn in another order, closed loop (and"
        " open at --rate); medians printed. A shared machine's load drifts over a run: turns"
        " spread it over all of them",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="py-spy's collapsed stacks of this checkout's bot over its closed loop",
    )
    args = parser.parse_args()

    users = [LocalUser(1000 + i, f"Staff {i}") for i in range(max(args.users, 64))]
    closed_users = users[: args.users]
    databases = [await prepare_database(len(users), None, args.products)]
    if args.code is not None:
        databases.append(await prepare_database(len(users), args.code.resolve(), args.products))
    database = databases[0]
    prefix = f"bench-{os.getpid()}:"
    api = LocalBotApi()
    await api.start()
    workdir = Path(tempfile.mkdtemp(prefix="stockbot-bench-"))
    connector = TCPConnector(limit=256)
    if args.turns:
        try:
            async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as http:
                await in_turns(
                    Load(api, http, args.products), api, databases, prefix, workdir, users, args
                )
        finally:
            await api.stop()
            for url in databases:
                await drop_database(url)
        return
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.users} users,")
    print(f"{args.seconds:.0f} s measured after {WARMUP_SECONDS:.0f} s warm-up; logs in {workdir}")
    try:
        async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as http:
            load = Load(api, http, args.products)

            echo = await start_echo(api, workdir)
            try:
                echo_run = await echo.measured(
                    load.closed(
                        "echo bot (python-telegram-bot)",
                        f"http://127.0.0.1:{echo.port}/hook",
                        closed_users,
                        SALE,
                        args.seconds,
                    )
                )
            finally:
                await echo.stop()
            print(echo_run.line())

            if args.code is not None:
                before = await measure_stockbot(
                    load,
                    api,
                    databases[1],
                    f"{prefix}before:",
                    workdir,
                    users,
                    closed_users,
                    args.seconds,
                    f"stockbot of {args.code}",
                    args.code.resolve(),
                    fixed_rate=args.rate,
                )
                print(f"{args.code} full path / echo: {before.closed.rate / echo_run.rate:.2f}")
            now = await measure_stockbot(
                load,
                api,
                database,
                prefix,
                workdir,
                users,
                closed_users,
                args.seconds,
                "stockbot",
                profile=args.profile,
                fixed_rate=args.rate,
            )
            print(f"full path / echo: {now.closed.rate / echo_run.rate:.2f}")
            print(
                f"RSS of one process: idle {now.idle_rss:.0f} MB, after load"
                f" {now.loaded_rss:.0f} MB, peak {now.peak_rss:.0f} MB"
            )
            print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

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
        for url in databases:
            await drop_database(url)


async def in_turns(
    load: Load,
    api: LocalBotApi,
    databases: list[str],
    prefix: str,
    workdir: Path,
    users: list[LocalUser],
    args: argparse.Namespace,
) -> None:
    """The echo bot and each stockbot, all started once, measured one after the other
    in `args.turns` turns (each turn rotated, so none always goes first)."""
    closed_users = users[: args.users]
    bots: dict[str, Process] = {"echo": await start_echo(api, workdir)}
    try:
        if args.code is not None:
            bots["before"] = await start_stockbot(
                api, databases[1], f"{prefix}before:", None, workdir, args.code.resolve()
            )
        bots["after"] = await start_stockbot(api, databases[0], prefix, None, workdir)
        print(
            f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.users} users,"
            f" {args.turns} turns of {args.seconds:.0f} s each; logs in {workdir}"
        )
        print(f"before: {args.code}, after: {ROOT}")
        results: dict[str, list[Run]] = {name: [] for name in bots}
        fixed: dict[str, list[Run]] = {name: [] for name in bots if name != "echo"}
        names = list(bots)
        for turn in range(args.turns):
            order = names[turn % len(names) :] + names[: turn % len(names)]
            for name in order:
                bot = bots[name]
                hook = f"http://127.0.0.1:{bot.port}/hook"
                text = SALE
                run = await bot.measured(load.closed(name, hook, closed_users, text, args.seconds))
                results[name].append(run)
                print(f"turn {turn + 1} load {os.getloadavg()[0]:4.1f}  {run.line()}")
                if args.rate is not None and name != "echo":
                    steady = await bot.measured(
                        load.open(
                            f"{name} at {args.rate:.0f}/s",
                            hook,
                            users,
                            text,
                            args.rate,
                            args.seconds,
                        )
                    )
                    fixed[name].append(steady)
                    print(f"turn {turn + 1} load {os.getloadavg()[0]:4.1f}  {steady.line()}")
        print("\nmedians over the turns:")
        echo_rates = [r.rate for r in results["echo"]]
        for name, runs in results.items():
            ratios = [r.rate / e for r, e in zip(runs, echo_rates, strict=True)]
            print(
                f"{name:<7} {median([r.rate for r in runs]):7.1f} replies/s"
                f"  {median([r.cpu_ms_per_reply for r in runs]):5.2f} CPU ms/reply"
                f" (+ {median([r.database_cpu_ms_per_reply for r in runs]):4.2f} PostgreSQL)"
                f"  p99 {median([r.percentile(99) for r in runs]):7.1f} ms"
                + (
                    ""
                    if name == "echo"
                    else f"  / echo {median(ratios):.2f}"
                    f" (turns: {' '.join(f'{x:.2f}' for x in ratios)})"
                )
            )
            if steady := fixed.get(name):
                cpu = median([r.cpu_ms_per_reply for r in steady])
                print(
                    f"{'':<7} at {args.rate:.0f}/s: {cpu:5.2f}"
                    f" CPU ms/reply, p50 {median([r.percentile(50) for r in steady]):.1f} ms,"
                    f" p99 {median([r.percentile(99) for r in steady]):.1f} ms"
                )
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots.values()))


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


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
        return await load.closed(f"{count} processes behind nginx", url, users, SALE, seconds)
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
