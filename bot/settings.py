"""The one settings class. Read once, at start-up; nothing else reads the environment."""

from __future__ import annotations

import os
import re
import string
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"
# What @BotFather issues: the bot's id, a colon, a secret of URL-safe characters.
BOT_TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{10,}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    # No DATABASE_URL: the embedded SQLite file; no REDIS_URL: state in process memory.
    database_url: str | None = None
    redis_url: str | None = None
    # No BOT_TOKEN: `stockbot run` opens the console chat on a local Bot API server.
    bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    telegram_api_base_file_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # JSON lines for a log collector, or plain text for a person; unset: JSON when
    # serving, text in the console chat.
    log_format: Literal["json", "text"] | None = None
    redis_prefix: str = "stockbot:"
    poll_timeout: int = Field(default=30, ge=0, le=50)
    # Updates handled at once per process; each chat's are always one at a time, in
    # order. Handlers mostly wait on the database and Telegram, so many per core.
    inbox_workers: int = Field(default_factory=lambda: default_concurrency(), ge=1, le=512)
    # How long a process that died keeps its updates (and so their chats) before any
    # other process takes them over; renewed every third of it while an update runs.
    inbox_lease_seconds: float = Field(default=20.0, ge=1.0, le=600.0)
    # Keep replies within Telegram's flood limits; off only for a Bot API server that
    # has none (the console's local one).
    telegram_rate_limit: bool = True
    # How often pending alerts are sent and daily digests are looked for.
    alert_dispatch_seconds: float = Field(default=2.0, gt=0, le=60)
    alert_scan_seconds: float = Field(default=60.0, gt=0, le=3600)
    # The Mini App: its public https address (the bot's /app/ behind your proxy), the
    # age past which Telegram's login data is refused, how long an unused login lasts,
    # and other origins allowed to call /api/v1 from a browser (comma-separated).
    miniapp_url: str | None = None
    miniapp_init_data_max_age: int = Field(default=24 * 60 * 60, ge=60, le=7 * 24 * 60 * 60)
    miniapp_session_days: int = Field(default=30, ge=1, le=365)
    miniapp_cors_origins: str = ""

    @field_validator("database_url", "redis_url", "webhook_url", "miniapp_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # A malformed token would only fail later, at Telegram, after retries; the value
        # itself is never repeated in the message (it is a secret).
        if value is not None and BOT_TOKEN_SHAPE.fullmatch(value.get_secret_value()) is None:
            raise ValueError(
                "is not a bot token: @BotFather gives one like 123456789:AAHk…, "
                "the bot's number, a colon and its secret"
            )
        return value

    @field_validator("telegram_api_base_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and urlparse(value).scheme not in {"http", "https"}:
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("miniapp_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        # Telegram opens Mini Apps over https only.
        if value is not None and (urlparse(value).scheme != "https" or not urlparse(value).netloc):
            raise ValueError("must be an https:// URL")
        return value

    @field_validator("miniapp_cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in filter(None, (o.strip() for o in value.split(","))):
            parsed = urlparse(origin)
            if parsed.scheme not in {"http", "https"} or not parsed.netloc or parsed.path:
                raise ValueError(f"{origin!r} is not an origin such as https://shop.example")
        return value

    @property
    def cors_origins(self) -> frozenset[str]:
        return frozenset(filter(None, (o.strip() for o in self.miniapp_cors_origins.split(","))))

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None:
            secret = value.get_secret_value()
            allowed = set(string.ascii_letters + string.digits + "_-")
            if not (1 <= len(secret) <= 256) or not set(secret) <= allowed:
                raise ValueError("use 1-256 characters: letters, digits, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        # Without it anyone who learns the URL could post updates as any user.
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL needs WEBHOOK_SECRET (letters, digits, _ and -)")
        return self

    @property
    def base_file_url(self) -> str:
        if self.telegram_api_base_file_url:
            return self.telegram_api_base_file_url
        return self.telegram_api_base_url.removesuffix("/bot") + "/file/bot"

    @property
    def webhook_path(self) -> str:
        return urlparse(self.webhook_url).path or "/" if self.webhook_url else "/"


def default_concurrency() -> int:
    return min(16 * (os.cpu_count() or 1), 64)


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"Bad configuration: {problems}") from None
