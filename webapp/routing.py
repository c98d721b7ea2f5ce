"""Operations of the API, declared once: the aiohttp routes and the OpenAPI document are
both made from these declarations and the pydantic models they name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel

if TYPE_CHECKING:
    from webapp.calls import Call

Reply = BaseModel | web.StreamResponse
Handler = Callable[["Call"], Awaitable[Reply]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in OpenAPI, relative to /api/v1: /shops/{shop_id}
    handler: Handler
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    needs_session: bool = True
    idempotency_key: bool = False
    replay_status: int | None = None  # the status of a replayed create
    media_type: str = "application/json"
    description: str = ""

    @property
    def changes_state(self) -> bool:
        return self.method not in SAFE_METHODS

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


class Api:
    """The list of operations, filled by `@api.get(...)`-style decorators."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def operation(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            doc = (handler.__doc__ or "").strip()
            summary, _, description = doc.partition("\n")
            self.operations.append(
                Operation(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=options.pop("summary", summary.strip()),
                    description=options.pop("description", description.strip()),
                    **options,
                )
            )
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("POST", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.operation("DELETE", path, **options)
