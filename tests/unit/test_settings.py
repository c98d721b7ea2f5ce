"""Configuration: one settings class; a bad value stops start-up with one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import TELEGRAM_API, SettingsError, load_settings


def test_defaults_need_nothing_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "BOT_TOKEN", "WEBHOOK_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.bot_token is None
    assert settings.telegram_api_base_url == TELEGRAM_API
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.port == 8080


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "  ")
    monkeypatch.setenv("BOT_TOKEN", "")
    settings = load_settings(_env_file=None)
    assert settings.database_url is None
    assert settings.bot_token is None


def test_webhook_path_comes_from_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://shop.example/tg/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret_token")
    assert load_settings(_env_file=None).webhook_path == "/tg/hook"


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("PORT", "eighty", "PORT"),
        ("PORT", "70000", "PORT"),
        ("WEBHOOK_SECRET", "has spaces!", "WEBHOOK_SECRET"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        # issue 9 item 8: "abc" went on to reach Telegram
        ("BOT_TOKEN", "abc", "BOT_TOKEN"),
        ("BOT_TOKEN", "123456:short", "BOT_TOKEN"),
        ("BOT_TOKEN", "123456:AAHk word-with-space-in-it", "BOT_TOKEN"),
    ],
)
def test_a_bad_value_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    message = str(refused.value)
    assert named in message
    assert "\n" not in message


def test_the_command_prints_one_line_and_no_traceback() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env={"PORT": "not-a-port", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "PORT" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_webhook_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://shop.example/tg/hook")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(_env_file=None)


def test_a_webhook_secret_is_ascii_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://shop.example/tg/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "café")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(_env_file=None)


def test_a_refused_token_is_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "not-a-token-but-a-secret")
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    assert "not-a-token-but-a-secret" not in str(refused.value)


def test_a_token_as_botfather_gives_it_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHkR2-xO_q4Zb9yJ3nT0pLm5vWcE7sDfGh")
    settings = load_settings(_env_file=None)
    assert settings.bot_token is not None
