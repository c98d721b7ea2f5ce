"""Domain errors: a rule of core that refuses a request, as data.

Each error has a stable `code` naming the rule and, as attributes, the typed facts the
wording needs (a product's name, a limit, the value given). Core holds no sentence for a
person: the chat words each code in the reader's language (bot.refusals) and the Mini
App's API answers with the same code (webapp.errors). `str()` is the code and its facts,
for logs. tests/unit/test_core_speaks_no_english.py keeps sentences out of core."""

from __future__ import annotations

import enum
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


class DomainError(Exception):
    """A request the rules refuse: `code` names the rule; the attributes are its facts."""

    code: str = "refused"

    def __str__(self) -> str:
        facts = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "code")
        return f"{self.code}({facts})"


class NotAMember(DomainError):
    code = "not_a_member"


class NoActiveShop(DomainError):
    """A private chat of someone in no shop yet: they create one or are invited."""

    code = "no_active_shop"


class GroupNotLinked(DomainError):
    """A group no shop is linked to: an owner who is an admin of it links it."""

    code = "group_not_linked"


class GroupAction(enum.StrEnum):
    LINK = "link"  # link the group to a shop
    UNLINK = "unlink"  # an owner of its shop may too


class GroupAdminOnly(DomainError):
    """Only an admin of the group (as Telegram says at the time) may do `action` to it."""

    code = "group_admin_only"

    def __init__(self, action: GroupAction) -> None:
        super().__init__()
        self.action = action


class SharedIdentity(DomainError):
    """A request from an identity that many people share — an admin writing anonymously,
    a post "as" a channel — so from nobody in particular: no role is given or used."""

    code = "shared_identity"

    def __init__(self, shared_as: str) -> None:
        super().__init__()
        self.shared_as = shared_as


class ShownElsewhere(DomainError):
    """A button about one shop, pressed in a group that is not that shop's."""

    code = "shown_elsewhere"


class OwnerOnly(DomainError):
    """`action`: what was asked, a core.access.OwnerAction code each interface words."""

    code = "owner_only"

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action


class ShopNotFound(DomainError):
    code = "shop_not_found"


class InviteRefusal(enum.StrEnum):
    UNKNOWN = "unknown"  # no invite has this code
    USED = "used"
    EXPIRED = "expired"  # the owner makes a new one


class InviteInvalid(DomainError):
    """An invite that cannot be used, and `why`."""

    code = "invite_invalid"

    def __init__(self, why: InviteRefusal) -> None:
        super().__init__()
        self.why = why


class ProductNotFound(DomainError):
    """No product called `name` (as typed, shortened); `suggestions` are (product id,
    name) pairs of the closest names, best first."""

    code = "product_not_found"

    def __init__(self, name: str, suggestions: tuple[tuple[int, str], ...] = ()) -> None:
        super().__init__()
        self.name = name
        self.suggestions = suggestions


class ProductGone(ProductNotFound):
    """A product id (from a button) that is not, or no longer, in this shop's catalog."""

    code = "product_gone"

    def __init__(self, product_id: int) -> None:
        super().__init__(str(product_id))
        self.product_id = product_id


class ProductExists(DomainError):
    """`product_id`: the product that has the name, for the refusal to lead to it."""

    code = "product_exists"

    def __init__(self, name: str, product_id: int | None = None) -> None:
        super().__init__()
        self.name = name
        self.product_id = product_id


class ProductArchived(DomainError):
    """A new product would take the name of an archived one, which can be restored with
    its stock and history instead."""

    code = "product_archived"

    def __init__(self, product_id: int, name: str) -> None:
        super().__init__()
        self.product_id = product_id
        self.name = name


class InvalidValue(DomainError):
    """A value out of the range the rules allow, e.g. a zero quantity."""

    code = "invalid_value"


