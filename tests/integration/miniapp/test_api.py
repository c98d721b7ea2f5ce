"""The Mini App's JSON API over the real app and database: what an owner and a staff
member get, movements with their idempotency keys, the catalog, exports, the document."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core import languages
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW
from tests.integration.miniapp.conftest import Cafe, Person
from webapp.deps import IDEMPOTENCY_HEADER


def shop_path(cafe: Cafe, rest: str = "") -> str:
    return f"/shops/{cafe.shop.id}{rest}"


async def json(response: Any, status: int = 200) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_login_lists_the_callers_shops_and_role(olga: Person, bob: Person) -> None:
    assert [(s["name"], s["role"]) for s in olga.shops] == [("Corner Cafe", "owner")]
    assert [(s["name"], s["role"]) for s in bob.shops] == [("Corner Cafe", "staff")]
    body = await json(await bob.get("/session"))
    assert body["user"] == {"id": 2002, "name": "Bob"}


async def test_session_cookie_is_http_only_and_lax_without_https(browser: Any, cafe: Cafe) -> None:
    from tests.integration.miniapp.conftest import OWNER

    person = browser(OWNER)
    response = await person.log_in()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Max-Age=2592000" in cookie  # 30 days


async def test_logout_ends_the_session(olga: Person) -> None:
    assert (await olga.delete("/session")).status == 204
    response = await olga.get("/shops")
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "not_logged_in"


async def test_dashboard_counts_and_first_few(olga: Person, cafe: Cafe) -> None:
    body = await json(await olga.get(shop_path(cafe, "/dashboard")))
    assert body["products"] == 2
    assert body["out"]["count"] == 1 and body["out"]["first"][0]["product"]["name"] == "bread"
    # Low counts out of stock too: the list that inventory?status=low shows.
    assert body["low"]["count"] == 1 and body["low"]["first"][0]["product"]["name"] == "bread"


async def test_inventory_filters_sorts_searches_and_pages(olga: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, "/inventory")
    out = await json(await olga.get(path, status="out"))
    assert [i["product"]["name"] for i in out["items"]] == ["bread"]
    assert out["items"][0]["stock_status"] == "out"
    by_quantity = await json(await olga.get(path, sort="quantity"))
    assert [i["product"]["name"] for i in by_quantity["items"]] == ["bread", "milk"]
    found = await json(await olga.get(path, q="MIL"))
    assert [i["product"]["name"] for i in found["items"]] == ["milk"]
    paged = await json(await olga.get(path, page_size=1, page=1))
    assert (paged["total"], paged["pages"], len(paged["items"])) == (2, 2, 1)


async def test_restock_records_a_batch_with_every_field(olga: Person, cafe: Cafe) -> None:
    body = {
        "product_id": cafe.milk,
        "kind": "restock",
        "quantity": "20",
        "expiry": "2026-03-05",
        "cost": "0.55",
        "price": "1.10",
        "reorder_date": "2026-03-20",
        "note": "Monday delivery",
    }
    result = await json(await olga.post(shop_path(cafe, "/movements"), body), 201)
    assert result["product"]["on_hand"] == "30"
    assert result["product"]["price"] == "1.10"
    assert result["product"]["reorder_date"] == "2026-03-20"
    assert result["movement"]["cost"] == "0.55" and result["movement"]["note"] == "Monday delivery"
    assert result["expiry_status"] == "near_expiry"
    card = await json(await olga.get(shop_path(cafe, f"/products/{cafe.milk}")))
    assert [b["expiry"] for b in card["batches"]] == ["2026-03-05", None]


async def test_a_retried_create_records_one_movement(olga: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.milk, "kind": "sale", "quantity": "3"}
    first = await json(await olga.post(shop_path(cafe, "/movements"), body, key="tap-0001"), 201)
    again = await json(await olga.post(shop_path(cafe, "/movements"), body, key="tap-0001"), 200)
    assert again["replayed"] is True
    assert again["movement"]["id"] == first["movement"]["id"]
    card = await json(await olga.get(shop_path(cafe, f"/products/{cafe.milk}")))
    assert card["product"]["on_hand"] == "7"


async def test_a_double_tap_at_once_records_one_movement(olga: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.milk, "kind": "adjustment", "quantity": "-1"}
    path = shop_path(cafe, "/movements")
    answers = await asyncio.gather(*(olga.post(path, body, key="double-tap") for _ in range(4)))
    assert sorted(a.status for a in answers) == [200, 200, 200, 201]
    history = await json(await olga.get(shop_path(cafe, f"/products/{cafe.milk}/history")))
    assert [e["movement"]["quantity"] for e in history["entries"]] == ["-1", "10"]


async def test_a_history_entry_names_the_unit_the_bot_knows(olga: Person, cafe: Cafe) -> None:
    """So the page words it as a product's quantity: a Russian reader's history said
    "+10 l" where the product's page said "10 л"."""
    for path in (f"/products/{cafe.milk}/history", "/history"):
        history = await json(await olga.get(shop_path(cafe, path)))
        assert history["entries"]
        assert {e["unit_known"] for e in history["entries"] if e["unit"] == "l"} == {"l"}


