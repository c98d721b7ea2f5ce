"""The Mini App on aiohttp: /api/v1 (a sub-application with its own error handling,
CORS and the OpenAPI document) and the page under /app/.

`mount(app, deps)` is the one hook the bot's web server calls."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from pydantic import BaseModel

from core import languages
from core.errors import DomainError
from core.model import LANGUAGES
from webapp import openapi
from webapp.api import api
from webapp.calls import SESSION, json_error, prepare, set_cookie
from webapp.deps import CSRF_HEADER, IDEMPOTENCY_HEADER, MiniAppDeps
from webapp.errors import (
    FORBIDDEN,
    N_,
    UNAVAILABLE,
    UNPROCESSABLE,
    ApiError,
    from_domain,
    language_of,
)
from webapp.routing import Operation
from webapp.session_store import SessionStoreUnavailable
from webapp.sessions import Session

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
APP_PREFIX = "/app"
STATIC = Path(__file__).parent / "static"
DEPS = web.AppKey("miniapp_deps", MiniAppDeps)
VERSION = "1.0.0"

_HTTP_CODES = {
    400: "bad_request",
    401: "not_logged_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


@web.middleware
async def error_shape(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure leaves as {"error": {...}}; a traceback never does."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except ApiError as error:
        deps = request.app[DEPS]
        language = await caller_language(request, deps, request.get(SESSION))
        return json_error(error.in_language(deps.words, language))
    except DomainError as error:
        deps = request.app[DEPS]
        language = await caller_language(request, deps, request.get(SESSION))
        return json_error(from_domain(error, deps.words, language))
    except SessionStoreUnavailable:
        log.warning("mini app: the session store is unreachable", exc_info=True)
        unavailable = ApiError(UNAVAILABLE, "unavailable", N_("Try again in a moment."))
        return json_error(_said_to_the_browser(unavailable, request))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "error")
        response = json_error(ApiError(exc.status, code, exc.reason or "Error."))
        if exc.status == 405 and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("mini app: %s %s failed", request.method, request.path)
        failed = ApiError(500, "internal", N_("Something went wrong on our side."))
        return json_error(_said_to_the_browser(failed, request))


def _said_to_the_browser(error: ApiError, request: web.Request) -> ApiError:
    """Our own failure in the browser's language: the database may be what failed, so
    the person's own choice is not read."""
    language = language_of(request.headers.get("Accept-Language")) or LANGUAGES[0]
    return error.in_language(request.app[DEPS].words, language)


def _cors(deps: MiniAppDeps) -> Middleware:
    """Closed unless CORS origins are configured; the app's own origin needs none."""

    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        allowed = origin is not None and origin in deps.config.cors_origins
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            if not allowed:
                return json_error(ApiError(FORBIDDEN, "cors", "This origin may not call the API."))
            response: web.StreamResponse = web.Response(status=204)
            response.headers.update(
                {
                    "Access-Control-Allow-Methods": "GET, POST, PATCH, DELETE",
                    "Access-Control-Allow-Headers": (
                        f"Content-Type, {CSRF_HEADER}, {IDEMPOTENCY_HEADER}"
                    ),
                    "Access-Control-Max-Age": "600",
                }
            )
        else:
            response = await handler(request)
        if allowed and not response.prepared:
            assert origin is not None
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        return response

    return cors


def _endpoint(operation: Operation, deps: MiniAppDeps) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        call = await prepare(request, operation, deps)
        try:
            reply = await operation.handler(call)
        except DomainError as error:
            language = await caller_language(request, deps, call.session)
            refusal = from_domain(error, deps.words, language)
            raise _blamed(refusal, call.sent_fields, operation) from None
        response: web.StreamResponse
        if isinstance(reply, BaseModel):
            # pydantic writes the JSON itself (in Rust), not a dict for json.dumps to walk
            response = web.json_response(text=reply.model_dump_json(), status=operation.status)
        else:
            response = reply
        if not response.prepared:
            session = call.set_session or call.session
            if session is not None and session.renewed and not call.clear_session:
                set_cookie(response, deps, session)
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    handle.__name__ = operation.operation_id
    return handle


async def caller_language(
    request: web.Request, deps: MiniAppDeps, session: Session | None = None
) -> str:
    """The language to answer in: the signed-in person's (their /language choice, else
    the one their Telegram app was last seen in), else what the browser asks for
    (Accept-Language), else English. Asked only when there is something to word."""
    if session is not None:
        try:
            found = await languages.language_of(deps.uow(), session.user_id)
        except Exception:  # the refusal still goes out, in the browser's language
            log.warning("mini app: could not read the language of %s", session.user_id)
        else:
            if spoken := found.chosen or found.seen:
                return spoken
    return language_of(request.headers.get("Accept-Language")) or LANGUAGES[0]


def _blamed(error: ApiError, sent: frozenset[str], operation: Operation) -> ApiError:
    """A refused value with no field named, in a request that sent only one field, is
    that field's fault (a PATCH of one setting). A field core names that this request
    has not (a whole-unit `quantity` refused in a product's threshold) is not named."""
    fields = operation.body.model_fields if operation.body is not None else {}
    if error.field is not None and fields and error.field not in fields:
        error.field = None
    if error.status == UNPROCESSABLE and error.field is None and len(sent) == 1:
        (error.field,) = sent
    return error


def api_application(deps: MiniAppDeps) -> web.Application:
    app = web.Application(middlewares=[_cors(deps), error_shape])
    app[DEPS] = deps
    for operation in api.operations:
        path = operation.path
        for name in operation.path_params:
            path = path.replace("{" + name + "}", "{" + name + r":\d+}")
        app.router.add_route(operation.method, path, _endpoint(operation, deps))
    document = json.dumps(openapi.build(api.operations, title="stockbot", version=VERSION))

    async def openapi_json(_: web.Request) -> web.Response:
        return web.Response(text=document, content_type="application/json")

    app.router.add_get("/openapi.json", openapi_json)
    return app


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    content_type: str


def _assets(root: Path) -> dict[str, Asset]:
    assets = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            kind = "text/javascript"
        assets[path.relative_to(root).as_posix()] = Asset(
            body=body,
            gzipped=gzip.compress(body, 9, mtime=0),
            etag='"' + hashlib.sha256(body).hexdigest()[:20] + '"',
            content_type=kind,
        )
    return assets


PAGE_HEADERS = {
    # Telegram Web shows Mini Apps in an iframe on web.telegram.org.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _page_handler(assets: dict[str, Asset]) -> Handler:
    async def page(request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name", "") or "index.html"
        asset = assets.get(name)
        if asset is None:
            raise web.HTTPNotFound()
        headers = {**PAGE_HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache"}
        if request.headers.get("If-None-Match") == asset.etag:
            return web.Response(status=304, headers=headers)
        body = asset.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
        return web.Response(body=body, content_type=asset.content_type, headers=headers)

    return page


def mount(app: web.Application, deps: MiniAppDeps) -> None:
    """Serve the API under /api/v1 and the page under /app/ on the bot's web app."""
    app.add_subapp(API_PREFIX, api_application(deps))
    page = _page_handler(_assets(STATIC))

    async def to_app(request: web.Request) -> web.Response:
        raise web.HTTPFound(
            APP_PREFIX + "/" + (f"?{request.query_string}" if request.query_string else "")
        )

    app.router.add_get(APP_PREFIX, to_app)
    app.router.add_get(APP_PREFIX + "/", page)
    app.router.add_get(APP_PREFIX + "/{name:[A-Za-z0-9_./-]+}", page)
