"""An index of each shop's active products that have a reorder date: the digest scan asks
every due shop for its earliest reorder date not yet done (db.alert_repositories
.digest_signs) without reading the whole catalog.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATED = "reorder_date IS NOT NULL AND NOT archived"


def upgrade() -> None:
    op.create_index(
        "ix_products_shop_id_reorder_date",
        "products",
        ["shop_id", "reorder_date"],
        postgresql_where=sa.text(DATED),
        sqlite_where=sa.text(DATED),
    )


def downgrade() -> None:
    op.drop_index("ix_products_shop_id_reorder_date", table_name="products")
