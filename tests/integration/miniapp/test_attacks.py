"""The Mini App from the attacker's side: forged, expired, replayed and foreign-bot
initData; a stolen cookie after its owner was removed; CSRF and CORS; and another
shop's ids in every route."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from core import shops
from core.access import Actor
from tests.integration.conftest import NOW
from tests.integration.miniapp.conftest import BOT_TOKEN, OWNER, RIVAL, STAFF, Cafe, Person
from webapp.api import api
from webapp.deps import CSRF_HEADER, SESSION_COOKIE
from webapp.initdata import sign, signed_for


async def login_with(person: Person, init_data: str) -> tuple[int, dict[str, Any]]:
    response = await person.client.post("/api/v1/session", json={"init_data": init_data})
    return response.status, await response.json()


async def test_forged_init_data_is_refused(browser: Any, cafe: Cafe) -> None:
    person = browser(OWNER)
    genuine = signed_for(STAFF, BOT_TOKEN, auth_date=int(NOW.timestamp()))
    # Bob's signed data with the user swapped for the owner's.
    forged = genuine.replace("2002", "2001")
    status, body = await login_with(person, forged)
    assert (status, body["error"]["code"]) == (401, "init_data_invalid")
    unsigned = f"auth_date={int(NOW.timestamp())}&user=%7B%22id%22%3A2001%7D"
    assert (await login_with(person, unsigned))[0] == 401
    assert (await person.get("/shops")).status == 401


async def test_another_bots_signature_is_refused(browser: Any, cafe: Cafe) -> None:
    person = browser(OWNER)
    other_bot = signed_for(OWNER, "999999:SOMEONE-ELSES-BOT", auth_date=int(NOW.timestamp()))
    assert (await login_with(person, other_bot))[0] == 401


async def test_expired_init_data_is_refused(browser: Any, cafe: Cafe, deps: Any) -> None:
    deps.config = type(deps.config)(bot_token=BOT_TOKEN, init_data_max_age=24 * 60 * 60)
    person = browser(OWNER)
    stale = signed_for(OWNER, BOT_TOKEN, auth_date=int(time.time()) - 24 * 60 * 60 - 5)
    assert (await login_with(person, stale))[0] == 401
    fresh = signed_for(OWNER, BOT_TOKEN, auth_date=int(time.time()) - 60)
    assert (await login_with(person, fresh))[0] == 200


async def test_replayed_init_data_opens_no_second_session(browser: Any, cafe: Cafe) -> None:
    init_data = signed_for(OWNER, BOT_TOKEN, auth_date=int(NOW.timestamp()))
    assert (await login_with(browser(OWNER), init_data))[0] == 200
    status, body = await login_with(browser(OWNER), init_data)
    assert (status, body["error"]["code"]) == (401, "init_data_used")


async def test_the_same_init_data_again_gives_back_the_session_this_browser_holds(
    browser: Any, cafe: Cafe
) -> None:
    """The page logs in at once when opened from Telegram; reloaded, Telegram hands it
    the same initData, and the browser that logged in with it keeps its session. Another
    browser, or another person's cookie, gets no session from it."""
    init_data = signed_for(OWNER, BOT_TOKEN, auth_date=int(NOW.timestamp()))
    olga = browser(OWNER)
    status, first = await login_with(olga, init_data)
    assert status == 200
    status, again = await login_with(olga, init_data)
    assert (status, again["csrf_token"]) == (200, first["csrf_token"])
    bob = browser(STAFF)
    assert (await login_with(bob, signed_for(STAFF, BOT_TOKEN, auth_date=int(NOW.timestamp()))))[
        0
    ] == 200
    status, body = await login_with(bob, init_data)  # Olga's data, Bob's cookie
    assert (status, body["error"]["code"]) == (401, "init_data_used")


async def test_a_field_sent_twice_is_refused(browser: Any, cafe: Cafe) -> None:
    fields = {"auth_date": str(int(NOW.timestamp())), "user": '{"id":2001}'}
    signed = sign(fields, BOT_TOKEN)
    assert (await login_with(browser(OWNER), signed + "&user=%7B%22id%22%3A2002%7D"))[0] == 401