class UnknownTimezone(InvalidValue):
    """`suggestions`: the tz database names whose city is the typed word (`berlin` →
    Europe/Berlin), or that differ from it only in case."""

    code = "unknown_timezone"

    def __init__(self, typed: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__()
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
    NO_SHOP_CALLED = "no_shop_called"  # name: as typed, shortened
    QUIET_HOURS_EMPTY = "quiet_hours_empty"  # a start without an end, or the same two
    NOT_A_LANGUAGE = "not_a_language"  # given: as typed; choices: the language codes
    NO_SUCH_PAGE = "no_such_page"
    ON_HAND_NEGATIVE = "on_hand_negative"  # an imported row's stock


class ValueRefused(InvalidValue):
    """A value that breaks the rule `code` (an Invalid); `values` are the facts its
    wording needs, named in Invalid."""

    code: Invalid

    def __init__(self, code: Invalid, **values: object) -> None:
        super().__init__()
        self.code = code
        self.values = values


class FractionOfWholeUnit(InvalidValue):
    """A fraction of a unit that counts whole things (`1.5 pcs`); `lower` and `upper`
    are the whole amounts either side of it, the forms that would be taken."""

    code = "fraction_of_whole_unit"

    def __init__(self, quantity: Decimal, unit: str, product: str = "") -> None:
        super().__init__()
        size = abs(quantity)
        self.quantity = quantity
        self.unit = unit
        self.product = product
        self.lower = size.to_integral_value(rounding=ROUND_FLOOR)
        self.upper = size.to_integral_value(rounding=ROUND_CEILING)


class UnitMismatch(InvalidValue):
    """A quantity typed with a unit that is not the product's (`flour 2 pcs` for flour
    counted in kg); nothing is converted, so nothing is recorded."""

    code = "unit_mismatch"

    def __init__(self, typed: str, unit: str, product: str) -> None:
        super().__init__()
        self.typed = typed
        self.unit = unit
        self.product = product


class TextField(enum.StrEnum):
    """A stored text whose length core limits (core.limits)."""

    PRODUCT_NAME = "name"
    CATEGORY = "category"
    UNIT = "unit"
    SUPPLIER = "supplier"
    SHOP_NAME = "shop_name"
    TIMEZONE = "timezone"


class TooLong(InvalidValue):
    """`field` is longer than `limit` characters as stored; `folded`: only once case
    folded (some letters become two: ß is ss), as a product's key is."""

    code = "too_long"

    def __init__(self, field: TextField, limit: int, *, folded: bool = False) -> None:
        super().__init__()
        self.field = field
        self.limit = limit
        self.folded = folded


class InsufficientStock(DomainError):
    """Less of `product` on hand than a removal asks for: removals never go below zero."""

    code = "insufficient_stock"

    def __init__(self, product: str, requested: Decimal, on_hand: Decimal, unit: str) -> None:
        super().__init__()
        self.product = product
        self.requested = requested
        self.on_hand = on_hand
        self.unit = unit


class NothingToOrder(DomainError):
    """ "Ordered" tapped on a low or out-of-stock alert after stock came back above the
    reorder point: marked, the product's next low and out alerts would wait for yet
    another restock."""

    code = "nothing_to_order"

    def __init__(self, product: str, on_hand: Decimal, unit: str) -> None:
        super().__init__()
        self.product = product
        self.on_hand = on_hand
        self.unit = unit


class DuplicateRequest(DomainError):
    """Another transaction recorded a movement with this idempotency key first: the
    unit of work (core.ports.UnitOfWork) raises it and rolls back, whatever the database.
    Running the same request again returns the first result (a replay), so callers
    retry once; shown to a person it asks them to look."""

    code = "duplicate_request"

    def __init__(self, key: str = "") -> None:
        super().__init__()
        self.key = key


class MemberNotFound(DomainError):
    """The person an owner would remove or give a role is not in the team (any more):
    another owner removed them a moment ago, or an old button was tapped. Not
    NotAMember, which tells the one acting that they are not in the shop."""

    code = "member_not_found"


class MovementNotFound(DomainError):
    code = "movement_not_found"


class NothingToUndo(DomainError):
    """The person made no change within the last `hours` that an undo could reverse."""

    code = "nothing_to_undo"

    def __init__(self, hours: int) -> None:
        super().__init__()
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
        super().__init__()
        self.why = why
        self.left = left
        self.unit = unit


class BarcodeProblem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"  # limit: characters
    CHARACTERS = "characters"  # spaces or non-ASCII
    CHECK_DIGIT = "check_digit"  # then `expected` is the check digit the others call for


class InvalidBarcode(InvalidValue):
    """A typed `barcode` (shortened when too long) that cannot be right, and `why`."""

    code = "invalid_barcode"

    def __init__(
        self, barcode: str, why: BarcodeProblem, *, expected: str | None = None, limit: int = 0
    ) -> None:
        super().__init__()
        self.barcode = barcode
        self.why = why
        self.expected = expected
        self.limit = limit


class BarcodeTaken(DomainError):
    """`barcode` already belongs to another product of the shop, `product`."""

    code = "barcode_taken"

    def __init__(self, barcode: str, product: str) -> None:
        super().__init__()
        self.barcode = barcode
        self.product = product


class AlertNotFound(DomainError):
    """An alert's button whose alert is gone (another shop's, or cleared)."""

    code = "alert_not_found"


class ImportRowRepeats(InvalidValue):
    """A spreadsheet row naming the product an earlier row (`first_line`) named."""

    code = "import_row_repeats"

    def __init__(self, first_line: int) -> None:
        super().__init__()
        self.first_line = first_line
