"""The doors core needs to the outside world. `db/` and `bot/` implement them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from core.alert_model import (
    AlertKind,
    AlertMessage,
    AlertSettings,
    Crossing,
    Delivery,
    DeliveryStatus,
    DigestSigns,
    ProductAlertState,
    SendResult,
)
from core.inventory_query import InventoryQuery, InventorySlice, StatusFilter
from core.model import (
    Batch,
    Invite,
    LedgerSums,
    Member,
    Movement,
    Product,
    Reason,
    Role,
    Shop,
    User,
    UserLanguage,
)
from core.takings_model import ShopValue


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class ShopRepository(Protocol):
    async def add(self, shop: Shop) -> Shop: ...
    async def get(self, shop_id: int) -> Shop | None: ...
    async def update(self, shop: Shop) -> None: ...
    async def list_all(self) -> Sequence[Shop]: ...


class UserRepository(Protocol):
    async def get(self, user_id: int) -> User | None: ...
    async def save(self, user: User) -> None: ...
    async def language(self, user_id: int) -> UserLanguage:
        """Nobody has chosen or been seen: UserLanguage()."""
        ...

    async def save_language(self, user_id: int, language: UserLanguage) -> None: ...


class MemberRepository(Protocol):
    async def get(self, shop_id: int, user_id: int) -> Member | None: ...
    async def add(self, member: Member) -> None: ...
    async def set_role(self, shop_id: int, user_id: int, role: Role) -> None: ...
    async def remove(self, shop_id: int, user_id: int) -> None: ...
    async def list(self, shop_id: int) -> Sequence[Member]: ...
    async def owners_for_update(self, shop_id: int) -> Sequence[Member]:
        """The shop's owners, their rows locked until the transaction ends: two changes
        that must each leave the shop an owner wait for each other, instead of each
        seeing the other owner and leaving none."""
        ...

    async def shops_of(self, user_id: int) -> Sequence[tuple[Shop, Member]]: ...


class ChatLinkRepository(Protocol):
    """Group chats linked to a shop: there every member of that shop may act."""

    async def link(self, chat_id: int, shop_id: int) -> None: ...
    async def unlink(self, chat_id: int) -> None: ...
    async def shop_of(self, chat_id: int) -> int | None: ...
    async def groups_of(self, shop_id: int) -> Sequence[int]: ...


class InviteRepository(Protocol):
    async def add(self, invite: Invite) -> None: ...
    async def get_for_update(self, code: str) -> Invite | None: ...
    async def mark_used(self, code: str, user_id: int, at: datetime) -> None: ...


class ProductRepository(Protocol):
    async def add(self, product: Product) -> Product:
        """Insert; the returned product carries its new id."""
        ...

    async def get(self, shop_id: int, product_id: int) -> Product | None: ...

    async def get_many(self, shop_id: int, product_ids: Collection[int]) -> dict[int, Product]:
        """The shop's products among these ids, archived ones too, by id."""
        ...

    async def get_for_update(self, shop_id: int, product_id: int) -> Product | None:
        """Read and lock the product row until the transaction ends.

        Every stock change of a product takes this lock first, so concurrent
        movements of one product run one after another."""
        ...

    async def by_name(self, shop_id: int, key: str, *, lock: bool = False) -> Product | None:
        """The non-archived product whose `name_key` equals `key`; `lock`: read and lock
        it as `get_for_update` does (a stock command names the product it changes)."""
        ...

    async def list(
        self, shop_id: int, *, category: str | None = None, include_archived: bool = False
    ) -> Sequence[Product]: ...

    async def update(self, product: Product) -> None:
        """Write catalog fields and the stock snapshot (on_hand, earliest_expiry)."""
        ...

    async def categories(self, shop_id: int) -> Sequence[str]: ...


class InventoryQueries(Protocol):
    """Inventory lists and the dashboard, filtered, sorted and paged by the store.

    What a list holds and in which order is core.inventory_query's rule (`matches`,
    `sort_key`); an adapter selects exactly that, judging statuses on `today`."""

    async def page(self, shop: Shop, today: date, query: InventoryQuery) -> InventorySlice: ...

    async def boxes(
        self, shop: Shop, today: date, first: int
    ) -> tuple[int, dict[StatusFilter, InventorySlice]]:
        """The shop's number of products, and for each of the dashboard's boxes
        (core.inventory_query.DASHBOARD_BOXES) the first `first` products of its list
        and its total."""
        ...

    async def value(self, shop_id: int, *, day_start: datetime, week_start: datetime) -> ShopValue:
        """core.takings_model.value_of over the shop's ledger and catalog."""
        ...


