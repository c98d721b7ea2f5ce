"""The authorization matrix (issue 12, "What must be shown"), as data: every command and
every button kind × who sends it × where, and the rule that says what must happen.

Two runners use it: tests/integration/test_authorization_matrix.py (every cell, through the real
handlers and the real python-telegram-bot client on the local Bot API, with the store
reset between cells) and tests/e2e/test_authorization_matrix.py (a slice, or with
STOCKBOT_FULL_MATRIX=1 every cell that leaves the world as it found it, through the
real bot process on PostgreSQL).

The world: Olga owns the Cafe (37 l of milk, low sourdough) with Bob as staff; Rita was
staff and was removed; Eve owns the Deli (darjeeling); Mallory is in no shop. The Cafe's
staff room is linked to the Cafe, the book club to the Deli, and the lobby to no shop;
Olga created the staff room and the lobby, Eve the book club, and everyone is a member
of all three.

What is checked in every cell, whatever the rule:
- what the bot posts in a chat names no shop that chat may not show (a group: the shop
  it is linked to, before or after the cell; a private chat or a toast: the reader's
  shops), found by each shop's markers — words only its data contains;
- a cost (0.61) reaches nobody but the Cafe's owner, in private;
- an allowed cell gets no refusal of permission; a refused cell gets one and changes
  nothing; every cell but a silent one is answered; nothing fails inside the bot.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from bot.context import Services
from bot.settings import Settings
from bot.state import MemoryStateStore
from core.errors import (
    GroupNotLinked,
    NoActiveShop,
    NotAMember,
    NothingToUndo,
    ShownElsewhere,
)
from core.ledger import UNDO_RECENT
from core.ports import Clock, UnitOfWork
from devtools.localapi import (
    ANONYMOUS_ADMIN,
    EventKind,
    LocalBotApi,
    LocalChat,
    LocalUser,
    MemberStatus,
)

OLGA = LocalUser(1001, "Olga", username="olga")
BOB = LocalUser(1002, "Bob", username="bob")
EVE = LocalUser(1003, "Eve", username="eve")
MALLORY = LocalUser(1004, "Mallory", username="mallory")
RITA = LocalUser(1005, "Rita", username="rita")

STAFF_ROOM = LocalChat.group(-100_111, "Cafe staff room")
BOOK_CLUB = LocalChat.group(-100_222, "Book club")
LOBBY = LocalChat.group(-100_333, "Lobby")
NEWS = LocalChat.channel(-100_444, "Town news")

CAFE, DELI = "Bluebell Cafe", "Juniper Deli"
# Words only each shop's data contains (nobody types them in a cell).
MARKERS = {
    CAFE: ("Bluebell", "sourdough", "MilkCo", "37 l"),
    DELI: ("Juniper", "darjeeling"),
}
COST = "0.61"  # the milk's supplier price: for the Cafe's owners only


class Who(enum.Enum):
    OWNER = "owner"
    STAFF = "staff"
    REMOVED = "removed staff"
    OTHER = "another shop's owner"
    STRANGER = "stranger"
    ANONYMOUS = "anonymous admin"
    CHANNEL = "channel identity"

    @property
    def user(self) -> LocalUser:
        """The person behind it (for ANONYMOUS and CHANNEL: Olga, hidden)."""
        return PEOPLE.get(self, OLGA)

    @property
    def is_shared(self) -> bool:
        return self in {Who.ANONYMOUS, Who.CHANNEL}


PEOPLE = {Who.OWNER: OLGA, Who.STAFF: BOB, Who.REMOVED: RITA, Who.OTHER: EVE, Who.STRANGER: MALLORY}


class Where(enum.Enum):
    PRIVATE = "private chat"
    LINKED = "linked group"
    UNLINKED = "unlinked group"
    OTHERS = "another shop's group"

    @property
    def chat(self) -> LocalChat | None:
        return {Where.LINKED: STAFF_ROOM, Where.UNLINKED: LOBBY, Where.OTHERS: BOOK_CLUB}.get(self)


# Who is what where, in the world above.
ROLES: dict[Who, dict[str, str]] = {
    Who.OWNER: {CAFE: "owner"},
    Who.STAFF: {CAFE: "staff"},
    Who.OTHER: {DELI: "owner"},
}
ACTIVE = {Who.OWNER: CAFE, Who.STAFF: CAFE, Who.OTHER: DELI}
LINKED_SHOP = {Where.LINKED: CAFE, Where.OTHERS: DELI}
GROUP_ADMINS = {Where.LINKED: {Who.OWNER}, Where.UNLINKED: {Who.OWNER}, Where.OTHERS: {Who.OTHER}}


class Outcome(enum.Enum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    SILENT = "silent"  # not for the bot: no answer at all
    EITHER = "either"  # nothing about a shop either way (a page counter, a lost step)


@dataclass(frozen=True)
class Cell:
    who: Who
    where: Where


Rule = Callable[[Cell], Outcome]


def role_here(cell: Cell) -> str | None:
    """The role of the sender in the shop the chat acts for (None: none, or no shop)."""
    shop = ACTIVE.get(cell.who) if cell.where is Where.PRIVATE else LINKED_SHOP.get(cell.where)
    return ROLES.get(cell.who, {}).get(shop) if shop else None


def cafe_role(cell: Cell) -> str | None:
    return ROLES.get(cell.who, {}).get(CAFE)


def _yes(condition: bool) -> Outcome:
    return Outcome.ALLOWED if condition else Outcome.REFUSED


# -- rules -------------------------------------------------------------------------------


def anyone(cell: Cell) -> Outcome:
    return Outcome.ALLOWED


def member(cell: Cell) -> Outcome:
    return _yes(role_here(cell) is not None)


def owner(cell: Cell) -> Outcome:
    return _yes(role_here(cell) == "owner")


def in_private_anyone(cell: Cell) -> Outcome:
    """/start: a welcome in private; in a group it speaks for the group's shop."""
    return Outcome.ALLOWED if cell.where is Where.PRIVATE else member(cell)


