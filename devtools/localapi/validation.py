"""What the bot sends, checked as Telegram checks it: text and caption lengths after entity
parsing (in UTF-16 code units), the HTML parse mode, inline keyboards and their data."""

from __future__ import annotations

import html
import re
from typing import Any

from devtools.localapi.errors import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_TOAST = 200
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "code", "pre", "blockquote", "tg-emoji"}
)  # fmt: skip
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*)?)\s*>")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text(text: str, parse_mode: str | None, limit: int, too_long: str) -> None:
    mode = (parse_mode or "").casefold()
    shown = check_html(text) if mode == "html" else text
    if not shown.strip() and limit == MAX_TEXT:
        raise bad_request("message text is empty")
    if utf16_length(shown) > limit:
        raise bad_request(too_long)


def check_html(text: str) -> str:
    """The text a reader sees, after checking the HTML as Telegram's parser would refuse
    it: unknown tags, stray `<`, unbalanced tags."""
    open_tags: list[str] = []
    shown: list[str] = []
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            shown.append(text[position:])
            break
        shown.append(text[position:start])
        match = TAG.match(text, start)
        offset = len(text[:start].encode())
        if match is None:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "" at byte offset {offset}'
            )
        closing, name = match[1] == "/", match[2].casefold()
        if name not in HTML_TAGS:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
            )
        if not closing:
            _check_attributes(name, match[3], offset)
        if closing:
            if not open_tags or open_tags[-1] != name:
                raise bad_request(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            open_tags.pop()
        else:
            open_tags.append(name)
        position = match.end()
    if open_tags:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"'
        )
    return html.unescape("".join(shown))


# Tags Telegram refuses without a particular attribute.
_REQUIRED_ATTRIBUTES = {
    "a": re.compile(r"""\bhref\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)"""),
    "span": re.compile(r"""\bclass\s*=\s*["']?tg-spoiler\b"""),
    "tg-emoji": re.compile(r"""\bemoji-id\s*=\s*["']?\d+"""),
}


def _check_attributes(name: str, attributes: str, offset: int) -> None:
    required = _REQUIRED_ATTRIBUTES.get(name)
    if required is not None and required.search(attributes) is None:
        raise bad_request(
            f'can\'t parse entities: Tag "{name}" must have a required attribute at byte '
            f"offset {offset}"
        )


def checked_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards and the like are kept as sent
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            data = button.get("callback_data")
            actions = [k for k in button if k != "text"]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            web_app = button.get("web_app")
            if web_app is not None and not str(dict(web_app).get("url", "")).startswith("https://"):
                raise bad_request("BUTTON_URL_INVALID")  # Mini Apps open over https only
    return markup
