"""Product names sort by code point on PostgreSQL too (COLLATE "C" on `name_key`).

Inventory pages are sorted by the database; core's rule (core.inventory_query) orders
names as Python compares strings, which SQLite's binary collation already does and a
locale's collation (en_US: spaces and case ignored at first) does not.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _collate(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares bytes, in code-point order
    op.alter_column(
        "products",
        "name_key",
        type_=sa.String(64, collation=collation),
        existing_type=sa.String(64),
        existing_nullable=False,
    )


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
