"""Core's refusals and the bot's own errors, in the chat's words.

Core raises a code with typed values (core.errors), never a sentence; `why` words every
code, here once, in the reader's language. The Mini App's API answers with the same words
(bot.miniapp_wiring.refusal_in hands `why` to webapp.errors). The bot's own refusals that
are not rules of core (a command's usage, a choice that is someone else's) are a
bot.refusal.ChatRefusal carrying one of the messages of bot.texts."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.i18n import N_, _
from bot.texts.formatting import h, number, plain_qty
from bot.texts.unit_names import units_of
from core.access import OwnerAction
from core.errors import (
    AlertNotFound,
    BarcodeProblem,
    BarcodeTaken,
    DomainError,
    DuplicateRequest,
    FractionOfWholeUnit,
    GroupAction,
    GroupAdminOnly,
    GroupNotLinked,
    ImportRowRepeats,
    InsufficientStock,
    Invalid,
    InvalidBarcode,
    InviteInvalid,
    InviteRefusal,
    MemberNotFound,
    MovementNotFound,
    NoActiveShop,
    NotAMember,
    NothingToOrder,
    NothingToUndo,
    OwnerOnly,
    ProductArchived,
    ProductExists,
    ProductGone,
    ProductNotFound,
    SharedIdentity,
    ShopNotFound,
    ShownElsewhere,
    TextField,
    TooLong,
    UndoRefusal,
    UndoRefused,
    UnitMismatch,
    UnknownTimezone,
    ValueRefused,
)
from core.limits import shortened

log = logging.getLogger(__name__)


def input_refused(problem: str, usage: str, line: int | None = None) -> str:
    """What was wrong with what was typed, and the right form (`line`: of a pasted list)."""
    where = _("Line {line}: ").format(line=line) if line else ""
    # A constant (a command's form, a marked message) is said in the reader's language.
    return f"⚠️ {where}{_(problem)}\n" + _("Use: {usage}").format(usage=_(usage))


OWNER_ACTION_WORDS = {
    OwnerAction.ADD_PRODUCTS: N_("add products"),
    OwnerAction.EDIT_PRODUCTS: N_("edit products"),
    OwnerAction.ATTACH_BARCODES: N_("attach barcodes"),
    OwnerAction.DELETE_PRODUCTS: N_("delete products"),
    OwnerAction.RESTORE_PRODUCTS: N_("restore products"),
    OwnerAction.IMPORT: N_("import a spreadsheet"),
    OwnerAction.CHANGE_SETTINGS: N_("change settings"),
    OwnerAction.MUTE_ALERTS: N_("mute a product's alerts"),
    OwnerAction.SET_QUIET_HOURS: N_("set quiet hours"),
    OwnerAction.MANAGE_GROUPS: N_("manage the shop's groups"),
    OwnerAction.LINK_GROUP: N_("link a group to the shop"),
    OwnerAction.SET_PRICE: N_("change the store price"),
    OwnerAction.SEE_REPORT: N_("see the weekly report"),
    OwnerAction.MANAGE_TEAM: N_("manage the team"),
    OwnerAction.REMOVE_MEMBERS: N_("remove members"),
    OwnerAction.CHANGE_ROLES: N_("change roles"),
    OwnerAction.INVITE: N_("invite people"),
    OwnerAction.CHANGE_LANGUAGE: N_("change the shop's language"),
}


UNDO_REFUSALS = {
    UndoRefusal.UNDO_OF_UNDO: N_("An undo cannot itself be undone; record a new movement instead."),
    UndoRefusal.NOT_YOURS: N_("You can only undo your own movements; ask an owner."),
    UndoRefusal.CHANGED_NOTHING: N_("That count changed nothing, so there is nothing to undo."),
    UndoRefusal.ALREADY_UNDONE: N_("This movement was already undone."),
    UndoRefusal.STOCK_USED: N_(
        "Cannot undo: the stock it added has since been used (only {left} of that batch left)."
    ),
}


INVALID_VALUES = {
    Invalid.NOTE_TOO_LONG: N_("A note can be at most {limit} characters."),
    Invalid.NOT_A_REMOVAL_REASON: N_("“{reason}” is not a reason to remove stock."),
    Invalid.COUNT_NEGATIVE: N_("A counted quantity cannot be negative."),
    Invalid.ADJUSTMENT_ZERO: N_("An adjustment must change the quantity."),
    Invalid.PRODUCT_NEEDS_NAME: N_("A product needs a name."),
    Invalid.THRESHOLD_NEGATIVE: N_("The low-stock threshold cannot be negative."),
    Invalid.WARNING_DAYS_RANGE: N_("The expiry warning must be between 0 and 365 days."),
    Invalid.LEAD_DAYS_RANGE: N_("The lead time must be between 0 and {limit} days."),
    Invalid.PRODUCT_NEEDS_UNIT: N_("A product needs a unit such as pcs, kg or l."),
    Invalid.SHOP_NEEDS_NAME: N_("A shop needs a name, e.g. /newshop Corner Cafe"),
    Invalid.LAST_OWNER: N_("A shop must keep at least one owner."),
    Invalid.BAD_CURRENCY: N_("A currency is a three-letter code such as EUR or USD."),
    Invalid.NEAR_EXPIRY_DAYS_RANGE: N_("Near-expiry days must be between 0 and 365."),
    Invalid.NO_SHOP_CALLED: N_("You are in no shop called “{name}”."),
    Invalid.QUIET_HOURS_EMPTY: N_(
        "Quiet hours need a start and a different end, e.g. 22:00-07:00."
    ),
    Invalid.NO_SUCH_PAGE: N_("There is no such page."),
    Invalid.ON_HAND_NEGATIVE: N_("on_hand cannot be negative"),
}

QUANTITY_NOT_POSITIVE = {
    "restock": N_("The quantity to restock must be more than 0."),
    "remove": N_("The quantity to remove must be more than 0."),
}

NEW_PRODUCT_NEEDS_NAME = N_("A product needs a name, e.g. /add oat milk cat dairy unit l")


def _value_refused(error: ValueRefused) -> str:
    if error.code is Invalid.QUANTITY_NOT_POSITIVE:
        return _(QUANTITY_NOT_POSITIVE[str(error.values["action"])])
    if error.code is Invalid.PRODUCT_NEEDS_NAME and error.values.get("adding"):
        return _(NEW_PRODUCT_NEEDS_NAME)
    if error.code is Invalid.NOT_A_LANGUAGE:
        choices = ", ".join(map(str, error.values["choices"]))  # type: ignore[call-overload]
        return _("Choose one of: {choices}.").format(choices=choices)
    return _(INVALID_VALUES[error.code]).format(**error.values)


SETTLED_REFUSALS: dict[type[DomainError], str] = {
    NotAMember: N_("You are not a member of this shop. Ask one of its owners for an invite."),
    NoActiveShop: N_(
        "You are not in any shop. Create one with /newshop <name> "
        "or ask an owner for an invite link."
    ),
    GroupNotLinked: N_(
        "This group is not linked to a shop yet. An owner of a shop who is an admin "
        "of this group can link it by sending /link here."
    ),
    SharedIdentity: N_(
        "I can't tell who you are: you are writing anonymously or as a channel. "
        "Write as yourself and send it again."
    ),
    ShownElsewhere: N_("That button belongs to another shop's chat. Use it in our private chat."),
    ShopNotFound: N_("That shop does not exist."),
    MovementNotFound: N_("There is no movement to undo."),
    MemberNotFound: N_("That person is no longer in the team; /team shows who is."),
    ProductGone: N_("That product is not in this shop's catalog (any more)."),
    AlertNotFound: N_("That alert is no longer available."),
    DuplicateRequest: N_("That request was just recorded by someone else; check the history."),
}

GROUP_ADMIN_ACTIONS = {
    GroupAction.LINK: N_("link it to a shop"),
    GroupAction.UNLINK: N_("unlink it (or an owner of its shop)"),
}

INVITE_REFUSALS = {
    InviteRefusal.UNKNOWN: N_(
        "the code is unknown; check the link, or ask the owner for a new one"
    ),
    InviteRefusal.USED: N_(
        "it was already used (a link lets one person in); ask the owner for a new one"
    ),
    InviteRefusal.EXPIRED: N_("it has expired; ask the owner for a new one"),
}

# What a stored text is called when it is too long (core.errors.TextField).
TEXT_FIELDS = {
    TextField.PRODUCT_NAME: N_("A product name"),
    TextField.CATEGORY: N_("A category"),
    TextField.UNIT: N_("A unit"),
    TextField.SUPPLIER: N_("A supplier"),
    TextField.SHOP_NAME: N_("A shop name"),
    TextField.TIMEZONE: N_("A timezone"),
}

BARCODE_PROBLEMS = {
    BarcodeProblem.EMPTY: N_("A barcode cannot be empty."),
    BarcodeProblem.TOO_LONG: N_("A barcode can be at most {limit} characters."),
    BarcodeProblem.CHARACTERS: N_("A barcode is letters, digits and symbols without spaces."),
    BarcodeProblem.CHECK_DIGIT: N_(
        "{barcode} is not a valid barcode: its last digit is a check digit and would be "
        "{expected} for the digits before it. Check the number on the pack."
    ),
}


def either(choices: Iterable[str]) -> str:
    """`a or b or c`, in the reader's language."""
    word = _("or")  # outside the f-string, where Babel finds it
    return f" {word} ".join(choices)


