"""PostgreSQL and Redis servers of a test's own, on free ports, to restart, crash, stop
and pause — never the shared ones on 5432 and 6379, which every other test is using.

PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user
(Debian's packages create it) in a scratch directory that user owns."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import redis.asyncio as redis

from tests.e2e.harness import free_port


def _postgres_bin(name: str) -> str:
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / name).exists():
            return str(root / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed")
    return found


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


async def _run(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {out.decode(errors='replace')}")


@dataclass
class PrivatePostgres:
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/stockbot"

    @classmethod
    async def create(cls) -> PrivatePostgres:
        root = Path(tempfile.mkdtemp(prefix="stockbot-pg-"))
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        server = cls(root, free_port())
        await _run(
            *_as_postgres(
                _postgres_bin("initdb"), "-D", str(server.data), "-A", "trust", "-U",
                "postgres", "--no-sync",
            )
        )  # fmt: skip
        await server.start()
        connection = await asyncpg.connect(server.url.replace("/stockbot", "/postgres"))
        try:
            await connection.execute("CREATE DATABASE stockbot")
        finally:
            await connection.close()
        return server

    def _ctl(self, *args: str) -> list[str]:
        return _as_postgres(_postgres_bin("pg_ctl"), "-D", str(self.data), *args)

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        await _run(*self._ctl("-o", options, "-l", str(self.root / "log"), "-w", "start"))

    async def stop(self, mode: str = "fast") -> None:
        """`fast`: a clean shutdown; `immediate`: a crash (recovery at the next start)."""
        await _run(*self._ctl("-m", mode, "-w", "stop"))

    async def restart(self, mode: str = "fast") -> None:
        await self.stop(mode)
        await self.start()

    async def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # already down
            await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class PrivateRedis:
    root: Path
    port: int
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    async def create(cls) -> PrivateRedis:
        server = cls(Path(tempfile.mkdtemp(prefix="stockbot-redis-")), free_port())
        await server.start()
        return server

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.root),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        try:
            for _ in range(100):
                try:
                    await client.ping()
                    return
                except redis.ConnectionError:
                    await asyncio.sleep(0.05)
            raise RuntimeError("the private Redis did not start")
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def pause(self) -> None:
        """Stopped mid-flight (SIGSTOP): connections stay open and nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    async def flush(self) -> None:
        client = redis.Redis.from_url(self.url)
        try:
            await client.flushall()
        finally:
            await client.aclose()

    async def destroy(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.resume()
        await self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
