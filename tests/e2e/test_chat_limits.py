"""Telegram's per-chat limits hold up only the chat they apply to: a group held to 20
messages a minute does not delay anyone else's answers."""

from __future__ import annotations

from devtools.localapi import LocalBotApi, LocalChat
from tests.e2e.harness import OWNER, STRANGER, BotProcess, Chat, text_of

GROUP_LIMIT = 20  # messages a minute, Telegram's (and python-telegram-bot's limiter's)
SENT_IN_GROUP = GROUP_LIMIT + 4


async def test_a_group_at_its_rate_limit_delays_only_itself(
    bot: BotProcess, api: LocalBotApi
) -> None:
    group = Chat(api, OWNER, LocalChat.group(-100777, "Busy team"))
    someone_else = Chat(api, STRANGER)
    assert bot.env.get("TELEGRAM_RATE_LIMIT", "true") != "false"

    for _ in range(SENT_IN_GROUP):
        await group.send("/help")
    # Twenty answers go out at once; each one after that waits ~3 s for the group's limit.
    await api.wait_for(lambda: len(api.bot_messages(group.chat_id)) >= GROUP_LIMIT, timeout=30)
    answer = await someone_else.say("/help")

    assert "/restock" in text_of(answer)
    assert len(api.bot_messages(group.chat_id)) < SENT_IN_GROUP  # the group still waits
    await api.wait_for(lambda: len(api.bot_messages(group.chat_id)) == SENT_IN_GROUP, timeout=30)
