"""A stocktake's adjustment records the figure counted, so the ledger tells a count from
a change typed or tapped.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.add_column(sa.Column("counted", sa.Numeric(precision=18, scale=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.drop_column("counted")
