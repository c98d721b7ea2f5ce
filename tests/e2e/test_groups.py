"""Groups through the real bot, from the attacker's side (issue 12 items 1, 2, 9; issue 9
items 1 and 18): shared identities are nobody, a group is linked by its admin and only
shows its own shop, an invite link never lands in a group."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import texts
from devtools.localapi import ChatMessage, LocalBotApi, LocalChat, LocalUser, MemberStatus
from tests.e2e.alerting import scans_held_off
from tests.e2e.conftest import Launch, open_cafe
from tests.e2e.harness import (
    OWNER,
    STAFF,
    STRANGER,
    Books,
    BotProcess,
    Chat,
    invite_code,
    text_of,
)

ROOM = LocalChat.group(-100_555, "Cafe staff room")
OTHER_ROOM = LocalChat.group(-100_666, "Book club")
NEWS = LocalChat.channel(-100_777, "Cafe news")


@pytest.fixture
async def quiet_bot(launch: Launch, database_url: str) -> AsyncIterator[BotProcess]:
    """The bot with no digest scan during the test: the digests of shops created after
    their alert time would arrive in the private chats these tests read."""
    async with scans_held_off(database_url):
        yield await launch()


@pytest.fixture
async def cafe_room(quiet_bot: BotProcess, api: LocalBotApi, owner: Chat) -> Chat:
    """Olga's Cafe with 10 l of milk, and the staff room she created, linked to it."""
    await open_cafe(owner)
    await owner.say("/restock milk 10 cost 0.60")
    api.set_member(ROOM, OWNER, MemberStatus.CREATOR)
    in_room = Chat(api, OWNER, ROOM)
    assert "now linked to Cafe" in text_of(await in_room.say("/link"))
    return in_room


async def anonymously(api: LocalBotApi, group: LocalChat, text: str) -> ChatMessage:
    await api.send_anonymously(OWNER, group, text)
    return await api.next_message(group.id)


async def as_channel(api: LocalBotApi, group: LocalChat, text: str) -> ChatMessage:
    await api.send_as_channel(NEWS, group, text)
    return await api.next_message(group.id)


async def test_anonymous_admins_and_channel_posts_get_no_role_and_are_told_how_to_write(
    cafe_room: Chat, api: LocalBotApi, books: Books
) -> None:
    # Issue 12: an anonymous admin's /newshop made "GroupAnonymousBot" an owner, and an
    # anonymous admin of another group then sold the shop's stock there.
    before = await books.snapshot()
    for group in (OTHER_ROOM, ROOM):
        for command in ("/newshop Squat", "/invite", "/sell milk 4", "/start", "/link"):
            told = text_of(await anonymously(api, group, command))
            assert told == texts.ANONYMOUS_ADMIN, (group.title, command)
            told = text_of(await as_channel(api, group, command))
            assert told == texts.AS_CHANNEL, (group.title, command)
    assert await books.snapshot() == before
    assert await books.on_hand("milk") == 10

    # Plain talk that is not for the bot gets no lecture (the next message in the group
    # is the answer to the person's command that follows).
    await api.send_anonymously(OWNER, ROOM, "good morning everyone")
    assert "On hand: 10 l" in text_of(await cafe_room.say("/stock milk"))