async def test_a_stolen_cookie_stops_working_when_its_member_is_removed(
    bob: Person, browser: Any, cafe: Cafe, make_uow: Any
) -> None:
    thief = browser(STAFF)
    cookie = bob.client.session.cookie_jar.filter_cookies(bob.client.make_url("/"))
    thief.client.session.cookie_jar.update_cookies({SESSION_COOKIE: cookie[SESSION_COOKIE].value})
    thief.csrf = bob.csrf
    path = f"/shops/{cafe.shop.id}/inventory"
    assert (await thief.get(path)).status == 200
    await shops.remove_member(make_uow(), Actor(OWNER.id, cafe.shop.id), STAFF.id)
    for person in (thief, bob):
        answer = await person.get(path)
        assert answer.status == 404
        assert (await answer.json())["error"]["code"] == "shop_not_found"
        sale = {"product_id": cafe.milk, "kind": "sale", "quantity": "1"}
        assert (await person.post(f"/shops/{cafe.shop.id}/movements", sale)).status == 404
    assert (await bob.get("/shops")).status == 200  # logged in, but in no shop now
    assert (await (await bob.get("/shops")).json())["shops"] == []


async def test_changes_need_the_csrf_token(olga: Person, cafe: Cafe) -> None:
    olga.csrf = "guessed"
    sale = {"product_id": cafe.milk, "kind": "sale", "quantity": "1"}
    answer = await olga.post(f"/shops/{cafe.shop.id}/movements", sale)
    assert answer.status == 403
    assert (await answer.json())["error"]["code"] == "csrf"


async def test_changes_from_another_origin_are_refused(olga: Person, cafe: Cafe) -> None:
    response = await olga.client.patch(
        f"/api/v1/shops/{cafe.shop.id}/settings",
        json={"currency": "USD"},
        headers={CSRF_HEADER: olga.csrf, "Origin": "https://evil.example"},
    )
    assert response.status == 403


