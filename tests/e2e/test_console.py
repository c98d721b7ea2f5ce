"""`stockbot chat` in a terminal (a pseudo-terminal here), as a person uses it: console
commands answer at once, a message gets the bot's answer, `:quit` leaves while the
terminal stays open."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.harness import SETTINGS_VARIABLES, START_TIMEOUT

GUARD = 60.0  # a hang detector, not a speed target


class Terminal:
    def __init__(self, workdir: Path) -> None:
        self.master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARIABLES}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "chat"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=workdir,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.output = ""

    def read_until(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:
                    break
        return text in self.output

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def exited_within(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return True
            self.read_until("\0", 0.1)
        return False

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def test_console_commands_answer_at_once_and_quit_leaves_an_open_terminal(
    tmp_path: Path,
) -> None:
    terminal = Terminal(tmp_path)
    try:
        assert terminal.read_until(":quit", START_TIMEOUT), terminal.output
        for line, answer in [
            (":as bob", "you are now Bob"),
            (":group", "talking in the group"),
            (":list", "no buttons here"),
            ("", ""),
            (":dm", "talking in your private chat"),
        ]:
            terminal.type(line)
            assert terminal.read_until(answer, GUARD), terminal.output
        terminal.type("/start \\")
        terminal.type("hello")
        assert terminal.read_until("bot → bob", GUARD), terminal.output
        terminal.type(":quit")
        assert terminal.exited_within(GUARD), terminal.output
        assert terminal.process.returncode == 0, terminal.output
        # The long poll's raw getUpdates printed a library warning into the chat.
        assert "Warning" not in terminal.output, terminal.output
    finally:
        terminal.close()
