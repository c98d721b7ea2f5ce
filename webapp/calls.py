"""One API call: who is asking (the session), in which shop (core decides), with what
(path, query and body validated by the operation's models), and how the answer goes out."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlparse

from aiohttp import web
from pydantic import BaseModel, ValidationError

from core.access import Actor
from core.model import Member, Shop
from core.shops import shop_of
from webapp.deps import CSRF_HEADER, IDEMPOTENCY_HEADER, SESSION_COOKIE, MiniAppDeps
from webapp.errors import (
    BAD_REQUEST,
    FORBIDDEN,
    N_,
    NOT_FOUND,
    UNAUTHORIZED,
    UNPROCESSABLE,
    ApiError,
    Refused,
)
from webapp.routing import Operation
from webapp.schemas import MAX_ID
from webapp.sessions import Session

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Here:
    """The caller as a member of the shop the path names."""

    actor: Actor
    shop: Shop
    member: Member


class Call:
    def __init__(
        self,
        request: web.Request,
        operation: Operation,
        deps: MiniAppDeps,
        session: Session | None,
        query: BaseModel | None,
        body: BaseModel | None,
        ids: dict[str, int],
        idempotency_key: str | None,
    ) -> None:
        self.request = request
        self.operation = operation
        self.deps = deps
        self.session = session
        self._query = query
        self._body = body
        self.ids = ids
        self._idempotency_key = idempotency_key
        self.set_session: Session | None = None  # a session to send as a cookie
        self.clear_session = False

    @property
    def sent_fields(self) -> frozenset[str]:
        """The body's fields the caller set."""
        return frozenset(self._body.model_fields_set) if self._body is not None else frozenset()

    @property
    def user_id(self) -> int:
        assert self.session is not None, "this operation needs a session"
        return self.session.user_id

    def query(self, model: type[M]) -> M:
        assert isinstance(self._query, model)
        return self._query

    def body(self, model: type[M]) -> M:
        assert isinstance(self._body, model)
        return self._body

    def idempotency_key(self) -> str:
        """The key of the ledger change: per user, so nobody can replay another's."""
        assert self._idempotency_key is not None
        return f"a{self.user_id}:{self._idempotency_key}"

    def actor(self) -> Actor:
        """The caller in the shop the path names, not yet authorized: for an operation
        whose use case authorizes (and gives back the member), saving a transaction."""
        return Actor(self.user_id, self.ids["shop_id"])

    async def here(self) -> Here:
        actor = self.actor()
        shop, member = await shop_of(self.deps.uow(), actor)
        return Here(actor, shop, member)

    async def retrying(self, run: Callable[[], Awaitable[T]]) -> T:
        """Run a ledger change; a concurrent twin with the same key is answered with the
        first result on the second try."""
        try:
            return await run()
        except self.deps.retry_once_on:
            return await run()


# The request's session, once authenticated (webapp.server says errors in its language).
SESSION = "stockbot.session"


