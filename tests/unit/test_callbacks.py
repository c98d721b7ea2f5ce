import enum
import typing
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbacks import (
    MAX_CALLBACK_BYTES,
    MAX_ID,
    REGISTRY,
    Adjust,
    CallbackAction,
    CallbackDataError,
    CallbackDataTooLong,
    CancelFlow,
    ChooseOption,
    Keep,
    Kept,
    OpenHistory,
    OpenInventory,
    PickProduct,
    SetMemberRole,
    Undo,
    _optional_of,
    decode,
)
from core.inventory import SortBy, StatusFilter
from core.model import Role


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (Adjust(12, Decimal("-1")), "adj:12:-1"),
        (Adjust(12, Decimal("5")), "adj:12:5"),
        (Adjust(12, Decimal("0.25")), "adj:12:0.25"),
        (OpenHistory(7, 1500), "hist:7:1500"),
        (OpenHistory(None, 1500), "hist::1500"),
        (OpenHistory(), "hist"),
        (OpenInventory(StatusFilter.LOW, SortBy.QUANTITY, 2), "inv:low:qty:2"),
        (OpenInventory(StatusFilter.LOW, SortBy.QUANTITY, 2, 3), "inv:low:qty:2:3"),
        (Undo(99), "undo:99"),
        (PickProduct("k3Xz", 5), "pick:k3Xz:5"),
        (SetMemberRole(7, 42, Role.STAFF), "team:role:7:42:staff"),
        (CancelFlow(), "flow:cancel"),
        (Keep(Kept.PRODUCT), "keep:prod"),
    ],
)
def test_encodes_compactly_and_decodes_back(action: CallbackAction, data: str) -> None:
    assert action.encode() == data
    assert decode(data) == action


@pytest.mark.parametrize(
    "data",
    [
        "",
        "adj",
        "adj:12",
        "adj:x:1",
        "adj:12:1:extra",
        "adj:-12:1",
        "adj:12:1e5",
        "adj:12:1.2345",
        "adj:99999999999999999999:1",
        "undo:",
        "inv:sometimes:name:0",
        "team:role:1:2:king",
        "team",
        "pick:bad token:1",
        "nonsense:1",
        "card:1:" + "x" * 80,
    ],
)
def test_malformed_data_raises_a_callback_error(data: str) -> None:
    with pytest.raises(CallbackDataError):
        decode(data)


def test_bytes_and_none_are_handled() -> None:
    assert decode(b"undo:3") == Undo(3)
    with pytest.raises(CallbackDataError):
        decode(b"\xff\xfe")
    with pytest.raises(CallbackDataError):
        decode(None)


def test_values_that_cannot_be_encoded_are_refused() -> None:
    with pytest.raises(CallbackDataError):
        Undo(-1).encode()
    with pytest.raises(CallbackDataError):
        ChooseOption("has:colon").encode()


def test_every_payload_fits_even_at_the_largest_values() -> None:
    for cls in REGISTRY.values():
        action = cls(**{f.name: _largest(hint) for f, hint in _hints(cls)})
        assert len(action.encode().encode()) <= MAX_CALLBACK_BYTES


def test_too_long_payload_is_refused_at_encoding() -> None:
    # No registered action can overflow; a careless new one must fail loudly.
    @dataclass(frozen=True)
    class WideAction(CallbackAction):
        a: str
        b: str
        c: str

    WideAction.PREFIX = "wide"
    with pytest.raises(CallbackDataTooLong):
        WideAction("a" * 24, "b" * 24, "c" * 24).encode()


# --------------------------------------------------------------------------- properties


def _hints(cls: type[CallbackAction]) -> list[tuple[Any, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f, hints[f.name]) for f in fields(cls)]  # type: ignore[arg-type]


def _largest(hint: Any) -> Any:
    inner = _optional_of(hint)
    if inner is not None:
        return _largest(inner)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return max(hint, key=lambda member: len(str(member.value)))
    return {int: MAX_ID, Decimal: Decimal("-999999999.999"), str: "x" * 24}[hint]


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    inner = _optional_of(hint)
    if inner is not None:
        return st.none() | _strategy(inner)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if hint is int:
        return st.integers(min_value=0, max_value=MAX_ID)
    if hint is Decimal:
        return st.decimals(min_value=-999999999, max_value=999999999, places=3)
    if hint is str:
        return st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True)
    raise AssertionError(f"no strategy for {hint!r}")


def _action_strategy(cls: type[CallbackAction]) -> st.SearchStrategy[CallbackAction]:
    return st.builds(cls, **{f.name: _strategy(hint) for f, hint in _hints(cls)})


any_action = st.one_of([_action_strategy(cls) for cls in REGISTRY.values()])


@given(action=any_action)
@settings(max_examples=500)
def test_every_action_round_trips_within_64_bytes(action: CallbackAction) -> None:
    data = action.encode()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == action


@given(
    data=st.one_of(
        st.text(max_size=70),
        st.lists(
            st.sampled_from([*REGISTRY, "", "1", "-1", "0.5", "x", "low", "owner", ":", "ü"]),
            max_size=6,
        ).map(":".join),
    )
)
@settings(max_examples=500)
def test_decoding_anything_raises_only_callback_errors(data: str) -> None:
    try:
        action = decode(data)
    except CallbackDataError:
        return
    assert isinstance(action, CallbackAction)
    assert decode(action.encode()) == action