class BatchRepository(Protocol):
    async def add(self, batch: Batch) -> Batch: ...
    async def get(self, batch_id: int) -> Batch | None: ...

    async def in_stock(self, product_id: int) -> Sequence[Batch]:
        """Batches of the product with quantity > 0."""
        ...

    async def in_stock_of(self, product_ids: Collection[int]) -> dict[int, list[Batch]]:
        """`in_stock` of several products at once (one read for a page of them); a
        product with none is left out."""
        ...

    async def latest(self, product_id: int) -> Batch | None:
        """The most recently received batch of the product, empty or not."""
        ...


class MovementRepository(Protocol):
    async def add(self, movement: Movement) -> Movement: ...

    async def record(
        self, movement: Movement, batches: Sequence[Batch], product: Product
    ) -> Movement:
        """The writes of one stock change, together: each of `batches` set to its
        quantity, `product`'s row written (stock snapshot and catalog fields), and
        `movement` appended with its allocations. One statement where the store allows
        it, as every statement sent under the product's lock holds up the next change
        of that product. Returns the movement with its id; fails as `add`
        and `ProductRepository.update` would, and on a batch going negative."""
        ...

    async def record_removal(
        self, movement: Movement, product: Product
    ) -> tuple[Movement, Product] | None:
        """Take `-movement.quantity` of `product` (as read under its lock in this
        transaction) from its batches in stock as `core.ledger.take_fefo` does, and
        write it as `record` does: the movement with those allocations, the batches,
        the product's new snapshot. Returns the movement with its id and allocations,
        and the product as written.

        None, writing nothing, when the shop has a movement with this idempotency key
        (a replay), or when the batches hold less than that quantity."""
        ...

    async def get(self, shop_id: int, movement_id: int) -> Movement | None: ...
    async def by_key(self, shop_id: int, key: str) -> Sequence[Movement]:
        """Movements caused by the request with this idempotency key."""
        ...

    async def undo_of(self, movement_id: int) -> Movement | None:
        """The `undo` movement that reversed this one, if any."""
        ...

    async def undone(self, movement_ids: Collection[int]) -> set[int]:
        """Those of these movements that an `undo` reversed."""
        ...

    async def last_by_user(self, shop_id: int, user_id: int) -> Movement | None:
        """The user's newest movement that changed stock and is neither an undo nor
        undone."""
        ...

    async def newest_by_user(self, shop_id: int, user_id: int) -> Movement | None:
        """The user's newest movement of any kind: an undo or a count that matched too."""
        ...

    async def history(
        self,
        shop_id: int,
        *,
        product_id: int | None = None,
        before_id: int | None = None,
        limit: int = 10,
        allocations: bool = True,
    ) -> Sequence[Movement]:
        """Newest first; `before_id` pages backwards. `allocations=False`: without the
        batches each movement took from (may be left out: a read of the amounts only)."""
        ...

    async def since(self, shop_id: int, start: datetime) -> Sequence[Movement]:
        """The shop's movements made at or after `start`, oldest first, without their
        allocations."""
        ...

    async def first_moves(self, shop_id: int) -> dict[int, datetime]:
        """When each product of the shop first moved (product id → time)."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls back. A movement whose
    idempotency key another transaction recorded first is refused with
    core.errors.DuplicateRequest, and the transaction rolled back."""

    shops: ShopRepository
    users: UserRepository
    members: MemberRepository
    chats: ChatLinkRepository
    invites: InviteRepository
    products: ProductRepository
    inventory: InventoryQueries
    batches: BatchRepository
    movements: MovementRepository
    # Alerts (core.alert_delivery, core.digests, core.alerts); their protocols end this module.
    alert_outbox: AlertOutbox
    deliveries: DeliveryRepository
    alert_settings: AlertSettingsRepository
    product_alerts: ProductAlertRepository
    recipients: RecipientRepository
    alert_queries: AlertQueries

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...

    async def remove_at_once(self, removal: RemovalAtOnce) -> RemovedAtOnce | None:
        """`removal` as one statement, when the store can, outside `async with` (the
        unit of work is then used up), in a transaction of its own or shared with other
        removals (each its own movement, key and answer; one refused or failing never
        writes or fails another): under the product's
        lock, the member still a member of the shop with one of `removal.roles`, the
        product in the shop and not archived, the key not seen, enough on hand, and the
        product's stock status the same after (no crossing for core.crossings to
        record); then first-expiring-first-out as `core.ledger.take_fefo`, the
        product's snapshot, the movement, and the update being handled marked, durable
        before this returns. None when any of these did not hold (nothing written) or
        the store has no such statement: the caller goes the usual way, which refuses
        or replays as it always did."""
        return None

    def removes_at_once(self) -> bool:
        """Whether `remove_at_once` may write (False: it always answers None), for a
        caller that would read differently to offer it a removal (core.stock_requests)."""
        return False