def has_a_shop(cell: Cell) -> Outcome:
    """/shop: the person's own shops, wherever asked (from a group, privately)."""
    return _yes(cell.who in ACTIVE)


def invite(cell: Cell) -> Outcome:
    """An owner's invite; in a group linked to no shop, for the owner's active shop."""
    if cell.where is Where.UNLINKED:
        return _yes(ROLES.get(cell.who, {}).get(ACTIVE.get(cell.who, "")) == "owner")
    return owner(cell)


def link(cell: Cell) -> Outcome:
    """In a group: an admin of it who owns their active shop. In private: how to."""
    if cell.where is Where.PRIVATE:
        return Outcome.ALLOWED
    admin = cell.who in GROUP_ADMINS[cell.where]
    owns = ROLES.get(cell.who, {}).get(ACTIVE.get(cell.who, "")) == "owner"
    return _yes(admin and owns)


def unlink(cell: Cell) -> Outcome:
    """In a linked group: its admin or an owner of its shop. In private: the owner's
    list of the shop's groups."""
    if cell.where is Where.UNLINKED:
        return Outcome.REFUSED
    if cell.where is Where.PRIVATE:
        return owner(cell)
    return _yes(cell.who in GROUP_ADMINS[cell.where] or role_here(cell) == "owner")


def text_message(cell: Cell) -> Outcome:
    """A bare product name: a lookup in private; in a group, talk not for the bot."""
    return member(cell) if cell.where is Where.PRIVATE else Outcome.SILENT


def cafe_product(cell: Cell) -> Outcome:
    """A button about the Cafe's product: in private it acts in the Cafe for its members;
    in a group only in the Cafe's own."""
    shown = cell.where in {Where.PRIVATE, Where.LINKED}
    return _yes(shown and cafe_role(cell) is not None)


def cafe_product_owner(cell: Cell) -> Outcome:
    shown = cell.where in {Where.PRIVATE, Where.LINKED}
    return _yes(shown and cafe_role(cell) == "owner")


def cafe_member(cell: Cell) -> Outcome:
    """A button naming the Cafe: its members, anywhere (elsewhere answered privately)."""
    return _yes(cafe_role(cell) is not None)


def cafe_owner(cell: Cell) -> Outcome:
    return _yes(cafe_role(cell) == "owner")


def cafe_settings(cell: Cell) -> Outcome:
    """A settings field of the Cafe opens a step in this chat: only where the Cafe may
    be shown, and only for its owners."""
    return _yes(cell.where in {Where.PRIVATE, Where.LINKED} and cafe_role(cell) == "owner")