def _cookie_token(request: web.Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


async def authenticate(request: web.Request, deps: MiniAppDeps) -> Session:
    session = await deps.sessions.find(_cookie_token(request))
    if session is None:
        raise ApiError(
            UNAUTHORIZED, "not_logged_in", N_("Log in again: open the app from the bot.")
        )
    return session


def own_origin_allowed(request: web.Request, deps: MiniAppDeps) -> bool:
    """A browser's Origin header on a change must be the app's own or a configured one."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin in deps.config.cors_origins:
        return True
    public = deps.config.public_url
    if public is not None:
        parsed = urlparse(public)
        if origin == f"{parsed.scheme}://{parsed.netloc}":
            return True
    return urlparse(origin).netloc == request.host


def check_csrf(request: web.Request, deps: MiniAppDeps, session: Session) -> None:
    """Changes need the session's CSRF token in a header (which another site's page
    cannot set without CORS, and cannot read) and a same-site Origin."""
    given = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(given.encode(), session.csrf_token.encode()):
        raise ApiError(
            FORBIDDEN,
            "csrf",
            N_("Missing or wrong {header} header."),
            values={"header": CSRF_HEADER},
        )
    if not own_origin_allowed(request, deps):
        raise ApiError(FORBIDDEN, "csrf", N_("Requests from this origin are not allowed."))


def _field(error: dict[str, Any], prefix: tuple[str, ...] = ()) -> str | None:
    parts = [str(p) for p in (*prefix, *error.get("loc", ())) if p != "__root__"]
    return ".".join(parts) or None


def validation_error(exc: ValidationError) -> ApiError:
    first = exc.errors(include_url=False)[0]
    if first.get("type") == "json_invalid":
        return ApiError(BAD_REQUEST, "bad_json", N_("The body is not valid JSON."))
    if first.get("type") == "model_type" and not first.get("loc"):
        return ApiError(BAD_REQUEST, "bad_json", N_("The body must be a JSON object."))
    refused = (first.get("ctx") or {}).get("error")
    if isinstance(refused, Refused):  # ours: said in the caller's language
        field = _field(dict(first))
        return ApiError(UNPROCESSABLE, "invalid", refused.message, field, values=refused.values)
    message = str(first.get("msg", "Invalid value.")).removeprefix("Value error, ")
    return ApiError(UNPROCESSABLE, "invalid", message, _field(dict(first)))


def _ids(request: web.Request, operation: Operation) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name in operation.path_params:
        raw = request.match_info.get(name, "")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
            raise ApiError(NOT_FOUND, "not_found", N_("There is no such resource."), name)
        ids[name] = int(raw)
    return ids


async def _body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    if request.content_type != "application/json":
        raise ApiError(
            BAD_REQUEST, "bad_json", N_("Send a JSON body (Content-Type: application/json).")
        )
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(BAD_REQUEST, "too_large", N_("The body is too large."))
    raw = await request.read()
    if len(raw) > MAX_BODY:
        raise ApiError(BAD_REQUEST, "too_large", N_("The body is too large."))
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise validation_error(exc) from None


def _query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    known = model.model_fields
    values = {k: v for k, v in request.query.items() if k in known}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise validation_error(exc) from None


def _idempotency_key(request: web.Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        raise ApiError(
            BAD_REQUEST,
            "idempotency_key_missing",
            N_(
                "Send an {header} header (8-64 letters, digits, - or _) with a create, "
                "new for each one, the same when retrying it."
            ),
            IDEMPOTENCY_HEADER,
            values={"header": IDEMPOTENCY_HEADER},
        )
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(
            BAD_REQUEST,
            "idempotency_key_invalid",
            N_("An {header} is 8-64 letters, digits, - or _."),
            IDEMPOTENCY_HEADER,
            values={"header": IDEMPOTENCY_HEADER},
        )
    return key


async def prepare(request: web.Request, operation: Operation, deps: MiniAppDeps) -> Call:
    """Everything checked before the operation runs, in the order that leaks least:
    who is asking first, then what they sent."""
    session = None
    if operation.needs_session:
        session = await authenticate(request, deps)
        request[SESSION] = session  # whose language an error is said in
        if operation.changes_state:
            check_csrf(request, deps, session)
    elif operation.changes_state and not own_origin_allowed(request, deps):
        raise ApiError(FORBIDDEN, "csrf", N_("Requests from this origin are not allowed."))
    ids = _ids(request, operation)
    key = _idempotency_key(request) if operation.idempotency_key else None
    query = _query(request, operation.query) if operation.query else None
    body = await _body(request, operation.body) if operation.body else None
    return Call(request, operation, deps, session, query, body, ids, key)


def set_cookie(response: web.StreamResponse, deps: MiniAppDeps, session: Session) -> None:
    secure = deps.config.secure_cookies
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=deps.config.session_lifetime,
        path="/",
        httponly=True,
        secure=secure,
        # Telegram Web shows the app in an iframe of another site: a cross-site cookie,
        # which browsers send only with SameSite=None, and only when Secure.
        samesite="None" if secure else "Lax",
    )


def clear_cookie(response: web.StreamResponse, deps: MiniAppDeps) -> None:
    secure = deps.config.secure_cookies
    response.del_cookie(
        SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="None" if secure else "Lax"
    )


def json_error(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status)
