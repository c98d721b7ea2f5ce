"""Backup and restore of one shop, several, or all, as one gzip'd JSON file.

The file holds every row of the shops' data (catalog, batches, the whole ledger, members,
linked groups, invites, alert state) and the Telegram users who are their members, with
the ids they have, so a restore gives back exactly what was backed up. It is the same on
PostgreSQL and SQLite: a backup of one can be restored into the other. The inbox of
updates is left out (it is transient, and the bot's own).

A restore is one transaction: all of it or nothing. It refuses to overwrite: a shop that
still exists is replaced only with `replace=True` (its rows are deleted first, the ledger
included), and rows whose ids are taken by another shop's are refused, since silently
renumbering a ledger would break every reference to it. Users, and groups or invites
another shop holds already, are kept as they are. For a whole database, pg_dump is the
tool (see the README).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeDecorator

from db import alert_models, models  # noqa: F401  (alert tables join the metadata)
from db.models import metadata

FORMAT = "stockbot-backup"
VERSION = 1
TRANSIENT = frozenset({"update_inbox"})
# Kept from the ledger and the catalog by the database itself (migrations 0016-0018): a
# restore's movements and products fill them again, so they are neither written nor read.
DERIVED = frozenset({"sales_by_hour", "stock_by_shop", "expiry_by_shop"})
CHUNK = 1000


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Summary:
    shops: list[tuple[int, str]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # rows already there, left as they were


async def list_shops(engine: AsyncEngine) -> list[tuple[int, str]]:
    shops = metadata.tables["shops"]
    async with engine.connect() as connection:
        rows = await connection.execute(select(shops.c.id, shops.c.name).order_by(shops.c.id))
        return [(row.id, row.name) for row in rows]


def _tables() -> list[Table]:
    return [t for t in metadata.sorted_tables if t.name not in TRANSIENT | DERIVED]


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _decoder(column: Column[Any]) -> Any:
    kind_of = column.type
    if isinstance(kind_of, TypeDecorator):
        kind_of = kind_of.impl_instance  # its python_type says only `object`
    try:
        kind = kind_of.python_type
    except NotImplementedError:
        return lambda value: value
    if kind is Decimal:
        return lambda value: None if value is None else Decimal(value)
    if kind is datetime:
        return lambda value: None if value is None else datetime.fromisoformat(value)
    if kind is date:
        return lambda value: None if value is None else date.fromisoformat(value)
    if kind is time:
        return lambda value: None if value is None else time.fromisoformat(value)
    return lambda value: value


async def _revision(connection: AsyncConnection) -> str | None:
    try:
        result = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except Exception as error:
        raise BackupError(
            "This database has no stockbot schema: run `stockbot migrate`."
        ) from error
    return result.scalar()


def _where_shops(table: Table, shop_ids: Sequence[int] | None, user_ids: set[int]) -> Any:
    if shop_ids is None:
        return None
    if table.name == "shops":
        return table.c.id.in_(shop_ids)
    if "shop_id" in table.c:
        return table.c.shop_id.in_(shop_ids)
    if table.name == "users":
        return table.c.id.in_(user_ids)
    if "user_id" in table.c:
        return table.c.user_id.in_(user_ids)
    return False


async def backup(engine: AsyncEngine, path: Path, shop_ids: Sequence[int] | None = None) -> Summary:
    """Write the shops (None: all) to `path`; one consistent snapshot."""
    summary = Summary()
    tables: dict[str, dict[str, Any]] = {}
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        revision = await _revision(connection)
        shops = metadata.tables["shops"]
        query = select(shops.c.id, shops.c.name).order_by(shops.c.id)
        if shop_ids is not None:
            query = query.where(shops.c.id.in_(shop_ids))
        summary.shops = [(row.id, row.name) for row in await connection.execute(query)]
        if shop_ids is not None:
            missing = sorted(set(shop_ids) - {shop_id for shop_id, _ in summary.shops})
            if missing:
                raise BackupError(f"No shop with id {', '.join(map(str, missing))} here.")
        members = metadata.tables["members"]
        user_ids = {
            row.user_id
            for row in await connection.execute(
                select(members.c.user_id).where(
                    members.c.shop_id.in_([shop_id for shop_id, _ in summary.shops])
                )
            )
        }
        for table in _tables():
            statement = select(table)
            where = _where_shops(table, shop_ids, user_ids)
            if where is not None:
                statement = statement.where(where)
            if table.primary_key.columns:
                statement = statement.order_by(*table.primary_key.columns)
            result = await connection.execute(statement)
            columns = list(result.keys())
            rows = [[_encode(value) for value in row] for row in result]
            tables[table.name] = {"columns": columns, "rows": rows}
            summary.rows[table.name] = len(rows)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "revision": revision,
        "shops": [{"id": shop_id, "name": name} for shop_id, name in summary.shops],
        "complete": shop_ids is None,
        "tables": tables,
    }
    with gzip.open(path, "wt", encoding="utf-8") as out:
        json.dump(document, out, separators=(",", ":"))
    return summary


def _read(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            document = json.load(source)
    except (OSError, EOFError, ValueError) as error:
        raise BackupError(f"{path} is not a stockbot backup ({error}).") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path} is not a stockbot backup.")
    if document.get("version") != VERSION:
        raise BackupError(
            f"{path} is a backup of format {document.get('version')}; "
            f"this stockbot reads format {VERSION}."
        )
    return document


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_keeping(connection: AsyncConnection, table: Table) -> Any:
    """An insert that leaves rows already there (same key) as they are; a user whose
    active shop went with a replaced shop gets it back."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    if table.name == "users":
        return statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={
                "active_shop_id": func.coalesce(
                    table.c.active_shop_id, statement.excluded.active_shop_id
                )
            },
        )
    return statement.on_conflict_do_nothing()


