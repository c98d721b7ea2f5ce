""" "Did you mean" choices through the real bot process: the choice completes the command
under the command's own idempotency key, so tapping it twice records one movement, and
it belongs to whoever typed the command, so nobody else in a shared group can complete
it."""

from __future__ import annotations

from devtools.localapi import ChatMessage, LocalBotApi, LocalChat, MemberStatus
from tests.e2e.conftest import Launch, open_cafe
from tests.e2e.harness import (
    REPLY_TIMEOUT,
    STAFF,
    Books,
    BotProcess,
    Chat,
    invite_code,
    text_of,
)

STAFF_ROOM = -4242


def choice_data(message: ChatMessage, label: str) -> str:
    data = message.button(label).callback_data
    assert data is not None, label
    return data


async def said_by_bot(api: LocalBotApi, chat_id: int, words: str) -> list[str]:
    """Wait until some bot message in the chat (new or edited) says `words`; all that do."""

    def saying() -> list[str]:
        return [text_of(m) for m in api.bot_messages(chat_id) if words in text_of(m)]

    await api.wait_for(lambda: bool(saying()), REPLY_TIMEOUT)
    return saying()


async def test_a_did_you_mean_choice_tapped_twice_records_one_sale(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 10")
    offer = await owner.say("/sell mlik 2")
    assert "Did you mean" in text_of(offer)
    data = choice_data(offer, "milk")

    first = await owner.press(offer, "milk")
    await owner.answer(first)
    assert "Sold 2 l milk" in text_of(await owner.reply())
    # The same button again, as a double tap or a retried update would send it (sent
    # as it was, whatever the message shows by now).
    again = await owner.forge(offer, data)
    await owner.answer(again)

    told = await said_by_bot(api, owner.chat_id, "Already recorded")
    assert told and all("milk" in t for t in told)
    sales = [m for m in await books.movements("milk") if m["reason"] == "sale"]
    assert [m["quantity"] for m in sales] == [-2]
    assert await books.on_hand("milk") == 8


async def test_someone_elses_did_you_mean_choice_is_refused_in_a_shared_group(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, staff: Chat, books: Books
) -> None:
    await owner.say("/restock milk 10")
    code = invite_code(await owner.say("/invite"))
    assert "joined Cafe as staff" in text_of(await staff.say(f"/start {code}"))
    assert "Bob joined Cafe" in text_of(await owner.reply())
    room = LocalChat.group(STAFF_ROOM, "Cafe staff room")
    api.set_member(room, owner.user, MemberStatus.CREATOR)
    owner_in_room, staff_in_room = Chat(api, owner.user, room), Chat(api, STAFF, room)
    linked = await owner_in_room.say("/link")  # an owner who is the group's admin links it
    assert "now linked to Cafe" in text_of(linked), text_of(linked)

    offer = await owner_in_room.say("/sell mlik 2")
    assert "Did you mean" in text_of(offer)
    before = await books.snapshot()

    refused = await staff_in_room.refusal(await staff_in_room.press(offer, "milk"))

    assert "This choice belongs to someone else's command." in refused
    assert await books.snapshot() == before
    kept = api.message(STAFF_ROOM, offer.message_id)
    assert (text_of(kept), kept.buttons) == (text_of(offer), offer.buttons)

    # The owner's own tap still completes it.
    await owner_in_room.answer(await owner_in_room.press(offer, "milk"))
    assert "Sold 2 l milk" in text_of(await owner_in_room.reply())
    assert await books.on_hand("milk") == 8


async def test_a_reason_tapped_twice_records_one_removal_even_with_two_workers(
    launch: Launch, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    # Two inbox workers may take both taps at once; the step's own key still holds.
    await launch(INBOX_WORKERS="2")
    await open_cafe(owner)
    await owner.say("/restock milk 10")
    ask = await owner.say("/remove milk 2")
    assert "leaving?" in text_of(ask)
    data = choice_data(ask, "Damage")

    await owner.forge(ask, data)
    await owner.forge(ask, data)

    await said_by_bot(api, owner.chat_id, "Written off (damaged) 2 l milk")
    assert "On hand: 8 l" in text_of(await owner.say("/stock milk"))
    damage = [m for m in await books.movements("milk") if m["reason"] == "damage"]
    assert [m["quantity"] for m in damage] == [-2]


async def test_a_new_command_leaves_a_half_answered_step(cafe: BotProcess, owner: Chat) -> None:
    await owner.say("/restock milk 4")
    asked = await owner.say("/restock milk")
    assert "How many" in text_of(asked)
    await owner.say("/dashboard")

    card = await owner.say("milk")  # a product name again, not the step's answer

    assert "On hand: 4 l" in text_of(card)
