"""Guided steps and pending choices: what the chat asked and is waiting for, as typed
values.

A step is kept in the state store (bot.state) between a question and its answer, so any
bot process can take the answer; a choice is what a button offered (a "did you mean"
product, a scanned code, a previewed import) until it is tapped. Both are written and
read only here (`dump`, `load`, `load_choice`): a stored value that does not read back —
an unknown kind, a field missing or of the wrong type, written by another version or
damaged — is lost (`StepLost`), never silently the end of a step or another choice.
"""

from __future__ import annotations

import enum
import types
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

from bot.callbacks import SettingsField
from bot.parsing import Command
from core.product_fields import BY_WORD


class StepLost(Exception):
    """The stored step could not be read back; the user is told to type the command."""


class StepKind(enum.StrEnum):
    STOCK = "stock"  # a stock command's product or quantity
    AMOUNT = "amount"  # the card's custom signed amount
    REASON = "reason"  # why a removal's stock is leaving
    ADD = "add"  # a new product's name
    ATTACH = "attach"  # the product a scanned code belongs to
    EDIT = "edit"  # a new value of one product field
    SETTING = "setting"  # a new value of one shop setting
    CARD = "card"  # the product whose card to show
    SHOP_NAME = "shop_name"  # a new shop's name
    STOCKTAKE = "stocktake"  # a category counted one product after another


@dataclass(frozen=True, kw_only=True)
class _Step:
    """`key`: the idempotency key of the request that began the step, so that answering
    twice records one movement (set by `bot.handlers.base.start_flow`)."""

    kind: ClassVar[StepKind]
    key: str = ""


@dataclass(frozen=True, kw_only=True)
class StockStep(_Step):
    """`/sell` without a product (`product_id` None), or without a quantity."""

    kind = StepKind.STOCK
    command: Command
    product_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class AmountStep(_Step):
    kind = StepKind.AMOUNT
    product_id: int


@dataclass(frozen=True, kw_only=True)
class ReasonStep(_Step):
    kind = StepKind.REASON
    product_id: int
    quantity: Decimal
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class AddStep(_Step):
    """`barcode`: a scanned code the new product gets, unless the answer names one."""

    kind = StepKind.ADD
    barcode: str | None = None


@dataclass(frozen=True, kw_only=True)
class AttachStep(_Step):
    kind = StepKind.ATTACH
    barcode: str


@dataclass(frozen=True, kw_only=True)
class EditStep(_Step):
    kind = StepKind.EDIT
    product_id: int
    field: str  # the short word of a product field (core.product_fields)

    def __post_init__(self) -> None:
        if self.field not in BY_WORD:
            raise ValueError(f"no product field {self.field!r}")


@dataclass(frozen=True, kw_only=True)
class SettingStep(_Step):
    """`shop_id`: the shop the settings button named."""

    kind = StepKind.SETTING
    field: SettingsField
    shop_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CardStep(_Step):
    kind = StepKind.CARD


@dataclass(frozen=True, kw_only=True)
class ShopNameStep(_Step):
    kind = StepKind.SHOP_NAME


@dataclass(frozen=True, kw_only=True)
class StocktakeStep(_Step):
    """`/count cat pastries`: `product_ids` are still to count, the first is asked now;
    `total` were in the category when it began."""

    kind = StepKind.STOCKTAKE
    category: str
    product_ids: tuple[int, ...]
    total: int
    counted: int = 0

    def __post_init__(self) -> None:
        if not self.product_ids:
            raise ValueError("a stocktake with nothing left to count is over")


Step = (
    StockStep
    | AmountStep
    | ReasonStep
    | AddStep
    | AttachStep
    | EditStep
    | SettingStep
    | CardStep
    | ShopNameStep
    | StocktakeStep
)
STEP_TYPES: dict[StepKind, type[Step]] = {
    step.kind: step
    for step in (
        StockStep,
        AmountStep,
        ReasonStep,
        AddStep,
        AttachStep,
        EditStep,
        SettingStep,
        CardStep,
        ShopNameStep,
        StocktakeStep,
    )
}


