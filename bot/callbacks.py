"""Inline buttons' callback data: one small frozen dataclass per action, encoded as
`<prefix>:<field>:<field>…` in at most 64 bytes.

Decoding checks only the shape (known prefix, right number of fields, ids made of
digits, known enum values). It never proves anything: a user can send any callback data,
so the handler re-checks membership and role for every tap.

Usage::

    data = Adjust(product_id=12, delta=Decimal("-1")).encode()   # "adj:12:-1"
    action = decode(data)                                         # Adjust(12, Decimal('-1'))
"""

from __future__ import annotations

import enum
import re
import types
import typing
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Union

from core.alert_model import AlertKind
from core.inventory import SortBy, StatusFilter
from core.model import Role
from core.quantities import format_quantity, to_quantity

MAX_CALLBACK_BYTES = 64
SEPARATOR = ":"
MAX_ID = 2**63 - 1
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,24}")
ID = re.compile(r"\d{1,19}")
SIGNED_QUANTITY = re.compile(r"[+-]?\d{1,10}(?:\.\d{1,3})?")


class CallbackDataError(Exception):
    """Callback data that is not one of ours or is malformed."""


class CallbackDataTooLong(CallbackDataError):
    """An action whose encoding exceeds Telegram's 64-byte limit (a programming error)."""


class CallbackAction:
    """Base of every button action. Subclasses are frozen dataclasses with a PREFIX;
    their fields may be int (a non-negative id), Decimal (a signed quantity), str (a short
    token of letters, digits, `_` and `-`), an enum, or any of these or None."""

    PREFIX: ClassVar[str]

    def encode(self) -> str:
        parts = [self.PREFIX]
        parts.extend(_encode_value(getattr(self, f.name)) for f in fields(self))  # type: ignore[arg-type]
        while len(parts) > 1 and parts[-1] == "":  # trailing None fields are omitted
            parts.pop()
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise CallbackDataTooLong(f"{data!r} is over {MAX_CALLBACK_BYTES} bytes")
        return data


REGISTRY: dict[str, type[CallbackAction]] = {}


ActionT = typing.TypeVar("ActionT", bound=CallbackAction)


def action(prefix: str) -> typing.Callable[[type[ActionT]], type[ActionT]]:
    """Register a frozen dataclass as the action of callback data starting `prefix:`."""

    def register(cls: type[ActionT]) -> type[ActionT]:
        if prefix in REGISTRY:
            raise ValueError(f"callback prefix {prefix!r} registered twice")
        if not TOKEN.fullmatch(prefix.replace(SEPARATOR, "")):
            raise ValueError(f"bad callback prefix {prefix!r}")
        cls.PREFIX = prefix
        REGISTRY[prefix] = cls
        return cls

    return register


# ----------------------------------------------------------------------------- actions


class PromptKind(enum.StrEnum):
    """What a product-card button asks the user to type next."""

    AMOUNT = "amt"  # a custom +/- amount
    SELL = "sell"
    RESTOCK = "rst"
    REMOVE = "rm"
    COUNT = "cnt"


class SettingsField(enum.StrEnum):
    TIMEZONE = "tz"
    ALERT_TIME = "alert"
    NEAR_EXPIRY_DAYS = "days"
    CURRENCY = "cur"
    DATE_ORDER = "datefmt"
    QUIET_HOURS = "quiet"


@action("adj")
@dataclass(frozen=True)
class Adjust(CallbackAction):
    """A quick-adjust tap: one movement of `delta` (signed) on the product."""

    product_id: int
    delta: Decimal


@action("ask")
@dataclass(frozen=True)
class Prompt(CallbackAction):
    """Sell…, Restock…, a custom amount: ask the user to type the rest."""

    product_id: int
    kind: PromptKind


@action("card")
@dataclass(frozen=True)
class OpenCard(CallbackAction):
    product_id: int


@action("hist")
@dataclass(frozen=True)
class OpenHistory(CallbackAction):
    """Ledger entries (of one product, or all when None) older than `before_id`."""

    product_id: int | None = None
    before_id: int | None = None


@action("inv")
@dataclass(frozen=True)
class OpenInventory(CallbackAction):
    """A page of the inventory list; `category_id` is the bot's short id of a category."""

    status: StatusFilter = StatusFilter.ALL
    sort: SortBy = SortBy.NAME
    page: int = 0
    category_id: int | None = None


