"""A restock keeps the cost, price and reorder date it replaced on the product, so its
undo puts them back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.add_column(sa.Column("cost_before", sa.Numeric(precision=18, scale=2), nullable=True))
        batch.add_column(
            sa.Column("price_before", sa.Numeric(precision=18, scale=2), nullable=True)
        )
        batch.add_column(sa.Column("reorder_date_before", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.drop_column("reorder_date_before")
        batch.drop_column("price_before")
        batch.drop_column("cost_before")
