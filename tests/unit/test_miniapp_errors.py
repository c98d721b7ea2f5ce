"""Core's refusals as the API's error shape: core's code, the chat's words in the
caller's language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.miniapp_wiring import CHAT_WORDS
from core import errors
from webapp.errors import N_, ApiError, from_domain, language_of


def api(error: errors.DomainError, language: str = "en") -> ApiError:
    return from_domain(error, CHAT_WORDS, language)


def test_not_a_member_reads_as_not_found() -> None:
    error = api(errors.NotAMember())
    assert (error.status, error.code) == (404, "shop_not_found")
    assert error.message == "That shop does not exist."


def test_a_missing_product_never_echoes_another_shops_names() -> None:
    error = api(errors.ProductNotFound("ham", ((7, "ham"),)))
    assert error.status == 404 and "ham" not in error.message
    assert error.code == "product_not_found"


def test_stock_and_undo_refusals_are_conflicts() -> None:
    short = api(errors.InsufficientStock("milk", Decimal(5), Decimal(1), "l"))
    assert (short.status, short.code, short.field) == (409, "insufficient_stock", "quantity")
    assert short.message == "Only 1 l of milk on hand; cannot remove 5 l."
    assert api(errors.OwnerOnly("add_products")).status == 403


def test_a_coded_refusal_names_its_field_and_is_worded_as_the_chat_words_it() -> None:
    error = api(errors.ValueRefused(errors.Invalid.QUANTITY_NOT_POSITIVE, action="remove"))
    assert (error.status, error.code, error.field) == (422, "quantity_not_positive", "quantity")
    assert error.message == "The quantity to remove must be more than 0."


def test_a_barcode_refusal_names_the_barcodes_field_and_its_code() -> None:
    taken = api(errors.BarcodeTaken("4006381333931", "Oat milk"))
    assert (taken.status, taken.code, taken.field) == (409, "barcode_taken", "barcodes")
    assert "Oat milk" in taken.message
    wrong = api(
        errors.InvalidBarcode("4006381333932", errors.BarcodeProblem.CHECK_DIGIT, expected="1")
    )
    assert (wrong.status, wrong.code, wrong.field) == (422, "invalid_barcode", "barcodes")
    assert "would be 1" in wrong.message


def test_a_refused_value_is_its_code_worded_with_its_values() -> None:
    error = api(errors.ValueRefused(errors.Invalid.NOTE_TOO_LONG, limit=200))
    assert (error.status, error.code, error.field) == (422, "note_too_long", "note")
    assert error.message == "A note can be at most 200 characters."


def test_a_text_too_long_names_its_field() -> None:
    error = api(errors.TooLong(errors.TextField.CATEGORY, 64))
    assert (error.status, error.code, error.field) == (422, "too_long", "category")
    assert error.message == "A category can be at most 64 characters."


def test_an_invite_refusal_says_why() -> None:
    error = api(errors.InviteInvalid(errors.InviteRefusal.USED))
    assert (error.status, error.code) == (409, "invite_invalid")
    assert error.message == (
        "This invite cannot be used: it was already used (a link lets one person in); "
        "ask the owner for a new one."
    )


def test_the_message_is_in_the_callers_language_the_code_is_not() -> None:
    refusal = errors.InsufficientStock("молоко", Decimal(5), Decimal(1), "l")
    english, russian = api(refusal), api(refusal, "ru")
    assert (russian.status, russian.code, russian.field) == (409, "insufficient_stock", "quantity")
    assert russian.message != english.message and "молоко" in russian.message
    assert api(errors.NotAMember(), "ru").message == "Такого магазина нет."


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("en-GB,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,de;q=0.9,ru;q=0.5", "ru"),
        ("de;q=1.0, en;q=0.2, ru;q=0.8", "ru"),
        ("ru;q=0, en", "en"),
        ("de-DE", None),
        ("", None),
        (None, None),
        ("ru;q=x", None),
    ],
)
def test_accept_language_chooses_the_first_of_ours_by_weight(
    header: str | None, language: str | None
) -> None:
    assert language_of(header) == language


def test_the_apis_own_messages_are_said_in_the_callers_language() -> None:
    csrf = ApiError(403, "csrf", N_("Missing or wrong {header} header."), values={"header": "X"})
    assert csrf.in_language(CHAT_WORDS, "ru").message == "Заголовок X не указан или неверен."
    assert csrf.in_language(CHAT_WORDS, "en").message == "Missing or wrong X header."
    said = csrf.in_language(CHAT_WORDS, "ru")
    assert said.in_language(CHAT_WORDS, "en") is said  # said once, never again
    assert (said.status, said.code, said.field) == (403, "csrf", None)


def test_a_message_outside_the_catalog_passes_as_it_is_braces_and_all() -> None:
    pattern = ApiError(422, "invalid", "String should match pattern '^\\d{1,3}$'", "code")
    assert pattern.in_language(CHAT_WORDS, "ru").message == pattern.message
