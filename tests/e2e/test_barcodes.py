"""Barcode photos through the real bot process: the pictures are drawn by the test with
zxing-cpp (noisy, tilted, faded), sent as a user's photo or file, fetched by the bot with
getFile and decoded; typed codes work the same way."""

from __future__ import annotations

from tests.barcode_pictures import Look, photo, random_bytes
from tests.e2e.conftest import open_cafe
from tests.e2e.harness import Books, BotProcess, Chat, invite_code, text_of

EAN = "4006381333931"
PHONE = Look(rotate=8, contrast=0.5, noise=10)


async def test_a_photo_of_a_known_barcode_opens_its_card(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Added" in text_of(await owner.say(f"/add oat milk barcode {EAN}"))
    card = await owner.show(photo([(EAN, "EAN-13")], PHONE))
    assert "oat milk" in text_of(card)
    assert card.button("+1")  # the quick buttons of the card
    await owner.press(card, "+1")
    await owner.edited()
    assert await books.on_hand("oat milk") == 1


async def test_a_caption_records_the_movement_on_the_product_shown(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say(f"/add oat milk barcode {EAN}")
    done = await owner.show(photo([(EAN, "EAN-13")], PHONE), caption="restock 12 exp 1.6.2027")
    assert "Restocked 12" in text_of(done)
    done = await owner.show(photo([(EAN, "EAN-13")], Look(rotate=-5)), caption="sell 2")
    assert "Sold 2" in text_of(done)
    assert await books.on_hand("oat milk") == 10
    # As a typed command may start: `продал 2` was "not something a photo can do".
    done = await owner.show(photo([(EAN, "EAN-13")]), caption="продал 1")
    assert "Sold 1" in text_of(done), text_of(done)
    assert await books.on_hand("oat milk") == 9
    [restock] = [m for m in await books.movements("oat milk") if m["reason"] == "restock"]
    assert str(restock["expiry"]) == "2027-06-01"


async def test_an_unknown_code_is_added_as_a_new_product_with_it(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    offer = await owner.show(photo([("96385074", "EAN-8")], PHONE))
    assert "96385074" in text_of(offer) and "not in the catalog" in text_of(offer)
    await owner.press(offer, "Add as new product")
    prompt = await owner.reply()
    assert "called?" in text_of(prompt)
    added = await owner.say("rye bread cat bakery")
    assert "Added rye bread" in text_of(added)
    assert (await books.product("rye bread"))["barcodes"] == "96385074"
    card = await owner.say("/stock 96385074")
    assert "rye bread" in text_of(card)


async def test_an_unknown_code_is_attached_to_a_product_chosen_by_button(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    offer = await owner.show(photo([("SKU-77/milk", "Code128")], PHONE))
    await owner.press(offer, "Attach to")
    choices = await owner.reply()
    await owner.press(choices, "milk")
    assert "now opens milk" in text_of(await owner.reply())
    assert (await books.product("milk"))["barcodes"] == "SKU-77/milk"
    card = await owner.show(photo([("SKU-77/milk", "Code128")], Look(noise=12)))
    assert "milk" in text_of(card) and "−1" in [b.text for b in card.buttons]


async def test_several_codes_in_one_picture_are_listed_with_buttons(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say(f"/add oat milk barcode {EAN}")
    picture = photo(
        [(EAN, "EAN-13"), ("https://shop.example/p/9", "QRCode"), ("LOT-9", "DataMatrix")],
        Look(rotate=4, noise=8),
    )
    listing = await owner.show(picture, caption="sell 1")
    shown = text_of(listing)
    assert "3 barcodes" in shown and "did not record anything" in shown
    assert "oat milk" in shown
    await owner.press(listing, "LOT-9")
    offer = await owner.reply()
    assert "LOT-9" in text_of(offer)
    assert [m for m in await books.movements() if m["reason"] == "sale"] == []


async def test_pictures_without_a_code_or_not_pictures_get_a_clear_reply(
    cafe: BotProcess, owner: Chat
) -> None:
    nothing = await owner.show(photo([], Look(noise=15)))
    assert "could not find a barcode" in text_of(nothing)
    assert "15–20 cm" in text_of(nothing)
    corrupt = await owner.show(
        random_bytes(5000), kind="document", filename="scan.jpg", mime_type="image/jpeg"
    )
    assert "could not open that file as a picture" in text_of(corrupt)
    huge = await owner.show(
        b"\xff\xd8" + random_bytes(11 * 1024 * 1024),
        kind="document",
        filename="huge.jpg",
        mime_type="image/jpeg",
    )
    assert "too big to scan" in text_of(huge)
    wrong = await owner.show(photo([(EAN, "EAN-13")]), caption="dance 3")
    assert "not something a photo can do" in text_of(wrong)
    assert "<code>" not in text_of(wrong)  # the form was shown with its tags as text


async def test_typed_codes_have_their_check_digit_checked(cafe: BotProcess, owner: Chat) -> None:
    refused = await owner.say("/add oat milk barcode 4006381333932")
    assert "not a valid barcode" in text_of(refused) and "would be 1" in text_of(refused)
    await owner.say(f"/add oat milk barcode {EAN}")
    # The same product under its UPC-A and EAN-13 forms.
    await owner.say("/add cola barcode 036000291452")
    assert "cola" in text_of(await owner.say("/stock 0036000291452"))
    mistyped = await owner.say("/stock 4006381333930")
    assert "not a valid barcode" in text_of(mistyped)
    taken = await owner.say(f"/add soy milk barcode {EAN}")
    assert "already belongs to “oat milk”" in text_of(taken)


async def test_staff_see_the_card_but_cannot_add_an_unknown_code(
    bot: BotProcess, owner: Chat, staff: Chat
) -> None:
    await open_cafe(owner)
    code = invite_code(await owner.say("/invite"))
    await staff.say(f"/start {code}")
    offer = await staff.show(photo([("96385074", "EAN-8")], PHONE))
    assert "Ask an owner to add it" in text_of(offer)
    assert offer.buttons == []
