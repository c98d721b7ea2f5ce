"""What to order: products low or out, past their reorder date or running out within
their lead time, by supplier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from core.access import Actor, authorize
from core.alert_model import (
    ProductAlertState,
    ReorderGroup,
    ReorderLine,
    ReorderList,
)
from core.forecast import (
    Velocity,
    lead_days_of,
    reorder_quantity,
    runs_out_within_lead_time,
    shop_paces,
)
from core.model import Product, Shop
from core.ports import UnitOfWork
from core.status import StockStatus, shop_today, stock_status
from core.visibility import product_for


def is_reorder_due(product: Product, state: ProductAlertState | None, today: date) -> bool:
    due = product.reorder_date
    if due is None or due > today:
        return False
    return state is None or state.reorder_done_for != due


def build_reorder_list(
    shop: Shop,
    today: date,
    products: Sequence[Product],
    states: Mapping[int, ProductAlertState],
    paces: Mapping[int, Velocity] | None = None,
) -> ReorderList:
    """Products at or below threshold, past their reorder date or running out within
    their lead time, grouped by supplier (suppliers A–Z, unknown supplier last; products
    A–Z), each with how much to order when its sales allow an estimate."""
    paces = paces or {}
    groups: dict[str, list[ReorderLine]] = defaultdict(list)
    names: dict[str, str] = {}
    for product in products:
        if product.archived:
            continue
        state = states.get(product.id)
        reasons: list[str] = []
        status = stock_status(product)
        if status is not StockStatus.OK:
            reasons.append(status.value)
        if is_reorder_due(product, state, today):
            reasons.append("reorder_due")
        pace = paces.get(product.id)
        if (
            status is StockStatus.OK
            and pace is not None
            and runs_out_within_lead_time(product, pace)
        ):
            reasons.append("running_out")
        if not reasons:
            continue
        supplier_key = product.supplier.strip().casefold()
        names.setdefault(supplier_key, product.supplier.strip())
        ordered = state is not None and state.ordered_at is not None
        suggested = (
            reorder_quantity(pace, product.on_hand, product.threshold, lead_days_of(product))
            if pace is not None
            else None
        )
        groups[supplier_key].append(
            ReorderLine(
                product,
                tuple(reasons),
                ordered,
                suggested=suggested,
                days_left=pace.days_left if pace is not None else None,
                to_minimum=(
                    product.threshold - product.on_hand
                    if suggested is None and product.on_hand < product.threshold
                    else None
                ),
            )
        )
    ordered_groups = sorted(groups, key=lambda key: (key == "", key))
    return ReorderList(
        shop=shop,
        day=today,
        groups=tuple(
            ReorderGroup(names[key], tuple(sorted(groups[key], key=lambda line: line.product.key)))
            for key in ordered_groups
        ),
    )


async def reorder_list(
    uow: UnitOfWork, actor: Actor, now: datetime, *, in_group: bool = False
) -> ReorderList:
    """What to order, as `actor` may see it: who the supplier is stays with those who
    see costs, as on the product card (core.visibility)."""
    async with uow:
        shop, member = await authorize(uow, actor)
        today = shop_today(shop, now)
        products = [
            product_for(member, product, in_group=in_group)
            for product in await uow.products.list(shop.id)
        ]
        states = await uow.product_alerts.for_shop(shop.id)
        paces = await shop_paces(uow, shop, products, now)
    return build_reorder_list(shop, today, products, states, paces)
