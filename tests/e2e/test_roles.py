"""Owner and staff through the real bot: an invite, what staff may and may not do, and
a removed member losing access at once."""

from __future__ import annotations

from tests.e2e.harness import STAFF, Books, BotProcess, Chat, invite_code, text_of


async def join_as_staff(owner: Chat, staff: Chat) -> None:
    invite = await owner.say("/invite")
    assert "Invite to Cafe as staff, valid once" in text_of(invite)
    joined = await staff.say(f"/start {invite_code(invite)}")
    assert text_of(joined) == "✅ You joined Cafe as staff. Try /dashboard."
    assert text_of(await owner.reply()) == "👋 Bob joined Cafe as staff. /team shows everyone."


async def test_staff_joins_with_the_invite_code_and_records_movements_without_costs(
    cafe: BotProcess, owner: Chat, staff: Chat, attacker: Chat, books: Books
) -> None:
    invite = await owner.say("/invite")
    code = invite_code(invite)
    assert f"?start={code}" in text_of(invite)

    assert "joined Cafe as staff" in text_of(await staff.say(f"/start {code}"))
    assert "Bob joined Cafe as staff" in text_of(await owner.reply())  # the owner is told
    reused = await attacker.say(f"/start {code}")
    assert (
        "This invite cannot be used: it was already used (a link lets one person in); "
        "ask the owner for a new one."
    ) in text_of(reused)

    restocked = await staff.say("/restock milk 10 cost 0.70")
    assert "Restocked 10 l milk" in text_of(restocked)
    assert "cost" not in text_of(restocked)
    assert "Sold 2 l milk" in text_of(await staff.say("/sell milk 2"))
    card = await staff.say("/stock milk")

    assert "On hand: 8 l" in text_of(card)
    assert "Cost" not in text_of(card)
    assert "Cost: 0.70 EUR" in text_of(await owner.say("/stock milk"))
    assert {m["user_id"] for m in await books.movements()} == {STAFF.id}


async def test_a_restock_question_asks_staff_for_no_prices(
    cafe: BotProcess, owner: Chat, staff: Chat
) -> None:
    await join_as_staff(owner, staff)
    asked = text_of(await staff.say("/restock milk"))
    assert asked.startswith("How many l of milk arrived?"), asked
    assert "cost" not in asked and "price" not in asked, asked
    await staff.say("/cancel")
    # The owner, in private, is offered the prices as before.
    asked = text_of(await owner.say("/restock milk"))
    assert "cost 1.20" in asked and "price 2.00" in asked, asked


async def test_owner_only_commands_are_refused_politely_for_staff(
    cafe: BotProcess, owner: Chat, staff: Chat, books: Books
) -> None:
    await join_as_staff(owner, staff)
    before = await books.snapshot()

    refusals = {
        "/add cheese": "⚠️ Only an owner can add products.",
        "/edit milk": "⚠️ Only an owner can edit products.",
        "/delete milk": "⚠️ Only an owner can delete products.",
        "/team": "⚠️ Only an owner can manage the team.",
        "/invite": "⚠️ Only an owner can invite people.",
        "/settings currency USD": "⚠️ Only an owner can change settings.",
    }
    for command, refusal in refusals.items():
        assert text_of(await staff.say(command)) == refusal, command
    # Staff may read the settings, but get no buttons to change them.
    settings = await staff.say("/settings")
    assert "Currency: EUR" in text_of(settings)
    assert settings.buttons == []

    assert await books.snapshot() == before


async def test_a_removed_member_loses_access_at_once(
    cafe: BotProcess, owner: Chat, staff: Chat, books: Books
) -> None:
    await join_as_staff(owner, staff)
    await staff.say("/restock milk 10")
    old_card = await staff.say("/stock milk")

    team = await owner.say("/team")
    assert "• Bob — staff" in text_of(team)
    # One stray tap only asks; Keep leaves Bob in the team.
    await owner.press(team, "🚫 Remove Bob")
    question = await owner.edited()
    assert text_of(question).startswith("Remove Bob from Cafe? They lose access at once")
    await owner.press(question, "✖️ Keep")
    assert text_of(await owner.edited()) == "Kept: nobody was removed."
    assert await books.on_hand("milk") == 10
    assert "Sold 1 l milk" in text_of(await staff.say("/sell milk 1"))
    await staff.say("/restock milk 1")

    team = await owner.say("/team")
    await owner.press(team, "🚫 Remove Bob")
    removal = await owner.press(await owner.edited(), "🚫 Remove Bob")
    assert (await owner.answer(removal)).text == "Removed Bob."
    edited_team = await owner.edited()
    assert edited_team.message_id == team.message_id
    assert "Bob" not in text_of(edited_team)
    told = text_of(await staff.reply())
    assert told.startswith("You are no longer a member of Cafe: an owner removed you.")
    before = await books.snapshot()

    refused = await staff.say("/sell milk 1")
    # Not "not in a shop yet": Bob was in one until a moment ago.
    assert text_of(refused).startswith("⚠️ You are not in any shop.")
    tap = await staff.press(old_card, "+1")
    answer = await staff.answer(tap)
    assert answer.show_alert
    assert answer.text is not None and answer.text.startswith("⚠️ You are not in any shop.")
    assert text_of(await staff.say("/stock milk")).startswith("⚠️ You are not in any shop.")

    assert await books.snapshot() == before
    assert await books.on_hand("milk") == 10
    assert staff.api.message(staff.chat_id, old_card.message_id).edits == 0