@dataclass(frozen=True)
class RemovalAtOnce:
    """A removal for `UnitOfWork.remove_at_once`: the movement as core would record it
    (negative quantity, id 0, no allocations, no sale price), who may make it, and
    whether it records the product's shelf price (a sale). `unit`: the product's unit
    as the caller read it outside the removal's transaction and checked the removal
    against; another unit under the lock writes nothing (None: not checked)."""

    movement: Movement
    roles: frozenset[Role]
    records_price: bool
    unit: str | None = None


@dataclass(frozen=True)
class RemovedAtOnce:
    """What `remove_at_once` wrote: the movement (its id, allocations, sale price), the
    product as locked before and after, and the shop and member as authorized."""

    movement: Movement
    before: Product
    after: Product
    shop: Shop
    member: Member


# -- alerts ---------------------------------------------------------------------------


class AlertOutbox(Protocol):
    """Threshold crossings, written in the same transaction as the movement that caused
    them and turned into deliveries by the dispatcher."""

    async def add(self, crossing: Crossing) -> Crossing: ...

    async def pending(self, limit: int) -> Sequence[Crossing]:
        """Crossings not yet planned, oldest first, locked until the transaction ends;
        rows another transaction has locked are skipped, not waited for."""
        ...

    async def get(self, crossing_id: int) -> Crossing | None: ...
    async def mark_planned(self, crossing_id: int, at: datetime) -> None: ...


class DeliveryRepository(Protocol):
    async def add(self, delivery: Delivery) -> bool:
        """Insert unless a delivery with the same key exists; True when inserted."""
        ...

    async def add_many(self, deliveries: Sequence[Delivery]) -> int:
        """`add` for each, in one statement; how many were inserted."""
        ...

    async def claim(self, now: datetime, limit: int, lease: timedelta) -> Sequence[Delivery]:
        """Up to `limit` pending deliveries due by `now` (not_before <= now) whose lease
        has run out or was never taken, oldest first; each is leased until `now + lease`
        so another process skips it. Rows locked by another transaction are skipped."""
        ...

    async def finish(
        self, delivery_id: int, status: DeliveryStatus, at: datetime, error: str = ""
    ) -> None: ...

    async def retry_at(
        self, delivery_id: int, not_before: datetime, attempts: int, error: str = ""
    ) -> None:
        """Back to pending, lease released, due again at `not_before`."""
        ...


class AlertSettingsRepository(Protocol):
    async def get(self, shop_id: int) -> AlertSettings:
        """The shop's settings; defaults when none were saved."""
        ...

    async def save(self, settings: AlertSettings) -> None: ...

    async def digest_days(self) -> dict[int, date]:
        """shop id -> the last local day whose digest was planned, for shops that have one."""
        ...

    async def claim_digest_day(self, shop_id: int, day: date) -> bool:
        """Atomically move the shop's `digest_planned_for` to `day` if it is earlier or
        unset; True for the one caller that moved it."""
        ...

    async def report_weeks(self) -> dict[int, date]:
        """The Monday of the last weekly report planned, per shop."""
        ...

    async def claim_report_week(self, shop_id: int, monday: date) -> bool:
        """Like `claim_digest_day`, for the shop's weekly report."""
        ...

    async def claim_digest_days(self, due: Mapping[int, date]) -> set[int]:
        """`claim_digest_day` for many shops (shop id -> day) in one statement: the ids
        of the shops this caller moved."""
        ...

    async def claim_report_weeks(self, due: Mapping[int, date]) -> set[int]:
        """`claim_report_week` for many shops (shop id -> Monday) in one statement."""
        ...

    async def get_many(self, shop_ids: Collection[int]) -> dict[int, AlertSettings]:
        """The settings of each shop (defaults for a shop that saved none)."""
        ...

    async def kinds_of_shops(
        self, shop_ids: Collection[int]
    ) -> dict[int, dict[int, frozenset[AlertKind]]]:
        """shop id -> `all_kinds` of that shop."""
        ...

    async def kinds(self, shop_id: int, user_id: int) -> frozenset[AlertKind] | None:
        """The member's chosen alert kinds; None when they never chose."""
        ...

    async def set_kinds(self, shop_id: int, user_id: int, kinds: frozenset[AlertKind]) -> None: ...
    async def all_kinds(self, shop_id: int) -> dict[int, frozenset[AlertKind]]: ...


