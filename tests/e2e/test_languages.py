"""Two languages through the real bot process: a Russian Telegram app is answered in
Russian, /language overrides per person and /language auto goes back, buttons and the
command menu speak the language too, and a wrong choice says what the choices are."""

from __future__ import annotations

from devtools.localapi import LocalBotApi, LocalUser
from tests.e2e.harness import BotProcess, Chat, text_of

IVAN = LocalUser(1005, "Иван", username="ivan", language_code="ru-RU")


async def test_a_russian_app_is_answered_in_russian(bot: BotProcess, api: LocalBotApi) -> None:
    ivan = Chat(api, IVAN)
    help_text = text_of(await ivan.say("/help"))
    assert "Остатки" in help_text and "/restock" in help_text  # commands keep their names
    menu = {c["command"]: c["description"] for c in api.my_commands(language_code="ru")}
    assert menu["undo"] == "Отменить ваше последнее движение"
    assert {c["command"] for c in api.my_commands()} == set(menu)


async def test_language_overrides_per_person_and_auto_goes_back(
    cafe: BotProcess, owner: Chat
) -> None:
    assert "Русский" in text_of(await owner.say("/language ru"))
    assert "Остатки" in text_of(await owner.say("/help"))
    card = await owner.say("/stock milk")
    assert "💶 Продать…" in [b.text for b in card.buttons]
    assert "В наличии:" in text_of(card)
    await owner.say("/restock milk 10")
    sold = text_of(await owner.say("/sell milk 2"))
    assert sold.startswith("✅ Продано 2 l milk") and "В наличии: 8 l" in sold
    listed = text_of(await owner.say("/inventory"))
    assert "2 товара" in listed  # milk and bread, in Russian's plural
    history = text_of(await owner.say("/history milk"))
    assert "продажа" in history and "приход" in history  # the reasons, in Russian
    refused = text_of(await owner.say("/language klingon"))
    assert "en, ru" in refused
    assert "English" in text_of(await owner.say("/language auto"))
    assert text_of(await owner.say("/help")).startswith("Stock")
