"""Opening the Mini App from the chat: with MINIAPP_URL the menu button opens it and
/dashboard, /inventory and product cards carry an "Open app" button to their page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from devtools.localapi import LocalBotApi
from tests.e2e.conftest import Launch, open_cafe
from tests.e2e.harness import Chat, eventually

MINIAPP_URL = "https://shop.example/app/"


def opened(message: object, label: str = "Open app") -> dict[str, list[str]]:
    button = message.button(label)  # type: ignore[attr-defined]
    assert button.web_app_url is not None and button.web_app_url.startswith(MINIAPP_URL)
    return parse_qs(urlparse(button.web_app_url).query)


async def test_menu_button_and_views_open_the_app(
    launch: Launch, api: LocalBotApi, owner: Chat
) -> None:
    await launch(MINIAPP_URL=MINIAPP_URL, ALERT_SCAN_SECONDS="3600")

    async def menu_set() -> bool:
        return None in api.menu_buttons

    await eventually(menu_set, "the menu button is set")
    assert api.menu_buttons[None]["web_app"]["url"] == MINIAPP_URL
    await open_cafe(owner)
    assert opened(await owner.say("/dashboard"))["route"] == ["dashboard"]
    low = opened(await owner.say("/inventory low"))
    assert (low["route"], low["status"]) == (["inventory"], ["low"])
    card = opened(await owner.say("/stock milk"))
    assert card["route"] == ["product"] and card["id"][0].isdigit()


async def test_without_miniapp_url_no_app_buttons(
    launch: Launch, api: LocalBotApi, owner: Chat
) -> None:
    await launch(ALERT_SCAN_SECONDS="3600")
    await open_cafe(owner)
    board = await owner.say("/dashboard")
    assert all(b.web_app_url is None for b in board.buttons)
    assert api.menu_buttons == {}