@action("chart")
@dataclass(frozen=True)
class OpenChart(CallbackAction):
    """A picture of the product's stock over the last weeks."""

    product_id: int


@action("dash")
@dataclass(frozen=True)
class OpenDashboard(CallbackAction):
    pass


@action("undo")
@dataclass(frozen=True)
class Undo(CallbackAction):
    movement_id: int


@action("pick")
@dataclass(frozen=True)
class PickProduct(CallbackAction):
    """A "did you mean" choice: complete the pending command `token` with this product."""

    token: str
    product_id: int


@action("del")
@dataclass(frozen=True)
class ConfirmDelete(CallbackAction):
    product_id: int


@action("restore")
@dataclass(frozen=True)
class RestoreProduct(CallbackAction):
    product_id: int


@action("edit")
@dataclass(frozen=True)
class EditField(CallbackAction):
    """`field`: the short word of a product field (core.product_fields); the handler
    refuses any other as it refuses malformed data."""

    product_id: int
    field: str


@action("team:rm")
@dataclass(frozen=True)
class RemoveMember(CallbackAction):
    shop_id: int
    user_id: int


@action("team:rmok")
@dataclass(frozen=True)
class ConfirmRemoveMember(CallbackAction):
    """The second tap of a removal: the first only asks (see handlers.shop)."""

    shop_id: int
    user_id: int


@action("team:role")
@dataclass(frozen=True)
class SetMemberRole(CallbackAction):
    shop_id: int
    user_id: int
    role: Role


@action("shop")
@dataclass(frozen=True)
class SwitchShop(CallbackAction):
    shop_id: int


@action("set")
@dataclass(frozen=True)
class ChangeSetting(CallbackAction):
    shop_id: int
    field: SettingsField


@action("grp:unlink")
@dataclass(frozen=True)
class UnlinkGroup(CallbackAction):
    """Unlink one of the shop's groups, from the owner's private chat. Group ids are
    negative and fields are not: `group` is the id without its sign."""

    shop_id: int
    group: int

    @property
    def chat_id(self) -> int:
        return -self.group


@action("flow:cancel")
@dataclass(frozen=True)
class CancelFlow(CallbackAction):
    pass


class Kept(enum.StrEnum):
    """What a ✖️ Keep under a question left as it was."""

    MOVEMENT = "mv"  # /undo's question: the movement stands
    PRODUCT = "prod"  # /delete's question: the product stays in the catalog
    ARCHIVED = "arch"  # the offer to restore an archived name: it stays archived
    MEMBER = "mem"  # the question before removing a member: they stay


@action("keep")
@dataclass(frozen=True)
class Keep(CallbackAction):
    """✖️ Keep under a question: nothing changes, and the message says what stayed (a
    Cancel leaves a step; a Keep leaves things as they are)."""

    what: Kept


@action("tk:skip")
@dataclass(frozen=True)
class SkipCount(CallbackAction):
    """A stocktake's Skip, for the product its question asked about: a Skip under an
    older question must not skip the product asked now."""

    product_id: int


@action("flow:done")
@dataclass(frozen=True)
class FinishEditing(CallbackAction):
    """/edit's Done: the editing is over, whatever was saved stays."""


@action("flow:opt")
@dataclass(frozen=True)
class ChooseOption(CallbackAction):
    """A choice inside a guided flow (a reason, a unit, yes/no): a short token."""

    value: str


@action("scan:show")
@dataclass(frozen=True)
class ShowScannedCode(CallbackAction):
    """One unknown code of a picture with several: offer to add or attach it. The code
    itself waits in the state store under `token` (a QR code is longer than 64 bytes)."""

    token: str


@action("scan:add")
@dataclass(frozen=True)
class AddScannedProduct(CallbackAction):
    token: str


@action("scan:att")
@dataclass(frozen=True)
class AttachScannedCode(CallbackAction):
    token: str


@action("imp")
@dataclass(frozen=True)
class ConfirmImport(CallbackAction):
    """The Import button under a spreadsheet's preview; the file waits under `token`."""

    token: str


@action("al:snz")
@dataclass(frozen=True)
class SnoozeCrossing(CallbackAction):
    """Snooze 1 day on a low/out push: quiet the product for me, remind me tomorrow."""

    shop_id: int
    crossing_id: int


@action("al:ord")
@dataclass(frozen=True)
class MarkOrdered(CallbackAction):
    """The "Ordered" button: the product's low/out alerts wait for the next restock."""

    shop_id: int
    product_id: int


