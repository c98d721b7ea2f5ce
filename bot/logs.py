"""Logging: JSON lines (one object a line, for a log collector) or plain text for a
person at a terminal, chosen by LOG_FORMAT. Every line says which update, chat and shop
it is about when there is one: the inbox binds the update and chat around each update,
`bot.handlers.base.here` the shop once it is known (context variables, so concurrent
updates never mix theirs). Our modules and libraries log through the standard `logging`
module; structlog formats every record the same way."""

from __future__ import annotations

import logging
from typing import Literal

import structlog

LogFormat = Literal["json", "text"]

# Per-request and per-job lines would drown what matters (jobs run every 2 s).
CHATTY = ("httpx", "apscheduler")


def configure(level: int, log_format: LogFormat) -> None:
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    final: list[structlog.typing.Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta
    ]
    if log_format == "json":  # the console renderer prints a traceback itself
        final.append(structlog.processors.format_exc_info)
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[*final, renderer])
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def bind(**values: object) -> None:
    """Say on every line logged from here on in this task what it is about."""
    structlog.contextvars.bind_contextvars(**values)
