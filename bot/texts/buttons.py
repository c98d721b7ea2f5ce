"""Button labels (and the Mini App's)."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.texts.members import ROLE_NAME, member_name
from core.limits import shortened
from core.model import Member, Product, Reason, Role, Shop

UNDO_NAME_LIMIT = 20  # two Undo buttons a row stay readable on a phone

# --- button labels --------------------------------------------------------------------

CANCEL_BUTTON = N_("✖️ Cancel")
DONE_BUTTON = N_("✔️ Done")
EDIT_DONE_TOAST = N_("Done")
COUNT_MATCHED = N_("count matched")
CARD_BUTTON = N_("📦 Card")
UNDO_BUTTON = N_("↩️ Undo")
CUSTOM_AMOUNT_BUTTON = "±…"
SELL_BUTTON = N_("💶 Sell…")
RESTOCK_BUTTON = N_("📥 Restock…")
COUNT_BUTTON = N_("🧮 Count…")
HISTORY_BUTTON = N_("🧾 History")
CHART_BUTTON = N_("📈 Chart")
REFRESH_BUTTON = N_("🔄 Refresh")
OLDER_BUTTON = N_("Older ›")
ALL_STOCK_BUTTON = N_("📦 All stock ›")
ARCHIVE_YES_BUTTON = N_("🗑 Yes, archive it")
KEEP_BUTTON = N_("✖️ Keep")
SORT_LABELS = {"name": N_("A–Z"), "qty": N_("Qty"), "expiry": N_("Expiry"), "days": N_("Days left")}
REASON_BUTTONS = (
    (Reason.SALE, N_("💶 Sale")),
    (Reason.DAMAGE, N_("💥 Damage")),
    (Reason.EXPIRED, N_("⌛ Expired")),
    (Reason.ADJUSTMENT, N_("🧮 Adjustment")),
    (Reason.RETURN, N_("↩️ Return")),
)
DASHBOARD_LOW_BUTTON = N_("🟠 Low")
DASHBOARD_OUT_BUTTON = N_("🔴 Out")
DASHBOARD_NEAR_EXPIRY_BUTTON = N_("🟠 Near expiry")
DASHBOARD_EXPIRED_BUTTON = N_("🔴 Expired")


def undo_button(label: str = "") -> str:
    # Said here: the label joined to it is no message of the catalog ('↩️ Undo +1' reached
    # a Russian card in English).
    return f"{_(UNDO_BUTTON)} {label}".strip()


def undo_movement_button(movement_id: int) -> str:
    return f"↩️ #{movement_id}"


def undo_change_button(product_name: str, change: str) -> str:
    """A batch's Undo for one of its lines: which product, and by how much (the same
    product may be on two lines)."""
    return f"↩️ {shortened(product_name, UNDO_NAME_LIMIT)} {change}"


def product_button(product: Product) -> str:
    return f"📦 {product.name}"


def view_button(label: str, count: int) -> str:
    return f"{_(label)} ({count}) ›"


def role_button(member: Member, role: Role) -> str:
    return _("Make {name} {role}").format(name=member_name(member), role=_(ROLE_NAME[role]))


def remove_member_button(member: Member) -> str:
    return _("🚫 Remove {name}").format(name=member_name(member))


def shop_button(shop: Shop, active: bool) -> str:
    return ("✅ " if active else "") + shop.name


# The Mini App (webapp/): its menu button and the "Open app" buttons under views.
OPEN_APP_MENU = "Open app"
OPEN_APP_BUTTON = N_("📱 Open app")
MINIAPP_CONSOLE_LINK = "Mini App (logs you in as {name}): {url}"
