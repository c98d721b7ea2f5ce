"""The operations of /api/v1. Each is thin: validated input → one core use case →
a response model. Rules (who may, what is allowed, statuses) are core's."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from core import catalog, export, inventory, ledger, shops
from core.access import Actor
from core.errors import ProductExists
from core.inventory import InventoryQuery, SortBy, StatusFilter
from core.ledger import MovementResult
from core.model import Member, Product, Reason, name_key
from core.product_fields import EDITABLE, ProductFields
from core.shops import SettingsChange
from core.status import shop_today, status_of
from webapp import present, schemas
from webapp.calls import Call, Here, clear_cookie
from webapp.deps import SESSION_COOKIE
from webapp.errors import CONFLICT, N_, NOT_FOUND, UNAUTHORIZED, UNPROCESSABLE, ApiError
from webapp.initdata import InitDataRefused, validate
from webapp.routing import Api
from webapp.sessions import InitDataReplayed, Session

log = logging.getLogger(__name__)

api = Api()

PRODUCT_KEY_TTL = 24 * 60 * 60
DOWNLOAD_SECONDS = 5 * 60
DOWNLOAD_KEY = "webapp:download:"
CHANGE = (400, 401, 403, 404, 422)


# -- session ---------------------------------------------------------------------------


async def _session_out(call: Call, session: Session) -> schemas.SessionOut:
    memberships = await shops.my_shops(call.deps.uow(), session.user_id)
    return schemas.SessionOut(
        user=schemas.UserOut(id=session.user_id, name=session.name),
        shops=[present.shop(s, m) for s, m in memberships],
        csrf_token=session.csrf_token,
        expires_at=datetime.fromtimestamp(session.expires_at, UTC),
    )


@api.post(
    "/session",
    tag="session",
    body=schemas.LoginRequest,
    response=schemas.SessionOut,
    needs_session=False,
    errors=(400, 401, 403, 422),
)
async def log_in(call: Call) -> schemas.SessionOut:
    """Log in with Telegram's initData; sets the session cookie.

    The initData is checked as Telegram documents (HMAC-SHA256 under a key derived from
    the bot token, auth_date no older than the configured age) and opens one session."""
    raw = call.body(schemas.LoginRequest).init_data
    config = call.deps.config
    try:
        data = validate(raw, config.bot_token, max_age_seconds=config.init_data_max_age)
    except InitDataRefused as refused:
        log.info("mini app login refused: %s", refused.reason)
        raise ApiError(
            UNAUTHORIZED, "init_data_invalid", N_("Telegram's login data is invalid or too old.")
        ) from None
    # The page logs in straight away when opened from Telegram (one request, not a look
    # for a session first); reopened with the same initData, it is its own session.
    held = await call.deps.sessions.find(call.request.cookies.get(SESSION_COOKIE, ""))
    if held is not None and held.user_id == data.user.id:
        call.set_session = held
        return await _session_out(call, held)
    try:
        session = await call.deps.sessions.open(data, hashlib.sha256(raw.encode()).hexdigest())
    except InitDataReplayed:
        raise ApiError(
            UNAUTHORIZED, "init_data_used", N_("This login was used already; open the app again.")
        ) from None
    await shops.register_user(call.deps.uow(), data.user.id, data.user.display_name)
    call.set_session = session
    return await _session_out(call, session)


@api.get("/session", tag="session", response=schemas.SessionOut, errors=(401,))
async def current_session(call: Call) -> schemas.SessionOut:
    """Who is logged in, their shops and the CSRF token; renews the session."""
    assert call.session is not None
    return await _session_out(call, call.session)


@api.delete("/session", tag="session", status=204, errors=(401, 403))
async def log_out(call: Call) -> web.Response:
    """Log out: the session ends and its cookie is cleared."""
    assert call.session is not None
    await call.deps.sessions.close(call.session.token)
    response = web.Response(status=204)
    clear_cookie(response, call.deps)
    return response


# -- shops -----------------------------------------------------------------------------


@api.get("/shops", tag="shops", response=schemas.ShopsOut, errors=(401,))
async def list_shops(call: Call) -> schemas.ShopsOut:
    """The caller's shops and their role in each."""
    memberships = await shops.my_shops(call.deps.uow(), call.user_id)
    return schemas.ShopsOut(shops=[present.shop(s, m) for s, m in memberships])


