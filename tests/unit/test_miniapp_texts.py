"""The Mini App's words (webapp/static/texts.js): the Russian table names every text the
English one does, so a Russian shop never meets an English word the page added later."""

from __future__ import annotations

import re
from pathlib import Path

TEXTS = Path(__file__).parents[2] / "webapp" / "static" / "texts.js"


def _keys(table: str) -> set[str]:
    source = TEXTS.read_text(encoding="utf-8")
    block = re.search(rf"^const {table} = \{{\n(.*?)^\}};", source, re.S | re.M)
    assert block is not None, table
    return set(re.findall(r"^  (\w+):", block.group(1), re.M))


def test_the_russian_table_has_every_english_text() -> None:
    english = _keys("en")
    assert len(english) > 100
    assert english - _keys("ru") == set()
