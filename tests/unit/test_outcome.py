"""The outcome of an update travels with it: concurrent updates never see each other's."""

from __future__ import annotations

import asyncio

from bot import outcome


async def test_a_failure_is_recorded_on_the_update_being_handled_only() -> None:
    async def handle(update_id: int, fails: bool) -> str | None:
        with outcome.handling(update_id) as result:
            await asyncio.sleep(0)  # let the other update run in between
            current = outcome.current()
            assert current is result
            if fails:
                current.fail(RuntimeError("database down"))
            await asyncio.sleep(0)
        return result.error

    failed, fine = await asyncio.gather(handle(1, True), handle(2, False))

    assert failed == "RuntimeError('database down')"
    assert fine is None
    assert outcome.current() is None