# Rows that may already exist, held by this database in its own right: users are
# Telegram's people; a group or an invite code can belong to one shop only.
KEPT_IF_PRESENT = frozenset({"users", "group_chats", "invites", "alert_blocked_recipients"})


async def restore(engine: AsyncEngine, path: Path, *, replace: bool = False) -> Summary:
    document = _read(path)
    summary = Summary(shops=[(shop["id"], shop["name"]) for shop in document["shops"]])
    shop_ids = [shop_id for shop_id, _ in summary.shops]
    known = {t.name: t for t in _tables()}
    async with engine.begin() as connection:
        # A backup of an older schema restores into a newer one: the columns added since
        # take their defaults. Columns the database lacks are refused below.
        await _revision(connection)
        shops = known["shops"]
        present = [
            (row.id, row.name)
            for row in await connection.execute(
                select(shops.c.id, shops.c.name, shops.c.created_at).where(shops.c.id.in_(shop_ids))
            )
            if _same_shop(row, document)
        ]
        if present and not replace:
            names = ", ".join(f"{shop_id} “{name}”" for shop_id, name in present)
            raise BackupError(
                f"Shop {names} exists in this database. Restore with --replace to delete it "
                "and put the backup in its place, or restore into another database."
            )
        if present:
            await connection.execute(delete(shops).where(shops.c.id.in_([i for i, _ in present])))
        for name, content in document["tables"].items():
            table = known.get(name)
            if table is None:
                raise BackupError(f"The backup has a table “{name}” this stockbot does not know.")
            unknown = [c for c in content["columns"] if c not in table.c]
            if unknown:
                raise BackupError(
                    f"The backup's {name} has columns this database lacks ({', '.join(unknown)}): "
                    "run `stockbot migrate` with the stockbot that made the backup, or newer."
                )
        for table in _tables():
            content = document["tables"].get(table.name)
            if not content or not content["rows"]:
                continue
            columns = content["columns"]
            decoders = [_decoder(table.c[c]) for c in columns]
            rows = [
                {c: decode(v) for c, decode, v in zip(columns, decoders, row, strict=True)}
                for row in content["rows"]
            ]
            if table.name in KEPT_IF_PRESENT:
                before = await _count(connection, table)
                for chunk in _chunks(rows):
                    await connection.execute(_insert_keeping(connection, table), chunk)
                added = await _count(connection, table) - before
                summary.rows[table.name] = added
                summary.kept[table.name] = len(rows) - added
                continue
            await _refuse_taken_ids(connection, table, rows)
            for chunk in _chunks(rows):
                await connection.execute(insert(table), chunk)
            summary.rows[table.name] = len(rows)
        if connection.dialect.name == "postgresql":
            await _advance_sequences(connection)
    return summary


def _same_shop(row: Any, document: dict[str, Any]) -> bool:
    """Whether the shop with this id here is the backup's (made at the same moment),
    not another that happens to have its id; another one is refused, never replaced."""
    content = document["tables"]["shops"]
    position = {name: i for i, name in enumerate(content["columns"])}
    for saved in content["rows"]:
        if saved[position["id"]] == row.id:
            created = saved[position["created_at"]]
            mine = None if row.created_at is None else row.created_at.isoformat()
            if created == mine and (created is not None or saved[position["name"]] == row.name):
                return True
            break
    raise BackupError(
        f"Shop id {row.id} is used by another shop (“{row.name}”) in this database, so the "
        "backup cannot be restored here without renumbering its ledger. Restore into a new "
        "database (stockbot migrate, then stockbot restore)."
    )


async def _count(connection: AsyncConnection, table: Table) -> int:
    return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def _refuse_taken_ids(
    connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]
) -> None:
    if "id" not in table.c or list(table.primary_key.columns) != [table.c.id]:
        return
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), CHUNK):
        taken = await connection.execute(
            select(func.count())
            .select_from(table)
            .where(table.c.id.in_(ids[start : start + CHUNK]))
        )
        if taken.scalar_one():
            raise BackupError(
                f"Some of the backup's {table.name} ids are used by another shop in this "
                "database, so it cannot be restored here without renumbering its ledger. "
                "Restore into a new database (stockbot migrate, then stockbot restore)."
            )


async def _advance_sequences(connection: AsyncConnection) -> None:
    """Identity sequences past the restored ids, so new rows do not collide with them."""
    for table in _tables():
        if "id" not in table.c or list(table.primary_key.columns) != [table.c.id]:
            continue
        sequence = (
            await connection.execute(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
            )
        ).scalar()
        if sequence is None:
            continue
        await connection.execute(
            text(
                f"SELECT setval(:sequence, GREATEST((SELECT COALESCE(MAX(id), 1) FROM "
                f"{table.name}), (SELECT last_value FROM {sequence})), true)"
            ),
            {"sequence": sequence},
        )
