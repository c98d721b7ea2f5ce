"""What the Mini App needs from the composition root, and nothing more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.ports import Clock, UnitOfWork
from webapp.errors import Words
from webapp.initdata import DEFAULT_MAX_AGE_SECONDS
from webapp.session_store import SessionStore
from webapp.sessions import DEFAULT_LIFETIME_SECONDS, Sessions

SESSION_COOKIE = "stockbot_session"
CSRF_HEADER = "X-CSRF-Token"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class MiniAppConfig:
    bot_token: str
    # The page's public address (MINIAPP_URL); None serves it without announcing it.
    public_url: str | None = None
    init_data_max_age: int = DEFAULT_MAX_AGE_SECONDS
    session_lifetime: int = DEFAULT_LIFETIME_SECONDS
    # Secure cookies whenever the page is served over https (production).
    secure_cookies: bool = False
    # Origins other than the app's own that may call the API from a browser.
    cors_origins: frozenset[str] = frozenset()


@dataclass
class MiniAppDeps:
    config: MiniAppConfig
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    store: SessionStore
    sessions: Sessions
    # How core's refusals are worded, in a language: the chat's words (bot.texts.why).
    words: Words
    # Errors after which running the same request again returns its first result (a
    # concurrent duplicate of an idempotency key); the use case is retried once.
    retry_once_on: tuple[type[Exception], ...] = field(default_factory=tuple)

    def uow(self) -> UnitOfWork:
        return self.uow_factory()


def build_deps(
    config: MiniAppConfig,
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    store: SessionStore,
    words: Words,
    retry_once_on: tuple[type[Exception], ...] = (),
) -> MiniAppDeps:
    sessions = Sessions(
        store, lifetime=config.session_lifetime, replay_window=config.init_data_max_age + 120
    )
    return MiniAppDeps(config, uow_factory, clock, store, sessions, words, retry_once_on)
