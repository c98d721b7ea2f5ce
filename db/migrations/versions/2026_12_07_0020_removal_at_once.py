"""A removal of stock (a sale, a write-off) as one statement committed on its own:
`stockbot_remove(…)`, a PL/pgSQL function (PostgreSQL only; SQLite keeps the unit of
work's statements, db.repositories).

A sale was a transaction of three or four round trips (the member, the product under its
lock, the removal, COMMIT), and the product's lock was held across the last two on an
event loop shared by every writer of the process. Called on its own (no BEGIN), the
function is its own transaction: one round trip, and the lock is held only inside the
server. In order, under the product's lock:

1. the product, locked as it is read by its id (FOR NO KEY UPDATE, as the unit of work
   locks it): in the shop and not archived, else 'gone';
2. the member, read after the lock (each statement of a PL/pgSQL function in READ
   COMMITTED takes a fresh snapshot): still a member of the shop with one of the roles
   the caller allows, else 'refused' — authorization and write stay one transaction;
3. enough on hand, else 'short'; and the stock status the same after as before (out,
   low at or under the threshold, ok: core.status.stock_status), else 'crossing' — a
   crossing is recorded by core.crossings, in the unit of work's way;
4. the movement, unless its idempotency key is in the shop's ledger (ON CONFLICT on
   their unique index, which waits for a transaction writing the same key): 'seen';
5. first-expiring-first-out over the batches in stock (db.repositories'
   `_removal_statement`, read with a fresh snapshot after the lock), the batches, the
   product's snapshot and the allocations; batches holding less than the product says
   raise SQLSTATE SB002 (core.ledger's AssertionError), and nothing is kept;
6. the inbox's mark of the update being handled, when one is given: no row marked (it
   was handled elsewhere) raises SQLSTATE SB001, and nothing is kept;
7. `synchronous_commit` off for this transaction when the caller asks (someone waits
   for the product's lock: db.engine), else the commit waits for the disk as usual.

The lookups go by primary and unique keys, never by what the planner guesses of a
table's size: a plan is made once per connection, often while the tables are small.

Any outcome but 'done' wrote nothing; the caller then goes the unit of work's way, which
refuses as it always did (or answers a replay).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION stockbot_remove(
    p_shop_id BIGINT, p_user_id BIGINT, p_roles TEXT[], p_product_id BIGINT,
    p_quantity NUMERIC, p_reason TEXT, p_note TEXT, p_key TEXT, p_at TIMESTAMPTZ,
    p_records_price BOOLEAN, p_update_id BIGINT, p_handled_at TIMESTAMPTZ,
    p_undurable BOOLEAN,
    OUT outcome TEXT, OUT movement_id BIGINT, OUT product products, OUT shop shops,
    OUT member_role TEXT, OUT member_name TEXT, OUT left_on_hand NUMERIC,
    OUT left_expiry DATE, OUT batch_ids BIGINT[], OUT taken_quantities NUMERIC[]
) LANGUAGE plpgsql AS $$
DECLARE
    v_after NUMERIC;
BEGIN
    -- By its id alone: the primary key, whatever the planner knows of the table.
    SELECT * INTO product FROM products AS pr WHERE pr.id = p_product_id
    FOR NO KEY UPDATE;
    IF NOT FOUND OR product.shop_id <> p_shop_id OR product.archived THEN
        outcome := 'gone';
        RETURN;
    END IF;
    SELECT mb.role, mb.name INTO member_role, member_name FROM members AS mb
    WHERE mb.shop_id = p_shop_id AND mb.user_id = p_user_id AND mb.role = ANY (p_roles);
    IF NOT FOUND THEN
        outcome := 'refused';
        RETURN;
    END IF;
    SELECT * INTO shop FROM shops AS sh WHERE sh.id = p_shop_id;
    v_after := product.on_hand - p_quantity;
    IF v_after < 0 THEN
        outcome := 'short';
        RETURN;
    END IF;
    IF NOT (v_after > product.threshold
            OR (product.on_hand <= product.threshold AND v_after > 0)) THEN
        outcome := 'crossing';
        RETURN;
    END IF;
    -- The key checked by its unique index as the movement is written: a key seen
    -- (or being written by a transaction still open, which this waits for) writes
    -- nothing.
    INSERT INTO movements (shop_id, product_id, quantity, reason, user_id, created_at,
                           idempotency_key, note, sale_price)
    VALUES (p_shop_id, p_product_id, -p_quantity, p_reason, p_user_id, p_at, p_key, p_note,
            CASE WHEN p_records_price THEN product.price END)
    ON CONFLICT (shop_id, idempotency_key) DO NOTHING
    RETURNING movements.id INTO movement_id;
    IF NOT FOUND THEN
        outcome := 'seen';
        RETURN;
    END IF;
    WITH stock AS (
        SELECT bt.id, bt.quantity, bt.expiry,
               row_number() OVER fefo AS position,
               sum(bt.quantity) OVER fefo AS through
        FROM batches AS bt
        WHERE bt.product_id = p_product_id AND bt.quantity > 0
        WINDOW fefo AS (ORDER BY bt.expiry IS NULL, bt.expiry, bt.received_at, bt.id
                        ROWS UNBOUNDED PRECEDING)
    ), taken AS (
        SELECT stock.id, stock.position,
               LEAST(stock.quantity, p_quantity - (stock.through - stock.quantity)) AS take
        FROM stock
        WHERE stock.through - stock.quantity < p_quantity
    ), enough AS (
        SELECT FROM taken HAVING coalesce(sum(taken.take), 0) = p_quantity
    ), b AS (
        UPDATE batches SET quantity = batches.quantity - taken.take
        FROM taken, enough
        WHERE batches.id = taken.id
    ), after AS (
        SELECT coalesce(sum(stock.quantity - coalesce(taken.take, 0)), 0) AS on_hand,
               min(stock.expiry) FILTER (WHERE stock.quantity > coalesce(taken.take, 0))
                   AS earliest_expiry
        FROM stock LEFT JOIN taken ON taken.id = stock.id
    ), p AS (
        UPDATE products SET on_hand = after.on_hand, earliest_expiry = after.earliest_expiry
        FROM after, enough
        WHERE products.id = p_product_id
        RETURNING products.on_hand, products.earliest_expiry
    ), a AS (
        INSERT INTO movement_allocations (movement_id, batch_id, shop_id, position, quantity)
        SELECT movement_id, taken.id, p_shop_id, taken.position - 1, -taken.take
        FROM taken, enough
    )
    SELECT p.on_hand, p.earliest_expiry,
           (SELECT array_agg(taken.id ORDER BY taken.position) FROM taken),
           (SELECT array_agg(-taken.take ORDER BY taken.position) FROM taken)
    INTO left_on_hand, left_expiry, batch_ids, taken_quantities
    FROM p;
    IF NOT FOUND THEN  -- core.ledger says so too (an AssertionError): nothing is kept
        RAISE EXCEPTION 'the batches of product % hold less than its on hand', p_product_id
            USING ERRCODE = 'SB002';
    END IF;
    IF p_update_id IS NOT NULL THEN
        UPDATE update_inbox SET processed_at = p_handled_at
        WHERE update_inbox.update_id = p_update_id AND update_inbox.processed_at IS NULL;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'update % was handled elsewhere', p_update_id
                USING ERRCODE = 'SB001';
        END IF;
    END IF;
    IF p_undurable THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    outcome := 'done';
END
$$
"""

SIGNATURE = (
    "stockbot_remove(BIGINT, BIGINT, TEXT[], BIGINT, NUMERIC, TEXT, TEXT, TEXT, TIMESTAMPTZ,"
    " BOOLEAN, BIGINT, TIMESTAMPTZ, BOOLEAN)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {SIGNATURE}")
