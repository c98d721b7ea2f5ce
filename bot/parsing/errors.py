"""A parse failure, worded for the person who typed the command."""

from __future__ import annotations


class ParseError(Exception):
    """Malformed command text. `message` says what was wrong, `usage` the right form;
    `line` is the 1-based line of a multi-line message, when there was one."""

    def __init__(self, message: str, usage: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.line = line

    def at_line(self, line: int) -> ParseError:
        return ParseError(self.message, self.usage, line=line)

    def __repr__(self) -> str:
        return f"ParseError({self.message!r}, usage={self.usage!r}, line={self.line!r})"


def shorten(text: str, limit: int = 30) -> str:
    """`text` cut to `limit` characters, for quoting the input back in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
