"""Movements may carry reason `import`: the stock a spreadsheet import set.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("restock", "sale", "damage", "expired", "adjustment", "return", "undo")
AFTER = (*BEFORE, "import")


def _reasons(reasons: tuple[str, ...]) -> str:
    return f"reason IN ({', '.join(repr(r) for r in reasons)})"


def upgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.drop_constraint(op.f("ck_movements_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_movements_reason"), _reasons(AFTER))


def downgrade() -> None:
    # Refused by the database while imported movements exist: the ledger is never cut.
    with op.batch_alter_table("movements") as batch:
        batch.drop_constraint(op.f("ck_movements_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_movements_reason"), _reasons(BEFORE))
