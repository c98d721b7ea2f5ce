"""Redis going away loses no ledger data: commands keep working, a guided step resets
with a clear message, and the bot reports itself not ready."""

from __future__ import annotations

from tests.e2e.conftest import Launch
from tests.e2e.harness import Books, Chat, text_of

CLOSED_PORT = "redis://127.0.0.1:1/0"


async def test_commands_work_and_flows_reset_when_redis_is_unreachable(
    launch: Launch, owner: Chat, books: Books
) -> None:
    bot = await launch(REDIS_URL=CLOSED_PORT)

    assert "is ready" in text_of(await owner.say("/newshop Cafe"))
    assert "Added milk" in text_of(await owner.say("/add milk unit l min 5"))
    restocked = await owner.say("/restock milk 5")
    assert "Restocked 5 l milk" in text_of(restocked)
    assert "Sold 2 l milk" in text_of(await owner.say("/sell milk 2"))

    lost = await owner.say("/restock milk")  # would need a guided step
    assert text_of(lost).startswith("⚠️ I lost track of that step")
    typed = await owner.say("4")  # the answer to a step that could not be kept
    assert text_of(typed).startswith("⚠️ I lost track of that step")

    assert await books.on_hand("milk") == 3
    assert [m["quantity"] for m in await books.movements()] == [5, -2]
    assert await bot.get("/healthz") == (200, {"status": "ok"})
    assert await bot.get("/readyz") == (503, {"database": True, "state": False})
