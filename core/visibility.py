"""What a member may see of the catalog and the ledger.

Owners see everything. Staff record movements but never see what the shop pays:
costs (supplier prices) and who the supplier is are left out of what they read — and
so is anything posted in a group chat, which staff read too."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from core.model import Batch, Member, Movement, Product
from core.product_fields import OWNER_ONLY

# The catalog fields staff never see, as a product without them holds them.
HIDDEN_FROM_STAFF: dict[str, Any] = {
    f.name: f.default for f in fields(Product) if f.name in OWNER_ONLY
}


def sees_costs(member: Member, *, in_group: bool = False) -> bool:
    """`in_group`: the answer goes to a group chat, where everyone in it reads it —
    staff included — so it shows no costs even to an owner."""
    return member.is_owner and not in_group


def product_for(member: Member, product: Product, *, in_group: bool = False) -> Product:
    if sees_costs(member, in_group=in_group):
        return product
    return replace(product, **HIDDEN_FROM_STAFF)


def batch_for(member: Member, batch: Batch, *, in_group: bool = False) -> Batch:
    return batch if sees_costs(member, in_group=in_group) else replace(batch, cost=None)


def movement_for(member: Member, movement: Movement, *, in_group: bool = False) -> Movement:
    if sees_costs(member, in_group=in_group):
        return movement
    return replace(movement, cost=None, cost_before=None)
