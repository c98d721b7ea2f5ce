"""The `stockbot` command: migrate, run, chat."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Mapping, Sequence

from bot.settings import Settings, SettingsError, load_settings


def _configure_logging(settings: Settings, *, quiet: bool = False, console: bool = False) -> None:
    from bot.logs import configure

    level = logging.WARNING if quiet else getattr(logging, settings.log_level)
    configure(level, settings.log_format or ("text" if console else "json"))


async def _migrate(settings: Settings) -> None:
    from db.engine import database_url
    from db.migrate import upgrade

    url = database_url(settings.database_url)
    await upgrade(url)
    print("Database schema is up to date.")


def _print_summary(
    done: str, shops: Sequence[tuple[int, str]], rows: Mapping[str, int], ending: str
) -> None:
    named = ", ".join(f"{shop_id} {name}" for shop_id, name in shops) or "none"
    print(f"{done} shops: {named}.")
    print(
        f"{rows.get('products', 0)} products, {rows.get('movements', 0)} "
        f"movements, {rows.get('members', 0)} members{ending}"
    )


async def _backup(
    settings: Settings, path: str | None, shop_ids: list[int] | None, listing: bool
) -> None:
    from pathlib import Path

    from db.backup import BackupError, backup, list_shops
    from db.engine import create_engine, database_url

    engine = create_engine(database_url(settings.database_url))
    try:
        if listing:
            for shop_id, name in await list_shops(engine):
                print(f"{shop_id}\t{name}")
            return
        if path is None:
            raise BackupError("Name the file to write: stockbot backup FILE [--shop ID]")
        summary = await backup(engine, Path(path), shop_ids)
    finally:
        await engine.dispose()
    _print_summary("Backed up", summary.shops, summary.rows, f" → {path}")


async def _restore(settings: Settings, path: str, replace: bool) -> None:
    from pathlib import Path

    from db.backup import restore
    from db.engine import create_engine, database_url

    engine = create_engine(database_url(settings.database_url))
    try:
        summary = await restore(engine, Path(path), replace=replace)
    finally:
        await engine.dispose()
    _print_summary("Restored", summary.shops, summary.rows, ".")
    kept = {table: count for table, count in summary.kept.items() if count}
    if kept:
        print(
            "Already here and kept as they were: "
            + ", ".join(f"{count} {table}" for table, count in kept.items())
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockbot", description="Inventory assistant for small shops, run from Telegram."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database to the latest schema")
    running = commands.add_parser(
        "run",
        help="run the bot (polling, or webhook when WEBHOOK_URL is set); "
        "without BOT_TOKEN it opens the console chat",
    )
    running.add_argument(
        "--no-console",
        action="store_true",
        help="refuse to start without BOT_TOKEN instead of opening the console chat "
        "(a container has no terminal to chat in)",
    )
    commands.add_parser("chat", help="try the bot in this terminal, no Telegram needed")
    saving = commands.add_parser(
        "backup", help="write one shop, several or all (the default) to a file"
    )
    saving.add_argument("file", nargs="?", help="where to write the backup (gzip'd JSON)")
    saving.add_argument("--list", action="store_true", help="list the shops and their ids")
    saving.add_argument(
        "--shop",
        type=int,
        action="append",
        dest="shops",
        metavar="ID",
        help="the shop's id (see --list); repeat for several; all shops without it",
    )
    loading = commands.add_parser("restore", help="put the shops of a backup file back")
    loading.add_argument("file")
    loading.add_argument(
        "--replace",
        action="store_true",
        help="delete a shop of the backup that still exists here before restoring it",
    )
    return parser


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (not on Windows): every update wakes
    the bot for a dozen sockets' reads and writes (the webhook, PostgreSQL, Redis, the
    reply), and asyncio's own loop spent more CPU around them than uvloop's. None:
    asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "run" and args.no_console and settings.bot_token is None:
        print("BOT_TOKEN is not set: put the token from @BotFather in .env.", file=sys.stderr)
        return 2

    from bot.bootstrap import StartupError
    from db.backup import BackupError

    try:
        if args.command == "backup":
            asyncio.run(_backup(settings, args.file, args.shops, args.list))
        elif args.command == "restore":
            asyncio.run(_restore(settings, args.file, args.replace))
        elif args.command == "migrate":
            _configure_logging(settings)
            asyncio.run(_migrate(settings))
        elif args.command == "run" and settings.bot_token is not None:
            _configure_logging(settings)
            from bot.runner import serve

            with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
                runner.run(serve(settings, settings.bot_token.get_secret_value()))
        else:
            _configure_logging(settings, quiet=True, console=True)
            from devtools.console import run_console

            if args.command == "run":
                print("No BOT_TOKEN set: starting the console chat instead of Telegram.\n")
            asyncio.run(run_console(settings))
    except (StartupError, BackupError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
