"""Barcode photos."""

from __future__ import annotations

from bot.i18n import N_, _, ngettext
from bot.texts.formatting import h, quoted
from core.model import Product

# --- barcode photos ---------------------------------------------------------------------

NO_BARCODE_FOUND = N_(
    "🔍 I could not find a barcode in that picture. For a better photo: hold the phone "
    "15–20 cm away with the whole code in the frame, keep the code level, avoid glare and "
    "shadows, and let the camera focus. Or type it: <code>/stock 4006381333931</code>."
)
IMAGE_REFUSED = {
    "too_big": N_(
        "⚠️ That image is too big to scan (over 10 MB). Send it as a photo, not as a "
        "file, or crop it to the barcode."
    ),
    "too_many_pixels": N_(
        "⚠️ That image has too many pixels to scan (over 40 megapixels). "
        "Send it as a photo, not as a file."
    ),
    "not_an_image": N_(
        "⚠️ I could not open that file as a picture (JPEG, PNG or WebP). "
        "Take a photo of the barcode and send it."
    ),
}
# Plain text: a refusal's usage is escaped where it is sent (<code> showed as typed).
CAPTION_USAGE = N_(
    "a photo's caption says what to do with the product it shows: sell 2, "
    "restock 12 exp 1.6, remove 1 damage or count 18"
)
ADD_WITH_BARCODE_BUTTON = N_("➕ Add as new product…")
ATTACH_BARCODE_BUTTON = N_("🔗 Attach to…")


def unknown_caption(word: str) -> str:
    return _("{word} is not something a photo can do.").format(word=quoted(word))


def unknown_barcode(code: str, format_name: str, *, owner: bool) -> str:
    text = _("❓ Barcode <code>{code}</code> ({format}) is not in the catalog.").format(
        code=h(code), format=h(format_name)
    )
    if not owner:
        text += " " + _("Ask an owner to add it.")
    return text


# English says "barcodes" for any count, as before; Russian needs its plural forms.
def scanned_codes(found: list[tuple[str, str, Product | None]]) -> str:
    heading = ngettext(
        "🔍 <b>{count} barcodes in this picture</b>",
        "🔍 <b>{count} barcodes in this picture</b>",
        len(found),
    ).format(count=len(found))
    lines = [heading]
    for code, format_name, product in found:
        known = f" → <b>{h(product.name)}</b>" if product else " → " + _("not in the catalog")
        lines.append(f"• <code>{h(code)}</code> ({h(format_name)}){known}")
    return "\n".join(lines)


def one_code_for_caption(count: int) -> str:
    return ngettext(
        "⚠️ This picture shows {count} barcodes, so I did not record anything: "
        "send a photo of just one with the caption.",
        "⚠️ This picture shows {count} barcodes, so I did not record anything: "
        "send a photo of just one with the caption.",
        count,
    ).format(count=count)


def unknown_code_button(code: str) -> str:
    return f"❓ {code[:28]}"


def barcode_name_prompt(code: str) -> str:
    return _(
        "What is the product with barcode <code>{code}</code> called? You can add "
        "details too, e.g. <code>oat milk cat dairy unit l min 5 price 2.40</code>."
    ).format(code=h(code))


def attach_prompt(code: str) -> str:
    return _("Which product gets barcode <code>{code}</code>? Type its name or tap it.").format(
        code=h(code)
    )


def barcode_attached(product: Product, code: str) -> str:
    return _("🔗 Barcode <code>{code}</code> now opens <b>{name}</b>.").format(
        code=h(code), name=h(product.name)
    )
