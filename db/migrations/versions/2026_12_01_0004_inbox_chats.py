"""The inbox keeps each chat's updates in order.

`update_inbox.chat_id` is the chat an update belongs to: at most one update of a chat is
leased at a time, the oldest unprocessed one (db.inbox).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("update_inbox") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_update_inbox_chat_pending",
        "update_inbox",
        ["chat_id", "update_id"],
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    )
    op.create_index(
        "ix_update_inbox_chat_leased",
        "update_inbox",
        ["chat_id", "leased_until"],
        postgresql_where=sa.text("leased_until IS NOT NULL"),
        sqlite_where=sa.text("leased_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_update_inbox_chat_leased", table_name="update_inbox")
    op.drop_index("ix_update_inbox_chat_pending", table_name="update_inbox")
    with op.batch_alter_table("update_inbox") as batch:
        batch.drop_column("chat_id")
