"""Mini App login sessions: opened with a checked initData, carried by a cookie.

The cookie holds a random token; the store keeps the session under the token's SHA-256,
so a copy of the store opens nobody's session. Expiry slides: a session used at least
once per `lifetime` stays open ("remember me" on a phone); it is renewed at most every
`refresh_every` so most requests write nothing. Who may do what is never cached here:
every request asks core, so a member removed from a shop loses it at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from webapp.initdata import InitData
from webapp.session_store import SessionStore

DEFAULT_LIFETIME_SECONDS = 30 * 24 * 60 * 60
REFRESH_EVERY_SECONDS = 60 * 60


class InitDataReplayed(Exception):
    """This initData was already used to open a session."""


@dataclass(frozen=True)
class Session:
    token: str  # what the cookie carries; never stored
    user_id: int
    csrf_token: str
    expires_at: float
    name: str = ""  # the Telegram name at login, for the page's greeting
    renewed: bool = False  # the cookie must be sent again with the new expiry


def _key(token: str) -> str:
    return "webapp:session:" + hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(
        self,
        store: SessionStore,
        *,
        lifetime: int = DEFAULT_LIFETIME_SECONDS,
        replay_window: int,
        refresh_every: int = REFRESH_EVERY_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.lifetime = lifetime
        self._replay_window = replay_window
        self._refresh_every = refresh_every
        self._clock = clock

    async def open(self, init_data: InitData, raw_init_data_hash: str) -> Session:
        """A new session for the user the initData names; each initData opens one."""
        used = await self._store.add(
            "webapp:initdata:" + raw_init_data_hash,
            {"user_id": init_data.user.id},
            self._replay_window,
        )
        if not used:
            raise InitDataReplayed()
        return await self.open_for(init_data.user.id, init_data.user.display_name)

    async def open_for(self, user_id: int, name: str = "") -> Session:
        now = self._clock()
        token = secrets.token_urlsafe(32)
        session = Session(
            token=token,
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(24),
            expires_at=now + self.lifetime,
            name=name,
            renewed=True,
        )
        await self._save(session, now)
        return session

    async def find(self, token: str) -> Session | None:
        """The open session this cookie token names, renewed when due."""
        if not token or len(token) > 128:
            return None
        record = await self._store.get(_key(token))
        if record is None:
            return None
        now = self._clock()
        session = Session(
            token=token,
            user_id=int(record["user_id"]),
            csrf_token=str(record["csrf"]),
            expires_at=float(record["expires_at"]),
            name=str(record.get("name", "")),
        )
        if session.expires_at <= now:
            await self._store.delete(_key(token))
            return None
        if now - float(record.get("renewed_at", 0)) >= self._refresh_every:
            session = replace(session, expires_at=now + self.lifetime, renewed=True)
            await self._save(session, now)
        return session

    async def close(self, token: str) -> None:
        await self._store.delete(_key(token))

    async def _save(self, session: Session, now: float) -> None:
        await self._store.put(
            _key(session.token),
            {
                "user_id": session.user_id,
                "csrf": session.csrf_token,
                "expires_at": session.expires_at,
                "name": session.name,
                "renewed_at": now,
            },
            max(1, int(session.expires_at - now)),
        )