def _product_not_found(error: ProductNotFound) -> str:
    if not error.suggestions:
        return _("No product called “{name}”.").format(name=error.name)
    names = ", ".join(name for _id, name in error.suggestions)
    return _("No product called “{name}”. Did you mean: {names}?").format(
        name=error.name, names=names
    )


def _unknown_timezone(error: UnknownTimezone) -> str:
    if not error.suggestions:
        return _("Unknown timezone “{typed}”. Use a name like Europe/Berlin.").format(
            typed=error.typed
        )
    return _(
        "Unknown timezone “{typed}”. Did you mean {choices}? Use a name like Europe/Berlin."
    ).format(typed=error.typed, choices=either(error.suggestions))


def _fraction(error: FractionOfWholeUnit) -> str:
    forms = either(number(n) for n in (error.lower, error.upper) if n > 0)
    size = number(abs(error.quantity))
    if error.product:
        return _(
            "{product} is counted in whole {unit}: {size} is not a whole number. "
            "Use a whole number such as {forms}."
        ).format(product=error.product, unit=units_of(error.unit), size=size, forms=forms)
    return _(
        "This is counted in whole {unit}: {size} is not a whole number. "
        "Use a whole number such as {forms}."
    ).format(unit=units_of(error.unit), size=size, forms=forms)


