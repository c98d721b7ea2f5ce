"""Backup and restore round trips, on SQLite and PostgreSQL (and across them), through
the `stockbot backup` / `stockbot restore` commands; and pg_dump / pg_restore of a whole
database into a scratch one."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.cli import main
from core import catalog, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.ledger import Removal, Restock
from core.model import Reason, Role
from db.backup import BackupError, backup, restore
from db.engine import create_engine
from db.models import StockByShopRow, metadata
from db.uow import SqlUnitOfWork, uow_factory
from tests.integration.conftest import NOW, OWNER_ID, STAFF_ID
from tests.services import create_database, drop_database, postgres_error, unreachable

MakeUow = Callable[[], SqlUnitOfWork]


async def fill(
    make_uow: MakeUow, name: str = "Corner Cafe", owner_id: int = OWNER_ID, at: datetime = NOW
) -> Actor:
    """A shop with a catalog, batches, sales, an undo, staff and an open invite."""
    shop = await shops.create_shop(make_uow(), owner_id, "Olga", name, at)
    owner = Actor(owner_id, shop.id)
    milk = await catalog.add_product(
        make_uow(),
        owner,
        ProductFields(
            name="milk",
            unit="l",
            threshold=Decimal(5),
            price=Decimal("1.20"),
            barcodes=("96385074",),
        ),
    )
    bread = await catalog.add_product(make_uow(), owner, ProductFields(name="bread"))
    await ledger.restock(
        make_uow(),
        owner,
        Restock(milk.id, Decimal("12.5"), expiry=date(2026, 4, 1), cost=Decimal("0.60")),
        key=f"{name}-1",
        now=NOW,
    )
    await ledger.restock(make_uow(), owner, Restock(bread.id, Decimal(4)), key=f"{name}-2", now=NOW)
    sale = await ledger.remove(
        make_uow(), owner, Removal(milk.id, Decimal(9), Reason.SALE), key=f"{name}-3", now=NOW
    )
    assert sale.movement is not None
    await ledger.undo(make_uow(), owner, sale.movement.id, key=f"{name}-4", now=NOW)
    await ledger.remove(
        make_uow(), owner, Removal(milk.id, Decimal(10), Reason.SALE), key=f"{name}-5", now=NOW
    )
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)
    await shops.join_shop(make_uow(), STAFF_ID + owner_id, "Sam", invite.code, NOW)
    await shops.create_invite(make_uow(), owner, Role.OWNER, NOW)
    return owner


async def everything(engine: AsyncEngine, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every row of every table but the inbox, as plain sorted tuples."""
    found: dict[str, Any] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in skip | {"update_inbox"}:
                continue
            if table.name == "stock_by_shop":
                # Which connection's stripe a figure was added in differs; the sums do not.
                found[table.name] = await _shop_figures(connection)
                continue
            rows = (await connection.execute(select(table))).all()
            found[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return found


async def _shop_figures(connection: AsyncConnection) -> list[tuple[int, ...]]:
    kept = StockByShopRow.__table__.c
    figures = [kept.products, kept.reorder, kept.out_of_stock, kept.value_e5]
    rows = await connection.execute(
        select(kept.shop_id, *(func.sum(f) for f in figures)).group_by(kept.shop_id)
    )
    return sorted(tuple(int(v) for v in row) for row in rows)


@asynccontextmanager
async def another_database(backend: str, tmp_path: Path, name: str) -> AsyncIterator[str]:
    """An empty migrated database of the backend: its URL."""
    if backend == "sqlite":
        from db.migrate import upgrade

        url = f"sqlite:///{tmp_path / name}.db"
        await upgrade(url)
        yield url
        return
    if error := await postgres_error():
        unreachable("PostgreSQL", error)
    url = await create_database("stockbot_backup")
    try:
        yield url
    finally:
        await drop_database(url)


async def run(command: list[str]) -> None:
    process = await asyncio.create_subprocess_exec(*command)
    assert await asyncio.wait_for(process.wait(), 120) == 0, command


async def stockbot(*args: str, database_url: str) -> int:
    """The `stockbot` command, in a thread (it runs an event loop of its own)."""
    os.environ["DATABASE_URL"] = database_url
    try:
        return await asyncio.to_thread(main, list(args))
    finally:
        del os.environ["DATABASE_URL"]


@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_backup_restores_every_row_as_it_was(
    engine: AsyncEngine, make_uow: MakeUow, tmp_path: Path, target: str
) -> None:
    await fill(make_uow)
    await fill(make_uow, "Bakery", owner_id=OWNER_ID + 50)
    path = tmp_path / "all.stockbot.gz"
    summary = await backup(engine, path)
    assert summary.rows["movements"] == 10
    async with another_database(target, tmp_path, "restored") as url:
        restored = create_engine(url)
        try:
            await restore(restored, path)
            assert await everything(restored) == await everything(engine)
            # New rows after a restore get new ids (PostgreSQL's sequences moved on).
            await fill(uow_factory(restored), "Third", owner_id=OWNER_ID + 99)
        finally:
            await restored.dispose()


async def test_one_shop_is_backed_up_alone_and_replaced_in_place(
    engine: AsyncEngine, make_uow: MakeUow, tmp_path: Path
) -> None:
    cafe = await fill(make_uow)
    bakery = await fill(make_uow, "Bakery", owner_id=OWNER_ID + 50)
    before = await everything(engine)
    path = tmp_path / "cafe.gz"
    summary = await backup(engine, path, [cafe.shop_id])
    assert [shop_id for shop_id, _ in summary.shops] == [cafe.shop_id]

    # A bad afternoon in the cafe: more sales, a product gone.
    milk = await catalog.find_product(make_uow(), cafe, "milk")
    await ledger.remove(make_uow(), cafe, Removal(milk.id, Decimal(1)), key="late", now=NOW)
    await catalog.archive_product(make_uow(), cafe, milk.id)

    with pytest.raises(BackupError, match="exists in this database"):
        await restore(engine, path)
    await restore(engine, path, replace=True)
    assert await everything(engine) == before
    assert bakery.shop_id != cafe.shop_id


async def test_a_shop_whose_ids_are_taken_is_refused_and_nothing_changes(
    engine: AsyncEngine, make_uow: MakeUow, tmp_path: Path, backend: str
) -> None:
    await fill(make_uow)
    path = tmp_path / "cafe.gz"
    await backup(engine, path)
    async with another_database(backend, tmp_path, "busy") as url:
        busy = create_engine(url)
        try:
            later = NOW + timedelta(days=1)
            await fill(uow_factory(busy), "Elsewhere", owner_id=OWNER_ID + 7, at=later)
            before = await everything(busy)
            with pytest.raises(BackupError, match="used by another shop"):
                await restore(busy, path)
            assert await everything(busy) == before
        finally:
            await busy.dispose()


async def test_the_commands_back_up_and_restore_and_say_what_is_wrong(
    engine: AsyncEngine,
    make_uow: MakeUow,
    tmp_path: Path,
    backend: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cafe = await fill(make_uow)
    url = engine.url.render_as_string(hide_password=False)
    path = str(tmp_path / "cafe.gz")
    assert await stockbot("backup", "--list", database_url=url) == 0
    assert f"{cafe.shop_id}\tCorner Cafe" in capsys.readouterr().out
    assert await stockbot("backup", path, "--shop", str(cafe.shop_id), database_url=url) == 0
    assert "Backed up shops" in capsys.readouterr().out
    assert await stockbot("restore", path, database_url=url) == 1
    assert "--replace" in capsys.readouterr().err
    assert await stockbot("restore", path, "--replace", database_url=url) == 0
    assert "Restored shops" in capsys.readouterr().out
    assert await stockbot("backup", path, "--shop", "999", database_url=url) == 1
    assert "No shop with id 999" in capsys.readouterr().err
    (tmp_path / "junk.gz").write_bytes(b"not a backup")
    assert await stockbot("restore", str(tmp_path / "junk.gz"), database_url=url) == 1
    assert "is not a stockbot backup" in capsys.readouterr().err


@pytest.mark.postgres
async def test_pg_dump_and_pg_restore_round_trip_a_whole_database(tmp_path: Path) -> None:
    """What the README tells operators to run, on scratch databases of this test's own."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump / pg_restore are not installed")
    if error := await postgres_error():
        unreachable("PostgreSQL", error)
    source_url = await create_database("stockbot_dump_src")
    target_url = await create_database("stockbot_dump_dst", migrate=False)
    source = create_engine(source_url)
    target = create_engine(target_url)
    try:
        await fill(uow_factory(source))
        dump = tmp_path / "stockbot.dump"
        plain = make_url(source_url).set(drivername="postgresql").render_as_string(False)
        await run(["pg_dump", "-Fc", "-d", plain, "-f", str(dump)])
        plain_target = make_url(target_url).set(drivername="postgresql").render_as_string(False)
        await run(["pg_restore", "--no-owner", "-d", plain_target, str(dump)])
        assert await everything(target) == await everything(source)
        await fill(uow_factory(target), "After", owner_id=OWNER_ID + 3)  # sequences came too
    finally:
        await source.dispose()
        await target.dispose()
        await drop_database(source_url)
        await drop_database(target_url)
