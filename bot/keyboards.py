"""Inline keyboards. Every button's data comes from bot.callbacks, so it fits 64 bytes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot import texts
from bot.i18n import _
from core.errors import DomainError, ProductExists
from core.inventory import (
    Dashboard,
    DashboardBox,
    HistoryEntry,
    InventoryPage,
    SortBy,
    StatusFilter,
)
from core.model import Member, Product, Role, Shop
from core.product_fields import EDITABLE

Markup = InlineKeyboardMarkup


def button(text: str, action: cb.CallbackAction) -> InlineKeyboardButton:
    """A label of bot.texts is said in the update's language here (bot.i18n.N_)."""
    return InlineKeyboardButton(_(text), callback_data=action.encode())


QUICK_DELTAS = (Decimal(-1), Decimal(1), Decimal(5))


def card(product_id: int, undo_movement: int | None = None, undo_label: str = "") -> Markup:
    rows = [
        [button(texts.signed_quantity(d), cb.Adjust(product_id, d)) for d in QUICK_DELTAS]
        + [button(texts.CUSTOM_AMOUNT_BUTTON, cb.Prompt(product_id, cb.PromptKind.AMOUNT))],
        [
            button(texts.SELL_BUTTON, cb.Prompt(product_id, cb.PromptKind.SELL)),
            button(texts.RESTOCK_BUTTON, cb.Prompt(product_id, cb.PromptKind.RESTOCK)),
            button(texts.COUNT_BUTTON, cb.Prompt(product_id, cb.PromptKind.COUNT)),
        ],
        [
            button(texts.HISTORY_BUTTON, cb.OpenHistory(product_id)),
            button(texts.CHART_BUTTON, cb.OpenChart(product_id)),
            button(texts.REFRESH_BUTTON, cb.OpenCard(product_id)),
        ],
    ]
    if undo_movement is not None:  # last, on its own row: the card's buttons never move
        rows.append([button(texts.undo_button(undo_label), cb.Undo(undo_movement))])
    return Markup(rows)


def way_on_from(refusal: DomainError) -> Markup | None:
    """What a refusal may lead to: the card of the product that already has the name."""
    if isinstance(refusal, ProductExists) and refusal.product_id is not None:
        return Markup([[button(texts.CARD_BUTTON, cb.OpenCard(refusal.product_id))]])
    return None


def movement(movement_id: int | None, product_id: int) -> Markup:
    row = [button(texts.CARD_BUTTON, cb.OpenCard(product_id))]
    if movement_id is not None:
        row.insert(0, button(texts.UNDO_BUTTON, cb.Undo(movement_id)))
    return Markup([row])


def _actions(markup: Markup | None) -> list[cb.CallbackAction]:
    found = []
    for row in markup.inline_keyboard if markup else ():
        for item in row:
            if isinstance(item.callback_data, str):
                try:
                    found.append(cb.decode(item.callback_data))
                except cb.CallbackDataError:
                    continue
    return found


def is_card(markup: Markup | None) -> bool:
    """Whether the keyboard is a product card's (it has quick-adjust buttons)."""
    return any(isinstance(a, cb.Adjust) for a in _actions(markup))


def is_view(markup: Markup | None) -> bool:
    """A card or a list: screens to navigate through, edited in place."""
    return any(isinstance(a, cb.Adjust | cb.OpenInventory) for a in _actions(markup))


def without(markup: Markup | None, data: str | None) -> Markup | None:
    """The keyboard less the button that carried `data` (e.g. a used Undo)."""
    if markup is None:
        return None
    rows = [[b for b in row if b.callback_data != data] for row in markup.inline_keyboard]
    kept = [row for row in rows if row]
    return Markup(kept) if kept else None


def undo_many(undoable: Sequence[tuple[int, str]]) -> Markup | None:
    """A batch's Undo buttons: (movement id, its label naming the product and change)."""
    if not undoable:
        return None
    if len(undoable) == 1:
        return Markup([[button(texts.UNDO_BUTTON, cb.Undo(undoable[0][0]))]])
    # One button per movement keeps each tap a single, idempotent reversal.
    buttons = [button(label, cb.Undo(m)) for m, label in undoable[:8]]
    return Markup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def suggestions(token: str, choices: Sequence[tuple[int, str]]) -> Markup:
    rows = [[button(name, cb.PickProduct(token, pid))] for pid, name in choices]
    rows.append([button(texts.CANCEL_BUTTON, cb.CancelFlow())])
    return Markup(rows)


