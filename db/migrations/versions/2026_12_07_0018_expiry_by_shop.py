"""How many of each shop's products in stock have their earliest expiry on each day,
kept as running counts, so the dashboard's near-expiry and expired boxes count a few
rows per expiry date where they scanned the shop's dated products on every opening.

Near expiry and expired depend on today, so the count is kept per expiry date (and per
warning window: the product's own days, or -1 for the shop's, which the shop may change
at any time) and the reader adds up the dates that are expired or within their window
today (db.inventory_queries): correct on any day, with nothing to update at midnight.

`expiry_by_shop` counts the products that are active, hold stock and have an earliest
expiry. Triggers on `products` keep it in the transaction of every change of those four
columns (a sale that empties the product, a restock of an earlier batch, an archive, an
edit of the window, a new product, an import, a restore, a shop deleted), on both
dialects. A count that reaches 0 is deleted, so the rows are the dates some product in
stock expires on, never the history of dates. There are no stripes (a date's row is
written only when a product's expiry, window or emptiness changes, not by every sale).

Note for later migrations: SQLite's batch mode rebuilds a table by copying it, which
drops its triggers; a batch alter of `products` must create these (and 0017's) again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHOPS_DEFAULT = -1  # warning_days of a product that takes the shop's window


def _counted(row: str) -> str:
    return f"NOT {row}.archived AND {row}.on_hand > 0 AND {row}.earliest_expiry IS NOT NULL"


def _key(row: str) -> str:
    return (
        f"shop_id = {row}.shop_id AND expiry = {row}.earliest_expiry"
        f" AND warning_days = coalesce({row}.expiry_warning_days, {SHOPS_DEFAULT})"
    )


def _less(row: str) -> list[str]:
    """The row's date counts one product fewer (it was counted), and goes at 0."""
    return [
        f"UPDATE expiry_by_shop SET products = products - 1 WHERE {_key(row)} AND {_counted(row)}",
        f"DELETE FROM expiry_by_shop WHERE {_key(row)} AND products = 0",
    ]


def _more(row: str) -> str:
    return (
        "INSERT INTO expiry_by_shop (shop_id, expiry, warning_days, products)"
        f" SELECT {row}.shop_id, {row}.earliest_expiry,"
        f" coalesce({row}.expiry_warning_days, {SHOPS_DEFAULT}), 1 WHERE {_counted(row)}"
        " ON CONFLICT (shop_id, expiry, warning_days)"
        " DO UPDATE SET products = expiry_by_shop.products + 1"
    )


WATCHED = ("archived", "earliest_expiry", "expiry_warning_days", "shop_id")


def create_triggers(dialect: str) -> None:
    different = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    changed = " OR ".join(
        [f"OLD.{c} {different} NEW.{c}" for c in WATCHED]
        + [f"(OLD.on_hand > 0) {different} (NEW.on_hand > 0)"]
    )
    if dialect == "postgresql":
        less = "; ".join(_less("OLD"))
        op.execute(
            f"""
            CREATE FUNCTION products_keep_expiry_by_shop() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN {less}; END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN {_more("NEW")}; END IF;
                RETURN NULL;
            END $$
            """
        )
        for event, when in (("INSERT", ""), ("DELETE", ""), ("UPDATE", f" WHEN ({changed})")):
            op.execute(
                f"CREATE TRIGGER products_expiry_by_shop_{event.lower()} AFTER {event}"
                f" ON products FOR EACH ROW{when} EXECUTE FUNCTION products_keep_expiry_by_shop()"
            )
        return
    triggers = {
        "insert": ("INSERT", "", [_more("NEW")]),
        "delete": ("DELETE", "", _less("OLD")),
        "update": ("UPDATE", f" WHEN {changed}", [*_less("OLD"), _more("NEW")]),
    }
    for name, (event, when, statements) in triggers.items():
        body = " ".join(f"{s};" for s in statements)
        op.execute(
            f"CREATE TRIGGER products_expiry_by_shop_{name} AFTER {event} ON products"
            f" FOR EACH ROW{when} BEGIN {body} END"
        )


def drop_triggers(dialect: str) -> None:
    for name in ("insert", "delete", "update"):
        on = " ON products" if dialect == "postgresql" else ""
        op.execute(f"DROP TRIGGER products_expiry_by_shop_{name}{on}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION products_keep_expiry_by_shop()")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "expiry_by_shop",
        sa.Column(
            "shop_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("shops.id", name="fk_expiry_by_shop_shop_id_shops", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("warning_days", sa.Integer(), nullable=False),
        sa.Column("products", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "expiry", "warning_days", name="pk_expiry_by_shop"),
    )
    if dialect == "postgresql":
        op.execute("LOCK TABLE products IN SHARE MODE")
    op.execute(
        "INSERT INTO expiry_by_shop (shop_id, expiry, warning_days, products)"
        f" SELECT shop_id, earliest_expiry, coalesce(expiry_warning_days, {SHOPS_DEFAULT}),"
        f" count(*) FROM products WHERE {_counted('products')}"
        " GROUP BY shop_id, earliest_expiry, coalesce(expiry_warning_days, -1)"
    )
    create_triggers(dialect)


def downgrade() -> None:
    drop_triggers(op.get_bind().dialect.name)
    op.drop_table("expiry_by_shop")