def owners_own_choice(cell: Cell) -> Outcome:
    """A "did you mean" choice Olga was offered: hers alone, where the Cafe acts."""
    return _yes(cell.who is Who.OWNER and cell.where in {Where.PRIVATE, Where.LINKED})


def harmless(cell: Cell) -> Outcome:
    return Outcome.EITHER


# -- rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A command (`text`) or a button (`data`, with {product}, {movement}, {shop},
    {crossing}, {staff}, {room} filled from the world). `keeps_world`: allowed, it changes
    nobody's roles, links or active shop — the process-level run may go on after it."""

    name: str
    rule: Rule
    text: str | None = None
    data: str | None = None
    keeps_world: bool = True


COMMANDS: tuple[Row, ...] = (
    Row("start", in_private_anyone, "/start"),
    Row("help", anyone, "/help"),
    Row("newshop", anyone, "/newshop Popup", keeps_world=False),
    Row("invite", invite, "/invite"),
    Row("team", owner, "/team"),
    Row("shop", has_a_shop, "/shop"),
    Row("settings", member, "/settings"),
    Row("settings change", owner, "/settings currency USD"),
    Row("link", link, "/link", keeps_world=False),
    Row("unlink", unlink, "/unlink", keeps_world=False),
    Row("add", owner, "/add oat drink"),
    Row("edit", owner, "/edit milk"),
    Row("delete", owner, "/delete milk"),
    Row("products", member, "/products"),
    Row("restock", member, "/restock milk 2"),
    Row("sell", member, "/sell milk 1"),
    Row("remove", member, "/remove milk 1 damage"),
    Row("count", member, "/count milk 30"),
    Row("undo", member, "/undo"),
    Row("stock", member, "/stock milk"),
    Row("inventory", member, "/inventory"),
    Row("dashboard", member, "/dashboard"),
    Row("low", member, "/low"),
    Row("expiring", member, "/expiring"),
    Row("history", member, "/history"),
    Row("export", member, "/export"),
    Row("import", owner, "/import"),
    Row("report", owner, "/report"),
    Row("cancel", anyone, "/cancel"),
    # One's own language is one's own (English: the cells after it read English replies).
    Row("language", anyone, "/language en"),
    Row("language shop", owner, "/language shop ru", keeps_world=False),
    Row("reorder", member, "/reorder"),
    Row("alerts", member, "/alerts"),
    Row("quiet", owner, "/quiet 22:00-07:00"),
    Row("mute", owner, "/mute milk"),
    Row("unmute", owner, "/unmute milk"),
    Row("plain text", text_message, "milk"),
)

BUTTONS: tuple[Row, ...] = (
    Row("adj", cafe_product, data="adj:{product}:-1"),
    Row("ask", cafe_product, data="ask:{product}:sell"),
    Row("card", cafe_product, data="card:{product}"),
    Row("hist", cafe_product, data="hist:{product}"),
    Row("hist (all)", member, data="hist"),
    Row("inv", member, data="inv:low:name:0"),
    Row("chart", cafe_product, data="chart:{product}"),
    Row("dash", member, data="dash"),
    Row("undo", cafe_product, data="undo:{movement}"),
    Row("pick", owners_own_choice, data="pick:{token}:{product}"),
    Row("del", cafe_product_owner, data="del:{product}", keeps_world=False),
    Row("restore", cafe_product_owner, data="restore:{product}"),  # milk is not archived
    Row("edit", cafe_product_owner, data="edit:{product}:name"),
    Row("team:rm", cafe_owner, data="team:rm:{shop}:{staff}"),  # only asks
    Row("team:rmok", cafe_owner, data="team:rmok:{shop}:{staff}", keeps_world=False),
    Row("team:role", cafe_owner, data="team:role:{shop}:{staff}:staff"),
    Row("shop", cafe_member, data="shop:{shop}"),
    Row("set", cafe_settings, data="set:{shop}:cur"),
    Row("grp:unlink", cafe_owner, data="grp:unlink:{shop}:{room}", keeps_world=False),
    Row("flow:cancel", harmless, data="flow:cancel"),
    Row("flow:opt", harmless, data="flow:opt:damage"),
    Row("flow:done", harmless, data="flow:done"),
    Row("al:snz", cafe_member, data="al:snz:{shop}:{crossing}"),
    Row("al:ord", cafe_member, data="al:ord:{shop}:{product}"),
    Row("al:woff", cafe_member, data="al:woff:{shop}"),
    Row("al:view", cafe_member, data="al:view:{shop}:low"),
    Row("al:kind", member, data="al:kind:low:off"),
    Row("al:mute", cafe_product_owner, data="al:mute:{product}:on"),
    Row("al:reorder", cafe_member, data="al:reorder:{shop}"),
    Row("al:reorder (here)", member, data="al:reorder"),
    Row("noop", harmless, data="noop"),
    # Keep changes nothing; a Skip outside the stocktake it was asked in finds none.
    Row("keep", harmless, data="keep:mv"),
    Row("tk:skip", harmless, data="tk:skip:{product}"),
    # Scans and imports wait under a token of the one who sent the picture or file; a
    # forged or stale token finds nothing.
    Row("scan:show", harmless, data="scan:show:forged"),
    Row("scan:add", harmless, data="scan:add:forged"),
    Row("scan:att", harmless, data="scan:att:forged"),
    Row("imp", harmless, data="imp:forged"),
)