@api.get("/shops/{shop_id}", tag="shops", response=schemas.ShopOut, errors=(401, 404))
async def get_shop(call: Call) -> schemas.ShopOut:
    """One of the caller's shops, with its settings."""
    here = await call.here()
    return present.shop(here.shop, here.member)


@api.patch(
    "/shops/{shop_id}/settings",
    tag="shops",
    body=schemas.SettingsUpdate,
    response=schemas.ShopOut,
    errors=CHANGE,
)
async def update_settings(call: Call) -> schemas.ShopOut:
    """Change the shop's settings (owners)."""
    change = call.body(schemas.SettingsUpdate)
    alert_time = None
    if change.alert_time is not None:
        alert_time = datetime.strptime(change.alert_time, "%H:%M").time()
    here = await call.here()
    updated = await shops.update_settings(
        call.deps.uow(),
        here.actor,
        SettingsChange(
            timezone=change.timezone,
            currency=change.currency,
            near_expiry_days=change.near_expiry_days,
            alert_time=alert_time,
            day_first=change.day_first,
        ),
    )
    return present.shop(updated, here.member)


# -- reading stock ---------------------------------------------------------------------

_STATUS = {
    "all": StatusFilter.ALL,
    "low": StatusFilter.LOW,
    "out": StatusFilter.OUT,
    "near_expiry": StatusFilter.EXPIRING,
    "expired": StatusFilter.EXPIRED,
}
_SORT = {
    "name": SortBy.NAME,
    "quantity": SortBy.QUANTITY,
    "expiry": SortBy.EXPIRY,
    "days_left": SortBy.DAYS,
}


@api.get(
    "/shops/{shop_id}/dashboard",
    tag="stock",
    query=schemas.DashboardParams,
    response=schemas.DashboardOut,
    errors=(401, 404, 422),
)
async def dashboard(call: Call) -> schemas.DashboardOut:
    """The four boxes: low, out of stock, near expiry, expired, with the first few of each."""
    first = call.query(schemas.DashboardParams).first
    board = await inventory.dashboard(
        call.deps.uow(), call.actor(), now=call.deps.clock.now(), first=first
    )
    member = _viewer(board.member)

    def box(shown: inventory.DashboardBox) -> schemas.DashboardBoxOut:
        return schemas.DashboardBoxOut(
            count=shown.count,
            first=[present.inventory_item(member, line) for line in shown.first],
        )

    return schemas.DashboardOut(
        today=board.today,
        products=board.products,
        low=box(board.low),
        out=box(board.out),
        near_expiry=box(board.near_expiry),
        expired=box(board.expired),
        sales_today=present.money(board.takings.today) or "0",
        sales_this_week=present.money(board.takings.this_week) or "0",
        stock_at_cost=present.money(board.takings.stock_at_cost),
    )


def _viewer(member: Member | None) -> Member:
    """The member a read use case authorized: what they may see."""
    assert member is not None, "the use case names who asked"
    return member


@api.get(
    "/shops/{shop_id}/inventory",
    tag="stock",
    query=schemas.InventoryParams,
    response=schemas.InventoryPageOut,
    errors=(401, 404, 422),
)
async def inventory_page(call: Call) -> schemas.InventoryPageOut:
    """The stock list: filter by status, category and expiry; search; sort; page."""
    params = call.query(schemas.InventoryParams)
    now = call.deps.clock.now()
    query = InventoryQuery(
        status=_STATUS[params.status],
        category=params.category or None,
        sort=_SORT[params.sort],
        expires_before=params.expires_before,
        page=params.page,
        page_size=params.page_size,
        search=params.q or None,
    )
    page = await inventory.inventory(call.deps.uow(), call.actor(), query, now=now)
    member = _viewer(page.member)
    return schemas.InventoryPageOut(
        items=[present.inventory_item(member, line) for line in page.lines],
        total=page.total,
        page=params.page,
        page_size=params.page_size,
        pages=page.pages,
    )


