"""With no token, `stockbot run` serves the Mini App on loopback and prints a link that
logs the console's owner in: a newcomer sees the pages in a normal browser, with no
Telegram at all — in any browser, as often as they open it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.browser import CONTEXT, chromium
from tests.e2e.harness import START_TIMEOUT
from tests.e2e.test_console import GUARD, Terminal


async def test_the_printed_link_logs_the_owner_in_in_every_browser(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    try:
        link = re.compile(r"Mini App \(logs you in as \w+\): (\S+)\s")
        assert terminal.read_until("Mini App", START_TIMEOUT), terminal.output
        for _ in range(int(GUARD / 0.2)):
            if link.search(terminal.output):
                break
            terminal.read_until("\0", 0.2)  # reads on until the whole line is in
        found = link.search(terminal.output)
        assert found, terminal.output
        terminal.type("/newshop Cafe")
        assert terminal.read_until("is ready", GUARD), terminal.output
        async with chromium() as browser:
            # Two browsers (the second one was refused: the printed login data was
            # used up by the first).
            for _ in range(2):
                context = await browser.new_context(**CONTEXT)
                page = await context.new_page()
                await page.goto(found.group(1))
                await page.wait_for_selector("#view[data-page='dashboard'][data-ready='1']")
                assert await page.text_content("#title") == "Cafe"
                await context.close()
        terminal.type(":quit")
        assert terminal.exited_within(GUARD), terminal.output
    finally:
        terminal.close()
