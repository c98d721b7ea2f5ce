"""The catalog: adding, editing, archiving and restoring products."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.texts.formatting import h, qty
from bot.texts.unit_names import unit_label
from core.limits import shortened
from core.model import Product

# --- the catalog ----------------------------------------------------------------------

NAME_PROMPT = N_(
    "What is the new product called? You can add details too, e.g. "
    "<code>oat milk cat dairy unit l min 5 price 2.40</code>."
)
PRODUCT_NEEDS_NAME = N_("The product needs a name.")
WHICH_PRODUCT = N_("Which product?")
SEND_A_VALUE = N_("Send a value.")
FIELD_PROMPT = {
    "name": N_("Send the new name."),
    "category": N_("Send the category, e.g. dairy."),
    "unit": N_("Choose or type the unit."),
    "threshold": N_("Send the low-stock threshold (reorder point), e.g. 5."),
    "price": N_("Send the store price, e.g. 2.40."),
    "cost": N_("Send the supplier price, e.g. 1.10."),
    "barcodes": N_("Send the barcode."),
    "supplier": N_("Send the supplier's name."),
    "expiry_warning_days": N_("Warn how many days before expiry? e.g. 3"),
    "lead_days": N_("How many days from ordering to delivery? e.g. 5"),
    "reorder_date": N_(
        "When to order it again? e.g. 20.12 or +2w. Send <code>none</code> for no reorder date."
    ),
}
FIELD_LABEL = {
    "name": N_("Name"),
    "category": N_("Category"),
    "unit": N_("Unit"),
    "threshold": N_("Min (low at)"),
    "price": N_("Price"),
    "cost": N_("Cost"),
    "barcodes": N_("Barcode"),
    "supplier": N_("Supplier"),
    "expiry_warning_days": N_("Expiry warning days"),
    "lead_days": N_("Lead time (days)"),
    "reorder_date": N_("Reorder date"),
}

# A field as the import's preview names what a row changes (and the stock it sets).
FIELD_NAMES = {
    "name": N_("name"),
    "category": N_("category"),
    "unit": N_("unit"),
    "threshold": N_("threshold"),
    "price": N_("price"),
    "cost": N_("cost"),
    "barcodes": N_("barcode"),
    "supplier": N_("supplier"),
    "expiry_warning_days": N_("warning days"),
    "lead_days": N_("lead time"),
    "reorder_date": N_("reorder date"),
    "on_hand": N_("stock"),
}


def product_added(product: Product) -> str:
    return _(
        "✅ Added <b>{name}</b> ({unit}). Restock it with <code>/restock {name} 10</code>."
    ).format(name=h(product.name), unit=h(unit_label(product.unit)))


def editing(product: Product) -> str:
    return _("✏️ Editing <b>{name}</b>. What should change?").format(name=h(product.name))


def product_saved(product: Product) -> str:
    return _("✅ Saved <b>{name}</b>. Anything else?").format(name=h(product.name))


def ask_archive(product: Product) -> str:
    question = _(
        "🗑 Archive <b>{name}</b>? It leaves the catalog and lists; its history stays."
    ).format(name=h(product.name))
    if product.on_hand > 0:
        question += "\n" + _(
            "⚠️ It still has {on_hand} on hand: that stock leaves the lists with it "
            "(restoring the product brings it back)."
        ).format(on_hand=qty(product.on_hand, product.unit))
    return question


ARCHIVED_TOAST = N_("Archived")


def offer_restore(name: str) -> str:
    return _(
        "🗄 <b>{name}</b> is archived. Restore it, with its stock and history? "
        "(To start afresh instead, add it under another name.)"
    ).format(name=h(name))


def restore_button(name: str) -> str:
    return _("♻️ Restore {name}").format(name=shortened(name, 40))


def restored(product: Product) -> str:
    return _("♻️ <b>{name}</b> restored, with {on_hand} on hand and its history.").format(
        name=h(product.name), on_hand=qty(product.on_hand, product.unit)
    )


def archived(product: Product) -> str:
    return _("🗑 <b>{name}</b> archived. Its history stays.").format(name=h(product.name))