def stocktake(movement_id: int | None, *, asking: int | None) -> Markup | None:
    """Skip (of the product `asking` names) and Stop while a product is asked; the Undo
    of the count just recorded last, on its own row, so Skip stays where the thumb is."""
    rows = []
    if asking is not None:
        rows.append(
            [
                button(texts.SKIP_BUTTON, cb.SkipCount(asking)),
                button(texts.STOP_BUTTON, cb.CancelFlow()),
            ]
        )
    if movement_id is not None:
        rows.append([button(texts.UNDO_BUTTON, cb.Undo(movement_id))])
    return Markup(rows) if rows else None


def cancel() -> Markup:
    return Markup([[button(texts.CANCEL_BUTTON, cb.CancelFlow())]])


def reasons() -> Markup:
    buttons = [
        button(label, cb.ChooseOption(reason.value)) for reason, label in texts.REASON_BUTTONS
    ]
    return Markup([buttons[:3], buttons[3:], [button(texts.CANCEL_BUTTON, cb.CancelFlow())]])


def units(choices: Sequence[str]) -> Markup:
    buttons = [button(unit, cb.ChooseOption(unit)) for unit in choices]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([button(texts.CANCEL_BUTTON, cb.CancelFlow())])
    return Markup(rows)


def inventory(page: InventoryPage, category_id: int | None) -> Markup:
    query = page.query
    rows = [
        [button(texts.product_button(line.product), cb.OpenCard(line.product.id))]
        for line in page.lines
    ]

    def goto(number: int, sort: SortBy | None = None) -> cb.OpenInventory:
        return cb.OpenInventory(query.status, sort or query.sort, number, category_id)

    if page.pages > 1:
        nav = []
        if query.page > 0:
            nav.append(button("◀️", goto(query.page - 1)))
        nav.append(button(f"{query.page + 1}/{page.pages}", cb.Noop()))
        if query.page + 1 < page.pages:
            nav.append(button("▶️", goto(query.page + 1)))
        rows.append(nav)
    rows.append(
        [
            button(("• " if query.sort is s else "") + _(texts.SORT_LABELS[s.value]), goto(0, s))
            for s in SortBy
        ]
    )
    return Markup(rows)


def dashboard(board: Dashboard) -> Markup:
    def view(label: str, box: DashboardBox) -> InlineKeyboardButton:
        return button(texts.view_button(label, box.count), cb.OpenInventory(box.status, box.sort))

    return Markup(
        [
            [
                view(texts.DASHBOARD_LOW_BUTTON, board.low),
                view(texts.DASHBOARD_OUT_BUTTON, board.out),
            ],
            [
                view(texts.DASHBOARD_NEAR_EXPIRY_BUTTON, board.near_expiry),
                view(texts.DASHBOARD_EXPIRED_BUTTON, board.expired),
            ],
            [
                button(texts.ALL_STOCK_BUTTON, cb.OpenInventory(StatusFilter.ALL, SortBy.NAME)),
                button(texts.REFRESH_BUTTON, cb.OpenDashboard()),
            ],
        ]
    )


def history(
    entries: Sequence[HistoryEntry],
    product_id: int | None,
    undoable: Sequence[int],
    *,
    more: bool,
) -> Markup | None:
    rows: list[list[InlineKeyboardButton]] = []
    undo_buttons = [button(texts.undo_movement_button(m), cb.Undo(m)) for m in undoable[:6]]
    if undo_buttons:
        rows.extend(undo_buttons[i : i + 3] for i in range(0, len(undo_buttons), 3))
    if entries and more:
        rows.append(
            [button(texts.OLDER_BUTTON, cb.OpenHistory(product_id, entries[-1].movement.id))]
        )
    return Markup(rows) if rows else None


