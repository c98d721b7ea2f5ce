"""The command menu (setMyCommands) the real bot registers: everyday commands for
everyone, the owner's menu in an owner's private chat, following role changes."""

from __future__ import annotations

from bot.texts import OWNER_COMMANDS, STAFF_COMMANDS
from devtools.localapi import LocalBotApi
from tests.e2e.harness import OWNER, STAFF, BotProcess, Chat, invite_code, text_of


def menu(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"command": name, "description": about} for name, about in pairs]


def chat_scope(user_id: int) -> dict[str, object]:
    return {"type": "chat", "chat_id": user_id}


async def test_the_default_menu_is_set_at_start_and_owners_get_theirs(
    bot: BotProcess, api: LocalBotApi, owner: Chat, staff: Chat
) -> None:
    await api.wait_for(lambda: api.my_commands() != [], timeout=10)
    assert api.my_commands() == menu(STAFF_COMMANDS)
    assert api.my_commands(chat_scope(OWNER.id)) == []

    await owner.say("/newshop Cafe")
    await api.wait_for(lambda: api.my_commands(chat_scope(OWNER.id)) != [], timeout=10)
    owners_menu = api.my_commands(chat_scope(OWNER.id))
    assert owners_menu == menu(OWNER_COMMANDS)
    assert {"add", "invite", "team", "settings"} <= {c["command"] for c in owners_menu}

    await staff.say(f"/start {invite_code(await owner.say('/invite'))}")
    assert "Bob joined Cafe" in text_of(await owner.reply())
    await api.wait_for(lambda: api.my_commands(chat_scope(STAFF.id)) != [], timeout=10)
    assert api.my_commands(chat_scope(STAFF.id)) == menu(STAFF_COMMANDS)

    team = await owner.say("/team")
    await owner.press(team, "Make Bob owner")
    assert "Bob — owner" in text_of(await owner.edited())
    await api.wait_for(
        lambda: api.my_commands(chat_scope(STAFF.id)) == menu(OWNER_COMMANDS), timeout=10
    )
    assert api.my_commands() == menu(STAFF_COMMANDS)  # the default menu is unchanged
