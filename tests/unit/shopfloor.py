"""A small driver for unit tests: sets up shops, members and stock through the real use
cases on a `FakeUnitOfWork`, so every test speaks in the shop's own terms."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from core import catalog, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.ledger import Adjustment, Count, MovementResult, Removal, Restock, UndoQuestion
from core.model import Batch, Member, Movement, Product, Reason, Role, Shop
from core.quantities import to_quantity
from core.shops import SettingsChange
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWork


def q(value: str | int) -> Decimal:
    return to_quantity(value)


class Shopfloor:
    def __init__(self, store: FakeStore, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self.uow = FakeUnitOfWork(store)
        self._keys = itertools.count(1)
        self._users = itertools.count(1000)

    def key(self) -> str:
        return f"update-{next(self._keys)}"

    # -- shops and people -------------------------------------------------------------

    async def open_shop(
        self,
        owner_id: int | None = None,
        name: str = "Corner Shop",
        *,
        timezone: str | None = None,
        near_expiry_days: int | None = None,
    ) -> Actor:
        owner_id = owner_id if owner_id is not None else next(self._users)
        shop = await shops.create_shop(
            self.uow, owner_id, f"user {owner_id}", name, self.clock.now()
        )
        actor = Actor(owner_id, shop.id)
        if timezone is not None or near_expiry_days is not None:
            await shops.update_settings(
                self.uow,
                actor,
                SettingsChange(timezone=timezone, near_expiry_days=near_expiry_days),
            )
        return actor

    async def hire(
        self, owner: Actor, user_id: int | None = None, role: Role = Role.STAFF
    ) -> Actor:
        user_id = user_id if user_id is not None else next(self._users)
        invite = await shops.create_invite(self.uow, owner, role, self.clock.now())
        joined = await shops.join_shop(
            self.uow, user_id, f"user {user_id}", invite.code, self.clock.now()
        )
        return Actor(user_id, joined.shop.id)

    # -- catalog ----------------------------------------------------------------------

    async def product(self, owner: Actor, name: str = "Oat milk", **fields: object) -> Product:
        return await catalog.add_product(
            self.uow,
            owner,
            ProductFields(name=name, **fields),  # type: ignore[arg-type]
        )

    # -- stock ------------------------------------------------------------------------

    async def restock(
        self,
        actor: Actor,
        product_id: int,
        quantity: str | int,
        *,
        expiry: date | None = None,
        key: str | None = None,
        **extra: object,
    ) -> MovementResult:
        return await ledger.restock(
            self.uow,
            actor,
            Restock(product_id, q(quantity), expiry=expiry, **extra),  # type: ignore[arg-type]
            key=key or self.key(),
            now=self.clock.now(),
        )

    async def remove(
        self,
        actor: Actor,
        product_id: int,
        quantity: str | int,
        reason: Reason = Reason.SALE,
        *,
        key: str | None = None,
    ) -> MovementResult:
        return await ledger.remove(
            self.uow,
            actor,
            Removal(product_id, q(quantity), reason),
            key=key or self.key(),
            now=self.clock.now(),
        )

    async def count(
        self, actor: Actor, product_id: int, counted: str | int, *, key: str | None = None
    ) -> MovementResult:
        return await ledger.count(
            self.uow,
            actor,
            Count(product_id, q(counted)),
            key=key or self.key(),
            now=self.clock.now(),
        )

    async def adjust(
        self, actor: Actor, product_id: int, delta: str | int, *, key: str | None = None
    ) -> MovementResult:
        return await ledger.adjust(
            self.uow,
            actor,
            Adjustment(product_id, q(delta)),
            key=key or self.key(),
            now=self.clock.now(),
        )

    async def undo(
        self, actor: Actor, movement_id: int | None = None, *, key: str | None = None
    ) -> MovementResult:
        return await ledger.undo(
            self.uow, actor, movement_id, key=key or self.key(), now=self.clock.now()
        )

    async def undo_last(
        self, actor: Actor, *, key: str | None = None, refused_at: datetime | None = None
    ) -> MovementResult | UndoQuestion:
        return await ledger.undo_last(
            self.uow, actor, key=key or self.key(), now=self.clock.now(), refused_at=refused_at
        )

    # -- what the books say (committed state only) ------------------------------------

    def stored_product(self, product_id: int) -> Product:
        return self.store.state.products[product_id]

    def stored_shop(self, shop_id: int) -> Shop:
        return self.store.state.shops[shop_id]

    def store_member(self, shop_id: int, user_id: int) -> Member | None:
        return self.store.state.members.get((shop_id, user_id))

    def on_hand(self, product_id: int) -> Decimal:
        return self.stored_product(product_id).on_hand

    def batches(self, product_id: int) -> list[Batch]:
        return sorted(
            (b for b in self.store.state.batches.values() if b.product_id == product_id),
            key=lambda b: b.id,
        )

    def movements(self, product_id: int | None = None) -> list[Movement]:
        return sorted(
            (
                m
                for m in self.store.state.movements.values()
                if product_id is None or m.product_id == product_id
            ),
            key=lambda m: m.id,
        )

    def today(self) -> date:
        return self.clock.now().date()

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)