@action("al:woff")
@dataclass(frozen=True)
class WriteOffExpired(CallbackAction):
    """Remove expired batches (of one product, or all) with reason `expired`."""

    shop_id: int
    product_id: int | None = None


@action("al:view")
@dataclass(frozen=True)
class ViewFromAlert(CallbackAction):
    """A "View …" button under a digest: the filtered inventory of that shop as a new
    message, so the digest (and its Write off button) stays in the chat."""

    shop_id: int
    status: StatusFilter


@action("al:kind")
@dataclass(frozen=True)
class ToggleAlertKind(CallbackAction):
    """Turn one kind of alert on or off for me in my active shop."""

    kind: AlertKind
    enabled: str  # "on" / "off"


@action("al:mute")
@dataclass(frozen=True)
class SetProductMuted(CallbackAction):
    product_id: int
    muted: str  # "on" / "off"


@action("al:reorder")
@dataclass(frozen=True)
class OpenReorderList(CallbackAction):
    shop_id: int | None = None


@action("noop")
@dataclass(frozen=True)
class Noop(CallbackAction):
    """A button that only shows something, like "page 2/5"."""


# ---------------------------------------------------------------------------- codec


def decode(data: str | bytes | None) -> CallbackAction:
    """The action encoded in `data`; CallbackDataError for anything else."""
    if isinstance(data, bytes):
        try:
            data = data.decode()
        except UnicodeDecodeError:
            raise CallbackDataError("callback data is not UTF-8") from None
    if not isinstance(data, str) or not data:
        raise CallbackDataError("no callback data")
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise CallbackDataError("callback data is too long")
    parts = data.split(SEPARATOR)
    for length in (2, 1):
        prefix = SEPARATOR.join(parts[:length])
        cls = REGISTRY.get(prefix) if len(parts) >= length else None
        if cls is not None:
            return _build(cls, parts[length:], data)
    raise CallbackDataError(f"unknown callback action in {data[:20]!r}")


def _build(cls: type[CallbackAction], values: list[str], data: str) -> CallbackAction:
    hints = typing.get_type_hints(cls)
    declared = fields(cls)  # type: ignore[arg-type]
    if len(values) > len(declared):
        raise CallbackDataError(f"too many fields in {data!r}")
    values = values + [""] * (len(declared) - len(values))
    arguments = {}
    for declared_field, text in zip(declared, values, strict=True):
        arguments[declared_field.name] = _decode_value(hints[declared_field.name], text, data)
    return cls(**arguments)


def _encode_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        raise TypeError("booleans are not callback fields")
    if isinstance(value, int):
        if not 0 <= value <= MAX_ID:
            raise CallbackDataError(f"id out of range: {value}")
        return str(value)
    if isinstance(value, Decimal):
        text = format_quantity(to_quantity(value))
        if not SIGNED_QUANTITY.fullmatch(text):
            raise CallbackDataError(f"quantity out of range: {value}")
        return text
    if isinstance(value, str):
        if not TOKEN.fullmatch(value):
            raise CallbackDataError(f"not a short token: {value!r}")
        return value
    raise TypeError(f"cannot encode {type(value).__name__} in callback data")


def _optional_of(annotation: Any) -> Any | None:
    """`X` for `X | None`, else None."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1 and len(typing.get_args(annotation)) == 2:
            return members[0]
    return None


def _decode_value(annotation: Any, text: str, data: str) -> object:
    inner = _optional_of(annotation)
    if inner is not None:
        return None if text == "" else _decode_value(inner, text, data)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        try:
            return annotation(text)
        except ValueError:
            raise CallbackDataError(f"unknown {annotation.__name__} in {data!r}") from None
    if annotation is int:
        if not ID.fullmatch(text) or int(text) > MAX_ID:
            raise CallbackDataError(f"not an id: {text[:20]!r} in {data!r}")
        return int(text)
    if annotation is Decimal:
        if not SIGNED_QUANTITY.fullmatch(text):
            raise CallbackDataError(f"not a quantity: {text[:20]!r} in {data!r}")
        try:
            return to_quantity(text)
        except (ValueError, InvalidOperation):
            raise CallbackDataError(f"not a quantity: {text[:20]!r}") from None
    if annotation is str:
        if not TOKEN.fullmatch(text):
            raise CallbackDataError(f"not a token: {text[:20]!r} in {data!r}")
        return text
    raise TypeError(f"unsupported callback field type {annotation!r}")
