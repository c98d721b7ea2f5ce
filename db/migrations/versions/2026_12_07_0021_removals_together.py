"""`stockbot_remove` (migration 0020) takes `p_skip_locked`: a product another
transaction holds is not waited for but answered 'busy', having written nothing.

The unit of work now sends the removals of a process together, several in one implicit
transaction (db.uow's lanes: asyncpg pipelines the calls, one round trip and one
commit for all). Such a transaction must never wait for a lock while holding others: two
of them, or one of them and a transaction that locks several products in another order
(an import, a count), would wait on each other until PostgreSQL's deadlock detector
broke one. So a call in company skips a product locked by another transaction, and its
removal is sent again on its own, where it waits as before. A product this transaction
locked already (an earlier removal of the same call) is not skipped: SKIP LOCKED skips
only others' locks.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 15:05:00+00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _previous() -> ModuleType:
    path = Path(__file__).with_name("2026_12_07_0020_removal_at_once.py")
    spec = importlib.util.spec_from_file_location("removal_at_once_0020", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _with_skip_locked(function: str) -> str:
    changes = (
        (
            "    p_undurable BOOLEAN,\n",
            "    p_undurable BOOLEAN, p_skip_locked BOOLEAN,\n",
        ),
        (
            """    SELECT * INTO product FROM products AS pr WHERE pr.id = p_product_id
    FOR NO KEY UPDATE;
    IF NOT FOUND OR""",
            """    IF p_skip_locked THEN
        SELECT * INTO product FROM products AS pr WHERE pr.id = p_product_id
        FOR NO KEY UPDATE SKIP LOCKED;
        IF NOT FOUND THEN  -- held by another transaction, or gone: sent again alone
            outcome := 'busy';
            RETURN;
        END IF;
    ELSE
        SELECT * INTO product FROM products AS pr WHERE pr.id = p_product_id
        FOR NO KEY UPDATE;
    END IF;
    IF NOT FOUND OR""",
        ),
    )
    for old, new in changes:
        assert function.count(old) == 1, old
        function = function.replace(old, new)
    return function


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        previous = _previous()
        op.execute(f"DROP FUNCTION {previous.SIGNATURE}")
        op.execute(_with_skip_locked(previous.FUNCTION))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        previous = _previous()
        signature = previous.SIGNATURE.replace("BOOLEAN)", "BOOLEAN, BOOLEAN)")
        op.execute(f"DROP FUNCTION {signature}")
        op.execute(previous.FUNCTION)
