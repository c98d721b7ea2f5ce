"""The one formatter: escaping, quantities, money, days and moments, badges, and
Telegram's length limits."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from html import escape, unescape
from zoneinfo import ZoneInfo

from bot import i18n
from bot.i18n import N_, _
from bot.texts.unit_names import unit_for
from core.limits import shortened
from core.model import Reason, Shop
from core.quantities import FigureRefused, format_quantity
from core.status import ExpiryStatus, Status, StockStatus

MAX_MESSAGE = 4096
MAX_TOAST = 200

STOCK_BADGE = {StockStatus.LOW: N_("🟠 low"), StockStatus.OUT: N_("🔴 out of stock")}
EXPIRY_BADGE = {
    ExpiryStatus.NEAR_EXPIRY: N_("🟠 near expiry"),
    ExpiryStatus.EXPIRED: N_("🔴 expired"),
}

REASON_VERB = {
    Reason.RESTOCK: N_("Restocked"),
    Reason.SALE: N_("Sold"),
    Reason.DAMAGE: N_("Written off (damaged)"),
    Reason.EXPIRED: N_("Written off (expired)"),
    Reason.ADJUSTMENT: N_("Adjusted"),
    Reason.RETURN: N_("Returned to supplier"),
    Reason.UNDO: N_("Undone"),
    Reason.IMPORT: N_("Imported"),
}


def h(text: str) -> str:
    return escape(text, quote=False)


def plain(html: str) -> str:
    """Telegram HTML of ours as plain text (its tags dropped, its escapes undone), for a
    refusal's usage line, which is escaped where it is sent."""
    return unescape(re.sub(r"</?(?:b|i|u|s|code|pre)>", "", html))


def plain_qty(value: Decimal, unit: str = "") -> str:
    """A quantity and its unit as plain text, for refusals (escaped where they are sent)."""
    return f"{number(value)} {unit_for(value, unit)}".strip()


def number(value: Decimal) -> str:
    """A quantity in the reader's language: `2.5` in English, `2,5` in Russian."""
    if i18n.current() != i18n.SOURCE:
        return i18n.number(value)
    return format_quantity(value)


def qty(value: Decimal, unit: str = "") -> str:
    return h(plain_qty(value, unit))


def money(value: Decimal | None, shop: Shop) -> str:
    if value is None:
        return "—"
    if i18n.current() != i18n.SOURCE:
        return i18n.money(value, shop.currency)
    return f"{value:.2f} {shop.currency}"


def day(value: date | None) -> str:
    if value is None:
        return "—"
    if i18n.current() != i18n.SOURCE:
        return i18n.day(value)
    return value.strftime("%-d %b %Y")


def moment(value: datetime, shop: Shop) -> str:
    local = value.astimezone(ZoneInfo(shop.timezone))
    if i18n.current() != i18n.SOURCE:
        return i18n.moment(local)
    return local.strftime("%-d %b %H:%M")


TOO_PRECISE = {
    2: N_("“{shown}” has more than two decimal places."),
    3: N_("“{shown}” has more than three decimal places."),
}


def figure_refused(shown: str, refused: FigureRefused) -> str:
    """Why a typed quantity or amount was refused, with what would be taken."""
    if refused.why == "too_large" and refused.limit is not None:
        limit = (
            f"{refused.limit:,}" if i18n.current() == i18n.SOURCE else i18n.number(refused.limit)
        )
        return _("“{shown}” is too large: the most is {limit}.").format(shown=shown, limit=limit)
    if refused.why == "too_precise" and refused.places in TOO_PRECISE:
        return _(TOO_PRECISE[refused.places]).format(shown=shown)
    if refused.why == "negative":
        return _("An amount cannot be negative.")
    return _("“{shown}” is not a number.").format(shown=shown)


def badges(status: Status) -> str:
    parts = [STOCK_BADGE.get(status.stock, ""), EXPIRY_BADGE.get(status.expiry, "")]
    return " · ".join(_(p) for p in parts if p)


def refused(reason: str) -> str:
    return f"⚠️ {reason}"


def utf16_length(text: str) -> int:
    """Telegram's measure of a text: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


MORE_NOT_SHOWN = N_("… (more not shown)")


def truncate(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` cut at a line break to fit Telegram's limit. Counted on the HTML as sent,
    which is never shorter than what Telegram counts (tags and entities only shrink
    when parsed), and lines are cut whole, so no tag is left open."""
    if utf16_length(text) <= limit:
        return text
    more = "\n" + _(MORE_NOT_SHOWN)
    room = limit - utf16_length(more)
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        used += utf16_length(line) + 1
        if used > room:
            break
        kept.append(line)
    return "\n".join(kept) + more


def toast(text: str) -> str:
    """A callback answer's text fitted to Telegram's 200 characters."""
    if utf16_length(text) <= MAX_TOAST:
        return text
    cut = text[: MAX_TOAST - 1]
    while utf16_length(cut) > MAX_TOAST - 1:
        cut = cut[:-1]
    return cut + "…"


# Quotation marks as each language prints them (the Russian catalog's own are «»).
QUOTES = {"ru": ("«", "»")}


def quoted(value: str) -> str:
    """Someone's input quoted back in a reply: escaped, and shortened, since it may be
    as long as a whole message; in the reader's quotation marks."""
    opening, closing = QUOTES.get(i18n.current(), ("“", "”"))
    return f"{opening}{h(shortened(value))}{closing}"
