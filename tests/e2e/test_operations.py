"""Operations through the real bot process: /metrics parses as Prometheus' text format
and counts what was handled; the log is JSON lines that say which update, chat and shop
each line is about."""

from __future__ import annotations

import json

from aiohttp import ClientSession, ClientTimeout
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.harness import OWNER, BotProcess, Chat, eventually, text_of


async def scrape(bot: BotProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with (
        ClientSession(timeout=ClientTimeout(total=10)) as http,
        http.get(bot.url + "/metrics") as response,
    ):
        assert response.status == 200
        assert response.content_type == "text/plain"
        body = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


async def test_metrics_count_a_handled_update(cafe: BotProcess, owner: Chat) -> None:
    before = await scrape(cafe)
    handled = ("stockbot_updates_handled_total", (("kind", "command"), ("outcome", "ok")))
    latency = ("stockbot_update_seconds_count", (("kind", "command"),))
    assert "on hand" in text_of(await owner.say("/stock milk")).lower()

    async def counted() -> bool:
        after = await scrape(cafe)
        return after[handled] == before[handled] + 1 and after[latency] == before[latency] + 1

    await eventually(counted, "the /stock command counted once, with its latency")
    after = await scrape(cafe)
    for gauge in ("stockbot_inbox_depth", "stockbot_alert_queue_depth", "stockbot_db_pool_in_use"):
        assert after[(gauge, ())] >= 0
    assert (("stockbot_telegram_429_total", ())) in after


async def test_log_lines_are_json_with_the_update_chat_and_shop(
    cafe: BotProcess, owner: Chat
) -> None:
    await owner.say("/sell nothing-like-this 1")  # a refusal is logged at INFO or not at all
    lines = [json.loads(line) for line in cafe.log().splitlines() if line.startswith("{")]
    assert lines, cafe.log()
    assert all({"event", "level", "timestamp", "logger"} <= line.keys() for line in lines)
    about_updates = [line for line in lines if "update_id" in line]
    assert any(line.get("chat_id") == OWNER.id and "shop_id" in line for line in about_updates)
