"""Each shop's catalog figures kept as running totals, so the dashboard reads a few rows
where it counted and priced all the shop's products on every opening.

`stock_by_shop` holds, per shop and per stripe, how many products are active, how many
of those are low or out of stock, how many are out, and their stock at cost (in units
of 0.00001, a whole number: exact on both dialects, where SQLite would add doubles).
Triggers on `products` keep it in the transaction of every change of a product row
(a movement's new on hand, an edit of the threshold or cost, an archive, a new product,
an import, a restore, a shop deleted), on both dialects, with no Python.

The statuses are core.status's rule written once more in SQL (as db.inventory_queries
writes it for the lists); tests/integration/test_inventory_queries.py checks the totals
against core's rule on random catalogs and ledgers. Near expiry and expired depend on
the day, so they are not kept: the dashboard counts them from the expiry index.

The stripe is the writing connection's (PostgreSQL's backend pid mod 64; SQLite has one
writer, stripe 0), not the product's: a transaction that changes several products of a
shop (an import, a count) touches one row of this table, so two such transactions never
wait on each other's rows in opposite orders, and concurrent writers mostly hold rows of
their own. The reader adds the stripes up.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRIPES = 64
COLUMNS = ("products", "reorder", "out_of_stock", "value_e5")


def _figures(row: str, dialect: str) -> tuple[str, str, str, str]:
    """A product row's share of each column (0 when archived)."""
    active = f"CASE WHEN {row}.archived THEN 0 ELSE 1 END"
    reorder = f"CASE WHEN {row}.on_hand <= 0 OR {row}.on_hand <= {row}.threshold THEN 1 ELSE 0 END"
    out = f"CASE WHEN {row}.on_hand <= 0 THEN 1 ELSE 0 END"
    if dialect == "postgresql":
        value = f"round({row}.on_hand * coalesce({row}.cost, 0) * 100000)"
    else:  # whole numbers: SQLite multiplies integers exactly
        value = (
            f"CAST(round({row}.on_hand * 1000) AS INTEGER)"
            f" * CAST(round(coalesce({row}.cost, 0) * 100) AS INTEGER)"
        )
    return active, f"{active} * {reorder}", f"{active} * {out}", f"{active} * {value}"


def _stripe(dialect: str) -> str:
    return f"pg_backend_pid() % {STRIPES}" if dialect == "postgresql" else "0"


UPSERT = "ON CONFLICT (shop_id, stripe) DO UPDATE SET " + ", ".join(
    f"{c} = stock_by_shop.{c} + excluded.{c}" for c in COLUMNS
)


def _add(shop: str, figures: Sequence[str], dialect: str, *, shop_exists: bool = True) -> str:
    """Add `figures` to the shop's row of this connection's stripe. A product deleted
    with its shop (ON DELETE CASCADE) adds nothing: the shop and its rows are gone."""
    values = ", ".join(figures)
    select = f"SELECT {shop}, {_stripe(dialect)}, {values}"
    if not shop_exists:
        select += f" WHERE EXISTS (SELECT 1 FROM shops WHERE shops.id = {shop})"
    else:
        select += " WHERE true"  # SQLite's upsert after a SELECT needs a WHERE
    return f"INSERT INTO stock_by_shop (shop_id, stripe, {', '.join(COLUMNS)}) {select} {UPSERT}"


def _change(dialect: str) -> list[str]:
    new, old = _figures("NEW", dialect), _figures("OLD", dialect)
    return [f"{n} - ({o})" for n, o in zip(new, old, strict=True)]


def _negated(figures: Sequence[str]) -> list[str]:
    return [f"-({f})" for f in figures]


WATCHED = ("on_hand", "threshold", "cost", "archived", "shop_id")


def create_triggers(dialect: str) -> None:
    changed = " OR ".join(
        f"OLD.{c} IS DISTINCT FROM NEW.{c}"
        if dialect == "postgresql"
        else f"OLD.{c} IS NOT NEW.{c}"
        for c in WATCHED
    )
    if dialect == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION products_keep_stock_by_shop() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    {_add("NEW.shop_id", _figures("NEW", dialect), dialect)};
                ELSIF TG_OP = 'DELETE' THEN
                    {
                _add("OLD.shop_id", _negated(_figures("OLD", dialect)), dialect, shop_exists=False)
            };
                ELSIF OLD.shop_id = NEW.shop_id THEN
                    {_add("NEW.shop_id", _change(dialect), dialect)};
                ELSE
                    {_add("OLD.shop_id", _negated(_figures("OLD", dialect)), dialect)};
                    {_add("NEW.shop_id", _figures("NEW", dialect), dialect)};
                END IF;
                RETURN NULL;
            END $$
            """
        )
        for event, when in (("INSERT", ""), ("DELETE", ""), ("UPDATE", f" WHEN ({changed})")):
            op.execute(
                f"CREATE TRIGGER products_stock_by_shop_{event.lower()} AFTER {event} ON products"
                f" FOR EACH ROW{when} EXECUTE FUNCTION products_keep_stock_by_shop()"
            )
        return
    triggers = {
        "insert": ("INSERT", "", [_add("NEW.shop_id", _figures("NEW", dialect), dialect)]),
        "delete": (
            "DELETE",
            "",
            [_add("OLD.shop_id", _negated(_figures("OLD", dialect)), dialect, shop_exists=False)],
        ),
        "update": (
            "UPDATE",
            f" WHEN OLD.shop_id = NEW.shop_id AND ({changed})",
            [_add("NEW.shop_id", _change(dialect), dialect)],
        ),
        "move": (
            "UPDATE",
            " WHEN OLD.shop_id <> NEW.shop_id",
            [
                _add("OLD.shop_id", _negated(_figures("OLD", dialect)), dialect),
                _add("NEW.shop_id", _figures("NEW", dialect), dialect),
            ],
        ),
    }
    for name, (event, when, statements) in triggers.items():
        body = " ".join(f"{s};" for s in statements)
        op.execute(
            f"CREATE TRIGGER products_stock_by_shop_{name} AFTER {event} ON products"
            f" FOR EACH ROW{when} BEGIN {body} END"
        )


def drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER products_stock_by_shop_{event} ON products")
        op.execute("DROP FUNCTION products_keep_stock_by_shop()")
    else:
        for name in ("insert", "delete", "update", "move"):
            op.execute(f"DROP TRIGGER products_stock_by_shop_{name}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    shop_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "stock_by_shop",
        sa.Column(
            "shop_id",
            shop_id,
            sa.ForeignKey("shops.id", name="fk_stock_by_shop_shop_id_shops", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("products", sa.BigInteger(), nullable=False),
        sa.Column("reorder", sa.BigInteger(), nullable=False),
        sa.Column("out_of_stock", sa.BigInteger(), nullable=False),
        sa.Column("value_e5", sa.Numeric(38, 0), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "stripe", name="pk_stock_by_shop"),
    )
    # The catalog so far, then the triggers for what comes (one transaction: a product
    # change committed in between waits for the table's lock on PostgreSQL).
    if dialect == "postgresql":
        op.execute("LOCK TABLE products IN SHARE MODE")
    figures = ", ".join(f"sum({f})" for f in _figures("products", dialect))
    op.execute(
        f"INSERT INTO stock_by_shop (shop_id, stripe, {', '.join(COLUMNS)})"
        f" SELECT shop_id, 0, {figures} FROM products GROUP BY shop_id"
    )
    create_triggers(dialect)


def downgrade() -> None:
    drop_triggers(op.get_bind().dialect.name)
    op.drop_table("stock_by_shop")