def _too_long(error: TooLong) -> str:
    what = _(TEXT_FIELDS[error.field])
    if error.folded:
        return _(
            "{what} can be at most {limit} characters in small letters "
            "(some letters become two: ß is ss, İ is i̇)."
        ).format(what=what, limit=error.limit)
    return _("{what} can be at most {limit} characters.").format(what=what, limit=error.limit)


def why_in_chat(error: DomainError) -> str:
    """`why`, and where the way on is a command (which the Mini App has no use for), that
    command too."""
    reason = why(error)
    if type(error) is ProductNotFound and not error.suggestions:
        hint = _("/products lists the products; an owner adds a new one with /add {name}.")
        return f"{reason} {hint.format(name=error.name)}"
    return reason


def why(error: DomainError) -> str:
    """A refusal of core in this chat's words, as plain text (the sender escapes it):
    core gives a code and values, and every code of core has its wording here (a unit
    test lists them)."""
    if isinstance(error, OwnerOnly):
        action = _(OWNER_ACTION_WORDS[OwnerAction(error.action)])
        return _("Only an owner can {action}.").format(action=action)
    if isinstance(error, InsufficientStock):
        return _("Only {on_hand} of {product} on hand; cannot remove {requested}.").format(
            on_hand=plain_qty(error.on_hand, error.unit),
            product=error.product,
            requested=plain_qty(error.requested, error.unit),
        )
    if isinstance(error, NothingToOrder):
        return _("{product} is back above its reorder point ({on_hand}): nothing to order.").format(
            product=error.product, on_hand=plain_qty(error.on_hand, error.unit)
        )
    if isinstance(error, NothingToUndo):
        return _("You made no change in the last {hours} hours that can be undone.").format(
            hours=error.hours
        )
    if isinstance(error, UndoRefused):
        left = plain_qty(error.left, error.unit) if error.left is not None else ""
        return _(UNDO_REFUSALS[error.why]).format(left=left)
    if isinstance(error, ValueRefused):
        return _value_refused(error)
    if type(error) in SETTLED_REFUSALS:
        return _(SETTLED_REFUSALS[type(error)])
    if isinstance(error, UnitMismatch):
        # The unit as "how many" says it: 'counted in boxes', 'сколько коробок'.
        mismatch = _("{product} is counted in {unit}, not {typed}: give the quantity in {unit}.")
        return mismatch.format(product=error.product, unit=units_of(error.unit), typed=error.typed)
    if isinstance(error, ProductExists):
        return _("A product called “{name}” already exists.").format(name=error.name)
    if isinstance(error, GroupAdminOnly):
        action = _(GROUP_ADMIN_ACTIONS[error.action])
        return _("Only an admin of this group can {action}.").format(action=action)
    if isinstance(error, InviteInvalid):
        return _("This invite cannot be used: {why}.").format(why=_(INVITE_REFUSALS[error.why]))
    if isinstance(error, ProductNotFound):
        return _product_not_found(error)
    if isinstance(error, ProductArchived):
        return _("“{name}” is archived: restore it rather than adding it again.").format(
            name=error.name
        )
    if isinstance(error, UnknownTimezone):
        return _unknown_timezone(error)
    if isinstance(error, FractionOfWholeUnit):
        return _fraction(error)
    if isinstance(error, TooLong):
        return _too_long(error)
    if isinstance(error, InvalidBarcode):
        return _(BARCODE_PROBLEMS[error.why]).format(
            barcode=error.barcode, expected=error.expected, limit=error.limit
        )
    if isinstance(error, BarcodeTaken):
        return _("Barcode {barcode} already belongs to “{product}”.").format(
            barcode=error.barcode, product=error.product
        )
    if isinstance(error, ImportRowRepeats):
        return _("repeats the product of row {line}").format(line=error.first_line)
    log.error("no wording for the refusal %s", error)
    return _("That is not allowed.")


