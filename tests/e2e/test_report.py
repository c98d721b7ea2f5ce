"""/report through the real bot process and the local Bot API: a chart with its caption
for an owner, a plain "nothing to report" for a shop where nothing moved, a refusal for
staff, and from a group the report goes to the owner privately."""

from __future__ import annotations

from tests.e2e.harness import BotProcess, Chat, invite_code, text_of


async def test_an_owner_gets_the_report_as_a_chart_with_a_caption(
    cafe: BotProcess, owner: Chat
) -> None:
    assert "Nothing to report" in text_of(await owner.say("/report"))
    await owner.say("/restock milk 20 cost 0.60 price 1.50")
    await owner.say("/sell milk 3")
    await owner.say("/remove milk 1 damage")
    shown = await owner.say("/report")
    assert shown.photo is not None and shown.photo.content.startswith(b"\x89PNG")
    caption = text_of(shown)
    assert "Sales 4.50 EUR · waste 0.60 EUR" in caption
    assert "Stock value 9.60 EUR" in caption  # 16 l at 0.60
    assert "• milk — 3 l" in caption


async def test_staff_are_told_the_report_is_for_owners(
    cafe: BotProcess, owner: Chat, staff: Chat
) -> None:
    code = invite_code(await owner.say("/invite"))
    assert "joined Cafe" in text_of(await staff.say(f"/start {code}"))
    assert "Only an owner can see the weekly report" in text_of(await staff.say("/report"))
