"""The ceiling for bench.webhook_bench: a bare python-telegram-bot echo bot, as its own
documentation builds one — `Application.run_webhook` (PTB's tornado webhook server) and
one handler that answers every text with itself. No database, no state, no inbox.

    ECHO_TOKEN=… ECHO_API=http://127.0.0.1:…/bot ECHO_PORT=… ECHO_SECRET=… \
        python -m bench.echo_bot
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> None:
    port = int(os.environ["ECHO_PORT"])
    application = (
        Application.builder()
        .token(os.environ["ECHO_TOKEN"])
        .base_url(os.environ["ECHO_API"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        secret_token=os.environ["ECHO_SECRET"],
        webhook_url=f"http://127.0.0.1:{port}/hook",
    )


if __name__ == "__main__":
    main()