async def test_a_stranger_cannot_claim_a_group_and_its_admin_takes_it_back(
    quiet_bot: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    await open_cafe(owner)
    api.set_member(ROOM, OWNER, MemberStatus.CREATOR)
    squatter = Chat(api, STRANGER, ROOM)
    olga = Chat(api, OWNER, ROOM)

    created = text_of(await squatter.say("/newshop Squat"))
    assert "Squat is ready" in created and "/link" in created
    refused = text_of(await squatter.say("/link"))
    assert refused == "⚠️ Only an admin of this group can link it to a shop."
    assert text_of(await squatter.say("/sell milk 1")).startswith("⚠️ This group is not linked")

    # A link made before links needed an admin: the group's admin takes it back.
    squat = await books.shop_id("Squat")
    await books.execute(
        "INSERT INTO group_chats (chat_id, shop_id) VALUES ($1, $2)", ROOM.id, squat
    )
    moved = text_of(await olga.say("/link"))
    assert moved.startswith("✅ This group moved from Squat to Cafe.")
    assert text_of(await squatter.say("/stock milk")).startswith("⚠️ You are not a member")
    assert text_of(await squatter.say("/unlink")).startswith("⚠️ Only an admin of this group")

    # The owner unlinks it; then nobody's shop shows there.
    assert text_of(await olga.say("/unlink")).startswith(
        "✅ This group is no longer linked to Cafe"
    )
    assert text_of(await olga.say("/stock milk")).startswith("⚠️ This group is not linked")


async def test_an_owner_moves_a_group_between_their_shops_and_unlinks_it_from_private(
    cafe_room: Chat, api: LocalBotApi, owner: Chat
) -> None:
    assert "is ready" in text_of(await owner.say("/newshop Bakery"))  # the active shop now
    moved = text_of(await cafe_room.say("/link"))
    assert moved.startswith("✅ This group moved from Cafe to Bakery.")
    assert text_of(await cafe_room.say("/stock milk")).startswith("⚠️ No product called “milk”")
    back = text_of(await cafe_room.say("/link cafe"))
    assert back.startswith("✅ This group moved from Bakery to Cafe.")
    assert text_of(await cafe_room.say("/link Cafe")) == "This group is already linked to Cafe."

    # Telegram upgrades the group to a supergroup, with a new id: the link follows.
    upgraded = LocalChat.group(-100_555_000, ROOM.title or "", supergroup=True)
    notice = {"message_id": 999, "date": 0, "chat": ROOM.to_api(), "from": OWNER.to_api()}
    await api.push_update({"message": {**notice, "migrate_to_chat_id": upgraded.id}})
    in_supergroup = Chat(api, OWNER, upgraded)
    assert "On hand: 10 l" in text_of(await in_supergroup.say("/stock milk"))
    cafe_room = in_supergroup

    listing = await owner.say("/unlink")  # in private: the active shop's groups
    assert "is linked to no group" in text_of(listing)  # Bakery has none
    switched = await owner.say("/shop")
    await owner.press(switched, "Cafe")
    await owner.edited()
    listing = await owner.say("/unlink")
    assert "• Cafe staff room" in text_of(listing)  # the supergroup's title, from getChat
    tap = await owner.press(listing, "Unlink Cafe staff room")
    assert (await owner.answer(tap)).text == texts.UNLINKED_TOAST
    assert "is linked to no group" in text_of(await owner.edited())
    assert text_of(await cafe_room.say("/stock milk")).startswith("⚠️ This group is not linked")


async def test_an_invite_asked_for_in_a_group_goes_to_the_owner_privately(
    cafe_room: Chat, api: LocalBotApi, owner: Chat, staff: Chat, books: Books
) -> None:
    asked = await cafe_room.say("/invite")
    assert text_of(asked) == texts.INVITE_SENT_PRIVATELY
    private = await owner.reply()
    assert "Invite to Cafe as staff" in text_of(private)
    assert not any("start=" in text_of(m) for m in api.transcript(ROOM.id))

    joined = await staff.say(f"/start {invite_code(private)}")
    assert "You joined Cafe as staff" in text_of(joined)
    assert text_of(await owner.reply()) == "👋 Bob joined Cafe as staff. /team shows everyone."

    # In the group a confirmation names who made the movement, and costs stay private.
    bob = Chat(api, STAFF, ROOM)
    assert text_of(await bob.say("/sell milk 2")).startswith("👤 Bob: ✅ Sold 2 l milk")
    restocked = text_of(await cafe_room.say("/restock milk 5 cost 0.70"))
    assert restocked.startswith("👤 Olga: ✅ Restocked 5 l milk") and "0.70" not in restocked
    card = await cafe_room.say("/stock milk")
    assert "Cost" not in text_of(card)
    await bob.press(card, "+1")
    assert text_of(await cafe_room.edited()).startswith("👤 Bob: ")  # the card says whose
    assert text_of(await cafe_room.say("/team")) == texts.SENT_PRIVATELY
    assert "• Bob — staff" in text_of(await owner.reply())
    assert await books.on_hand("milk") == 14

    # An owner who never opened a private chat is told how, and no link is posted.
    newcomer = Chat(api, LocalUser(1010, "Nina"), OTHER_ROOM)
    api.set_member(OTHER_ROOM, newcomer.user, MemberStatus.CREATOR)
    assert "Nina's is ready" in text_of(await newcomer.say("/newshop Nina's"))
    told = text_of(await newcomer.say("/invite"))
    assert told.startswith("⚠️ I can't write to you privately yet.")
    assert not any("start=" in text_of(m) for m in api.transcript(OTHER_ROOM.id))


async def test_another_shops_buttons_in_a_group_never_post_that_shop_there(
    cafe_room: Chat, api: LocalBotApi, owner: Chat, attacker: Chat, books: Books
) -> None:
    # Issue 12 item 9: Olga owns the Cafe and works in Eve's Deli too; in the Deli's
    # group, buttons naming the Cafe must not post the Cafe's stock, team or settings.
    assert "is ready" in text_of(await attacker.say("/newshop Deli"))
    code = invite_code(await attacker.say("/invite"))
    assert "joined Deli" in text_of(await owner.say(f"/start {code}"))
    await attacker.reply()  # "Olga joined Deli"
    api.set_member(OTHER_ROOM, attacker.user, MemberStatus.CREATOR)
    assert "now linked to Deli" in text_of(await Chat(api, attacker.user, OTHER_ROOM).say("/link"))
    cafe = (await books.product("milk", "Cafe"))["shop_id"]
    in_deli_room = Chat(api, OWNER, OTHER_ROOM)
    anchor = await in_deli_room.say("/dashboard")  # the Deli's, to hang buttons on
    before = await books.snapshot()

    private = [
        (f"al:view:{cafe}:low", "Low and out of stock"),
        (f"al:reorder:{cafe}", "reorder"),
        (f"team:role:{cafe}:{OWNER.id}:owner", "Team of Cafe"),
        (f"shop:{cafe}", "Your shops"),
    ]
    for data, shown in private:
        mark = len(api.bot_messages(OWNER.id))
        await in_deli_room.answer(await in_deli_room.forge(anchor, data))
        await api.wait_for(lambda m=mark: len(api.bot_messages(OWNER.id)) > m)  # type: ignore[misc]
        assert shown.casefold() in text_of(api.bot_messages(OWNER.id)[-1]).casefold(), data
    viewed = await in_deli_room.answer(await in_deli_room.forge(anchor, f"al:view:{cafe}:out"))
    assert viewed.text == texts.SENT_PRIVATELY
    for data in (f"set:{cafe}:cur", f"set:{cafe}:tz"):
        refusal = await in_deli_room.refusal(await in_deli_room.forge(anchor, data))
        assert refusal.startswith("⚠️ That button belongs to another shop's chat"), data

    room = [m for m in api.bot_messages(OTHER_ROOM.id) if m.message_id > anchor.message_id]
    assert all("milk" not in text_of(m) and "Cafe" not in text_of(m) for m in room), room
    assert api.message(OTHER_ROOM.id, anchor.message_id).edits == 0
    assert await books.snapshot() == before
