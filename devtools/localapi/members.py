"""Who is what in a group: the standing getChatMember reports, and the identities Telegram
shows when nobody in particular is the sender."""

from __future__ import annotations

import enum
from typing import Any

from devtools.localapi.chats import LocalUser

# In `from` when nobody in particular is shown as the sender: an admin who writes
# anonymously (the group is the `sender_chat`), and anyone writing "as" a channel (the
# channel is the `sender_chat`).
ANONYMOUS_ADMIN = LocalUser(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
CHANNEL_BOT = LocalUser(136817688, "Channel", username="Channel_Bot", is_bot=True)
SHARED_IDENTITIES = frozenset({ANONYMOUS_ADMIN.id, CHANNEL_BOT.id})

ADMIN_RIGHTS = (
    "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_pin_messages", "can_manage_topics",
)  # fmt: skip
RESTRICTIONS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics",
)  # fmt: skip


class MemberStatus(enum.StrEnum):
    """A user's standing in a group, as getChatMember reports it."""

    CREATOR = "creator"
    ADMINISTRATOR = "administrator"
    MEMBER = "member"
    RESTRICTED = "restricted"
    LEFT = "left"
    KICKED = "kicked"


def member_to_api(user: LocalUser, status: MemberStatus, *, anonymous: bool) -> dict[str, Any]:
    """A ChatMember object in the shape Telegram gives each status."""
    data: dict[str, Any] = {"status": status.value, "user": user.to_api()}
    if status is MemberStatus.CREATOR:
        data["is_anonymous"] = anonymous
    elif status is MemberStatus.ADMINISTRATOR:
        data.update(
            dict.fromkeys(ADMIN_RIGHTS, False),
            can_be_edited=False,
            is_anonymous=anonymous,
            can_manage_chat=True,
            can_invite_users=True,
        )
    elif status is MemberStatus.RESTRICTED:
        data.update(dict.fromkeys(RESTRICTIONS, True), is_member=True, until_date=0)
    elif status is MemberStatus.KICKED:
        data["until_date"] = 0
    return data
