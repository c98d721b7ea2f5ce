"""The layers' dependencies point inward: core knows nothing of the outer layers, and the
product knows nothing of the tools beside it (devtools)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from devtools.structure import imported_modules

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "core": {
        "bot",
        "db",
        "jobs",
        "devtools",
        "telegram",
        "sqlalchemy",
        "redis",
        "aiohttp",
        "apscheduler",
        "asyncpg",
        "aiosqlite",
        "alembic",
        "pydantic_settings",
        "webapp",
    },
    "db": {"bot", "jobs", "devtools", "telegram", "webapp"},
    # The store the chat's state and the Mini App's sessions share: it knows neither.
    "ttlstore": {"core", "db", "bot", "jobs", "devtools", "webapp", "telegram"},
    "bot": {"devtools"},
    # The chat's words word core's codes and values: an error a person is told of is
    # core's (core.errors), never an adapter's, so the words know no db, job or framework.
    "bot/texts": {
        "db",
        "jobs",
        "webapp",
        "ttlstore",
        "devtools",
        "telegram",
        "sqlalchemy",
        "redis",
        "aiohttp",
    },
    "jobs": {"devtools"},
    # The Mini App is an interface like bot/: the composition root hands it the rest.
    "webapp": {
        "bot",
        "db",
        "jobs",
        "devtools",
        "telegram",
        "sqlalchemy",
        "asyncpg",
        "aiosqlite",
        "alembic",
    },
}
# The `stockbot` command opens the console for `stockbot chat` and a tokenless `stockbot
# run`: it may import devtools inside that branch, never at module level.
LAZY_ONLY = {"bot/cli.py": {"devtools"}}


def forbidden_imports(path: Path, forbidden: set[str]) -> set[str]:
    lazy = LAZY_ONLY.get(path.relative_to(ROOT).as_posix(), set())
    found = imported_modules(path) & (forbidden - lazy)
    return found | (imported_modules(path, top_level_only=True) & lazy & forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_from_outer_layers(layer: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(forbidden_imports(path, FORBIDDEN[layer]))
        for path in (ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


# Inside bot/handlers/stock (split by reason to change), the modules a module may not
# import: reading a command and wording its replies know no handler; a batch never asks,
# so it reaches no single command's steps; the card and /undo record no typed command.
STOCK_HANDLERS = ROOT / "bot" / "handlers" / "stock"
STOCK_FORBIDDEN = {
    "reading": {"replies", "single", "batch", "steps", "card", "undo"},
    "replies": {"single", "batch", "steps", "card", "undo"},
    "batch": {"single", "steps", "card", "undo"},
    "card": {"reading", "single", "batch", "steps", "undo"},
    "single": {"steps", "card", "undo"},
    "undo": {"reading", "single", "batch", "steps"},
}


def stock_modules_imported(path: Path) -> set[str]:
    prefix = "bot.handlers.stock."
    modules = (
        node.module or ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
    )
    return {m.removeprefix(prefix) for m in modules if m.startswith(prefix)}


@pytest.mark.parametrize("module", sorted(STOCK_FORBIDDEN))
def test_the_stock_handlers_import_each_other_one_way(module: str) -> None:
    imported = stock_modules_imported(STOCK_HANDLERS / f"{module}.py")
    assert imported & STOCK_FORBIDDEN[module] == set()


def test_the_cli_reaches_the_console_only_when_asked() -> None:
    cli = ROOT / "bot" / "cli.py"
    assert "devtools" in imported_modules(cli)
    assert "devtools" not in imported_modules(cli, top_level_only=True)
