"""/settings through the real bot process: it shows the quiet hours beside the other
settings, and a city typed as a timezone is the tz database's zone of that name."""

from __future__ import annotations

from tests.e2e.harness import BotProcess, Chat, text_of


async def test_settings_show_the_quiet_hours(cafe: BotProcess, owner: Chat) -> None:
    assert "Quiet hours: off" in text_of(await owner.say("/settings"))

    assert "22:00–07:00" in text_of(await owner.say("/quiet 22:00-07:00"))
    shown = text_of(await owner.say("/settings"))
    assert "Quiet hours: 22:00–07:00" in shown, shown


async def test_a_city_typed_as_timezone_is_its_zone_or_answered_with_the_names(
    cafe: BotProcess, owner: Chat
) -> None:
    """`berlin` names one zone and is taken as it (it was refused with "did you mean
    Europe/Berlin?"); `eastern` names two and is answered with both."""
    saved = text_of(await owner.say("/settings timezone berlin"))
    assert "Timezone: Europe/Berlin" in saved, saved

    refused = text_of(await owner.say("/settings timezone eastern"))
    assert "Did you mean Canada/Eastern or US/Eastern?" in refused, refused
    assert "/settings timezone Canada/Eastern" in refused, refused

    nowhere = text_of(await owner.say("/settings timezone Atlantis"))
    assert "“Atlantis” is not a timezone I know" in nowhere, nowhere
    assert "Did you mean" not in nowhere, nowhere

    saved = text_of(await owner.say("/settings timezone America/New_York"))
    assert "Timezone: America/New_York" in saved, saved


async def test_a_timezone_in_another_currencys_country_offers_that_currency(
    cafe: BotProcess, owner: Chat
) -> None:
    """Found in the console: a London hardware store set its timezone and went on pricing
    in the default EUR, with nothing to say so."""
    saved = await owner.say("/settings timezone London")
    assert "Timezone: Europe/London" in text_of(saved)
    assert "Prices are in EUR, and shops in Europe/London usually price in GBP" in text_of(saved)

    await owner.answer(await owner.press(saved, "💱 Currency"))
    asked = await owner.reply()
    assert "currency code" in text_of(asked), text_of(asked)
    await owner.answer(await owner.press(asked, "GBP"))
    changed = text_of(await owner.reply())
    assert "Currency: GBP" in changed, changed

    saved = await owner.say("/settings timezone Europe/Manchester")  # refused: no hint
    saved = await owner.say("/settings timezone London")
    assert "usually price" not in text_of(saved), text_of(saved)
    saved = await owner.say("/settings timezone UTC")
    assert "usually price" not in text_of(saved), text_of(saved)