async def test_a_key_reused_for_another_product_is_refused(olga: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, "/movements")
    await json(
        await olga.post(
            path, {"product_id": cafe.milk, "kind": "sale", "quantity": "1"}, key="k-12345678"
        ),
        201,
    )
    reused = await olga.post(
        path, {"product_id": cafe.bread, "kind": "restock", "quantity": "1"}, key="k-12345678"
    )
    error = (await json(reused, 409))["error"]
    assert error["code"] == "idempotency_key_reused" and error["field"] == IDEMPOTENCY_HEADER


async def test_a_create_without_idempotency_key_is_a_bad_request(olga: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.milk, "kind": "sale", "quantity": "1"}
    error = await json(await olga.post(shop_path(cafe, "/movements"), body, key=None), 400)
    assert error["error"]["code"] == "idempotency_key_missing"


async def test_removal_below_zero_is_refused_with_the_field(olga: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.milk, "kind": "removal", "quantity": "11", "reason": "damage"}
    error = (await json(await olga.post(shop_path(cafe, "/movements"), body), 409))["error"]
    assert (error["code"], error["field"]) == ("insufficient_stock", "quantity")


async def test_a_fraction_of_a_piece_is_refused_on_the_quantity(olga: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.bread, "kind": "restock", "quantity": "1.5"}
    error = (await json(await olga.post(shop_path(cafe, "/movements"), body), 422))["error"]
    assert (error["code"], error["field"]) == ("fraction_of_whole_unit", "quantity")
    assert "1 or 2" in error["message"]


