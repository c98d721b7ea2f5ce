"""When things happen on a shop's own clock: alert times and quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.alert_model import (
    AlertSettings,
)
from core.model import Shop


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first moment (UTC) at which the shop's wall clock shows `at` or later on `day`.

    A wall time that happens twice (autumn fold) counts from its first occurrence; one
    that never happens (spring gap) is reached when the clock jumps past it."""
    wall = datetime.combine(day, at.replace(tzinfo=None))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In the gap: fold=1 reads `wall` with the offset after the jump (an earlier
    # instant), fold=0 with the offset before it; the jump lies between them.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = 0, int((first - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(seconds=lo)


# A new shop's first digest waits for the first alert time at least this long after the
# shop was opened: not a minute after the owner added the first products (which are
# all "out of stock" until restocked), and a shop opened after its alert time hears
# first the next day.
SETTING_UP = timedelta(hours=1)


def digest_day_due(shop: Shop, now: datetime) -> date | None:
    """The shop's local date if its digest for that date is due at `now`, else None."""
    zone = ZoneInfo(shop.timezone)
    today = now.astimezone(zone).date()
    due_at = local_instant(today, shop.alert_time, zone)
    if shop.created_at is not None and due_at < shop.created_at + SETTING_UP:
        return None
    return today if now >= due_at else None


def quiet_until(settings: AlertSettings, shop: Shop, now: datetime) -> datetime | None:
    """When the shop's quiet hours end, if `now` falls inside them."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(shop.timezone)
    local = now.astimezone(zone)
    clock, today = local.time().replace(tzinfo=None), local.date()
    if start < end:
        return local_instant(today, end, zone) if start <= clock < end else None
    if clock >= start:  # quiet hours run past midnight
        return local_instant(today + timedelta(days=1), end, zone)
    if clock < end:
        return local_instant(today, end, zone)
    return None
