"""A stocktake that matched the books is recorded too: a zero-quantity adjustment.

Without it, a matched count left no trace under its idempotency key, so a count
replayed after a crash (and after later sales) would have re-counted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.drop_constraint(op.f("ck_movements_quantity_not_zero"), type_="check")
        batch.create_check_constraint(
            op.f("ck_movements_quantity_not_zero"), "quantity <> 0 OR reason = 'adjustment'"
        )


def downgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.drop_constraint(op.f("ck_movements_quantity_not_zero"), type_="check")
        batch.create_check_constraint(op.f("ck_movements_quantity_not_zero"), "quantity <> 0")