def command_cells() -> Iterable[Cell]:
    """Shared identities only exist in groups."""
    for who in Who:
        for where in Where:
            if not (who.is_shared and where is Where.PRIVATE):
                yield Cell(who, where)


def button_cells() -> Iterable[Cell]:
    """A tap always carries the real person: shared identities cannot press buttons."""
    for who in Who:
        for where in Where:
            if not who.is_shared:
                yield Cell(who, where)


def expected(row: Row, cell: Cell) -> Outcome:
    """A shared identity is refused whatever it sends to the bot; talk not addressed to
    the bot gets nothing."""
    if cell.who.is_shared:
        return Outcome.SILENT if row.rule is text_message else Outcome.REFUSED
    return row.rule(cell)


# -- judging what the bot said ----------------------------------------------------------

NOTHING_TO_UNDO = texts.why(NothingToUndo(int(UNDO_RECENT.total_seconds() // 3600)))

# The answers that refuse permission (or find nothing of another shop from here).
REFUSALS = (
    texts.why(NotAMember()),
    texts.why(NoActiveShop()),
    texts.why(GroupNotLinked()),
    texts.why(ShownElsewhere()),
    "⚠️ Only an owner can",
    "⚠️ Only an admin of this group",
    "That product is not in this shop's catalog",
    "No product called “milk”",
    "There is no movement to undo",
    NOTHING_TO_UNDO,
    texts.CHOICE_NOT_YOURS,
    texts.ANONYMOUS_ADMIN,
    texts.AS_CHANNEL,
)
# Of those, the ones an allowed cell must never get (a member's own shop may simply not
# have the product: Eve's Deli sells no milk).
PERMISSION_REFUSALS = tuple(r for r in REFUSALS if r not in {
    "That product is not in this shop's catalog", "No product called “milk”",
    "There is no movement to undo", NOTHING_TO_UNDO,
})  # fmt: skip


def is_refusal(text: str, *, permission_only: bool = False) -> bool:
    return any(r in text for r in (PERMISSION_REFUSALS if permission_only else REFUSALS))


def shops_named(text: str) -> set[str]:
    return {shop for shop, words in MARKERS.items() if any(w in text for w in words)}


@dataclass(frozen=True)
class Said:
    """One thing the bot said in a cell: a message, an edit or a file in a chat. A toast
    (the answer to a tap) is seen by the presser alone: it counts as said in their
    private chat."""

    chat_id: int
    text: str


def leaks(said: Iterable[Said], may_show: Callable[[int], set[str]]) -> list[str]:
    """What was shown where it must not be: a shop's markers in a chat that may not show
    that shop (`may_show(chat_id)`), or a cost outside the Cafe owner's private chat."""
    found = []
    for item in said:
        for shop in shops_named(item.text) - may_show(item.chat_id):
            found.append(f"{shop} shown in chat {item.chat_id}: {item.text[:160]!r}")
        if COST in item.text and item.chat_id != OLGA.id:
            found.append(f"a cost shown in chat {item.chat_id}: {item.text[:160]!r}")
    return found


# -- playing a cell, judging it ----------------------------------------------------------


def seat_everyone(api: LocalBotApi) -> None:
    """Everyone is a member of the three groups; Olga created the staff room and the
    lobby, Eve the book club."""
    for room, admin in ((STAFF_ROOM, OLGA), (LOBBY, OLGA), (BOOK_CLUB, EVE)):
        for person in PEOPLE.values():
            api.set_member(room, person, MemberStatus.MEMBER)
        api.set_member(room, admin, MemberStatus.CREATOR)
    api.add_chat(NEWS)


async def send(
    api: LocalBotApi, row: Row, cell: Cell, anchors: dict[int, int], ids: Mapping[str, object]
) -> int:
    """Send the row's command or tap its button as the cell says; the update id. A
    button hangs on `anchors[chat]`, any bot message of that chat."""
    chat = cell.where.chat
    if row.text is not None:
        if cell.who is Who.ANONYMOUS:  # as Telegram shows any admin who hides
            assert chat is not None
            return await api.send_text(ANONYMOUS_ADMIN, chat, row.text, sender_chat=chat)
        if cell.who is Who.CHANNEL:
            assert chat is not None
            return await api.send_as_channel(NEWS, chat, row.text)
        return await api.send_text(cell.who.user, chat, row.text)
    assert row.data is not None
    anchor = anchors[chat.id if chat else cell.who.user.id]
    data = row.data.format(**ids)
    press = await api.press_button(cell.who.user, chat, anchor, data, require_button=False)
    return press.update_id


def said_since(api: LocalBotApi, mark: int, presser: int) -> tuple[list[Said], bool]:
    """What the bot said after event `mark` (files with their content; a toast as said
    to `presser`), and whether it did anything at all (a tap acknowledged counts)."""
    said = []
    events = api.events[mark:]
    for event in events:
        if event.kind in {EventKind.SENT, EventKind.EDITED} and event.message is not None:
            text = event.message.shown_text
            if event.message.document is not None:
                text += "\n" + event.message.document.content.decode(errors="replace")
            assert event.chat_id is not None
            said.append(Said(event.chat_id, text))
        elif event.kind is EventKind.CALLBACK_ANSWERED and event.detail.get("text"):
            said.append(Said(presser, str(event.detail["text"])))
    return said, any(e.kind is not EventKind.CHAT_ACTION for e in events)


def judge(
    outcome: Outcome,
    said: list[Said],
    answered: bool,
    may_show: Callable[[int], set[str]],
    *,
    unchanged: bool | None,
) -> list[str]:
    """The problems of one cell (see the module docstring). `unchanged`: whether the
    shops' data stayed as it was (asked of refused cells)."""
    problems = leaks(said, may_show)
    said_texts = [s.text for s in said]
    if outcome is Outcome.SILENT:
        return problems + ([f"answered what was not for the bot: {said_texts}"] if said else [])
    if not answered:
        problems.append("no answer at all")
    if outcome is Outcome.ALLOWED and any(is_refusal(t, permission_only=True) for t in said_texts):
        problems.append(f"refused though allowed: {said_texts}")
    if outcome is Outcome.REFUSED:
        if not any(is_refusal(t) for t in said_texts):
            problems.append(f"not refused: {said_texts}")
        if unchanged is False:
            problems.append("a refusal changed the shops' data")
    return problems


def services_on(
    api: LocalBotApi,
    make_uow: Callable[[], UnitOfWork],
    clock: Clock,
    engine: AsyncEngine | None = None,
) -> Services:
    """The bot's services talking to `api`, updates fed in by the test (no inbox), flow
    state in memory, no rate limiting."""
    settings = Settings(
        bot_token=SecretStr(api.token),
        telegram_api_base_url=api.base_url,
        telegram_api_base_file_url=api.base_file_url,
        telegram_rate_limit=False,
    )
    return Services(
        settings=settings,
        engine=engine,  # type: ignore[arg-type]  # None: the handlers use the store only
        uow_factory=make_uow,
        inbox=None,  # type: ignore[arg-type]
        state=MemoryStateStore(),
        clock=clock,
    )


class WarningLog(logging.Handler):
    """Collects what is logged at WARNING and above into `records`."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