def confirm_undo(movement_id: int) -> Markup:
    return Markup(
        [
            [
                button(texts.UNDO_BUTTON, cb.Undo(movement_id)),
                button(texts.KEEP_BUTTON, cb.Keep(cb.Kept.MOVEMENT)),
            ]
        ]
    )


def confirm_removal(shop_id: int, member: Member) -> Markup:
    return Markup(
        [
            [
                button(
                    texts.remove_member_button(member),
                    cb.ConfirmRemoveMember(shop_id, member.user_id),
                ),
                button(texts.KEEP_BUTTON, cb.Keep(cb.Kept.MEMBER)),
            ]
        ]
    )


def confirm_delete(product_id: int) -> Markup:
    return Markup(
        [
            [
                button(texts.ARCHIVE_YES_BUTTON, cb.ConfirmDelete(product_id)),
                button(texts.KEEP_BUTTON, cb.Keep(cb.Kept.PRODUCT)),
            ]
        ]
    )


def restore(product_id: int, name: str) -> Markup:
    return Markup(
        [
            [
                button(texts.restore_button(name), cb.RestoreProduct(product_id)),
                button(texts.KEEP_BUTTON, cb.Keep(cb.Kept.ARCHIVED)),
            ]
        ]
    )


def edit_fields(product_id: int) -> Markup:
    buttons = [
        button(texts.FIELD_LABEL[f.name], cb.EditField(product_id, f.word))
        for f in EDITABLE
        if f.word is not None
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([button(texts.DONE_BUTTON, cb.FinishEditing())])
    return Markup(rows)


def team(members: Sequence[Member], me: int, shop_id: int) -> Markup | None:
    rows = []
    for member in members:
        if member.user_id == me:
            continue
        other = Role.STAFF if member.is_owner else Role.OWNER
        rows.append(
            [
                button(
                    texts.role_button(member, other),
                    cb.SetMemberRole(shop_id, member.user_id, other),
                ),
                button(
                    texts.remove_member_button(member), cb.RemoveMember(shop_id, member.user_id)
                ),
            ]
        )
    return Markup(rows) if rows else None


def shops(choices: Sequence[tuple[Shop, Member]], active: int | None) -> Markup:
    return Markup(
        [
            [button(texts.shop_button(shop, shop.id == active), cb.SwitchShop(shop.id))]
            for shop, _ in choices
        ]
    )


def settings(shop_id: int) -> Markup:
    """The buttons name their shop: pressed later, they change that shop, not the one
    active then."""
    buttons = [
        button(label, cb.ChangeSetting(shop_id, f)) for f, label in texts.SETTINGS_LABELS.items()
    ]
    return Markup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def options(values: Sequence[tuple[str, str]]) -> Markup:
    buttons = [button(label, cb.ChooseOption(value)) for value, label in values]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([button(texts.CANCEL_BUTTON, cb.CancelFlow())])
    return Markup(rows)


def linked_groups(shop_id: int, groups: Sequence[tuple[int, str]]) -> Markup | None:
    """One Unlink button per (chat id, title) of the shop's groups."""
    if not groups:
        return None
    return Markup(
        [
            [button(texts.unlink_button(title), cb.UnlinkGroup(shop_id, -chat))]
            for chat, title in groups
        ]
    )


def unknown_barcode(token: str) -> Markup:
    return Markup(
        [
            [button(texts.ADD_WITH_BARCODE_BUTTON, cb.AddScannedProduct(token))],
            [button(texts.ATTACH_BARCODE_BUTTON, cb.AttachScannedCode(token))],
        ]
    )


def scanned_codes(entries: Sequence[tuple[str, Product | None, str | None]]) -> Markup:
    """One button per code: (code, its product or None, the token of an unknown code)."""
    rows = []
    for code, product, token in entries:
        if product is not None:
            rows.append([button(texts.product_button(product), cb.OpenCard(product.id))])
        elif token is not None:
            rows.append([button(texts.unknown_code_button(code), cb.ShowScannedCode(token))])
    return Markup(rows)


def confirm_import(token: str) -> Markup:
    return Markup(
        [
            [button(texts.IMPORT_BUTTON, cb.ConfirmImport(token))],
            [button(texts.CANCEL_BUTTON, cb.CancelFlow())],
        ]
    )
