"""Domain errors. Each carries the facts the interface needs to explain it to a person."""

from __future__ import annotations

import enum
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from core.quantities import format_quantity


class DomainError(Exception):
    """A request the rules refuse. `message` is a plain English explanation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAMember(DomainError):
    code = "not_a_member"

    def __init__(self) -> None:
        super().__init__("You are not a member of this shop.")


class NoActiveShop(DomainError):
    """A private chat of someone in no shop yet: they create one or are invited."""

    code = "no_active_shop"

    def __init__(self) -> None:
        super().__init__("You are not in a shop yet.")


class GroupNotLinked(DomainError):
    """A group no shop is linked to: an owner who is an admin of it links it."""

    code = "group_not_linked"

    def __init__(self) -> None:
        super().__init__("This group is not linked to a shop yet.")


class GroupAction(enum.StrEnum):
    LINK = "link"  # link the group to a shop
    UNLINK = "unlink"  # an owner of its shop may too


class GroupAdminOnly(DomainError):
    """Only an admin of the group (as Telegram says at the time) may do `action` to it."""

    code = "group_admin_only"

    def __init__(self, action: GroupAction) -> None:
        super().__init__("Only an admin of this group can do that.")
        self.action = action


class SharedIdentity(DomainError):
    """A request from an identity that many people share — an admin writing anonymously,
    a post "as" a channel — so from nobody in particular: no role is given or used."""

    code = "shared_identity"

    def __init__(self, shared_as: str) -> None:
        super().__init__("A shared identity has no role.")
        self.shared_as = shared_as


class ShownElsewhere(DomainError):
    """A button about one shop, pressed in a group that is not that shop's."""

    code = "shown_elsewhere"

    def __init__(self) -> None:
        super().__init__("That button belongs to another shop's chat.")


class OwnerOnly(DomainError):
    """`action`: what was asked, a core.access.OwnerAction code each interface words."""

    code = "owner_only"

    def __init__(self, action: str) -> None:
        super().__init__("Only an owner of the shop can do that.")
        self.action = action


class ShopNotFound(DomainError):
    code = "shop_not_found"

    def __init__(self) -> None:
        super().__init__("That shop does not exist.")


class InviteRefusal(enum.StrEnum):
    UNKNOWN = "unknown"  # no invite has this code
    USED = "used"
    EXPIRED = "expired"  # the owner makes a new one


class InviteInvalid(DomainError):
    """An invite that cannot be used, and `why`."""

    code = "invite_invalid"

    def __init__(self, why: InviteRefusal) -> None:
        super().__init__("This invite cannot be used.")
        self.why = why


class ProductNotFound(DomainError):
    """`suggestions` are (product id, name) pairs of the closest names, best first."""

    def __init__(self, name: str, suggestions: tuple[tuple[int, str], ...] = ()) -> None:
        names = ", ".join(n for _, n in suggestions)
        hint = f" Did you mean: {names}?" if suggestions else ""
        super().__init__(f"No product called “{name}”.{hint}")
        self.name = name
        self.suggestions = suggestions


class ProductGone(ProductNotFound):
    """A product id (from a button) that is not, or no longer, in this shop's catalog."""

    def __init__(self, product_id: int) -> None:
        super().__init__(str(product_id))
        self.message = "That product is not in this shop's catalog (any more)."
        self.args = (self.message,)
        self.product_id = product_id


class ProductExists(DomainError):
    """`product_id`: the product that has the name, for the refusal to lead to it."""

    code = "product_exists"

    def __init__(self, name: str, product_id: int | None = None) -> None:
        super().__init__("A product with this name already exists.")
        self.name = name
        self.product_id = product_id


class ProductArchived(DomainError):
    """A new product would take the name of an archived one, which can be restored with
    its stock and history instead."""

    def __init__(self, product_id: int, name: str) -> None:
        super().__init__(f"“{name}” is archived: restore it rather than adding it again.")
        self.product_id = product_id
        self.name = name


class InvalidValue(DomainError):
    """A value out of the range the rules allow, e.g. a zero quantity."""


class UnknownTimezone(InvalidValue):
    """`suggestions`: the tz database names whose city is the typed word (`berlin` →
    Europe/Berlin), or that differ from it only in case."""

    def __init__(self, typed: str, suggestions: tuple[str, ...] = ()) -> None:
        hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown timezone “{typed}”.{hint} Use a name like Europe/Berlin.")
        self.typed = typed
        self.suggestions = suggestions


