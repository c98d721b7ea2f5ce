"""Languages: each person's (chosen with /language, or as Telegram last said) and each
shop's, for alerts to members never seen.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_languages",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chosen", sa.String(length=8), nullable=True),
        sa.Column("seen", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_languages")),
    )
    with op.batch_alter_table("shops") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("language")
    op.drop_table("user_languages")
