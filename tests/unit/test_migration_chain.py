"""The migrations form one line. Two engineers each adding "the next" migration made two
heads once, and then no process could start (`alembic.util.exc.CommandError: multiple
heads`); this reads the scripts only, so it fails in the unit run before anything lands."""

from __future__ import annotations

import re

from alembic.script import ScriptDirectory

from db.migrate import alembic_config


def test_the_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several heads {heads}: set down_revision to main's head"


def test_each_file_is_named_after_its_revision() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        number = re.match(r"\d{4}_\d{2}_\d{2}_(\w+?)_", name)
        assert number is not None and number.group(1) == revision.revision, name
