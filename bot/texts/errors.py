"""Core's refusals and the bot's own errors, in the chat's words."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.texts.formatting import h, plain_qty
from core.access import OwnerAction
from core.errors import (
    DomainError,
    GroupAction,
    GroupAdminOnly,
    GroupNotLinked,
    InsufficientStock,
    Invalid,
    InviteInvalid,
    InviteRefusal,
    MovementNotFound,
    NoActiveShop,
    NotAMember,
    NothingToUndo,
    OwnerOnly,
    ProductExists,
    SharedIdentity,
    ShopNotFound,
    ShownElsewhere,
    UndoRefusal,
    UndoRefused,
    UnitMismatch,
    ValueRefused,
)
from core.limits import shortened
from core.quantities import format_quantity


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
    return _(INVALID_VALUES[error.code]).format(**error.values)


SETTLED_REFUSALS: dict[type[DomainError], str] = {
    NotAMember: N_("You are not a member of this shop. Ask one of its owners for an invite."),
    NoActiveShop: N_(
        "You are not in a shop yet. Create one with /newshop <name> "
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
}

GROUP_ADMIN_ACTIONS = {
    GroupAction.LINK: N_("link it to a shop"),
    GroupAction.UNLINK: N_("unlink it (or an owner of its shop)"),
}

INVITE_REFUSALS = {
    InviteRefusal.UNKNOWN: N_("the code is unknown"),
    InviteRefusal.USED: N_("it was already used"),
    InviteRefusal.EXPIRED: N_("it has expired; ask the owner for a new one"),
}


def why(error: DomainError) -> str:
    """A refusal of core in this chat's words, as plain text (the sender escapes it):
    core gives a code and values; an error that has no wording here yet says its own."""
    if isinstance(error, OwnerOnly):
        action = _(OWNER_ACTION_WORDS[OwnerAction(error.action)])
        return _("Only an owner can {action}.").format(action=action)
    if isinstance(error, InsufficientStock):
        return _("Only {on_hand} of {product} on hand; cannot remove {requested}.").format(
            on_hand=plain_qty(error.on_hand, error.unit),
            product=error.product,
            requested=format_quantity(error.requested),
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
        mismatch = _("{product} is counted in {unit}, not {typed}: give the quantity in {unit}.")
        return mismatch.format(product=error.product, unit=error.unit, typed=error.typed)
    if isinstance(error, ProductExists):
        return _("A product called “{name}” already exists.").format(name=error.name)
    if isinstance(error, GroupAdminOnly):
        action = _(GROUP_ADMIN_ACTIONS[error.action])
        return _("Only an admin of this group can {action}.").format(action=action)
    if isinstance(error, InviteInvalid):
        return _("This invite cannot be used: {why}.").format(why=_(INVITE_REFUSALS[error.why]))
    return error.message


STEP_LOST = N_(
    "⚠️ That looks like the answer to a question I no longer have: the step expired or "
    "was lost (e.g. in a restart), so nothing was recorded. Please type the whole "
    "command, e.g. <code>/sell milk 3</code>, <code>/count milk 18</code> or "
    "<code>/restock milk 10 exp 2027-06-01</code>."
)


def unknown_command(name: str) -> str:
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


UNEXPECTED_ERROR = N_(
    "😕 Something went wrong on my side and I could not finish your last request. "
    "Please check /history and try again."
)
BUTTON_EXPIRED = N_("This button is no longer valid.")
