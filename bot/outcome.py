"""What became of the update being handled, carried with it in a context variable.

python-telegram-bot's `process_update` swallows handler errors and hands them to the
error handler; the inbox still has to know whether to mark the update done or retry it.
The inbox processor opens an `UpdateOutcome` around each update and reads it afterwards;
the error handler, awaited inside `process_update` in the same task, records a failure
in it. Nothing is shared between updates, so concurrent updates cannot see each other's
outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class UpdateOutcome:
    update_id: int
    # Our own failure (e.g. the database): the update is retried.
    error: str | None = None
    # The person was told no (a domain or input error): nothing of theirs is recorded.
    refused: bool = False

    def fail(self, error: BaseException | str) -> None:
        self.error = error if isinstance(error, str) else repr(error)


_current: ContextVar[UpdateOutcome | None] = ContextVar("update_outcome", default=None)


@contextmanager
def handling(update_id: int) -> Iterator[UpdateOutcome]:
    """The outcome of `update_id`, current while the block runs."""
    outcome = UpdateOutcome(update_id)
    token = _current.set(outcome)
    try:
        yield outcome
    finally:
        _current.reset(token)


def current() -> UpdateOutcome | None:
    """The outcome of the update handled in this task, if any."""
    return _current.get()
