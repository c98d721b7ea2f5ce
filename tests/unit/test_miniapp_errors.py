"""Core's refusals as the API's error shape."""

from __future__ import annotations

from decimal import Decimal

from core import errors
from webapp.errors import from_domain


def test_not_a_member_reads_as_not_found() -> None:
    error = from_domain(errors.NotAMember())
    assert (error.status, error.code) == (404, "shop_not_found")


def test_a_missing_product_never_echoes_another_shops_names() -> None:
    error = from_domain(errors.ProductNotFound("ham", ((7, "ham"),)))
    assert error.status == 404 and "ham" not in error.message


def test_stock_and_undo_refusals_are_conflicts() -> None:
    short = from_domain(errors.InsufficientStock("milk", Decimal(5), Decimal(1), "l"))
    assert (short.status, short.code, short.field) == (409, "insufficient_stock", "quantity")
    assert from_domain(errors.OwnerOnly("add products")).status == 403


def test_a_coded_refusal_names_its_field_and_is_worded_here() -> None:
    # Core's errors carry a code and values; the API words them (no `message` needed).
    refusal = errors.InvalidValue("x")
    refusal.code = "quantity_not_positive"  # type: ignore[attr-defined]
    del refusal.message
    error = from_domain(refusal)
    assert (error.status, error.code, error.field) == (422, "quantity_not_positive", "quantity")
    assert error.message == "The quantity must be more than 0."


def test_a_barcode_refusal_names_the_barcodes_field_not_the_barcode_as_its_code() -> None:
    taken = from_domain(errors.BarcodeTaken("4006381333931", "Oat milk"))
    assert (taken.status, taken.code, taken.field) == (409, "barcode_taken", "barcodes")
    assert "Oat milk" in taken.message
    wrong = from_domain(errors.InvalidBarcode("4006381333932", "check_digit", expected="1"))
    assert (wrong.status, wrong.code, wrong.field) == (422, "invalid_barcode", "barcodes")


def test_a_refused_value_is_its_code_worded_here_with_its_values() -> None:
    error = from_domain(errors.ValueRefused(errors.Invalid.NOTE_TOO_LONG, limit=200))
    assert (error.status, error.code, error.field) == (422, "note_too_long", "note")
    assert error.message == "A note can be at most 200 characters."


def test_an_invite_refusal_says_why() -> None:
    error = from_domain(errors.InviteInvalid(errors.InviteRefusal.USED))
    assert (error.status, error.code) == (409, "invite_invalid")
    assert error.message == "This invite cannot be used: it was already used."