class ProductAlertRepository(Protocol):
    async def get(self, shop_id: int, product_id: int) -> ProductAlertState:
        """The product's alert state; the default state when none was saved."""
        ...

    async def save(self, state: ProductAlertState) -> None: ...

    async def for_shop(self, shop_id: int) -> dict[int, ProductAlertState]:
        """product id -> saved state, for the products that have one."""
        ...

    async def snooze(
        self, shop_id: int, user_id: int, product_id: int, until: datetime
    ) -> None: ...

    async def snoozed(self, shop_id: int, user_id: int, now: datetime) -> dict[int, datetime]:
        """product id -> until, for the member's snoozes still running at `now`."""
        ...

    async def for_shops(self, shop_ids: Collection[int]) -> dict[int, dict[int, ProductAlertState]]:
        """shop id -> `for_shop` of that shop."""
        ...

    async def snoozed_in(
        self, shop_ids: Collection[int], now: datetime
    ) -> dict[tuple[int, int], dict[int, datetime]]:
        """(shop id, user id) -> `snoozed` of that member, for members with any."""
        ...


class RecipientRepository(Protocol):
    """People the bot cannot reach (they blocked it), across all shops."""

    async def blocked(self, user_ids: Collection[int]) -> set[int]: ...
    async def mark_blocked(self, user_id: int, at: datetime) -> None: ...
    async def mark_reachable(self, user_id: int) -> None: ...


class AlertQueries(Protocol):
    """Read side of the digest and the reorder list; indexes make these cheap."""

    async def attention(self, shop_id: int, today: date) -> Sequence[Product]:
        """Non-archived products that are low or out (on_hand <= threshold) or whose
        reorder date is on or before `today`."""
        ...

    async def expiring_batches(
        self, shop_id: int, today: date, default_days: int
    ) -> Sequence[tuple[Product, Batch]]:
        """Batches with stock of non-archived products whose expiry is on or before
        `today` + the product's warning window (else `default_days`), earliest first."""
        ...

    # The same for many shops at once (one query each, not one per shop): the digest scan
    # plans every due shop together, and the dispatcher words a batch of digests together.

    async def shops(self, shop_ids: Collection[int]) -> dict[int, Shop]: ...
    async def members(self, shop_ids: Collection[int]) -> dict[int, list[Member]]:
        """shop id -> its members, for shops that have any."""
        ...

    async def attention_of(self, days: Mapping[int, date]) -> dict[int, list[Product]]:
        """shop id -> `attention(shop id, day)` for each shop id -> day."""
        ...

    async def expiring_batches_of(
        self, days: Mapping[int, date]
    ) -> dict[int, list[tuple[Product, Batch]]]:
        """shop id -> `expiring_batches(shop id, day, the shop's near_expiry_days)`."""
        ...

    async def sold_since(
        self, shop_ids: Collection[int], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, list[Product]]:
        """shop id -> its non-archived products with stock above their threshold that
        have a movement for one of `reasons` at or after `since`."""
        ...

    async def ledgers_since(
        self, products: Collection[Product], since: datetime
    ) -> dict[int, list[Movement]]:
        """product id -> its movements at or after `since`, oldest first, with what a
        pace reads: no allocations, notes, costs or prices."""
        ...

    async def ledger_sums_since(
        self, products: Collection[Product], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, list[LedgerSums]]:
        """product id -> its movements at or after `since` summed per quarter hour of UTC
        (core.model.LedgerSums: the quarter's start, the sum of their quantities, the units
        sold by those with one of `reasons` that no movement at or after `since` undoes),
        oldest first."""
        ...

    async def first_moves_of(self, products: Collection[Product]) -> dict[int, datetime]:
        """product id -> when its first movement was made, for products that have one."""
        ...

    async def moved_within(self, spans: Mapping[int, tuple[datetime, datetime]]) -> set[int]:
        """The shops (of shop id -> (start, end)) with a movement at or after start and
        before end."""
        ...

    async def digest_signs(
        self, shop_ids: Collection[int], since: datetime, reasons: Collection[Reason]
    ) -> dict[int, DigestSigns]:
        """shop id -> what planning reads of it (core.alert_model.DigestSigns), from figures
        the database keeps per shop: low and out counts of active products, the earliest
        reorder date not marked done, the earliest expiry of products in stock per warning
        window, and whether an active product above its threshold has a movement for one of
        `reasons` (undone or not) at or after `since`. Shops with none of these may be
        left out."""
        ...


class Notifier(Protocol):
    """Delivers one alert message to one chat; the interface words and sends it."""

    async def send(self, chat_id: int, message: AlertMessage) -> SendResult: ...
