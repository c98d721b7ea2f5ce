"""Who and where: shared identities, groups, private answers."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.texts.formatting import h
from bot.texts.members import ROLE_NAME
from core.model import Member, Shop

# --- who and where: shared identities, groups, private answers --------------------------

SENT_PRIVATELY = N_("📩 I sent it to you in our private chat.")
ANONYMOUS_ADMIN = N_(
    "🙈 You are writing as the group's anonymous admin, so I can't tell which person "
    "you are — and stock, roles and shops belong to people. Turn off “Remain anonymous” "
    "(group info → Administrators → you), then send it again. Or write to me in private."
)
AS_CHANNEL = N_(
    "📢 You are writing as a channel, so I can't tell which person you are. Choose to "
    "write as yourself (tap the picture next to the message field and pick your own "
    "account), then send it again."
)


def open_private_chat(bot_username: str) -> str:
    return _(
        "I can't write to you privately yet. Open t.me/{bot}, press Start, then try again."
    ).format(bot=bot_username)


def group_linked(shop: Shop, moved_from: Shop | None) -> str:
    head = (
        _("✅ This group moved from <b>{old}</b> to <b>{shop}</b>.").format(
            old=h(moved_from.name), shop=h(shop.name)
        )
        if moved_from is not None
        else _("✅ This group is now linked to <b>{shop}</b>.").format(shop=h(shop.name))
    )
    rules = _(
        "Members of {shop} can work here: /stock, /sell, /restock, "
        "/dashboard…; anyone else is refused. Everyone in this group reads the stock I "
        "post here (costs, the team and invite links go to people privately); I show no "
        "other shop here. An owner or a group admin can /unlink it."
    ).format(shop=h(shop.name))
    return f"{head}\n{rules}"


def group_already_linked(shop: Shop) -> str:
    return _("This group is already linked to <b>{shop}</b>.").format(shop=h(shop.name))


def group_unlinked(shop: Shop) -> str:
    return _(
        "✅ This group is no longer linked to <b>{shop}</b>; I will not show its "
        "stock here. An owner of a shop who is an admin here can /link it again."
    ).format(shop=h(shop.name))


LINK_IN_THE_GROUP = N_(
    "Send /link in the group itself (you must be an admin there and an owner of the "
    "shop). It links the shop you are working in; <code>/link Shop name</code> picks "
    "another of yours."
)


def linked_groups(shop: Shop, titles: list[str]) -> str:
    if not titles:
        alone = _("<b>{shop}</b> is linked to no group.").format(shop=h(shop.name))
        return f"{alone} {_(LINK_IN_THE_GROUP)}"
    heading = _("👥 <b>Groups of {shop}</b>").format(shop=h(shop.name))
    rows = [heading, *(f"• {h(t)}" for t in titles)]
    rows.append(_("Tap one to unlink it, or send /unlink in the group."))
    return "\n".join(rows)


UNLINKED_TOAST = N_("✅ Unlinked")


def unlink_button(title: str) -> str:
    return _("✖️ Unlink {title}").format(title=title)[:64]


def group_title(chat_id: int, title: str | None) -> str:
    return title or _("group {id}").format(id=chat_id)


def shop_created_in_group(shop: Shop) -> str:
    return _(
        "🏪 <b>{shop}</b> is ready and you are its owner. To work with it in this "
        "group, send /link here (a group admin must). Settings and invites are in our "
        "private chat."
    ).format(shop=h(shop.name))


INVITE_SENT_PRIVATELY = N_(
    "📩 I sent you the invite link in our private chat — pass it to the one person it "
    "is for. An invite link is never posted in a group."
)


def someone_joined(shop: Shop, member: Member) -> str:
    return _("👋 {name} joined <b>{shop}</b> as {role}. /team shows everyone.").format(
        name=h(member.name or str(member.user_id)),
        shop=h(shop.name),
        role=_(ROLE_NAME[member.role]),
    )


def done_by(name: str, text: str) -> str:
    """A confirmation in a group names who made the movement."""
    return f"👤 <b>{h(name)}</b>: {text}"
