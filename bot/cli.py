"""The `stockbot` command: migrate, run, chat."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.settings import Settings, SettingsError, load_settings


def _configure_logging(settings: Settings, quiet: bool = False) -> None:
    level = logging.WARNING if quiet else getattr(logging, settings.log_level)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Per-request and per-job lines would drown what matters (jobs run every 2 s).
    for chatty in ("httpx", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


async def _migrate(settings: Settings) -> None:
    from db.engine import database_url
    from db.migrate import upgrade

    url = database_url(settings.database_url)
    await upgrade(url)
    print("Database schema is up to date.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stockbot", description="Inventory assistant for small shops, run from Telegram."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database to the latest schema")
    commands.add_parser(
        "run",
        help="run the bot (polling, or webhook when WEBHOOK_URL is set); "
        "without BOT_TOKEN it opens the console chat",
    )
    commands.add_parser("chat", help="try the bot in this terminal, no Telegram needed")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    from bot.bootstrap import StartupError

    try:
        if args.command == "migrate":
            _configure_logging(settings)
            asyncio.run(_migrate(settings))
        elif args.command == "run" and settings.bot_token is not None:
            _configure_logging(settings)
            from bot.runner import serve

            asyncio.run(serve(settings, settings.bot_token.get_secret_value()))
        else:
            _configure_logging(settings, quiet=True)
            from devtools.console import run_console

            if args.command == "run":
                print("No BOT_TOKEN set: starting the console chat instead of Telegram.\n")
            asyncio.run(run_console(settings))
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
