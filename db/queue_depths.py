"""How many alerts wait to be sent, for /metrics (the inbox counts its own: SqlInbox.pending)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.alert_models import AlertDeliveryRow


async def pending_deliveries(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count())
            .select_from(AlertDeliveryRow)
            .where(AlertDeliveryRow.status == "pending")
        )
    return int(count or 0)
