"""The API's one error shape, `{"error": {"code", "message", "field"}}`, and how each
refusal of core becomes one.

Core names the rule that refused a request: its `code` (the API's code, the same the chat
words) and the facts as attributes. The message is the chat's wording of that code in the
caller's language, handed in by the composition root as a `Wording` (bot.texts.why), so
the chat and the Mini App say the same thing in both languages. Not being a member of a
shop answers 404 like a shop that does not exist: ids of another shop reveal nothing,
and the message of a 404 never echoes what was asked for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from core import errors as core_errors
from core.model import LANGUAGES

BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
CONFLICT = 409
UNPROCESSABLE = 422
UNAVAILABLE = 503


def N_(message: str) -> str:
    """Marks an API message for the catalog (bot/locales, extracted with Babel as
    babel.cfg says); it is said in the caller's language where it is sent."""
    return message


class Refused(ValueError):
    """A value the API's schemas refuse, in a message of the catalog (marked N_) with the
    `values` of its placeholders; str() is the English, as pydantic passes it on."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message = message
        self.values = values


class ApiError(Exception):
    """`message`: English, a message of the catalog where marked N_, with `values` for
    its placeholders; `said`: already in the caller's language."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        values: Mapping[str, object] | None = None,
        said: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.values = values or {}
        self.said = said

    def in_language(self, words: Words, language: str) -> ApiError:
        """This error with its message said in `language`."""
        if self.said:
            return self
        message = words.message(self.message, language)
        if self.values:  # a message without values may hold braces (a pattern refused)
            message = message.format(**self.values)
        return ApiError(self.status, self.code, message, self.field, said=True)

    def body(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class Words(Protocol):
    """The words the API answers with, from the composition root: the chat's (bot/texts,
    bot/locales), so the chat and the Mini App say the same in every language. A
    `language` is one of core.model.LANGUAGES."""

    def refusal(self, error: core_errors.DomainError, language: str) -> str:
        """A refusal of core."""

    def message(self, message: str, language: str) -> str:
        """A message of the API's own (marked N_), its placeholders left in."""


# (error class, status, field when core names none); the first class that matches
# wins, so subclasses come before their parents.
_MAPPING: tuple[tuple[type[core_errors.DomainError], int, str | None], ...] = (
    (core_errors.NotAMember, NOT_FOUND, None),
    (core_errors.ShopNotFound, NOT_FOUND, None),
    (core_errors.NoActiveShop, NOT_FOUND, None),
    (core_errors.ProductGone, NOT_FOUND, "product_id"),
    (core_errors.ProductNotFound, NOT_FOUND, None),
    (core_errors.MovementNotFound, NOT_FOUND, None),
    (core_errors.OwnerOnly, FORBIDDEN, None),
    (core_errors.ProductExists, CONFLICT, "name"),
    (core_errors.InsufficientStock, CONFLICT, "quantity"),
    (core_errors.NothingToOrder, CONFLICT, None),
    (core_errors.UndoRefused, CONFLICT, None),
    (core_errors.InviteInvalid, CONFLICT, None),
    (core_errors.BarcodeTaken, CONFLICT, "barcodes"),
    (core_errors.InvalidBarcode, UNPROCESSABLE, "barcodes"),
    (core_errors.InvalidValue, UNPROCESSABLE, None),
)

# Codes whose meaning is "not found" whatever their class says, and the refusal worded
# in their place: one that names nothing the caller asked for.
_NOT_FOUND_CODES = {
    "not_a_member": "shop_not_found",
    "no_active_shop": "shop_not_found",
    "product_gone": "product_not_found",
}
_NOT_FOUND_WORDED: Mapping[str, Callable[[], core_errors.DomainError]] = {
    "shop_not_found": core_errors.ShopNotFound,
    "product_not_found": lambda: core_errors.ProductGone(0),
    "movement_not_found": core_errors.MovementNotFound,
}

# Core's codes name the field at fault for some problems that carry no `field`.
_FIELD_OF_CODE = {
    "quantity_not_positive": "quantity",
    "count_negative": "quantity",
    "adjustment_zero": "quantity",
    "fraction_of_whole_unit": "quantity",
    "unit_mismatch": "quantity",
    "note_too_long": "note",
    "not_a_removal_reason": "reason",
    "product_needs_name": "name",
    "product_archived": "name",
    "threshold_negative": "threshold",
    "warning_days_range": "expiry_warning_days",
    "lead_days_range": "lead_days",
    "product_needs_unit": "unit",
    "unknown_timezone": "timezone",
    "bad_currency": "currency",
    "near_expiry_days_range": "near_expiry_days",
    "not_a_language": "language",
}


def from_domain(error: core_errors.DomainError, words: Words, language: str) -> ApiError:
    """`error` as the API answers it, its message worded by `words` in `language`."""
    status, default_field = next(
        ((s, f) for kind, s, f in _MAPPING if isinstance(error, kind)), (UNPROCESSABLE, None)
    )
    code = _NOT_FOUND_CODES.get(error.code, error.code)
    if status == NOT_FOUND:
        # Never echo what another shop holds (a name, a suggestion).
        stand_in = _NOT_FOUND_WORDED[code]()
        return ApiError(status, code, words.refusal(stand_in, language), default_field, said=True)
    named = getattr(error, "field", None)  # a core.errors.TextField, for one
    field = str(named) if named else _FIELD_OF_CODE.get(code) or default_field
    return ApiError(status, code, words.refusal(error, language), field, said=True)


def language_of(accept_language: str | None) -> str | None:
    """The first of our languages an Accept-Language header asks for (`ru-RU,ru;q=0.9,
    en;q=0.8`), by its weights; None when it asks for none of them."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        base = tag.strip().split("-")[0].lower()
        if base in LANGUAGES and weight > 0:
            wanted.append((-weight, position, base))
    return min(wanted)[2] if wanted else None
