"""Telegram initData, checked as Telegram documents it."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest

from webapp.initdata import InitDataRefused, WebAppUser, sign, signed_for, validate

TOKEN = "123456:ABC-DEF"
NOW = 1_800_000_000


def test_accepts_data_signed_as_telegram_documents() -> None:
    # Built by hand from the documented recipe, independently of `sign`.
    fields = {"auth_date": str(NOW), "query_id": "AAH", "user": '{"id":7,"first_name":"Ann"}'}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    raw = "&".join(f"{k}={v}" for k, v in fields.items()) + f"&hash={digest}"
    data = validate(raw, TOKEN, now=NOW)
    assert (data.user.id, data.user.first_name, data.query_id) == (7, "Ann", "AAH")


def test_signature_covers_every_field_including_new_ones() -> None:
    raw = signed_for(WebAppUser(7, "Ann"), TOKEN, auth_date=NOW, signature="ed25519-sig")
    assert validate(raw, TOKEN, now=NOW).user.id == 7
    tampered = raw.replace("ed25519-sig", "ed25519-xxx")
    with pytest.raises(InitDataRefused, match="bad signature"):
        validate(tampered, TOKEN, now=NOW)


@pytest.mark.parametrize(
    ("age", "accepted"), [(0, True), (86_400, True), (86_401, False), (-61, False)]
)
def test_refuses_data_older_than_the_max_age(age: int, accepted: bool) -> None:
    raw = signed_for(WebAppUser(7, "Ann"), TOKEN, auth_date=NOW - age)
    if accepted:
        assert validate(raw, TOKEN, now=NOW).auth_date == NOW - age
    else:
        with pytest.raises(InitDataRefused):
            validate(raw, TOKEN, now=NOW)


def test_max_age_is_configurable() -> None:
    raw = signed_for(WebAppUser(7, "Ann"), TOKEN, auth_date=NOW - 600)
    with pytest.raises(InitDataRefused, match="expired"):
        validate(raw, TOKEN, max_age_seconds=300, now=NOW)


def test_refuses_another_bots_signature() -> None:
    raw = signed_for(WebAppUser(7, "Ann"), "654321:OTHER", auth_date=NOW)
    with pytest.raises(InitDataRefused, match="bad signature"):
        validate(raw, TOKEN, now=NOW)


@pytest.mark.parametrize(
    "raw",
    ["", "hash=", "garbage", "auth_date=1&hash=00", "x" * 5000],
)
def test_refuses_malformed_data(raw: str) -> None:
    with pytest.raises(InitDataRefused):
        validate(raw, TOKEN, now=NOW)


def test_refuses_signed_data_without_a_user() -> None:
    raw = sign({"auth_date": str(NOW)}, TOKEN)
    with pytest.raises(InitDataRefused, match="no user"):
        validate(raw, TOKEN, now=NOW)


def test_refuses_a_field_sent_twice() -> None:
    raw = signed_for(WebAppUser(7, "Ann"), TOKEN, auth_date=NOW)
    with pytest.raises(InitDataRefused, match="twice"):
        validate(raw + "&auth_date=1", TOKEN, now=NOW)
    assert len(parse_qsl(raw)) == 3
