"""A sale records the shelf price it was made at, so takings are what was charged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.add_column(sa.Column("sale_price", sa.Numeric(precision=18, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("movements") as batch:
        batch.drop_column("sale_price")