async def test_cors_is_closed_unless_configured(olga: Person) -> None:
    preflight = await olga.client.options(
        "/api/v1/shops",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    plain = await olga.client.get("/api/v1/shops", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in plain.headers


def _concrete(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


SHOP_ROUTES = [op for op in api.operations if "{shop_id}" in op.path]


@pytest.mark.parametrize("operation", SHOP_ROUTES, ids=lambda op: f"{op.method} {op.path}")
async def test_another_shops_ids_answer_404_in_every_route(
    operation: Any, olga: Person, cafe: Cafe
) -> None:
    bodies = {
        "/shops/{shop_id}/settings": {"currency": "USD"},
        "/shops/{shop_id}/products": {"name": "stolen"},
        "/shops/{shop_id}/products/{product_id}": {"price": "0.01"},
        "/shops/{shop_id}/movements": {
            "product_id": cafe.rival_product,
            "kind": "sale",
            "quantity": "1",
        },
    }
    # Rita's shop in the path, and (where the route names more) her ids in her shop or
    # in Olga's own shop: nothing of hers is reachable either way.
    rival = {
        "shop_id": cafe.rival_shop.id,
        "product_id": cafe.rival_product,
        "movement_id": cafe.rival_movement,
    }
    own_shop = {**rival, "shop_id": cafe.shop.id}
    targets = [rival] + ([own_shop] if len(operation.path_params) > 1 else [])
    if operation.path == "/shops/{shop_id}/movements":
        targets.append(own_shop)
    for ids in targets:
        path = _concrete(operation.path, ids)
        body = bodies.get(operation.path) if operation.body is not None else None
        method = operation.method.lower()
        if method == "get":
            response = await olga.get(path)
        elif method == "post":
            response = await olga.post(path, body)
        elif method == "patch":
            response = await olga.patch(path, body)
        else:
            response = await olga.delete(path)
        assert response.status == 404, (path, await response.text())
        assert "ham" not in await response.text()


async def test_a_download_link_works_without_the_cookie_only_for_its_member(
    olga: Person, bob: Person, browser: Any, cafe: Cafe, make_uow: Any
) -> None:
    # Telegram downloads a file itself, without the page's cookie: the links carry a
    # short-lived token instead, good only for their member and what they may see.
    stranger = browser(RIVAL)
    owners = await (await olga.post(f"/shops/{cafe.shop.id}/export/links", key=None)).json()
    staffs = await (await bob.post(f"/shops/{cafe.shop.id}/export/links", key=None)).json()
    assert owners["stock_file"].startswith("stock-") and owners["stock_file"].endswith(".csv")
    stock = await stranger.client.get("/api/v1" + owners["stock"])
    assert stock.status == 200 and "0.60,Dairy Co" in await stock.text()
    ledger = await stranger.client.get("/api/v1" + owners["ledger"])
    assert ledger.status == 200 and "cost" in (await ledger.text()).splitlines()[0]
    staff_stock = await (await stranger.client.get("/api/v1" + staffs["stock"])).text()
    assert "Dairy Co" not in staff_stock and "0.60" not in staff_stock
    await shops.remove_member(make_uow(), Actor(OWNER.id, cafe.shop.id), STAFF.id)
    assert (await stranger.client.get("/api/v1" + staffs["stock"])).status == 404
    guessed = await stranger.client.get("/api/v1/download", params={"token": "x" * 32})
    assert (await guessed.json())["error"]["code"] == "link_expired"
    assert (await stranger.client.get("/api/v1/download", params={"token": "../x"})).status == 422


# What the shop pays, by the names the API gives it: null (or "" for the supplier) for
# staff in every answer.
COST_FIELDS = {"cost", "cost_before", "stock_at_cost", "supplier"}


def _costs_in(value: Any, where: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in COST_FIELDS and inner not in (None, ""):
                found.append(f"{where}.{key}={inner!r}")
            found += _costs_in(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _costs_in(inner, f"{where}[{index}]")
    return found


async def test_staff_get_no_cost_field_from_any_route(
    bob: Person, olga: Person, cafe: Cafe
) -> None:
    # A delivery Bob records with its cost, and an owner's dearer one: neither cost, nor
    # the supplier, nor the stock's value at cost reaches Bob by any route.
    base = f"/shops/{cafe.shop.id}"
    delivery = {"product_id": cafe.milk, "kind": "restock", "quantity": "5", "cost": "0.70"}
    recorded = await bob.post(f"{base}/movements", delivery)
    assert recorded.status == 201
    answers: dict[str, Any] = {"POST /movements": await recorded.json()}
    owners = {**delivery, "cost": "0.80", "quantity": "1"}
    assert (await olga.post(f"{base}/movements", owners)).status == 201
    history = await (await bob.get(f"{base}/history")).json()
    mine = history["entries"][1]["movement"]["id"]
    ids = {"shop_id": cafe.shop.id, "product_id": cafe.milk, "movement_id": mine}
    queries: dict[str, dict[str, Any]] = {
        "/shops/{shop_id}/dashboard": {"first": 50},
        "/shops/{shop_id}/inventory": {"page_size": 100},
        "/shops/{shop_id}/products": {"page_size": 100},
    }
    for operation in api.operations:
        if operation.method != "GET" or operation.path == "/download":
            continue
        path = _concrete(operation.path, ids)
        response = await bob.get(path, **queries.get(operation.path, {}))
        assert response.status == 200, (path, await response.text())
        if path.endswith(".csv"):
            text = await response.text()
            assert "cost" not in text.splitlines()[0], path
            answers[f"GET {operation.path}"] = text
        else:
            answers[f"GET {operation.path}"] = await response.json()
    undone = await bob.post(f"{base}/movements/{mine}/undo")
    assert undone.status in (200, 201), await undone.text()
    answers["POST undo"] = await undone.json()
    links = await (await bob.post(f"{base}/export/links", key=None)).json()
    for what in ("stock", "ledger"):
        answers[f"download {what}"] = await (await bob.client.get("/api/v1" + links[what])).text()
    for route, answer in answers.items():
        assert _costs_in(answer) == [], route
        assert not re.search(r"0\.[678]0|Dairy Co", str(answer)), (route, answer)
    # The owner's dashboard does carry the stock's value at cost: the test looks at the
    # field that would leak.
    board = await (await olga.get(f"{base}/dashboard")).json()
    assert board["stock_at_cost"] is not None
