"""Mini App sessions: sliding expiry, logout, one session per initData."""

from __future__ import annotations

import pytest

from webapp.initdata import InitData, WebAppUser
from webapp.session_store import MemorySessionStore
from webapp.sessions import InitDataReplayed, Sessions

DAY = 24 * 60 * 60


class Ticking:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Ticking:
    return Ticking()


@pytest.fixture
def sessions(clock: Ticking) -> Sessions:
    return Sessions(MemorySessionStore(), lifetime=30 * DAY, replay_window=DAY, clock=clock)


LOGIN = InitData(WebAppUser(7, "Ann"), auth_date=0)


async def test_a_session_used_within_its_lifetime_slides_on(
    sessions: Sessions, clock: Ticking
) -> None:
    session = await sessions.open(LOGIN, "h1")
    for _ in range(3):  # 87 days of daily use: never logged out
        clock.now += 29 * DAY
        found = await sessions.find(session.token)
        assert found is not None and found.renewed
    clock.now += 31 * DAY
    assert await sessions.find(session.token) is None


async def test_renewal_is_not_written_on_every_request(sessions: Sessions, clock: Ticking) -> None:
    session = await sessions.open(LOGIN, "h1")
    clock.now += 60
    found = await sessions.find(session.token)
    assert found is not None and not found.renewed


async def test_logout_ends_the_session(sessions: Sessions) -> None:
    session = await sessions.open(LOGIN, "h1")
    await sessions.close(session.token)
    assert await sessions.find(session.token) is None


async def test_one_init_data_opens_one_session(sessions: Sessions) -> None:
    await sessions.open(LOGIN, "h1")
    with pytest.raises(InitDataReplayed):
        await sessions.open(LOGIN, "h1")


async def test_unknown_or_oversized_tokens_find_nothing(sessions: Sessions) -> None:
    assert await sessions.find("") is None
    assert await sessions.find("x" * 500) is None
    assert await sessions.find("never-issued") is None
