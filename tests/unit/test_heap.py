"""The bot's start-up leaves what it built out of the garbage collector's reach: under
load a full collection walked it all, up to 113 ms during which no update moved."""

from __future__ import annotations

import gc

from bot.runner import settle_the_heap


def test_what_start_up_built_is_out_of_the_collectors_reach() -> None:
    kept = [object() for _ in range(1000)]
    try:
        settle_the_heap()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
