"""The console chat takes what a person types or pastes: lines into messages, console
commands at once, `:quit` at once. Its LocalBotApi is never started: nothing goes over the
network, the updates stay pending."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from devtools.console import OWNER, Console, Entry, LineAssembler, StdinLines, _app_url
from devtools.localapi import LocalBotApi
from webapp.initdata import validate

WAIT = 5.0  # a liveness guard; each step here takes milliseconds


def messages(entries: list[Entry]) -> list[str]:
    return [e.text for e in entries if not e.command]


def test_lines_ending_in_a_backslash_are_one_message() -> None:
    lines = LineAssembler()
    assert lines.entries(["/count \\\n"], pasted=False) == []
    assert lines.entries(["flour 12\\\n"], pasted=False) == []
    assert messages(lines.entries(["sugar 3\n"], pasted=False)) == ["/count \nflour 12\nsugar 3"]


def test_a_pasted_block_is_one_message() -> None:
    block = ["/restock\n", "flour 12\n", "sugar 3\n"]
    entries = LineAssembler().entries(block, pasted=True)
    assert entries == [Entry("/restock\nflour 12\nsugar 3", command=False)]


def test_typed_lines_are_messages_of_their_own() -> None:
    entries = LineAssembler().entries(["/sell milk 1\n", "/sell milk 2\n"], pasted=False)
    assert messages(entries) == ["/sell milk 1", "/sell milk 2"]


def test_a_console_command_in_a_paste_stands_alone() -> None:
    entries = LineAssembler().entries(["/count\n", "flour 1\n", ":as bob\n", "hi\n"], pasted=True)
    assert entries == [
        Entry("/count\nflour 1", command=False),
        Entry(":as bob", command=True),
        Entry("hi", command=False),
    ]


def test_a_backslash_carries_a_colon_line_into_the_message() -> None:
    entries = LineAssembler().entries(["note \\\n", ":1\n"], pasted=False)
    assert entries == [Entry("note \n:1", command=False)]


def test_empty_lines_and_smileys_are_not_console_commands() -> None:
    entries = LineAssembler().entries(["\n", "   \n", ":)\n"], pasted=False)
    assert entries == [Entry(":)", command=False)]


async def batches_from(queue: asyncio.Queue[list[str] | None]) -> AsyncIterator[list[str]]:
    while (batch := await queue.get()) is not None:
        yield batch


async def test_console_commands_and_empty_lines_do_not_wait_for_an_answer() -> None:
    api = LocalBotApi()
    console = Console(api, answer_wait=600)
    queue: asyncio.Queue[list[str] | None] = asyncio.Queue()
    session = asyncio.create_task(console.session(batches_from(queue), pasted=False))
    for line in (":as bob", ":group", ":list", "", ":dm", ":as nobody", ":7", "hello"):
        queue.put_nowait([line + "\n"])
    try:
        await api.wait_for(lambda: len(api.pending_updates()) == 1, WAIT)
    finally:
        session.cancel()
    update = api.pending_updates()[0]
    assert update["message"]["text"] == "hello"
    assert update["message"]["from"]["first_name"] == "Bob"
    assert update["message"]["chat"]["type"] == "private"


async def test_quit_ends_the_session_at_once_and_takes_nothing_after_it() -> None:
    api = LocalBotApi()
    queue: asyncio.Queue[list[str] | None] = asyncio.Queue()
    queue.put_nowait([":as eve\n", ":quit\n", "/start\n"])
    async with asyncio.timeout(WAIT):
        await Console(api, answer_wait=600).session(batches_from(queue), pasted=True)
    assert api.pending_updates() == []


async def test_lines_that_arrive_together_are_one_batch() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stream, os.fdopen(write_end, "w") as writer:
        lines = StdinLines(stream, paste_gap=0.2)
        lines.start()
        writer.write("/count\nflour 12\nsugar 3\n")
        writer.flush()
        batches = lines.batches()
        async with asyncio.timeout(WAIT):
            assert await anext(batches) == ["/count\n", "flour 12\n", "sugar 3\n"]
        writer.close()
        async with asyncio.timeout(WAIT):
            assert [b async for b in batches] == []


async def test_lines_typed_while_the_console_waits_stay_separate_messages() -> None:
    """Lines typed one by one while an answer was awaited were once taken as one pasted
    block: `/link` and the `/sell` after it became one multi-line message."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stream, os.fdopen(write_end, "w") as writer:
        lines = StdinLines(stream, paste_gap=0.05)
        lines.start()
        for typed in ("/link\n", "/sell croissant 1\n"):
            writer.write(typed)
            writer.flush()
            await asyncio.sleep(0.5)  # typing takes longer than a paste
        batches = lines.batches()
        async with asyncio.timeout(WAIT):
            assert await anext(batches) == ["/link\n"]
            assert await anext(batches) == ["/sell croissant 1\n"]


async def test_a_user_may_speak_another_language_and_send_a_file(tmp_path: Path) -> None:
    """A Russian phone and /export's file sent back were not possible from the console."""
    exported = tmp_path / "stock.csv"
    exported.write_text("product,on_hand\nmilk,3\n")
    api = LocalBotApi()
    console = Console(api, answer_wait=0.01)  # no bot answers here
    queue: asyncio.Queue[list[str] | None] = asyncio.Queue()
    session = asyncio.create_task(console.session(batches_from(queue), pasted=False))
    for line in (":lang ru", "привет", f":send {exported} import this", ":send nowhere.csv"):
        queue.put_nowait([line + "\n"])
    try:
        await api.wait_for(lambda: len(api.pending_updates()) == 2, WAIT)
    finally:
        session.cancel()
    said, sent = (update["message"] for update in api.pending_updates())
    assert said["from"]["language_code"] == "ru"
    assert sent["document"]["file_name"] == "stock.csv"
    assert sent["caption"] == "import this"


def test_an_older_message_s_button_is_a_console_command() -> None:
    entries = LineAssembler().entries([":2^1\n", ":lang ru\n", ":send a.csv\n"], pasted=False)
    assert all(entry.command for entry in entries)


def test_the_login_door_signs_different_data_for_two_openings_in_one_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two browsers opening the printed link within one second: the same signed data
    would be refused the second time as a replay (seen in CI as a page that never
    loaded)."""
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    api = LocalBotApi()
    first, second = _app_url(api, 8080), _app_url(api, 8080)
    assert first != second
    for url in (first, second):
        init_data = unquote(url.split("#tgWebAppData=", 1)[1])
        assert validate(init_data, api.token, now=1_800_000_000.0).user.id == OWNER.id
