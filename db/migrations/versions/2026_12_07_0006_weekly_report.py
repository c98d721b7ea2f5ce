"""The weekly report: deliveries of kind `report`, and the Monday last planned per shop.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_shop_settings") as batch:
        batch.add_column(sa.Column("report_planned_for", sa.Date(), nullable=True))
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_constraint(op.f("ck_alert_deliveries_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_alert_deliveries_kind"), "kind IN ('crossing', 'digest', 'report')"
        )


def downgrade() -> None:
    op.execute("DELETE FROM alert_deliveries WHERE kind = 'report'")
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_constraint(op.f("ck_alert_deliveries_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_alert_deliveries_kind"), "kind IN ('crossing', 'digest')"
        )
    with op.batch_alter_table("alert_shop_settings") as batch:
        batch.drop_column("report_planned_for")
