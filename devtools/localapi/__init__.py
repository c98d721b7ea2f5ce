"""A Telegram Bot API server in miniature, for loopback use: the e2e harness and the engine
of the console chat.

The real python-telegram-bot client talks to it over HTTP::

    api = LocalBotApi(token="123:LOCAL")
    await api.start()
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())

and a test or a terminal plays the users::

    owner = LocalUser(1, "Olga")
    await api.send_text(owner, None, "/newshop Corner")   # None: the private chat
    reply = await api.next_message(owner.id)
    await api.press(owner, None, reply.message_id, "+1")

It serves the methods the bot uses, answers in the Bot API's shape with Telegram's error
descriptions (so python-telegram-bot raises the same BadRequest), queues updates for
getUpdates long polling or delivers them to a webhook with retries, and records everything
the bot sends. It holds no state on disk and is not meant to face the internet.

Modules, one reason to change each: `chats` (simulated users, chats, messages, events),
`world` (the state they share), `members` (who is what in a group), `methods` (the Bot
API methods), `webhook` (delivery), `faults` (rate limits and injected failures),
`validation` (what Telegram refuses in the bot's output), `params` and `errors` (the wire
format), `server` (HTTP and the user side).
"""

from devtools.localapi.chats import (
    BotEvent,
    ButtonPress,
    CallbackAnswer,
    ChatMessage,
    EventKind,
    InlineButton,
    LocalChat,
    LocalUser,
    StoredFile,
    command_entities,
)
from devtools.localapi.errors import ApiError, bad_request
from devtools.localapi.faults import Fault, RateLimits
from devtools.localapi.members import ANONYMOUS_ADMIN, CHANNEL_BOT, MemberStatus
from devtools.localapi.server import LocalBotApi
from devtools.localapi.validation import MAX_CALLBACK_DATA, MAX_CAPTION, MAX_TEXT
from devtools.localapi.webhook import Webhook

__all__ = [
    "ANONYMOUS_ADMIN",
    "CHANNEL_BOT",
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_TEXT",
    "ApiError",
    "BotEvent",
    "ButtonPress",
    "CallbackAnswer",
    "ChatMessage",
    "EventKind",
    "Fault",
    "InlineButton",
    "LocalBotApi",
    "LocalChat",
    "LocalUser",
    "MemberStatus",
    "RateLimits",
    "StoredFile",
    "Webhook",
    "bad_request",
    "command_entities",
]
