"""A method's parameters as the Bot API reads them: the query string, a JSON body, or a
form/multipart body (where python-telegram-bot JSON-encodes every non-string value)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from devtools.localapi.errors import bad_request


class Params:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, FileField):
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def required_str(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise bad_request(f"parameter {name} is required")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool | FileField):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.casefold() in ("true", "1")
        return bool(value)

    def json_value(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> FileField | str | None:
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
        return value if isinstance(value, FileField | str) else None


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return Params(values)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("the JSON body must be an object")
        values.update(body)
    else:
        form = await request.post()
        values.update({key: value for key, value in form.items()})
    return Params(values)