@api.get(
    "/shops/{shop_id}/categories", tag="products", response=schemas.CategoriesOut, errors=(401, 404)
)
async def list_categories(call: Call) -> schemas.CategoriesOut:
    """The shop's product categories, sorted."""
    here = await call.here()
    return schemas.CategoriesOut(categories=await catalog.categories(call.deps.uow(), here.actor))


@api.get(
    "/shops/{shop_id}/products",
    tag="products",
    query=schemas.ProductListParams,
    response=schemas.ProductPageOut,
    errors=(401, 404, 422),
)
async def list_products(call: Call) -> schemas.ProductPageOut:
    """The catalog by name: search and filter by category; page. With `archived=true`,
    the archived products (to restore one)."""
    params = call.query(schemas.ProductListParams)
    if params.archived:
        here = await call.here()
        return _archived_page(
            here, params, await catalog.archived_products(call.deps.uow(), here.actor, params.q)
        )
    query = InventoryQuery(
        category=params.category or None,
        page=params.page,
        page_size=params.page_size,
        search=params.q or None,
    )
    page = await inventory.inventory(
        call.deps.uow(), call.actor(), query, now=call.deps.clock.now()
    )
    member = _viewer(page.member)
    return schemas.ProductPageOut(
        products=[present.product(member, line.product) for line in page.lines],
        total=page.total,
        page=params.page,
        page_size=params.page_size,
        pages=page.pages,
    )