async def test_a_refusal_is_worded_in_the_callers_language(
    olga: Person, cafe: Cafe, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """The person's language (their /language choice, else what their Telegram app was
    seen in), else the browser's Accept-Language; the code stays the same."""
    body = {"product_id": cafe.milk, "kind": "removal", "quantity": "11", "reason": "damage"}
    path = "/api/v1" + shop_path(cafe, "/movements")
    english = (await json(await olga.post(shop_path(cafe, "/movements"), body), 409))["error"]
    headers = {**olga._headers("key-one-ru"), "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}
    asked = (await json(await olga.client.post(path, json=body, headers=headers), 409))["error"]
    assert english["message"].startswith("Only 10")
    assert asked["message"].startswith("В наличии только 10")
    assert (asked["code"], asked["field"]) == (english["code"], english["field"])
    await languages.choose(make_uow(), olga.user.id, "en")
    headers = {**olga._headers("key-two-en"), "Accept-Language": "ru"}
    chosen = (await json(await olga.client.post(path, json=body, headers=headers), 409))["error"]
    assert chosen["message"] == english["message"]


async def test_the_apis_own_refusals_follow_the_callers_language(
    olga: Person, cafe: Cafe, browser: Any
) -> None:
    from tests.integration.miniapp.conftest import OWNER

    headers = {**olga._headers(None), "Accept-Language": "ru"}
    body = {"product_id": cafe.milk, "kind": "sale", "quantity": "1"}
    path = "/api/v1" + shop_path(cafe, "/movements")
    missing = (await json(await olga.client.post(path, json=body, headers=headers), 400))["error"]
    assert missing["code"] == "idempotency_key_missing"
    assert missing["message"].startswith("Пришлите заголовок Idempotency-Key"), missing
    stranger = browser(OWNER)
    asked = await stranger.client.get("/api/v1/session", headers={"Accept-Language": "ru-RU"})
    error = (await json(asked, 401))["error"]
    assert (error["code"], error["message"]) == (
        "not_logged_in",
        "Войдите снова: откройте приложение из бота.",
    )


async def test_an_amount_too_large_is_refused_as_too_large(olga: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.milk, "kind": "restock", "quantity": "1", "cost": "9999999999"}
    error = (await json(await olga.post(shop_path(cafe, "/movements"), body), 422))["error"]
    assert error["field"] == "cost"
    assert "at most 999999999.99" in error["message"], error
    headers = {**olga._headers("key-too-large-ru"), "Accept-Language": "ru"}
    path = "/api/v1" + shop_path(cafe, "/movements")
    russian = (await json(await olga.client.post(path, json=body, headers=headers), 422))["error"]
    assert (russian["field"], russian["message"]) == ("cost", "сумма — не больше 999999999.99")


async def test_bad_fields_are_named(olga: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, "/movements")
    cases = [
        ({"product_id": cafe.milk, "kind": "sale", "quantity": "2.0001"}, "quantity"),
        ({"product_id": cafe.milk, "kind": "sale", "quantity": 2}, "quantity"),
        (
            {"product_id": cafe.milk, "kind": "restock", "quantity": "1", "expiry": "31/12"},
            "expiry",
        ),
        ({"product_id": cafe.milk, "kind": "restock", "quantity": "1", "cost": "1.234"}, "cost"),
        (
            {"product_id": cafe.milk, "kind": "sale", "quantity": "1", "expiry": "2026-01-01"},
            "expiry",
        ),
        ({"product_id": cafe.milk, "kind": "removal", "quantity": "1", "note": "x" * 201}, "note"),
    ]
    for body, wanted in cases:
        error = (await json(await olga.post(path, body), 422))["error"]
        assert error["field"] == wanted, (body, error)
        assert error["message"]


async def test_malformed_json_is_a_bad_request(olga: Person, cafe: Cafe) -> None:
    response = await olga.client.post(
        f"/api/v1/shops/{cafe.shop.id}/movements",
        data=b"{not json",
        headers={"Content-Type": "application/json", "X-CSRF-Token": olga.csrf,
                 IDEMPOTENCY_HEADER: "abcdefgh"},
    )  # fmt: skip
    assert (await json(response, 400))["error"]["code"] == "bad_json"


async def test_undo_from_history_once(olga: Person, cafe: Cafe) -> None:
    sale = await json(
        await olga.post(
            shop_path(cafe, "/movements"),
            {"product_id": cafe.milk, "kind": "sale", "quantity": "2"},
        ),
        201,
    )
    movement = sale["movement"]["id"]
    history = await json(await olga.get(shop_path(cafe, "/history")))
    assert history["entries"][0]["can_undo"] is True
    undone = await json(await olga.post(shop_path(cafe, f"/movements/{movement}/undo")), 201)
    assert undone["product"]["on_hand"] == "10"
    again = await olga.post(shop_path(cafe, f"/movements/{movement}/undo"))
    refused = (await json(again, 409))["error"]
    assert refused["code"] == "undo_refused"
    assert refused["message"] == "This movement was already undone."
    history = await json(await olga.get(shop_path(cafe, "/history")))
    assert history["entries"][1]["undone"] is True


async def test_owner_adds_edits_and_archives_a_product(olga: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, "/products")
    body = {
        "name": "Oat milk",
        "category": "Dairy",
        "unit": "l",
        "threshold": "4",
        "price": "2.20",
        "cost": "1.10",
        "barcodes": ["4006381333931"],
        "supplier": "Oatly",
        "expiry_warning_days": 3,
    }
    created = await json(await olga.post(path, body, key="new-oat-milk"), 201)
    again = await json(await olga.post(path, body, key="new-oat-milk"), 200)
    assert again["id"] == created["id"]
    assert (created["category"], created["cost"], created["supplier"]) == ("dairy", "1.10", "Oatly")
    duplicate = await olga.post(path, body)
    assert (await json(duplicate, 409))["error"]["field"] == "name"
    change = {"price": "2.40", "reorder_date": "2026-06-01"}
    edited = await json(await olga.patch(f"{path}/{created['id']}", change))
    assert edited["price"] == "2.40" and edited["name"] == "Oat milk"
    assert edited["reorder_date"] == "2026-06-01"
    found = await json(await olga.get(path, q="4006381333931"))
    assert [p["name"] for p in found["products"]] == ["Oat milk"]
    archived = await json(await olga.delete(f"{path}/{created['id']}"))
    assert archived["archived"] is True
    assert (await olga.get(f"{path}/{created['id']}")).status == 404
    categories = await json(await olga.get(shop_path(cafe, "/categories")))
    assert categories == {"categories": [""]} or "dairy" not in categories["categories"][1:]


async def test_owner_sets_and_clears_lead_time_and_reorder_date(olga: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, f"/products/{cafe.milk}")
    assert (await json(await olga.get(path)))["product"]["lead_days"] is None
    change = {"lead_days": 5, "reorder_date": "2026-06-01", "expiry_warning_days": 2}
    edited = await json(await olga.patch(path, change))
    assert (edited["lead_days"], edited["reorder_date"]) == (5, "2026-06-01")
    assert (await json(await olga.get(path)))["product"]["lead_days"] == 5
    # As the chat: a lead time is 0 to 180 days.
    too_long = (await json(await olga.patch(path, {"lead_days": 181}), 422))["error"]
    assert too_long["field"] == "lead_days"
    assert too_long["message"] == "The lead time must be between 0 and 180 days.", too_long
    russian = await olga.client.patch(
        "/api/v1" + path,
        json={"lead_days": 181},
        headers={**olga._headers(None), "Accept-Language": "ru"},
    )
    assert (await json(russian, 422))["error"]["message"] == "Срок поставки — от 0 до 180 дней."
    assert (await json(await olga.patch(path, {"lead_days": -1}), 422))["error"]["field"] == (
        "lead_days"
    )
    # Emptied again: no reorder date, the default lead time; the rest stays.
    cleared = await json(await olga.patch(path, {"clear": ["reorder_date", "lead_days"]}))
    assert (cleared["reorder_date"], cleared["lead_days"]) == (None, None)
    assert cleared["expiry_warning_days"] == 2 and cleared["supplier"] == "Dairy Co"
    both = {"reorder_date": "2026-06-02", "clear": ["reorder_date"]}
    assert (await olga.patch(path, both)).status == 422
    assert (await olga.patch(path, {"clear": ["name"]})).status == 422
    created = await json(
        await olga.post(shop_path(cafe, "/products"), {"name": "tea", "lead_days": 3}), 201
    )
    assert created["lead_days"] == 3


async def test_staff_may_not_clear_a_reorder_date(bob: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, f"/products/{cafe.milk}")
    refused = await bob.patch(path, {"clear": ["reorder_date"]})
    assert (await json(refused, 403))["error"]["code"] == "owner_only"


async def test_owner_restores_an_archived_product_with_its_stock(
    olga: Person, bob: Person, cafe: Cafe
) -> None:
    path = shop_path(cafe, "/products")
    await json(await olga.delete(f"{path}/{cafe.milk}"))
    archived = await json(await olga.get(path, archived="true"))
    assert [p["id"] for p in archived["products"]] == [cafe.milk]
    assert cafe.milk not in [p["id"] for p in (await json(await olga.get(path)))["products"]]
    refused = await bob.post(f"{path}/{cafe.milk}/restore", key=None)
    assert (await json(refused, 403))["error"]["code"] == "owner_only"
    restored = await json(await olga.post(f"{path}/{cafe.milk}/restore", key=None))
    assert restored["archived"] is False and restored["on_hand"] == "10"
    assert (await json(await olga.get(path, archived="true")))["products"] == []


async def test_a_taken_barcode_is_a_conflict_on_the_barcodes_field(
    olga: Person, cafe: Cafe
) -> None:
    path = shop_path(cafe, "/products")
    await json(await olga.patch(f"{path}/{cafe.milk}", {"barcodes": ["4006381333931"]}))
    taken = await olga.patch(f"{path}/{cafe.bread}", {"barcodes": ["4006381333931"]})
    error = (await json(taken, 409))["error"]
    assert (error["code"], error["field"]) == ("barcode_taken", "barcodes")


async def test_a_fraction_of_a_whole_unit_names_the_field_sent(olga: Person, cafe: Cafe) -> None:
    path = shop_path(cafe, f"/products/{cafe.bread}")
    refused = await olga.patch(path, {"threshold": "1.5"})
    error = (await json(refused, 422))["error"]
    assert (error["code"], error["field"]) == ("fraction_of_whole_unit", "threshold")
    sold = {"product_id": cafe.bread, "kind": "restock", "quantity": "2.5"}
    error = (await json(await olga.post(shop_path(cafe, "/movements"), sold), 422))["error"]
    assert (error["code"], error["field"]) == ("fraction_of_whole_unit", "quantity")


async def test_near_expiry_lines_say_what_expires_and_days_left_sort(
    olga: Person, cafe: Cafe
) -> None:
    soon = (NOW + timedelta(days=2)).date().isoformat()
    later = (NOW + timedelta(days=60)).date().isoformat()
    for quantity, expiry in (("4", soon), ("6", later)):
        body = {"product_id": cafe.bread, "kind": "restock", "quantity": quantity}
        await json(await olga.post(shop_path(cafe, "/movements"), {**body, "expiry": expiry}), 201)
    sale = {"product_id": cafe.bread, "kind": "sale", "quantity": "1"}
    await json(await olga.post(shop_path(cafe, "/movements"), sale), 201)
    near = await json(await olga.get(shop_path(cafe, "/inventory"), status="near_expiry"))
    (bread,) = near["items"]
    assert bread["expiring"] == [{"quantity": "3", "expiry": soon}]
    assert bread["product"]["on_hand"] == "9" and bread["days_left"] is None
    by_pace = await json(await olga.get(shop_path(cafe, "/inventory"), sort="days_left"))
    assert {i["product"]["name"] for i in by_pace["items"]} == {"milk", "bread"}
    card = await json(await olga.get(shop_path(cafe, f"/products/{cafe.bread}")))
    assert set(card) >= {"sold_per_day", "days_left"}


async def test_owner_changes_settings_and_staff_may_not(
    olga: Person, bob: Person, cafe: Cafe
) -> None:
    path = shop_path(cafe, "/settings")
    shop = await json(await olga.patch(path, {"timezone": "Europe/Berlin", "alert_time": "07:30"}))
    assert (shop["timezone"], shop["alert_time"]) == ("Europe/Berlin", "07:30")
    wrong = await olga.patch(path, {"timezone": "Mars/Olympus"})
    assert (await json(wrong, 422))["error"]["field"] == "timezone"
    refused = await bob.patch(path, {"currency": "USD"})
    assert (await json(refused, 403))["error"]["code"] == "owner_only"


async def test_staff_record_movements_but_see_no_costs(bob: Person, cafe: Cafe) -> None:
    body = {"product_id": cafe.milk, "kind": "restock", "quantity": "5", "cost": "0.70"}
    result = await json(await bob.post(shop_path(cafe, "/movements"), body), 201)
    assert result["movement"]["cost"] is None and result["product"]["cost"] is None
    seen: list[Any] = [
        await json(await bob.get(shop_path(cafe, f"/products/{cafe.milk}"))),
        await json(await bob.get(shop_path(cafe, "/inventory"))),
        await json(await bob.get(shop_path(cafe, "/products"))),
        await json(await bob.get(shop_path(cafe, "/dashboard"), first=50)),
        await json(await bob.get(shop_path(cafe, "/history"))),
    ]
    text = str(seen)
    assert "0.60" not in text and "0.70" not in text and "Dairy Co" not in text
    stock_csv = await (await bob.get(shop_path(cafe, "/export/stock.csv"))).text()
    ledger_csv = await (await bob.get(shop_path(cafe, "/export/ledger.csv"))).text()
    assert "cost" not in stock_csv and "Dairy Co" not in stock_csv
    assert "cost" not in ledger_csv and "0.70" not in ledger_csv
    price = {"product_id": cafe.milk, "kind": "restock", "quantity": "1", "price": "9.00"}
    assert (await bob.post(shop_path(cafe, "/movements"), price)).status == 403
    new = await bob.post(shop_path(cafe, "/products"), {"name": "tea"})
    assert (await json(new, 403))["error"]["code"] == "owner_only"


async def test_owner_exports_costs(olga: Person, cafe: Cafe) -> None:
    response = await olga.get(shop_path(cafe, "/export/stock.csv"))
    assert response.headers["Content-Type"].startswith("text/csv")
    text = await response.text()
    assert text.splitlines()[0].endswith("cost,supplier")
    assert "0.60,Dairy Co" in text
    ledger = await (await olga.get(shop_path(cafe, "/export/ledger.csv"))).text()
    assert len(ledger.splitlines()) == 2


async def test_timeline_follows_the_ledger(olga: Person, cafe: Cafe) -> None:
    body = await json(await olga.get(shop_path(cafe, f"/products/{cafe.milk}/timeline"), days=7))
    assert body["points"][-1]["on_hand"] == "10"


async def test_openapi_document_is_generated(olga: Person) -> None:
    document = await json(await olga.client.get("/api/v1/openapi.json"))
    assert document["openapi"] == "3.1.0"
    movements = document["paths"]["/shops/{shop_id}/movements"]["post"]
    assert {"201", "200", "409", "422"} <= set(movements["responses"])
    assert any(p["name"] == IDEMPOTENCY_HEADER for p in movements["parameters"])
    assert "MovementCreate" in document["components"]["schemas"]


async def test_the_page_is_served(olga: Person) -> None:
    response = await olga.client.get("/app/")
    assert response.status == 200
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert (await olga.client.get("/app/nothing-here.js")).status == 404
