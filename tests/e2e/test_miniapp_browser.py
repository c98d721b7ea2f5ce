"""The Mini App in a real browser against the real bot process: log in with signed
initData, walk every page, a movement made in the page shows in the chat and one made
in the chat shows in the page, and staff see no costs."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from tests.e2e.browser import CONTEXT, app_url, chromium
from tests.e2e.conftest import Launch, open_cafe
from tests.e2e.harness import OWNER, STAFF, Chat, invite_code, text_of

LIGHT_THEME = json.dumps({"bg_color": "#ffffff", "text_color": "#000000"})


async def answer(chat: Chat, text: str, needle: str) -> str:
    """The bot's answer to `text` that contains `needle`, past any push (an alert, the
    daily digest) that arrives in between."""
    message = await chat.say(text)
    while needle not in text_of(message):
        message = await chat.reply()
    return text_of(message)


async def ready(page: Any, name: str) -> None:
    await page.wait_for_selector(f"#view[data-page='{name}'][data-ready='1']")


async def goto(page: Any, hash_: str, name: str) -> None:
    await page.evaluate(
        "(h) => { document.querySelector('#view').dataset.ready = ''; location.hash = h; }", hash_
    )
    await ready(page, name)


QUIET = {"ALERT_SCAN_SECONDS": "3600"}

# A product's field as the API answers it, read in the page with its cookie.
PRODUCT_FIELD = """
async ([id, name]) => {
  const shops = await (await fetch("../api/v1/shops")).json();
  const card = await (await fetch(`../api/v1/shops/${shops.shops[0].id}/products/${id}`)).json();
  return card.product[name];
}
"""
PRODUCT_FIELD_IS = f"async ([id, name, wanted]) => ({PRODUCT_FIELD})([id, name]) === wanted"


async def test_owner_walks_every_page_and_the_chat_agrees(
    launch: Launch, owner: Chat, api: Any
) -> None:
    bot = await launch(**QUIET)
    await open_cafe(owner)
    async with chromium() as browser:
        page = await browser.new_page(**CONTEXT)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(app_url(bot.url, api, OWNER, tgWebAppThemeParams=LIGHT_THEME))
        await ready(page, "dashboard")
        assert await page.text_content("#title") == "Cafe"
        # Every tab is on screen at 360 px (the fourth was cut off before).
        assert await page.evaluate(
            "[...document.querySelectorAll('#tabs a')].map((a) => a.getBoundingClientRect())"
            ".every((r) => r.width > 0 && r.left >= 0 && r.right <= innerWidth)"
        )
        assert await page.text_content("[data-box='out'] .count") == "2"
        # The takings and, for an owner, the stock's value at cost, as /dashboard says.
        assert await page.locator("#takings [data-figure='sales_this_week']").count() == 1
        assert await page.locator("#takings [data-figure='stock_at_cost']").count() == 1

        # A dashboard box opens the filtered inventory.
        await page.click("[data-box='out']")
        await ready(page, "inventory")
        assert "status=out" in page.url
        names = await page.locator("#inventory-list [data-product]").all_inner_texts()
        assert len(names) == 2
        await page.fill("#search", "mil")
        await page.wait_for_function(
            "document.querySelectorAll('#inventory-list [data-product]').length === 1"
        )

        # Stock entry from the product page: a restock with every field.
        await page.click("#inventory-list [data-product='milk']")
        await ready(page, "product")
        await page.click("text=Restock")
        await ready(page, "entry")
        await page.fill("[name=quantity]", "20")
        await page.fill("[name=expiry]", "2027-01-15")
        await page.fill("[name=cost]", "0.55")
        await page.fill("[name=price]", "1.10")
        await page.fill("[name=reorder_date]", "2027-01-10")
        await page.fill("[name=note]", "Monday delivery")
        await page.click("#entry-submit")
        await page.wait_for_selector("#entry-done:not([hidden])")
        assert "on hand now 20 l" in await page.text_content("#entry-done")
        assert "null" not in (await page.text_content("#view") or "")  # left-out parts

        # Field-level messages: a bad quantity is shown beside its field.
        await page.fill("[name=quantity]", "1.2345")
        await page.click("#entry-submit")
        await page.wait_for_selector("#quantity-error:not(:empty)")

        # The chat sees the page's movement at once.
        assert "20 l" in await answer(owner, "/stock milk", "20 l")

        # A movement in the chat shows in the page.
        assert "17" in await answer(owner, "/sell milk 3", "17")
        await goto(page, "#/inventory?q=milk", "inventory")
        await page.click("#inventory-list [data-product='milk']")
        await ready(page, "product")
        assert await page.text_content("#on-hand") == "17 l"
        assert "0.55" in await page.text_content("#view")  # the owner sees costs

        # Quick −1 from the card, then undo it from the history.
        await page.click("button[aria-label='minus one']")
        await page.wait_for_function("document.querySelector('#on-hand').textContent === '16 l'")
        await page.click("#history [data-undo]")
        await page.wait_for_function("document.querySelector('#on-hand').textContent === '17 l'")
        assert "ndo" in await answer(owner, "/history milk", "ndo")

        # Products: add, edit, archive.
        await goto(page, "#/products", "products")
        await page.click("#add-product")
        await ready(page, "products")
        await page.fill("[name=name]", "Oat milk")
        await page.fill("[name=category]", "dairy")
        await page.fill("[name=unit]", "l")
        await page.fill("[name=threshold]", "3")
        await page.fill("[name=price]", "2.20")
        await page.fill("[name=barcodes]", "4006381333931")
        await page.fill("[name=supplier]", "Oatly")
        await page.click("#product-save")
        await ready(page, "product")
        assert await page.text_content("#title") == "Oat milk"
        assert "Oat milk" in await answer(owner, "/products", "Oat milk")
        edit = page.url.replace("#/product/", "#/products/") + "/edit"
        await goto(page, "#" + edit.split("#", 1)[1], "products")
        await page.fill("[name=price]", "2.40")
        await page.fill("[name=reorder_date]", "2027-02-01")
        await page.fill("[name=lead_days]", "400")
        await page.click("#product-save")
        await page.wait_for_selector("#lead_days-error:not(:empty)")  # 0 to 180, as in chat
        await page.fill("[name=lead_days]", "5")
        await page.click("#product-save")
        await page.wait_for_selector("text=Saved Oat milk")
        assert "Reorder" in await answer(owner, "/stock oat milk", "Oat milk")
        # An emptied reorder date clears it, in the page and in the chat.
        await page.fill("[name=reorder_date]", "")
        await page.click("#product-save")
        oat = edit.split("#/products/", 1)[1].split("/", 1)[0]
        await page.wait_for_function(PRODUCT_FIELD_IS, arg=[oat, "reorder_date", None])
        assert (await page.evaluate(PRODUCT_FIELD, [oat, "lead_days"])) == 5
        card = await answer(owner, "/stock oat milk", "Oat milk")
        assert "Reorder" not in card, card
        page.once("dialog", lambda dialog: dialog.accept())
        await page.click("#archive")
        await ready(page, "products")
        assert "Oat milk" not in await page.text_content("#products-list")

        # ... and restore it from the archived products.
        await page.click("[data-archived='true']")
        await page.click("#products-list [data-restore]")
        await page.wait_for_selector("text=Oat milk is back in the catalog")
        assert "Oat milk" in await answer(owner, "/products", "Oat milk")

        # A product counted in a unit of the shop's own keeps it when edited in the page
        # (the unit was a list of common units, and saving switched it to the first).
        assert "tray" in await answer(owner, "/add eggs unit tray", "tray")
        await goto(page, "#/products?q=eggs", "products")
        await page.click("#products-list [data-product='eggs']")
        await ready(page, "products")
        await page.fill("[name=price]", "3.00")
        await page.click("#product-save")
        await page.wait_for_selector("text=Saved eggs")
        assert "tray" in await answer(owner, "/stock eggs", "eggs")

        # Stock entry from its tab: find the product as you type, remove with a reason.
        assert "5" in await answer(owner, "/restock bread 5", "5")
        await goto(page, "#/entry", "entry")
        await page.fill("#product-search", "brea")
        await page.click("#product-results [data-pick='bread']")
        await page.click("[data-kind='removal']")
        await page.select_option("[name=reason]", "damage")
        await page.fill("[name=quantity]", "1")
        await page.click("#entry-submit")
        await page.wait_for_selector("#entry-done:not([hidden])")
        assert "on hand now 4 pcs" in (await page.text_content("#entry-done") or "")
        assert "damage" in await answer(owner, "/history bread", "damage")

        # The shop's history lists both products' movements, newest first.
        await goto(page, "#/history", "history")
        shown = await page.text_content("#history") or ""
        assert "bread" in shown and "milk" in shown

        # The exports download in a browser with the session's cookie.
        await goto(page, "#/more", "more")
        async with page.expect_download() as downloading:
            await page.click("[data-export='stock']")
        saved = await (await downloading.value).path()
        assert "bread" in await asyncio.to_thread(Path(saved).read_text)

        # Settings (owners), then log out: the cookie no longer opens the API.
        await page.fill("[name=near_expiry_days]", "5")
        await page.click("#settings-save")
        await page.wait_for_selector("#settings-done:not([hidden])")
        assert "5" in await answer(owner, "/settings", "days")
        await page.click("#log-out")
        await page.wait_for_selector("#logged-out")
        status = await page.evaluate("fetch('../api/v1/session').then((r) => r.status)")
        assert status == 401
        assert errors == []


async def test_staff_see_no_costs_in_the_page(
    launch: Launch, owner: Chat, staff: Chat, api: Any
) -> None:
    bot = await launch(**QUIET)
    await open_cafe(owner)
    await answer(owner, "/restock milk 10 cost 0.70", "10")
    invite = await owner.say("/invite")
    while "/start" not in text_of(invite):
        invite = await owner.reply()
    await staff.say(f"/start {invite_code(invite)}")
    async with chromium() as browser:
        page = await browser.new_page(**CONTEXT)
        await page.goto(app_url(bot.url, api, STAFF))
        await ready(page, "dashboard")
        # The takings as in the chat's /dashboard, but not the stock's value at cost.
        assert await page.locator("#takings [data-figure='sales_today']").count() == 1
        assert await page.locator("[data-figure='stock_at_cost']").count() == 0
        await goto(page, "#/inventory", "inventory")
        await page.click("#inventory-list [data-product='milk']")
        await ready(page, "product")
        shown = await page.text_content("#view") or ""
        assert "10 l" in shown
        assert not re.search(r"0\.60|0\.70|Supplier price|Cost", shown), shown
        assert await page.locator("text=Edit").count() == 0
        await page.click("text=Restock")
        await ready(page, "entry")
        assert await page.locator("[name=price]").count() == 0  # the shelf price is the owner's
        # Nor are staff asked what the shop paid.
        assert await page.locator("[name=cost]").count() == 0
        form = await page.text_content("#entry-form") or ""
        assert not re.search(r"(?i)supplier price|paid", form), form
        await page.fill("[name=quantity]", "2")
        await page.click("#entry-submit")
        await page.wait_for_selector("#entry-done:not([hidden])")
        await goto(page, "#/products", "products")
        assert await page.locator("#add-product").count() == 0
        assert "cost" not in (await page.text_content("#products-list") or "")
        # Staff read the shop's settings but only owners change them.
        await goto(page, "#/more", "more")
        assert await page.locator("#settings-save").count() == 0
        assert await page.locator("[name=currency]").is_disabled()


# Telegram's side of the bridge, as its mobile apps offer it: events from the page are
# recorded; events to the page go through window.Telegram.WebView.receiveEvent.
TELEGRAM_PROXY = """
window.__events = [];
window.TelegramWebviewProxy = {
  postEvent: (type, data) => window.__events.push([type, JSON.parse(data || "{}")]),
};
"""


async def events(page: Any, kind: str) -> list[dict[str, Any]]:
    found: list[list[Any]] = await page.evaluate("window.__events")
    return [data for name, data in found if name == kind]


async def test_inside_telegram_the_main_button_saves_and_telegram_downloads_the_files(
    launch: Launch, owner: Chat, api: Any
) -> None:
    bot = await launch(**QUIET)
    await open_cafe(owner)
    async with chromium() as browser:
        context = await browser.new_context(**CONTEXT)
        await context.add_init_script(TELEGRAM_PROXY)
        page = await context.new_page()
        await page.goto(app_url(bot.url, api, OWNER, tgWebAppThemeParams=LIGHT_THEME))
        await ready(page, "dashboard")
        assert await events(page, "web_app_ready")

        # Telegram's theme follows a change made while the app is open.
        dark = {"theme_params": {"bg_color": "#212121", "text_color": "#ffffff"}}
        await page.evaluate("(d) => Telegram.WebView.receiveEvent('theme_changed', d)", dark)
        assert await page.evaluate("document.documentElement.dataset.theme") == "dark"

        # Stock entry saves with Telegram's main button (the page's own is hidden)...
        await goto(page, "#/inventory?q=milk", "inventory")
        await page.click("#inventory-list [data-product='milk']")
        await ready(page, "product")
        await page.click("text=Restock")
        await ready(page, "entry")
        assert await page.locator("#entry-submit").is_hidden()
        assert (await events(page, "web_app_setup_main_button"))[-1]["text"] == "Save"
        assert (await events(page, "web_app_setup_back_button"))[-1]["is_visible"] is True
        await page.fill("[name=quantity]", "5")
        await page.evaluate("Telegram.WebView.receiveEvent('main_button_pressed', {})")
        await page.wait_for_selector("#entry-done:not([hidden])")
        assert "5 l" in await answer(owner, "/stock milk", "5 l")

        # ... and Telegram's back button goes back.
        await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed', {})")
        await ready(page, "product")

        # Offline, a change says so in words instead of the browser's "Failed to fetch".
        await context.set_offline(True)
        await page.click("button[aria-label='plus one']")
        await page.wait_for_selector("#product-notice .error")
        assert "Could not reach" in (await page.text_content("#product-notice") or "")
        await context.set_offline(False)

        # An export is downloaded by Telegram itself, which holds no cookie of ours.
        await goto(page, "#/more", "more")
        await page.click("[data-export='ledger']")
        await page.wait_for_function(
            "window.__events.some(([t]) => t === 'web_app_request_file_download')"
        )
        (request,) = await events(page, "web_app_request_file_download")
        assert request["file_name"].startswith("ledger-")
        cookieless = await browser.new_context()
        fetched = await cookieless.request.get(request["url"])
        assert fetched.status == 200 and "milk" in await fetched.text()
        await cookieless.close()


ADD_PRODUCTS = """
async (count) => {
  const me = await (await fetch("../api/v1/session")).json();
  for (let i = 0; i < count; i++) {
    await fetch(`../api/v1/shops/${me.shops[0].id}/products`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token,
        "Idempotency-Key": `bulk-product-${i}` },
      body: JSON.stringify({ name: `item ${String(i).padStart(3, "0")}` }),
    });
  }
}
"""


async def test_the_inventory_pages_through_a_long_catalog(
    launch: Launch, owner: Chat, api: Any
) -> None:
    bot = await launch(**QUIET)
    await open_cafe(owner)
    async with chromium() as browser:
        page = await browser.new_page(**CONTEXT)
        await page.goto(app_url(bot.url, api, OWNER))
        await ready(page, "dashboard")
        await page.evaluate(ADD_PRODUCTS, 60)  # 62 with milk and bread: two pages of 50
        await goto(page, "#/inventory", "inventory")
        assert await page.text_content("#inventory-summary") == "62 products"
        assert await page.locator("#inventory-list [data-product]").count() == 50
        assert "Page 1 of 2" in (await page.text_content(".pager") or "")
        await page.click(".pager .next")
        await page.wait_for_selector("text=Page 2 of 2")
        shown = await page.locator("#inventory-list [data-product]").all_inner_texts()
        assert len(shown) == 12 and "milk" in shown[-1]
        # One page needs no pager.
        await page.fill("#search", "item 05")
        await page.wait_for_function(
            "document.querySelectorAll('#inventory-list [data-product]').length === 10"
        )
        assert await page.locator(".pager button").count() == 0

        # The dashboard lists the first three of a box; below them, how many there are
        # (found in the console: 3 of 4 shown, and nothing said there was a fourth).
        await goto(page, "#/dashboard", "dashboard")
        more = page.locator("[data-more='low']")
        assert await more.text_content() == "View all 62 ›"
        await more.click()
        await ready(page, "inventory")
        assert "status=low" in page.url


async def test_back_from_a_list_leads_to_the_dashboard(
    launch: Launch, owner: Chat, api: Any
) -> None:
    bot = await launch(**QUIET)
    await open_cafe(owner)
    async with chromium() as browser:
        # In a browser: the page's own back link, which names the dashboard on a list,
        # even when the list was the page the app opened on.
        page = await browser.new_page(**CONTEXT)
        await page.goto(app_url(bot.url, api, OWNER, query="?route=inventory&status=out"))
        await ready(page, "inventory")
        assert await page.is_visible("#back")
        assert "Dashboard" in (await page.text_content("#back") or "")
        await page.click("#back")
        await ready(page, "dashboard")
        await goto(page, "#/more", "more")
        await page.click("text=Shop history")
        await ready(page, "history")
        await page.click("#back")
        await ready(page, "dashboard")
        # A product page goes back where it came from.
        await page.click("[data-box='out']")
        await ready(page, "inventory")
        await page.click("#inventory-list [data-product='milk']")
        await ready(page, "product")
        assert (await page.text_content("#back") or "").strip() == "‹"
        await page.click("#back")
        await ready(page, "inventory")
        await page.click("#back")
        await ready(page, "dashboard")
        assert await page.is_hidden("#back")

        # Inside Telegram: Telegram's Back button, the page's own hidden.
        context = await browser.new_context(**CONTEXT)
        await context.add_init_script(TELEGRAM_PROXY)
        inside = await context.new_page()
        await inside.goto(app_url(bot.url, api, OWNER, query="?route=history"))
        await ready(inside, "history")
        assert await inside.is_hidden("#back")
        assert (await events(inside, "web_app_setup_back_button"))[-1]["is_visible"] is True
        await inside.evaluate("Telegram.WebView.receiveEvent('back_button_pressed', {})")
        await ready(inside, "dashboard")
        assert (await events(inside, "web_app_setup_back_button"))[-1]["is_visible"] is False


DARK_THEME = json.dumps({"bg_color": "#212121", "text_color": "#ffffff"})
# Whatever is wider than the phone: the page scrolls sideways, or a part sticks out of
# its card (the chips' row scrolls on purpose and is left out).
OVERFLOW = """
() => {
  const wide = document.documentElement.scrollWidth > innerWidth ? ["page"] : [];
  for (const node of document.querySelectorAll("#view *, .bar *, #tabs *")) {
    if (node.closest(".chips")) continue;
    const box = node.getBoundingClientRect();
    if (box.width && (box.left < -1 || box.right > innerWidth + 1)) {
      wide.push(`${node.tagName}.${node.className}: ${node.textContent.slice(0, 40)}`);
    }
  }
  return wide;
}
"""


async def test_every_page_fits_a_phone_in_light_and_dark_and_in_russian(
    launch: Launch, owner: Chat, api: Any
) -> None:
    bot = await launch(**QUIET)
    await open_cafe(owner)
    await answer(owner, "/restock milk 12 exp 1.1.2027 cost 0.55 reorder 20.12.2027", "12")
    await answer(owner, "/sell milk 2", "10")
    async with chromium() as browser:
        passes = (("light", LIGHT_THEME, ""), ("dark", DARK_THEME, ""), ("dark", DARK_THEME, "ru"))
        for theme, params, language in passes:
            page = await browser.new_page(**CONTEXT)
            url = app_url(bot.url, api, OWNER, language=language, tgWebAppThemeParams=params)
            await page.goto(url)
            await ready(page, "dashboard")
            assert await page.evaluate("document.documentElement.dataset.theme") == theme
            await goto(page, "#/inventory?q=milk", "inventory")
            await page.click("#inventory-list [data-product='milk']")
            await ready(page, "product")
            milk = page.url.rsplit("/", 1)[-1]
            for hash_, name in [
                ("#/dashboard", "dashboard"),
                ("#/inventory", "inventory"),
                (f"#/product/{milk}", "product"),
                (f"#/entry/{milk}?kind=restock", "entry"),
                ("#/entry?kind=removal", "entry"),
                ("#/products", "products"),
                (f"#/products/{milk}/edit", "products"),
                ("#/history", "history"),
                ("#/more", "more"),
            ]:
                await goto(page, hash_, name)
                assert await page.evaluate(OVERFLOW) == [], (theme, language, hash_)
                if language == "ru" and name == "dashboard":
                    assert "Продажи сегодня" in (await page.text_content("#takings") or "")
                if hash_ == f"#/product/{milk}":  # it read "10 l" and "0.55 EUR" in Russian
                    on_hand = await page.text_content("#on-hand")
                    assert on_hand == ("10 л" if language == "ru" else "10 l"), on_hand
                    # It said "Lead time: default" without how long that is.
                    lead = "7 дней (по умолчанию)" if language == "ru" else "7 days (default)"
                    assert lead in (await page.text_content("#view") or "")
                if language == "ru" and hash_ == "#/products":
                    assert "0,55\xa0€" in (await page.text_content("#view") or "")
                if language == "ru" and hash_ == "#/history":  # it read "+12 l"
                    assert "+12 л · приход" in (await page.text_content("#history") or "")
            await page.close()