class ChoiceKind(enum.StrEnum):
    COMMAND = "command"  # a product for a command that named none, or one unknown
    CODE = "code"  # a scanned code to add as a product or attach to one
    IMPORT = "import"  # a previewed spreadsheet to apply


@dataclass(frozen=True, kw_only=True)
class _Choice:
    """`key`: the idempotency key of the request that offered it, so a choice tapped
    twice records one movement; `user`: the only person who may tap it (both set by
    `bot.handlers.base.remember`)."""

    kind: ClassVar[ChoiceKind]
    key: str = ""
    user: int = 0


@dataclass(frozen=True, kw_only=True)
class CommandChoice(_Choice):
    """The chosen product completes `command` as written (`text`)."""

    kind = ChoiceKind.COMMAND
    command: Command
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class CodeChoice(_Choice):
    kind = ChoiceKind.CODE
    code: str
    format: str = ""


@dataclass(frozen=True, kw_only=True)
class ImportChoice(_Choice):
    """`digest`: of the previewed bytes; the file fetched again must match it."""

    kind = ChoiceKind.IMPORT
    file_id: str
    name: str
    digest: str


Choice = CommandChoice | CodeChoice | ImportChoice
CHOICE_TYPES: dict[ChoiceKind, type[Choice]] = {
    choice.kind: choice for choice in (CommandChoice, CodeChoice, ImportChoice)
}


def dump(step: Step | Choice) -> dict[str, Any]:
    """The JSON-ready form of a step or choice: its kind and its fields as strings and
    numbers."""
    stored: dict[str, Any] = {"kind": step.kind.value}
    for field in fields(step):
        value = getattr(step, field.name)
        if isinstance(value, Decimal | enum.Enum):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        stored[field.name] = value
    return stored


def load(stored: object) -> Step:
    """The step `dump` wrote; raises StepLost for anything else."""
    return _load(stored, StepKind, STEP_TYPES)


def load_choice(stored: object) -> Choice:
    """The choice `dump` wrote; raises StepLost for anything else."""
    return _load(stored, ChoiceKind, CHOICE_TYPES)


Kind = TypeVar("Kind", StepKind, ChoiceKind)
Stored = TypeVar("Stored", bound="_Step | _Choice")


def _load(stored: object, kinds: type[Kind], types_of: dict[Kind, type[Stored]]) -> Stored:
    if not isinstance(stored, dict):
        raise StepLost(f"not a {kinds.__name__}: {stored!r:.80}")
    try:
        step_type = types_of[kinds(str(stored.get("kind")))]
    except ValueError:
        raise StepLost(f"unknown {kinds.__name__}: {stored.get('kind')!r:.40}") from None
    hints = get_type_hints(step_type)
    values: dict[str, Any] = {
        field.name: _read(hints[field.name], stored[field.name], field.name)
        for field in fields(step_type)
        if field.name in stored
    }
    try:
        return step_type(**values)
    except (TypeError, ValueError) as wrong:
        raise StepLost(f"{step_type.__name__}: {wrong}") from None


def _read(hint: Any, raw: object, name: str) -> object:
    """One stored field as its declared type (see `dump`)."""
    if get_origin(hint) in (Union, types.UnionType):
        if raw is None:
            return None
        (hint,) = [option for option in get_args(hint) if option is not type(None)]
    try:
        if hint is Decimal and isinstance(raw, str) and Decimal(raw).is_finite():
            return Decimal(raw)
        if isinstance(hint, type) and issubclass(hint, enum.Enum) and isinstance(raw, str):
            return hint(raw)
    except (ArithmeticError, ValueError):
        pass
    if get_origin(hint) is tuple and isinstance(raw, list):
        (item, _) = get_args(hint)  # tuple[X, ...]
        return tuple(_read(item, one, name) for one in raw)
    if hint in (int, str) and type(raw) is hint:  # bool is an int, but no quantity
        return raw
    raise StepLost(f"field {name} is not {getattr(hint, '__name__', hint)}: {raw!r:.40}")
