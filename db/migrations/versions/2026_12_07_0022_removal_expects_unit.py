"""`stockbot_remove` (migrations 0020, 0021) takes `p_unit`: the unit the caller read
the product with, or NULL. A product whose unit is another one now is not written
but answered 'changed', having written nothing.

The bot's chat path (core.stock_requests: `/sell milk 3`, a card's buttons) reads the
product by its name outside the removal's transaction, checks the command against it
(the unit typed, whole quantities) and then sends the removal by the product's id: the
product's unit may change between the two, and `3` of a product now counted in kg is
not what was checked. The caller then goes the unit of work's way, which checks the
command again under the product's lock. (Archived and gone are answered 'gone' as
before; the member, the stock and the key are read after the lock as before.)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 15:40:00+00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _load(name: str, file: str) -> ModuleType:
    path = Path(__file__).with_name(file)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _previous() -> tuple[str, str]:
    """0021's function and signature."""
    first = _load("removal_at_once_0020", "2026_12_07_0020_removal_at_once.py")
    second = _load("removals_together_0021", "2026_12_07_0021_removals_together.py")
    signature = first.SIGNATURE.replace("BOOLEAN)", "BOOLEAN, BOOLEAN)")
    return second._with_skip_locked(first.FUNCTION), signature


def _with_unit(function: str) -> str:
    changes = (
        (
            "    p_undurable BOOLEAN, p_skip_locked BOOLEAN,\n",
            "    p_undurable BOOLEAN, p_skip_locked BOOLEAN, p_unit TEXT,\n",
        ),
        (
            """        outcome := 'gone';
        RETURN;
    END IF;
""",
            """        outcome := 'gone';
        RETURN;
    END IF;
    IF p_unit IS NOT NULL AND product.unit IS DISTINCT FROM p_unit THEN
        outcome := 'changed';  -- read with another unit: the caller checks it again
        RETURN;
    END IF;
""",
        ),
    )
    for old, new in changes:
        assert function.count(old) == 1, old
        function = function.replace(old, new)
    return function


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        function, signature = _previous()
        op.execute(f"DROP FUNCTION {signature}")
        op.execute(_with_unit(function))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        function, signature = _previous()
        op.execute(f"DROP FUNCTION {signature.replace('BOOLEAN)', 'BOOLEAN, TEXT)')}")
        op.execute(function)