STEP_LOST = N_(
    "⚠️ That looks like the answer to a question I no longer have: the step expired or "
    "was lost (e.g. in a restart), so nothing was recorded. Please type the whole "
    "command, e.g. <code>/sell milk 3</code>, <code>/count milk 18</code> or "
    "<code>/restock milk 10 exp 2027-06-01</code>."
)


def unknown_command(name: str, meant: str | None = None) -> str:
    """`meant`: the command `name` is most likely a typing mistake of (`sel` → `sell`)."""
    if meant is not None:
        return _(
            "🤔 I don't know /{name}. Did you mean /{meant}? /help lists what I can do."
        ).format(name=h(name), meant=meant)
    return _("🤔 I don't know /{name}. /help lists what I can do.").format(name=h(name))


# Told once a minute per chat while updates fail for our own reasons (the database is
# restarting): the reply will come, late, rather than seem lost.
RETRYING = N_(
    "⏳ I'm having trouble saving right now and will keep trying — no need to send it again."
)


def recorded_unanswered(what: str | None) -> str:
    """The process handling `what` stopped after recording it and before confirming it:
    told later, so the person does not do it a second time."""
    if what is None:
        return _(
            "⚠️ I restarted before confirming your last tap or message. It was recorded: "
            "/history shows it, so there is no need to repeat it."
        )
    return _(
        "⚠️ I restarted before confirming “{what}”. It was recorded: /history shows it, "
        "so there is no need to send it again."
    ).format(what=h(shortened(what)))


# An edited message: Telegram tells the bot, but the first text was already acted on.
EDIT_CHANGES_NOTHING = N_(
    "✏️ An edit changes nothing here: I acted on the message when it came. To correct it, "
    "/undo that change and send the right one."
)
# A voice message, a sticker, a video, a location… in a private chat: it used to get no
# answer at all.
CANNOT_READ_THAT = N_(
    "🙈 I can't listen to voice messages or read stickers, videos or locations. Type what "
    "happened, e.g. <code>sold 3 croissants</code>, or send a photo of a barcode."
)
UNEXPECTED_ERROR = N_(
    "😕 Something went wrong on my side and I could not finish your last request. "
    "Please check /history and try again."
)
BUTTON_EXPIRED = N_("This button is no longer valid.")
