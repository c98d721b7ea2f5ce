"""/metrics and the log's two formats, without a process: what each update counts as,
that the text parses, and what a line says about its update."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from bot import logs
from bot.metrics import Metrics, update_kind
from bot.settings import SettingsError, load_settings
from jobs.dispatcher import DispatchStats


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"update_id": 1, "message": {"text": "/sell milk 2"}}, "command"),
        ({"update_id": 1, "message": {"text": "milk"}}, "message"),
        ({"update_id": 1, "message": {"photo": [{}], "caption": "sell 2"}}, "photo"),
        ({"update_id": 1, "callback_query": {"data": "card:1"}}, "callback_query"),
        ({"update_id": 1, "something_new": {}}, "other"),
        ([1, 2], "unreadable"),
    ],
)
def test_an_update_counts_as_its_kind(payload: object, kind: str) -> None:
    assert update_kind(json.dumps(payload)) == kind
    assert update_kind("{not json") == "unreadable"


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics.render().decode())
        for s in family.samples
    }


def test_metrics_count_updates_and_read_the_dispatchers_totals() -> None:
    metrics = Metrics()
    metrics.handled("command", "ok", 0.02)
    metrics.handled("command", "ok", 0.03)
    metrics.handled("callback_query", "retry", 0.5)
    stats = DispatchStats()
    stats.sent_by_kind.update({"crossing": 2, "report": 1})
    stats.budget_waits = 4
    metrics.sources.dispatch = stats
    metrics.sources.inbox_depth = 7
    found = samples(metrics)
    assert found[("stockbot_updates_handled_total", (("kind", "command"), ("outcome", "ok")))] == 2
    assert found[("stockbot_update_seconds_count", (("kind", "callback_query"),))] == 1
    assert found[("stockbot_alerts_sent_total", (("kind", "report"),))] == 1
    assert found[("stockbot_send_budget_waits_total", ())] == 4
    assert found[("stockbot_inbox_depth", ())] == 7
    assert ("stockbot_alert_queue_depth", ()) not in found  # not counted: not shown


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.mark.usefixtures("restore_logging")
def test_a_json_line_says_which_update_chat_and_shop(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(logging.INFO, "json")
    logs.bind(update_id=12, chat_id=34, shop_id=5)
    logging.getLogger("bot.somewhere").info("sold %s", "milk")
    line = json.loads(capsys.readouterr().err.strip())
    assert line["event"] == "sold milk"
    assert (line["update_id"], line["chat_id"], line["shop_id"]) == (12, 34, 5)
    assert line["level"] == "info" and line["logger"] == "bot.somewhere"


@pytest.mark.usefixtures("restore_logging")
def test_plain_text_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(logging.INFO, "text")
    logs.bind(update_id=12)
    logging.getLogger("bot.somewhere").warning("slow")
    line = capsys.readouterr().err.strip()
    assert not line.startswith("{")
    assert "slow" in line and "update_id=12" in line


def test_an_unknown_log_format_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings(log_format="xml")
