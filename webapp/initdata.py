"""Telegram Mini App `initData`: checked exactly as Telegram documents it.

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
The data-check-string is every received field but `hash`, as `key=value` sorted by key
and joined by line feeds; the secret key is HMAC-SHA256 of the bot token keyed with
"WebAppData"; the hash is the hex HMAC-SHA256 of the data-check-string under that key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

DEFAULT_MAX_AGE_SECONDS = 24 * 60 * 60
# A little clock skew between Telegram's servers and ours is not an attack.
FUTURE_SKEW_SECONDS = 60
MAX_INIT_DATA = 4096


class InitDataRefused(Exception):
    """initData that does not prove who the user is; `reason` says why, for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str = ""
    username: str = ""
    language_code: str = ""

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or (f"@{self.username}" if self.username else str(self.id))


@dataclass(frozen=True)
class InitData:
    user: WebAppUser
    auth_date: int
    query_id: str = ""
    start_param: str = ""


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """initData as Telegram would send it for these fields (the console's login link
    and the tests use it; production data always comes from Telegram)."""
    check = _data_check_string(fields)
    digest = hmac.new(_secret_key(bot_token), check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def signed_for(
    user: WebAppUser, bot_token: str, *, auth_date: int | None = None, **extra: str
) -> str:
    user_json = {"id": user.id, "first_name": user.first_name}
    if user.last_name:
        user_json["last_name"] = user.last_name
    if user.username:
        user_json["username"] = user.username
    if user.language_code:
        user_json["language_code"] = user.language_code
    fields = {
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
        "user": json.dumps(user_json, separators=(",", ":"), ensure_ascii=False),
        **extra,
    }
    return sign(fields, bot_token)


def validate(
    init_data: str,
    bot_token: str,
    *,
    max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS,
    now: float | None = None,
) -> InitData:
    """The user the data was signed for; raises InitDataRefused otherwise."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        raise InitDataRefused("empty or oversized")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRefused("a field appears twice")
    given = fields.get("hash", "")
    expected = hmac.new(
        _secret_key(bot_token), _data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InitDataRefused("bad signature")
    try:
        auth_date = int(fields["auth_date"])
    except (KeyError, ValueError):
        raise InitDataRefused("no auth_date") from None
    moment = time.time() if now is None else now
    if auth_date > moment + FUTURE_SKEW_SECONDS:
        raise InitDataRefused("auth_date in the future")
    if moment - auth_date > max_age_seconds:
        raise InitDataRefused("expired")
    return InitData(
        user=_user(fields.get("user", "")),
        auth_date=auth_date,
        query_id=fields.get("query_id", ""),
        start_param=fields.get("start_param", ""),
    )


def _user(raw: str) -> WebAppUser:
    try:
        data = json.loads(raw)
        user_id = data["id"]
    except (ValueError, KeyError, TypeError):
        raise InitDataRefused("no user") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InitDataRefused("no user")

    def text(name: str) -> str:
        value = data.get(name, "")
        return value[:128] if isinstance(value, str) else ""

    return WebAppUser(
        id=user_id,
        first_name=text("first_name"),
        last_name=text("last_name"),
        username=text("username"),
        language_code=text("language_code"),
    )
