"""Benchmark of a spreadsheet import at shop scale (a script, not a test): a generated
file of N rows (10,000 by default) read, previewed and applied in the bot's chunks
through the real use cases and unit of work, on SQLite or PostgreSQL, then the same file
applied again (every row a replay). Also times reading a barcode photo.

    .venv/bin/python -m bench.import_bench [--rows 10000] [--format csv|xlsx]
        [--database-url postgresql://postgres@127.0.0.1:5432/scratch]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook

from bot.barcode_reader import read_codes
from bot.spreadsheet import chunks, read_sheet
from core import imports
from core.access import Actor
from core.imports import CHUNK
from core.shops import create_shop
from db.engine import create_engine
from db.migrate import upgrade
from db.uow import uow_factory

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def sheet_bytes(rows: int, form: str) -> bytes:
    header = ["product", "category", "unit", "on_hand", "threshold", "price", "cost"]
    body = [
        [f"item {i:05}", f"cat {i % 20}", "pcs", str(i % 50), "5", "2.40", "1.10"]
        for i in range(rows)
    ]
    if form == "csv":
        return "\n".join(",".join(row) for row in [header, *body]).encode()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in body:
        sheet.append([row[0], row[1], row[2], int(row[3]), 5, 2.4, 1.1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(label: str, started: float, rows: int) -> None:
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:8.2f} s  {rows / seconds:9.0f} rows/s")


async def run(rows: int, form: str, url: str) -> None:
    await upgrade(url)
    engine = create_engine(url)
    make_uow = uow_factory(engine)
    try:
        shop = await create_shop(make_uow(), 1, "Owner", "Bench", NOW)
        owner = Actor(1, shop.id)
        content = sheet_bytes(rows, form)
        print(f"{rows} rows, {form}, {len(content) / 1024:.0f} kB, {engine.dialect.name}")
        started = time.perf_counter()
        sheet = read_sheet(content, f"bench.{form}")
        timed("read", started, rows)
        started = time.perf_counter()
        plan = await imports.preview_import(make_uow(), owner, sheet.rows)
        timed("preview", started, rows)
        assert plan.count(imports.Outcome.CREATED) == rows
        for label in ("apply (new products)", "apply again (replays)"):
            started = time.perf_counter()
            seen: dict[str, int] = {}
            for chunk in chunks(sheet.rows, CHUNK):
                await imports.apply_import(
                    make_uow(), owner, chunk, file_key=sheet.file_key, now=NOW, seen=seen
                )
            timed(label, started, rows)
    finally:
        await engine.dispose()


def photo_figures() -> None:
    from tests.barcode_pictures import Look, photo

    for label, look in (
        ("clean photo", Look()),
        ("grainy, tilted 8°", Look(rotate=8, contrast=0.5, noise=10)),
        ("tilted 30° (fallback)", Look(rotate=30, contrast=0.5, noise=10)),
        ("no code", Look(noise=15)),
    ):
        content = photo([] if label == "no code" else [("4006381333931", "EAN-13")], look)
        started = time.perf_counter()
        found = read_codes(content)
        took = (time.perf_counter() - started) * 1000
        print(f"barcode {label:<22} {took:7.0f} ms  {len(found)} found")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(run(args.rows, args.format, url))
    photo_figures()


if __name__ == "__main__":
    main()
