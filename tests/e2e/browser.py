"""Headless Chromium for the Mini App tests: Debian's /usr/bin/chromium driven by
Playwright's Python package (its own browser download is not possible here). Missing
locally, the tests are skipped; under CI=true, where .ci/run installs it, they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from devtools.chromium import ARGS, CHROMIUM
from devtools.localapi import LocalBotApi, LocalUser
from webapp.initdata import WebAppUser, signed_for

# Playwright's waits evaluate strings, which the page's CSP (no eval) refuses; the page
# itself never needs eval.
CONTEXT = {"viewport": {"width": 360, "height": 740}, "bypass_csp": True}
PHONE = {"width": 360, "height": 740}


def chromium_path() -> str:
    found = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    path = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=path, headless=True, args=list(ARGS)
        )
        try:
            yield browser
        finally:
            await browser.close()


def app_url(
    base: str,
    api: LocalBotApi,
    user: LocalUser,
    *,
    query: str = "",
    language: str = "",
    **extra: str,
) -> str:
    """The page as Telegram opens it: launch parameters, signed initData among them
    (with the user's Telegram language, if given), in the fragment."""
    person = WebAppUser(
        user.id, user.first_name, username=user.username or "", language_code=language
    )
    data = signed_for(person, api.token)
    fragment = f"tgWebAppData={quote(data)}&tgWebAppVersion=8.0&tgWebAppPlatform=web"
    for name, value in extra.items():
        fragment += f"&{name}={quote(value)}"
    return f"{base}/app/{query}#{fragment}"