class Invalid(enum.StrEnum):
    """Which rule of core a value breaks: the code of a ValueRefused, each interface
    words it. The comment names the `values` the wording needs."""

    QUANTITY_NOT_POSITIVE = "quantity_not_positive"  # action: "restock" or "remove"
    NOTE_TOO_LONG = "note_too_long"  # limit: characters
    NOT_A_REMOVAL_REASON = "not_a_removal_reason"  # reason: as given
    COUNT_NEGATIVE = "count_negative"
    ADJUSTMENT_ZERO = "adjustment_zero"
    PRODUCT_NEEDS_NAME = "product_needs_name"  # adding: True for a new product
    THRESHOLD_NEGATIVE = "threshold_negative"
    WARNING_DAYS_RANGE = "warning_days_range"
    LEAD_DAYS_RANGE = "lead_days_range"  # limit: days
    PRODUCT_NEEDS_UNIT = "product_needs_unit"
    SHOP_NEEDS_NAME = "shop_needs_name"
    LAST_OWNER = "last_owner"
    BAD_CURRENCY = "bad_currency"
    NEAR_EXPIRY_DAYS_RANGE = "near_expiry_days_range"


class ValueRefused(InvalidValue):
    """A value that breaks the rule `code` (an Invalid); `values` are the facts its
    wording needs, named in Invalid."""

    def __init__(self, code: Invalid, **values: object) -> None:
        super().__init__("That value is not allowed.")
        self.code = code
        self.values = values


class FractionOfWholeUnit(InvalidValue):
    """A fraction of a unit that counts whole things (`1.5 pcs`); `lower` and `upper`
    are the whole amounts either side of it, the forms that would be taken."""

    code = "fraction_of_whole_unit"

    def __init__(self, quantity: Decimal, unit: str, product: str = "") -> None:
        size = abs(quantity)
        self.lower = size.to_integral_value(rounding=ROUND_FLOOR)
        self.upper = size.to_integral_value(rounding=ROUND_CEILING)
        forms = " or ".join(format_quantity(n) for n in (self.lower, self.upper) if n > 0)
        counted = f"{product} is counted" if product else "This is counted"
        super().__init__(
            f"{counted} in whole {unit}: {format_quantity(size)} is not a whole number. "
            f"Use a whole number such as {forms}."
        )
        self.quantity = quantity
        self.unit = unit
        self.product = product


class UnitMismatch(InvalidValue):
    """A quantity typed with a unit that is not the product's (`flour 2 pcs` for flour
    counted in kg); nothing is converted, so nothing is recorded."""

    code = "unit_mismatch"

    def __init__(self, typed: str, unit: str, product: str) -> None:
        super().__init__("The quantity is not in the product's unit.")
        self.typed = typed
        self.unit = unit
        self.product = product


class InsufficientStock(DomainError):
    """Less of `product` on hand than a removal asks for: removals never go below zero."""

    code = "insufficient_stock"

    def __init__(self, product: str, requested: Decimal, on_hand: Decimal, unit: str) -> None:
        super().__init__("There is not that much in stock.")
        self.product = product
        self.requested = requested
        self.on_hand = on_hand
        self.unit = unit


class MovementNotFound(DomainError):
    code = "movement_not_found"

    def __init__(self) -> None:
        super().__init__("There is no movement to undo.")


class NothingToUndo(DomainError):
    """The person made no change within the last `hours` that an undo could reverse."""

    code = "nothing_to_undo"

    def __init__(self, hours: int) -> None:
        super().__init__("There is no movement to undo.")
        self.hours = hours


class UndoRefusal(enum.StrEnum):
    UNDO_OF_UNDO = "undo_of_undo"  # record a new movement instead
    NOT_YOURS = "not_yours"  # staff undo their own movements; owners anyone's
    CHANGED_NOTHING = "changed_nothing"  # a count that matched the books
    ALREADY_UNDONE = "already_undone"
    STOCK_USED = "stock_used"  # the stock a movement added has since left


class UndoRefused(DomainError):
    """Undo is not allowed, and `why`; for STOCK_USED, `left` of the batch in `unit`."""

    code = "undo_refused"

    def __init__(self, why: UndoRefusal, *, left: Decimal | None = None, unit: str = "") -> None:
        super().__init__("This movement cannot be undone.")
        self.why = why
        self.left = left
        self.unit = unit


_BARCODE_WORDING = {
    "empty": "A barcode cannot be empty.",
    "too_long": "A barcode can be at most 64 characters.",
    "characters": "A barcode is letters, digits and symbols without spaces.",
    "check_digit": "{code} is not a valid barcode: its last digit is a check digit and "
    "would be {expected} for the digits before it. Check the number on the pack.",
}


class InvalidBarcode(DomainError):
    """A typed barcode that cannot be right. `why`: "empty", "too_long", "characters"
    (spaces or non-ASCII), or "check_digit" (then `expected` is the check digit the
    other digits call for)."""

    def __init__(self, code: str, why: str, *, expected: str | None = None) -> None:
        super().__init__(_BARCODE_WORDING[why].format(code=code, expected=expected))
        self.code = code
        self.why = why
        self.expected = expected


class BarcodeTaken(DomainError):
    """The barcode already belongs to another product of the shop."""

    def __init__(self, code: str, product: str) -> None:
        super().__init__(f"Barcode {code} already belongs to “{product}”.")
        self.code = code
        self.product = product
