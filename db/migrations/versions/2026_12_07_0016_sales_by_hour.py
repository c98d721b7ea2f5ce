"""Each shop's sales kept as a running total per hour, so the dashboard's "today" and
"this week" read a few hundred small rows however long the ledger grows.

`sales_by_hour` holds, per shop, per UTC hour (hours since the epoch) and per stripe of
products (product id mod 8, so sales of different products do not queue on one row),
what the shop's priced sales took in: −quantity × the price the sale recorded, less the
sales undone since. A trigger on the ledger keeps it, in the transaction of the sale or
the undo, on both dialects, so every path that writes movements (chat, Mini App, import,
restore, a benchmark's INSERT … SELECT) keeps it without a line of Python. Sales that
recorded no price (valued at the product's price today) and the part of an hour at the
start of a day that does not begin on the hour are read from the ledger
(db.inventory_queries.value); tests/integration/test_inventory_queries.py checks the
sum against core.takings_model on random ledgers.

Note for later migrations: SQLite's batch mode rebuilds a table by copying it, which
drops its triggers; a batch alter of `movements` must create the triggers again
(`create_triggers`).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRIPES = 8
PRICED = "reason = 'sale' AND coalesce(sale_price, 0) <> 0"
UNPRICED = "reason = 'sale' AND coalesce(sale_price, 0) = 0"
UPSERT = (
    "ON CONFLICT (shop_id, hour, stripe) DO UPDATE SET taken = sales_by_hour.taken + excluded.taken"
)


def _hour(column: str, dialect: str) -> str:
    """The UTC hour of a timestamp, as whole hours since the epoch (exact: truncated as
    text or as a timestamp, never through a floating point number of seconds)."""
    if dialect == "postgresql":
        hour = f"date_trunc('hour', {column} AT TIME ZONE 'UTC')"
        return f"CAST(extract(epoch FROM {hour}) / 3600 AS BIGINT)"
    # SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'
    return f"(CAST(strftime('%s', substr({column}, 1, 13) || ':00:00') AS INTEGER) / 3600)"


def _sale(dialect: str) -> str:
    return (
        "INSERT INTO sales_by_hour (shop_id, hour, stripe, taken)"
        f" VALUES (NEW.shop_id, {_hour('NEW.created_at', dialect)}, NEW.product_id % {STRIPES},"
        f" -NEW.quantity * NEW.sale_price) {UPSERT}"
    )


def _undo(dialect: str) -> str:
    return (
        "INSERT INTO sales_by_hour (shop_id, hour, stripe, taken)"
        f" SELECT shop_id, {_hour('created_at', dialect)}, product_id % {STRIPES},"
        f" quantity * sale_price FROM movements"
        f" WHERE id = NEW.reverses_id AND {PRICED} {UPSERT}"
    )


def create_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION movements_keep_sales_by_hour() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.reason = 'sale' AND coalesce(NEW.sale_price, 0) <> 0 THEN
                    {_sale(dialect)};
                ELSIF NEW.reverses_id IS NOT NULL THEN
                    {_undo(dialect)};
                END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER movements_sales_by_hour AFTER INSERT ON movements FOR EACH ROW"
            " WHEN (NEW.reason = 'sale' OR NEW.reverses_id IS NOT NULL)"
            " EXECUTE FUNCTION movements_keep_sales_by_hour()"
        )
        return
    op.execute(
        "CREATE TRIGGER movements_sales_by_hour_sale AFTER INSERT ON movements"
        " WHEN NEW.reason = 'sale' AND coalesce(NEW.sale_price, 0) <> 0"
        f" BEGIN {_sale(dialect)}; END"
    )
    op.execute(
        "CREATE TRIGGER movements_sales_by_hour_undo AFTER INSERT ON movements"
        " WHEN NEW.reverses_id IS NOT NULL"
        f" BEGIN {_undo(dialect)}; END"
    )


def drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER movements_sales_by_hour ON movements")
        op.execute("DROP FUNCTION movements_keep_sales_by_hour()")
    else:
        op.execute("DROP TRIGGER movements_sales_by_hour_sale")
        op.execute("DROP TRIGGER movements_sales_by_hour_undo")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "sales_by_hour",
        sa.Column(
            "shop_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("shops.id", name="fk_sales_by_hour_shop_id_shops", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("taken", sa.Numeric(precision=18, scale=5), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "hour", "stripe", name="pk_sales_by_hour"),
    )
    # The sales that recorded no price, read from the ledger at today's price.
    op.create_index(
        "ix_movements_shop_id_created_at_unpriced",
        "movements",
        ["shop_id", "created_at"],
        postgresql_where=sa.text(UNPRICED),
        sqlite_where=sa.text(UNPRICED),
    )
    # The ledger so far, then the trigger for what comes (one transaction: a sale
    # committed in between waits for the table's lock on PostgreSQL).
    if dialect == "postgresql":
        op.execute("LOCK TABLE movements IN SHARE MODE")
    op.execute(
        "INSERT INTO sales_by_hour (shop_id, hour, stripe, taken)"
        f" SELECT shop_id, {_hour('created_at', dialect)} AS h, product_id % {STRIPES} AS s,"
        " sum(-quantity * sale_price) FROM movements AS sale"
        f" WHERE {PRICED}"
        " AND NOT EXISTS (SELECT 1 FROM movements AS undo WHERE undo.reverses_id = sale.id)"
        " GROUP BY shop_id, h, s"
    )
    create_triggers(dialect)


def downgrade() -> None:
    drop_triggers(op.get_bind().dialect.name)
    op.drop_index("ix_movements_shop_id_created_at_unpriced", table_name="movements")
    op.drop_table("sales_by_hour")
