"""What the weekly report says (core/report.py builds it): facts only, the interface
words and draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.model import Product, Shop


@dataclass(frozen=True)
class WeekFigures:
    """One week (Monday to Sunday, shop time). `stock_value`: at the week's end (or now,
    for the week still running)."""

    start: date
    sales: Decimal
    waste: Decimal
    stock_value: Decimal


@dataclass(frozen=True)
class Mover:
    product: Product
    units: Decimal  # sold in the last week
    sales: Decimal


@dataclass(frozen=True)
class DeadStock:
    product: Product
    value: Decimal  # on hand at cost (0 when the product has no cost)


@dataclass(frozen=True)
class WeeklyReport:
    shop: Shop
    last_day: date  # inclusive
    weeks: tuple[WeekFigures, ...]
    movers: tuple[Mover, ...]
    dead: tuple[DeadStock, ...]
    moved: bool  # any movement at all in the period
    # Whether any product has a cost price: without one, waste and the stock's value
    # (both at cost) are unknown, not zero.
    costed: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.moved

    @property
    def last_week(self) -> WeekFigures:
        return self.weeks[-1]

    def open_in(self, week: WeekFigures) -> bool:
        """Whether the shop existed in some part of `week`: a week before it opened has
        no figures, where a zero would say nothing was sold."""
        opened = self.shop.created_at
        if opened is None:
            return True
        day = opened.astimezone(ZoneInfo(self.shop.timezone)).date()
        return week.start + timedelta(days=7) > day
