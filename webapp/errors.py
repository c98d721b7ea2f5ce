"""The API's one error shape, `{"error": {"code", "message", "field"}}`, and how each
refusal of core becomes one.

Core names the rule that refused a request (its error class, and a `code` with `values`
where it gives them); the words for people are the interface's, here. Not being a
member of a shop answers 404 like a shop that does not exist: ids of another shop reveal
nothing."""

from __future__ import annotations

from collections.abc import Mapping

from core import errors as core_errors
from core.quantities import format_quantity

BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
CONFLICT = 409
UNPROCESSABLE = 422
UNAVAILABLE = 503


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


# (error class, status, code when core gives none, field when core gives none);
# the first class that matches wins, so subclasses come before their parents.
_MAPPING: tuple[tuple[type[core_errors.DomainError], int, str, str | None], ...] = (
    (core_errors.NotAMember, NOT_FOUND, "shop_not_found", None),
    (core_errors.ShopNotFound, NOT_FOUND, "shop_not_found", None),
    (core_errors.NoActiveShop, NOT_FOUND, "shop_not_found", None),
    (core_errors.ProductGone, NOT_FOUND, "product_not_found", "product_id"),
    (core_errors.ProductNotFound, NOT_FOUND, "product_not_found", None),
    (core_errors.MovementNotFound, NOT_FOUND, "movement_not_found", None),
    (core_errors.OwnerOnly, FORBIDDEN, "owner_only", None),
    (core_errors.ProductExists, CONFLICT, "product_exists", "name"),
    (core_errors.InsufficientStock, CONFLICT, "insufficient_stock", "quantity"),
    (core_errors.UndoRefused, CONFLICT, "undo_refused", None),
    (core_errors.InviteInvalid, CONFLICT, "invite_invalid", None),
    (core_errors.BarcodeTaken, CONFLICT, "barcode_taken", "barcodes"),
    (core_errors.InvalidBarcode, UNPROCESSABLE, "invalid_barcode", "barcodes"),
    (core_errors.InvalidValue, UNPROCESSABLE, "invalid_value", None),
)

# Errors whose `code` attribute is the barcode at fault, not an error code.
_BARCODE_ERRORS = (core_errors.BarcodeTaken, core_errors.InvalidBarcode)

# Codes whose meaning is "not found" whatever their class says, worded for the API.
_NOT_FOUND_CODES = {
    "not_a_member": "shop_not_found",
    "no_active_shop": "shop_not_found",
    "product_gone": "product_not_found",
}

_WORDS: Mapping[str, str] = {
    "shop_not_found": "There is no such shop among yours.",
    "product_not_found": "There is no such product in this shop.",
    "movement_not_found": "There is no such movement in this shop.",
    "nothing_to_undo": "There is no movement to undo.",
    "owner_only": "Only an owner of the shop can do that.",
    "product_exists": "A product with this name already exists.",
    "insufficient_stock": "There is not that much in stock.",
    "undo_refused": "This movement cannot be undone.",
    "invite_invalid": "This invite cannot be used.",
    "quantity_not_positive": "The quantity must be more than 0.",
    "count_negative": "A counted quantity cannot be negative.",
    "adjustment_zero": "An adjustment must change the quantity.",
    "fraction_of_whole_unit": "This product is counted in whole units.",
    "note_too_long": "The note is too long.",
    "not_a_removal_reason": "That is not a reason to remove stock.",
    "product_needs_name": "A product needs a name.",
    "name_too_long": "The name is too long.",
    "threshold_negative": "The low-stock threshold cannot be negative.",
    "warning_days_range": "The expiry warning must be between 0 and 365 days.",
    "product_needs_unit": "A product needs a unit such as pcs, kg or l.",
    "last_owner": "A shop must keep at least one owner.",
    "unknown_timezone": "Unknown timezone. Use a name like Europe/Berlin.",
    "bad_currency": "A currency is a three-letter code such as EUR or USD.",
    "near_expiry_days_range": "Near-expiry days must be between 0 and 365.",
    "no_such_page": "There is no such page.",
    "lead_days_range": "The lead time is out of range.",
    "shop_needs_name": "A shop needs a name.",
}

# Core's ValueRefused codes whose wording here uses its values.
_VALUE_WORDS: Mapping[str, str] = {
    "note_too_long": "A note can be at most {limit} characters.",
    "not_a_removal_reason": "“{reason}” is not a reason to remove stock.",
    "lead_days_range": "The lead time must be between 0 and {limit} days.",
}

# Why an undo is refused, as core says it (UndoRefused.why).
_UNDO_WORDS: Mapping[str, str] = {
    "undo_of_undo": "An undo cannot itself be undone; record a new movement instead.",
    "not_yours": "You can only undo your own movements.",
    "changed_nothing": "That count changed nothing, so there is nothing to undo.",
    "already_undone": "This movement was already undone.",
    "stock_used": "The stock it added has since been used.",
}

# Why an invite cannot be used, as core says it (InviteInvalid.why).
_INVITE_WORDS: Mapping[str, str] = {
    "unknown": "This invite cannot be used: the code is unknown.",
    "used": "This invite cannot be used: it was already used.",
    "expired": "This invite cannot be used: it has expired; ask the owner for a new one.",
}

# Core's codes name the field at fault for some problems that carry no `field`.
_FIELD_OF_CODE = {
    "quantity_not_positive": "quantity",
    "count_negative": "quantity",
    "adjustment_zero": "quantity",
    "fraction_of_whole_unit": "quantity",
    "note_too_long": "note",
    "not_a_removal_reason": "reason",
    "product_needs_name": "name",
    "name_too_long": "name",
    "threshold_negative": "threshold",
    "warning_days_range": "expiry_warning_days",
    "lead_days_range": "lead_days",
    "product_needs_unit": "unit",
    "unknown_timezone": "timezone",
    "bad_currency": "currency",
    "near_expiry_days_range": "near_expiry_days",
}


def from_domain(error: core_errors.DomainError) -> ApiError:
    status, default_code, default_field = next(
        ((s, c, f) for kind, s, c, f in _MAPPING if isinstance(error, kind)),
        (UNPROCESSABLE, "refused", None),
    )
    given = None if isinstance(error, _BARCODE_ERRORS) else getattr(error, "code", None)
    code = given if isinstance(given, str) and given != "refused" else default_code
    code = _NOT_FOUND_CODES.get(code, code)
    if status == NOT_FOUND:
        # Never echo what another shop holds (a name, a suggestion).
        return ApiError(status, code, _WORDS.get(code, _WORDS[default_code]), default_field)
    field = getattr(error, "field", None) or _FIELD_OF_CODE.get(code) or default_field
    message = getattr(error, "message", None)
    if isinstance(error, core_errors.UndoRefused):
        message = _UNDO_WORDS[error.why]
    if isinstance(error, core_errors.ValueRefused):
        message = _VALUE_WORDS.get(code, _WORDS[code]).format(**error.values)
    if isinstance(error, core_errors.UnitMismatch):
        message = f"This product is counted in {error.unit}, not {error.typed}."
    if isinstance(error, core_errors.ProductExists):
        message = f"A product called “{error.name}” already exists."
    if isinstance(error, core_errors.InviteInvalid):
        message = _INVITE_WORDS[error.why]
    if isinstance(error, core_errors.InsufficientStock):
        message = f"Only {format_quantity(error.on_hand)} {error.unit} on hand."
    if not isinstance(message, str) or not message:
        message = _WORDS.get(code) or _WORDS.get(default_code) or "The request was refused."
    return ApiError(status, code, message, field)
