"""Two languages through the real bot process: a Russian Telegram app is answered in
Russian, /language overrides per person and /language auto goes back, buttons and the
command menu speak the language too, and a wrong choice says what the choices are."""

from __future__ import annotations

import json
import time

from bot import i18n
from bot.i18n import _
from bot.texts import OWNER_COMMANDS
from devtools.localapi import LocalBotApi, LocalUser
from tests.e2e.alerting import scans_held_off
from tests.e2e.conftest import Launch
from tests.e2e.harness import OWNER, STAFF, Books, BotProcess, Chat, invite_code, text_of

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
    assert sold.startswith("✅ Продано 2 л milk") and "В наличии: 8 л" in sold
    listed = text_of(await owner.say("/inventory"))
    assert "2 товара" in listed  # milk and bread, in Russian's plural
    history = text_of(await owner.say("/history milk"))
    assert "продажа" in history and "приход" in history  # the reasons, in Russian
    refused = text_of(await owner.say("/language klingon"))
    assert "en, ru" in refused
    # By its name, as people say it: 'Выберите один из: en, ru' before.
    assert "English" in text_of(await owner.say("/language английский"))
    assert "Русский" in text_of(await owner.say("/language Russian"))
    assert "English" in text_of(await owner.say("/language auto"))
    assert text_of(await owner.say("/help")).startswith("Stock")


def _message_of(user: LocalUser, update_id: int, text: str) -> str:
    """A stored update of `user` writing `text` in private, as the inbox keeps it."""
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "from": user.to_api(),
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message})


async def test_a_restart_notice_is_said_in_the_senders_language(
    launch: Launch, api: LocalBotApi, books: Books, database_url: str
) -> None:
    """Before: "I restarted before confirming …" went out in English to everyone. Now in
    the sender's /language choice, else their app's language, else English."""
    async with scans_held_off(database_url):
        await launch(INBOX_LEASE_SECONDS="2")
        olga, ivan, bob = Chat(api, OWNER), Chat(api, IVAN), Chat(api, STAFF)
        await olga.say("/language ru")  # her app is English
        await ivan.say("/help")
        await bob.say("/help")
        # Each process died after recording its update, before the reply went out.
        for update_id, (user, text) in enumerate(
            [(OWNER, "/sell milk 2"), (IVAN, "продал 2 молока"), (STAFF, "/sell milk 1")],
            start=900_001,
        ):
            await books.execute(
                "INSERT INTO update_inbox (update_id, payload, received_at, processed_at, "
                "attempts, leased_until, chat_id, user_id) "
                "VALUES ($1, $2, now(), now(), 0, now() - interval '1 minute', $3, $3)",
                update_id,
                _message_of(user, update_id, text),
                user.id,
            )
        told = [text_of(await chat.reply(timeout=15)) for chat in (olga, ivan, bob)]
    assert told[0].startswith("⚠️ Я перезапустился, не успев подтвердить «/sell milk 2»")
    assert told[1].startswith("⚠️ Я перезапустился, не успев подтвердить «продал 2 молока»")
    assert told[2].startswith("⚠️ I restarted before confirming “/sell milk 1”")


async def test_a_failing_update_is_retried_and_given_up_in_the_senders_language(
    bot: BotProcess, api: LocalBotApi, books: Books
) -> None:
    """Before: "I'm having trouble saving…" and "Something went wrong on my side…" were
    English to a Russian app (sent untranslated, after the update's handlers)."""
    ivan = Chat(api, IVAN)
    await ivan.say("/newshop Пекарня")
    await ivan.say("/add молоко unit l")
    await books.execute("ALTER TABLE products RENAME TO products_away")
    try:
        await ivan.send("/sell молоко 1")
        retrying = text_of(await ivan.reply(timeout=15))
        given_up = text_of(await ivan.reply(timeout=40))  # five attempts, over 15 s
    finally:
        await books.execute("ALTER TABLE products_away RENAME TO products")
    assert retrying.startswith("⏳ Сейчас не получается сохранить")
    assert given_up.startswith("😕 У меня что-то пошло не так")
    assert "Остатки" in text_of(await ivan.say("/help"))


async def test_a_member_hears_of_changes_to_them_in_their_own_language(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, staff: Chat
) -> None:
    """Bob reads Russian, his owner English. The notice of Bob's join went out in Bob's
    language, and Bob's new role, his owner's menu and his removal in the owner's."""
    assert "Русский" in text_of(await staff.say("/language ru"))
    await staff.say(f"/start {invite_code(await owner.say('/invite'))}")
    assert text_of(await owner.reply()) == "👋 Bob joined Cafe as staff. /team shows everyone."

    await owner.press(await owner.say("/team"), "Make Bob owner")
    await owner.edited()
    assert text_of(await staff.reply()) == "В магазине Cafe вам назначили роль: владелец."
    with i18n.speaking("ru"):
        russian_menu = [{"command": c, "description": _(about)} for c, about in OWNER_COMMANDS]
    scope = {"type": "chat", "chat_id": STAFF.id}
    await api.wait_for(lambda: api.my_commands(scope) == russian_menu, timeout=10)

    await owner.press(await owner.say("/team"), "Remove Bob")
    await owner.press(await owner.edited(), "Remove Bob")
    assert text_of(await staff.reply()).startswith("Вы больше не состоите в магазине Cafe")
