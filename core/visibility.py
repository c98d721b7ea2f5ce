"""What a member may see of the catalog and the ledger.

Owners see everything. Staff record movements but never see what the shop pays:
costs (supplier prices) and who the supplier is are left out of what they read."""

from __future__ import annotations

from dataclasses import replace

from core.model import Batch, Member, Movement, Product


def sees_costs(member: Member) -> bool:
    return member.is_owner


def product_for(member: Member, product: Product) -> Product:
    if sees_costs(member):
        return product
    return replace(product, cost=None, supplier="")


def batch_for(member: Member, batch: Batch) -> Batch:
    return batch if sees_costs(member) else replace(batch, cost=None)


def movement_for(member: Member, movement: Movement) -> Movement:
    return movement if sees_costs(member) else replace(movement, cost=None)
