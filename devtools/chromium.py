"""Headless Chromium for the Mini App's browser tests, benchmark and screenshots:
Debian's package (Playwright's own browser download is not possible here), started
quiet: no updates, sync or background traffic to Google from a test machine."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
