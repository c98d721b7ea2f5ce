"""Which chat's order an update keeps (the inbox leases one update per chat at a time)."""

from __future__ import annotations

from bot.inbox_processor import chat_of, sender_of


def test_a_message_keeps_its_chats_order() -> None:
    assert chat_of({"update_id": 1, "message": {"chat": {"id": -5}, "text": "/sell"}}) == -5


def test_a_tap_keeps_the_order_of_the_chat_its_message_is_in() -> None:
    tap = {"callback_query": {"from": {"id": 7}, "message": {"chat": {"id": -9}}}}
    assert chat_of({"update_id": 1, **tap}) == -9
    assert chat_of({"update_id": 2, "callback_query": {"from": {"id": 7}}}) == 7


def test_an_upgrade_to_a_supergroup_is_ordered_with_the_new_supergroup() -> None:
    """What is written in the new supergroup must wait for the link to follow it."""
    notice = {"chat": {"id": -100}, "migrate_to_chat_id": -100_555_000}
    assert chat_of({"update_id": 3, "message": notice}) == -100_555_000


def test_an_update_of_no_chat_has_none() -> None:
    assert chat_of({"update_id": 4, "poll": {"id": "x"}}) is None


def test_the_sender_is_whoever_wrote_or_tapped_and_no_one_for_a_poll() -> None:
    message = {"chat": {"id": -5}, "from": {"id": 42}, "text": "/sell"}
    assert sender_of({"update_id": 1, "message": message}) == 42
    assert sender_of({"update_id": 2, "callback_query": {"from": {"id": 7}}}) == 7
    assert sender_of({"update_id": 3, "channel_post": {"chat": {"id": -1}}}) is None
    assert sender_of({"update_id": 4, "poll": {"id": "x"}}) is None
    assert sender_of({"update_id": 5, "message": {"from": {"id": True}}}) is None
