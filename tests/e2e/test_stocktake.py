"""`/count cat pastries` through the real bot process: a category counted at closing
time, one product after another, each answer just the number (or skip)."""

from __future__ import annotations

from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def test_a_category_is_counted_one_product_after_another(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    for name in ("croissant", "muffin", "danish"):
        assert "Added" in text_of(await owner.say(f"/add {name} cat pastries"))
    assert "Restocked" in text_of(await owner.say("/restock croissant 10"))
    assert "Restocked" in text_of(await owner.say("/restock muffin 5"))

    first = text_of(await owner.say("/count cat pastries"))
    assert "Counting pastries · 1 of 3" in first and "croissant" in first, first

    second = await owner.say("8")
    assert "Counted croissant: −2 pcs" in text_of(second), text_of(second)
    assert "2 of 3" in text_of(second) and "danish" in text_of(second), text_of(second)

    await owner.press(second, "Skip")
    third = text_of(await owner.reply())
    assert "Skipped danish" in third and "3 of 3" in third and "muffin" in third, third

    done = await owner.say("5")
    assert "Count matches" in text_of(done), text_of(done)
    assert "done: 2 of 3 products counted" in text_of(done), text_of(done)
    assert done.buttons == []  # nothing left to skip, and a match has nothing to undo

    assert await books.on_hand("croissant") == 8
    assert await books.on_hand("muffin") == 5
    assert await books.on_hand("danish") == 0
    # The step is over: a number now is no answer to anything.
    assert "no longer have" in text_of(await owner.say("4"))


async def test_skip_on_an_older_question_does_not_skip_the_product_asked_now(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    for name in ("croissant", "muffin", "danish"):
        assert "Added" in text_of(await owner.say(f"/add {name} cat pastries"))
    first = await owner.say("/count cat pastries")
    while "Counting" not in text_of(first):
        first = await owner.reply()
    assert "croissant" in text_of(first), text_of(first)
    second = await owner.say("4")
    while "danish" not in text_of(second):
        second = await owner.reply()

    # The first question's Skip was about croissant, counted already: danish, asked now,
    # is not skipped by it.
    stale = await owner.press(first, "Skip")
    told = await owner.answer(stale)
    assert "already" in (told.text or ""), told
    counted = await owner.say("2")
    while "danish" not in text_of(counted):  # past an alert pushed in between
        counted = await owner.reply()
    assert "Counted danish" in text_of(counted), text_of(counted)
    assert await books.on_hand("danish") == 2


async def test_a_wrong_answer_asks_again_and_an_unknown_category_is_a_name(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Added" in text_of(await owner.say("/add croissant cat pastries"))
    assert "1 of 1" in text_of(await owner.say("/count cat pastries"))
    refused = text_of(await owner.say("lots"))
    assert "not a quantity" in refused and "skip" in refused, refused
    assert "Counted croissant: +3 pcs" in text_of(await owner.say("3"))

    # No category "food": the words are a product's name, as before.
    assert "cat food" in text_of(await owner.say("/count cat food"))
    assert await books.on_hand("croissant") == 3


async def test_count_cat_typed_into_a_step_starts_the_stocktake(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Added" in text_of(await owner.say("/add croissant cat pastries"))
    assert "How many" in text_of(await owner.say("/sell bread"))
    started = text_of(await owner.say("count cat pastries"))
    assert "Counting pastries · 1 of 1" in started, started
    assert "Counted croissant: +2 pcs" in text_of(await owner.say("2"))
    assert await books.on_hand("bread") == 0


async def test_a_count_may_be_answered_with_its_unit(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """'28 boxes' to 'How many boxes of screws are there?' was "not a quantity": a
    stocktake is where people say what they counted, unit and all."""
    assert "Added" in text_of(await owner.say("/add screws cat fasteners unit box"))
    assert "Added" in text_of(await owner.say("/add nails cat fasteners unit kg"))
    assert "Counting fasteners · 1 of 2" in text_of(await owner.say("/count cat fasteners"))
    counted = text_of(await owner.say("12,5 kg"))
    assert "Counted nails: +12.5 kg" in counted and "2 of 2" in counted, counted
    refused = text_of(await owner.say("28 kg"))  # screws are counted in boxes
    assert "screws is counted in boxes, not kg" in refused, refused
    done = text_of(await owner.say("28 boxes"))
    assert "Counted screws: +28 boxes" in done and "2 of 2 products" in done, done
    assert (await books.on_hand("screws"), await books.on_hand("nails")) == (28, 12.5)


async def test_a_category_is_named_in_russian_or_without_its_cat(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """'/count кат выпечка' and '/count выпечка' were 'Товара «кат выпечка» нет' while
    '/inventory выпечка' lists the category."""
    assert "Русский" in text_of(await owner.say("/language ru"))
    for name in ("пирог", "булка"):
        assert "Добавлен" in text_of(await owner.say(f"/add {name} кат выпечка"))
    for typed in ("/count кат выпечка", "/count выпечка", "пересчёт категория выпечка"):
        asked = text_of(await owner.say(typed))
        assert "1 из 2" in asked and "выпечка" in asked, (typed, asked)
    assert "Принято" in text_of(await owner.say("/restock bread 2"))  # a product stays a product
    counted = text_of(await owner.say("/count bread 3"))
    assert "bread" in counted and "выпечка" not in counted, counted