def _archived_page(
    here: Here, params: schemas.ProductListParams, archived: list[Product]
) -> schemas.ProductPageOut:
    start = params.page * params.page_size
    return schemas.ProductPageOut(
        products=[
            present.product(here.member, p) for p in archived[start : start + params.page_size]
        ],
        total=len(archived),
        page=params.page,
        page_size=params.page_size,
        pages=max(1, -(-len(archived) // params.page_size)),
    )


@api.get(
    "/shops/{shop_id}/products/{product_id}",
    tag="products",
    response=schemas.ProductDetailOut,
    errors=(401, 404),
)
async def get_product(call: Call) -> schemas.ProductDetailOut:
    """A product with its status and batches (costs for owners only)."""
    card = await inventory.product_card(
        call.deps.uow(), call.actor(), call.ids["product_id"], now=call.deps.clock.now()
    )
    member = _viewer(card.member)
    return schemas.ProductDetailOut(
        product=present.product(member, card.product),
        stock_status=card.status.stock.value,
        expiry_status=card.status.expiry.value,
        batches=[present.batch(member, b) for b in card.batches],
        sold_per_day=present.per_day(card.pace),
        days_left=card.pace.days_left if card.pace is not None else None,
        today=card.today,
        currency=card.shop.currency,
    )


@api.get(
    "/shops/{shop_id}/products/{product_id}/timeline",
    tag="products",
    query=schemas.TimelineParams,
    response=schemas.TimelineOut,
    errors=(401, 404, 422),
)
async def product_timeline(call: Call) -> schemas.TimelineOut:
    """The product's stock level over the last days, for the chart."""
    days = call.query(schemas.TimelineParams).days
    here = await call.here()
    now = call.deps.clock.now()
    since = now - timedelta(days=days)
    timeline = await inventory.stock_timeline(
        call.deps.uow(), here.actor, call.ids["product_id"], since=since, now=now
    )
    return schemas.TimelineOut(
        product_id=timeline.product.id,
        since=since,
        points=[
            schemas.StockPointOut(at=p.at, on_hand=present.decimal(p.on_hand))
            for p in timeline.points
        ],
    )


async def _history(call: Call, product_id: int | None) -> schemas.HistoryOut:
    params = call.query(schemas.HistoryParams)
    # A product of another shop answers 404, not an empty history.
    page = await inventory.history_page(
        call.deps.uow(),
        call.actor(),
        product_id=product_id,
        before_id=params.before,
        limit=params.limit,
    )
    entries = page.entries
    more = len(entries) == params.limit
    return schemas.HistoryOut(
        entries=[present.history_entry(page.member, e) for e in entries],
        next_before=entries[-1].movement.id if entries and more else None,
    )


@api.get(
    "/shops/{shop_id}/history",
    tag="ledger",
    query=schemas.HistoryParams,
    response=schemas.HistoryOut,
    errors=(401, 404, 422),
)
async def shop_history(call: Call) -> schemas.HistoryOut:
    """The shop's ledger, newest first."""
    return await _history(call, None)


@api.get(
    "/shops/{shop_id}/products/{product_id}/history",
    tag="ledger",
    query=schemas.HistoryParams,
    response=schemas.HistoryOut,
    errors=(401, 404, 422),
)
async def product_history(call: Call) -> schemas.HistoryOut:
    """One product's ledger, newest first."""
    return await _history(call, call.ids["product_id"])


# -- the catalog -----------------------------------------------------------------------


def _fields(change: schemas.ProductCreate | schemas.ProductUpdate) -> ProductFields:
    """The catalog fields the request gives (core.product_fields), by name."""
    values: dict[str, Any] = {}
    for f in EDITABLE:  # a field its schema lacks is None: left as it is
        value = getattr(change, f.name, None)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return ProductFields(**values)


@api.post(
    "/shops/{shop_id}/products",
    tag="products",
    body=schemas.ProductCreate,
    response=schemas.ProductOut,
    status=201,
    replay_status=200,
    idempotency_key=True,
    errors=(*CHANGE, 409),
)
async def create_product(call: Call) -> schemas.ProductOut | web.Response:
    """Add a product (owners). A retry with the same Idempotency-Key returns the product
    it created."""
    here = await call.here()
    store_key = f"webapp:product-key:{here.actor.shop_id}:{call.idempotency_key()}"
    change = call.body(schemas.ProductCreate)
    earlier = await call.deps.store.get(store_key)
    if earlier is None:
        try:
            product = await catalog.add_product(
                call.deps.uow(), here.actor, _fields(change), reuse_archived_name=True
            )
        except ProductExists:
            earlier = await call.deps.store.get(store_key)
            if earlier is None:
                raise
        else:
            await call.deps.store.put(store_key, {"product_id": product.id}, PRODUCT_KEY_TTL)
            return present.product(here.member, product)
    found = await catalog.get_product(call.deps.uow(), here.actor, int(earlier["product_id"]))
    if found.key != name_key(change.name):
        raise ApiError(
            CONFLICT,
            "idempotency_key_reused",
            N_("This Idempotency-Key was used for another request."),
            "Idempotency-Key",
        )
    body = present.product(here.member, found).model_dump(mode="json")
    return web.json_response(body, status=200)


@api.patch(
    "/shops/{shop_id}/products/{product_id}",
    tag="products",
    body=schemas.ProductUpdate,
    response=schemas.ProductOut,
    errors=(*CHANGE, 409),
)
async def update_product(call: Call) -> schemas.ProductOut:
    """Change a product's catalog fields (owners); fields left out stay, fields named in
    `clear` are emptied."""
    here = await call.here()
    change = call.body(schemas.ProductUpdate)
    edited = await catalog.edit_product(
        call.deps.uow(), here.actor, call.ids["product_id"], _fields(change), clear=change.clear
    )
    return present.product(here.member, edited)


@api.delete(
    "/shops/{shop_id}/products/{product_id}",
    tag="products",
    response=schemas.ProductOut,
    errors=(401, 403, 404),
)
async def archive_product(call: Call) -> schemas.ProductOut:
    """Archive a product (owners): it leaves the lists, its history stays."""
    here = await call.here()
    archived = await catalog.archive_product(call.deps.uow(), here.actor, call.ids["product_id"])
    return present.product(here.member, archived)


@api.post(
    "/shops/{shop_id}/products/{product_id}/restore",
    tag="products",
    response=schemas.ProductOut,
    errors=(401, 403, 404, 409),
)
async def restore_product(call: Call) -> schemas.ProductOut:
    """Bring an archived product back with its stock and history (owners); 409 when
    another product took its name meanwhile. Restoring twice changes nothing."""
    here = await call.here()
    restored = await catalog.restore_product(call.deps.uow(), here.actor, call.ids["product_id"])
    return present.product(here.member, restored)


# -- the ledger ------------------------------------------------------------------------


def _result(here: Here, result: MovementResult, now: datetime) -> web.Response:
    member = here.member
    status = status_of(result.product, here.shop, shop_today(here.shop, now))
    body = schemas.MovementResultOut(
        movement=present.movement(member, result.movement) if result.movement else None,
        product=present.product(member, result.product),
        stock_status=status.stock.value,
        expiry_status=status.expiry.value,
        replayed=result.replayed,
        expired_on_arrival=result.expired_on_arrival,
    )
    return web.json_response(text=body.model_dump_json(), status=200 if result.replayed else 201)


def _same_request(result: MovementResult, product_id: int, reasons: set[Reason]) -> bool:
    movement = result.movement
    return movement is None or (movement.product_id == product_id and movement.reason in reasons)


@api.post(
    "/shops/{shop_id}/movements",
    tag="ledger",
    body=schemas.MovementCreate,
    response=schemas.MovementResultOut,
    status=201,
    replay_status=200,
    idempotency_key=True,
    errors=(*CHANGE, 409),
)
async def create_movement(call: Call) -> web.Response:
    """Record a stock movement: restock, sale, removal, count or adjustment.

    The Idempotency-Key makes a retry or a double tap record one movement: the same key
    answers the first result again (200, `replayed: true`)."""
    change = call.body(schemas.MovementCreate)
    key, now = call.idempotency_key(), call.deps.clock.now()
    expected = {Reason.RESTOCK} if change.kind == "restock" else set(Reason)
    if change.kind != "restock":
        extras = {"expiry": change.expiry, "cost": change.cost, "price": change.price}
        extras["reorder_date"] = change.reorder_date
        for name, value in extras.items():
            if value is not None:
                raise ApiError(
                    UNPROCESSABLE,
                    "invalid",
                    N_("{name} is recorded with a restock only."),
                    name,
                    values={"name": name},
                )
    if change.reason is not None and change.kind != "removal":
        raise ApiError(UNPROCESSABLE, "invalid", N_("A reason goes with a removal."), "reason")

    # The use case authorizes and gives back the shop and member the answer needs: one
    # transaction, not a second one first to read them.
    actor = call.actor()

    async def run() -> MovementResult:
        uow, pid = call.deps.uow(), change.product_id
        if change.kind == "restock":
            command = ledger.Restock(
                pid,
                change.quantity,
                expiry=change.expiry,
                cost=change.cost,
                price=change.price,
                reorder_date=change.reorder_date,
                note=change.note,
            )
            return await ledger.restock(uow, actor, command, key=key, now=now)
        if change.kind in ("sale", "removal"):
            reason = Reason.SALE if change.kind == "sale" else Reason(change.reason or "adjustment")
            removal = ledger.Removal(pid, change.quantity, reason, change.note)
            return await ledger.remove(uow, actor, removal, key=key, now=now)
        if change.kind == "count":
            counted = ledger.Count(pid, change.quantity, change.note)
            return await ledger.count(uow, actor, counted, key=key, now=now)
        adjustment = ledger.Adjustment(pid, change.quantity, change.note)
        return await ledger.adjust(uow, actor, adjustment, key=key, now=now)

    result = await call.retrying(run)
    if result.replayed and not _same_request(result, change.product_id, expected):
        raise _key_reused()
    assert result.shop is not None and result.member is not None, "authorized by the use case"
    return _result(Here(actor, result.shop, result.member), result, now)


def _key_reused() -> ApiError:
    return ApiError(
        CONFLICT,
        "idempotency_key_reused",
        N_("This Idempotency-Key was used for another request."),
        "Idempotency-Key",
    )


@api.post(
    "/shops/{shop_id}/movements/{movement_id}/undo",
    tag="ledger",
    response=schemas.MovementResultOut,
    status=201,
    replay_status=200,
    idempotency_key=True,
    errors=(400, 401, 403, 404, 409),
)
async def undo_movement(call: Call) -> web.Response:
    """Undo a movement with a compensating one, once: staff their own, owners any."""
    here = await call.here()
    key, now = call.idempotency_key(), call.deps.clock.now()
    movement_id = call.ids["movement_id"]

    async def run() -> MovementResult:
        return await ledger.undo(call.deps.uow(), here.actor, movement_id, key=key, now=now)

    result = await call.retrying(run)
    if result.replayed and result.movement and result.movement.reverses_id != movement_id:
        raise _key_reused()
    return _result(here, result, now)


# -- export ----------------------------------------------------------------------------


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out


@api.get(
    "/shops/{shop_id}/export/stock.csv",
    tag="export",
    media_type="text/csv",
    errors=(401, 404),
)
async def export_stock(call: Call) -> web.Response:
    """The stock snapshot as CSV, as /export sends it."""
    here = await call.here()
    return await _stock_csv(call, here.actor)


@api.get(
    "/shops/{shop_id}/export/ledger.csv",
    tag="export",
    media_type="text/csv",
    errors=(401, 404),
)
async def export_ledger(call: Call) -> web.StreamResponse:
    """The whole ledger as CSV, newest first, streamed page by page."""
    here = await call.here()
    return await _ledger_csv(call, here.actor)


@api.post(
    "/shops/{shop_id}/export/links",
    tag="export",
    response=schemas.DownloadLinksOut,
    errors=(401, 403, 404),
)
async def export_links(call: Call) -> schemas.DownloadLinksOut:
    """Links to the two exports that need no session cookie, for a few minutes.

    Inside Telegram a file is downloaded by the Telegram app itself (the page asks it
    to), which does not hold the page's cookie. Each link is the caller's: it answers
    only while they are still a member of the shop, with what their role may see."""
    here = await call.here()
    expires_at = call.deps.clock.now() + timedelta(seconds=DOWNLOAD_SECONDS)
    links: dict[str, str] = {}
    for what in schemas.EXPORTS:
        token = secrets.token_urlsafe(24)
        record = {"user_id": here.actor.user_id, "shop_id": here.actor.shop_id, "what": what}
        await call.deps.store.put(f"{DOWNLOAD_KEY}{token}", record, DOWNLOAD_SECONDS)
        links[what] = f"/download?token={token}"
    return schemas.DownloadLinksOut(
        stock=links["stock"],
        ledger=links["ledger"],
        stock_file=_filename("stock", call),
        ledger_file=_filename("ledger", call),
        expires_at=expires_at,
    )


@api.get(
    "/download",
    tag="export",
    query=schemas.DownloadParams,
    media_type="text/csv",
    needs_session=False,
    errors=(404, 422),
)
async def download(call: Call) -> web.StreamResponse:
    """One export through a link from POST …/export/links, while it lasts."""
    token = call.query(schemas.DownloadParams).token
    record = await call.deps.store.get(f"{DOWNLOAD_KEY}{token}")
    if record is None:
        raise ApiError(NOT_FOUND, "link_expired", N_("This download link has expired."), "token")
    actor = Actor(int(record["user_id"]), int(record["shop_id"]))
    if record["what"] == "stock":
        return await _stock_csv(call, actor)
    return await _ledger_csv(call, actor)


async def _stock_csv(call: Call, actor: Actor) -> web.Response:
    table = await export.stock_table(call.deps.uow_factory, actor, now=call.deps.clock.now())
    return _download(_csv(table.header, table.rows).getvalue(), "stock", call)


async def _ledger_csv(call: Call, actor: Actor) -> web.StreamResponse:
    new_uow = call.deps.uow_factory
    header = await export.ledger_header(new_uow, actor)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{_filename("ledger", call)}"',
        }
    )
    await response.prepare(call.request)
    await response.write(_csv(header, []).getvalue().encode())
    async for page in export.ledger_pages(new_uow, actor):
        out = io.StringIO()
        csv.writer(out).writerows(page)
        await response.write(out.getvalue().encode())
    await response.write_eof()
    return response


def _filename(what: str, call: Call) -> str:
    return f"{what}-{call.deps.clock.now().date().isoformat()}.csv"


def _download(text: str, what: str, call: Call) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(what, call)}"'},
    )
