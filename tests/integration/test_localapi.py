"""The local Bot API server driven by the real python-telegram-bot client, on loopback."""

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    Update,
)
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from devtools.localapi import (
    ANONYMOUS_ADMIN,
    CHANNEL_BOT,
    EventKind,
    Fault,
    LocalBotApi,
    LocalChat,
    LocalUser,
    MemberStatus,
    RateLimits,
    command_entities,
)

OWNER = LocalUser(101, "Olga", username="olga")
STAFF = LocalUser(202, "Sam")
GROUP = LocalChat.group(-1001, "Corner shop team")


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(webhook_retry_delay=0.05)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    client = Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)
    async with client:
        yield client


def keyboard(*buttons: tuple[str, str]) -> Keyboard:
    return Keyboard([[InlineKeyboardButton(text, callback_data=data) for text, data in buttons]])


async def test_get_me_answers_with_the_bots_identity(bot: Bot, api: LocalBotApi) -> None:
    me = await bot.get_me()
    assert me.username == api.bot.username
    assert me.is_bot


async def test_a_wrong_token_is_unauthorized(api: LocalBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=api.base_url):
            pass


async def test_send_edit_and_answer_a_button(bot: Bot, api: LocalBotApi) -> None:
    await api.send_text(OWNER, None, "/stock milk")
    sent = await bot.send_message(
        OWNER.id, "Milk: 12 pcs", reply_markup=keyboard(("+1", "adj:1:1"))
    )
    assert sent.reply_markup is not None

    recorded = await api.next_message(OWNER.id)
    assert (recorded.message_id, recorded.text) == (sent.message_id, "Milk: 12 pcs")
    assert [b.callback_data for b in recorded.buttons] == ["adj:1:1"]

    press = await api.press(OWNER, None, sent.message_id, "+1")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "adj:1:1"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert updates[-1].update_id == press.update_id

    await query.answer("Added 1")
    answer = await api.callback_answer(press.callback_query_id)
    assert answer.text == "Added 1"

    edited = await bot.edit_message_text(
        "Milk: 13 pcs", OWNER.id, sent.message_id, reply_markup=keyboard(("+1", "adj:1:1"))
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Milk: 13 pcs"
    after_edit = await api.next_edit(OWNER.id)
    assert after_edit.text == "Milk: 13 pcs"
    assert api.message(OWNER.id, sent.message_id).edits == 1
    assert [m.text for m in api.transcript(OWNER.id)] == ["/stock milk", "Milk: 13 pcs"]

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("twice")


async def test_an_identical_edit_is_not_modified(bot: Bot, api: LocalBotApi) -> None:
    api.add_chat(LocalChat.private(OWNER))
    markup = keyboard(("−1", "adj:1:-1"))
    sent = await bot.send_message(OWNER.id, "<b>Milk</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Milk</b>", OWNER.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(OWNER.id, sent.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(OWNER.id, sent.message_id, reply_markup=None)
    assert api.message(OWNER.id, sent.message_id).buttons == []


@pytest.mark.parametrize(
    ("text", "markup", "description"),
    [
        ("x" * 4097, None, "message is too long"),
        ("ok", keyboard(("long", "d" * 65)), "BUTTON_DATA_INVALID"),
        ("", None, "message text is empty"),
        ("1 < 2", None, "can't parse entities"),
        ("<b>bold", None, "can't parse entities"),
        ("<a>link</a>", None, "must have a required attribute"),
        ("<span>hidden</span>", None, "must have a required attribute"),
        ("<p>para</p>", None, 'Unsupported start tag "p"'),
        ("<b><i>crossed</b></i>", None, "Unexpected end tag"),
        ("🥛" * 2049, None, "message is too long"),  # 4,098 UTF-16 units
    ],
)
async def test_telegrams_refusals_become_bad_requests(
    bot: Bot, api: LocalBotApi, text: str, markup: Keyboard | None, description: str
) -> None:
    api.add_chat(LocalChat.private(OWNER))
    with pytest.raises(BadRequest, match=r"(?i)" + re.escape(description)):
        await bot.send_message(OWNER.id, text, parse_mode="HTML", reply_markup=markup)


async def test_unknown_chats_and_messages_are_refused(bot: Bot, api: LocalBotApi) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(555, "hello")
    api.add_chat(LocalChat.private(OWNER))
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", OWNER.id, 77)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(OWNER.id, 77)


async def test_send_document_and_photo_keep_the_bytes(bot: Bot, api: LocalBotApi) -> None:
    await api.send_text(OWNER, GROUP, "/export")
    csv = b"name,on_hand\nmilk,12\n"
    sent = await bot.send_document(GROUP.id, csv, filename="inventory.csv", caption="Inventory")
    assert sent.document is not None
    assert sent.document.file_name == "inventory.csv"
    recorded = await api.next_message(GROUP.id)
    assert recorded.document is not None
    assert recorded.document.content == csv
    assert recorded.caption == "Inventory"

    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == csv

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (3).to_bytes(4) + (2).to_bytes(4) + b"x"
    photo = await bot.send_photo(GROUP.id, png)
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    assert (await api.next_message(GROUP.id)).photo is not None


async def test_delete_and_chat_action(bot: Bot, api: LocalBotApi) -> None:
    api.add_chat(LocalChat.private(OWNER))
    sent = await bot.send_message(OWNER.id, "bye")
    assert await bot.send_chat_action(OWNER.id, "typing")
    assert await bot.delete_message(OWNER.id, sent.message_id)
    assert api.bot_messages(OWNER.id) == []
    assert [e.kind for e in api.events] == [
        EventKind.SENT,
        EventKind.CHAT_ACTION,
        EventKind.DELETED,
    ]


async def test_commands_are_kept_per_scope(bot: Bot, api: LocalBotApi) -> None:
    staff = [BotCommand("sell", "Record a sale")]
    owner = [*staff, BotCommand("team", "Members")]
    await bot.set_my_commands(staff)
    await bot.set_my_commands(owner, scope=BotCommandScopeChat(OWNER.id))
    assert [c.command for c in await bot.get_my_commands()] == ["sell"]
    mine = await bot.get_my_commands(scope=BotCommandScopeChat(OWNER.id))
    assert [c.command for c in mine] == ["sell", "team"]
    assert api.my_commands({"type": "chat", "chat_id": OWNER.id})[1]["command"] == "team"
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_long_polling_returns_a_users_message_and_confirms_by_offset(
    bot: Bot, api: LocalBotApi
) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    update_id = await api.send_text(STAFF, None, "/sell milk 2")
    updates = await asyncio.wait_for(polling, 3)
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    assert message.text == "/sell milk 2"
    assert message.from_user is not None
    assert message.from_user.id == STAFF.id
    assert message.chat.type == "private"
    assert message.entities[0].type == "bot_command"

    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert api.pending_updates() == []


async def test_a_second_poller_terminates_the_first(bot: Bot, api: LocalBotApi) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(api.token, base_url=api.base_url) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=1))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
            await asyncio.wait_for(first, 2)
        await second


async def test_allowed_updates_filters_what_polling_sees(bot: Bot, api: LocalBotApi) -> None:
    await api.send_text(OWNER, None, "hello")
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    assert api.pending_updates() == []


async def test_webhook_gets_the_secret_and_is_retried_after_a_500(
    bot: Bot, api: LocalBotApi
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        update_id = await api.send_text(OWNER, None, "/dashboard")
        await api.wait_until_delivered(update_id, timeout=3)
        assert len(received) == 2
        assert all(secret == "s3cret" for secret, _ in received)
        assert received[0][1] == received[1][1]
        assert received[1][1]["update_id"] == update_id
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message is not None
        assert "500" in info.last_error_message
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()


# python-telegram-bot itself reads RetryAfter.retry_after, which warns about its type change.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_the_4096_limit_counts_the_text_after_html_parsing(
    bot: Bot, api: LocalBotApi
) -> None:
    api.add_chat(LocalChat.private(OWNER))
    await bot.send_message(OWNER.id, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    assert api.bot_messages(OWNER.id)[-1].shown_text == "&" * 4096


async def test_a_toast_over_200_characters_is_refused(bot: Bot, api: LocalBotApi) -> None:
    api.add_chat(LocalChat.private(OWNER))
    sent = await bot.send_message(OWNER.id, "Milk", reply_markup=keyboard(("+1", "adj:1:1")))
    await api.press(OWNER, None, sent.message_id, "+1")
    [update] = await bot.get_updates(timeout=0)
    assert update.callback_query is not None
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await update.callback_query.answer("x" * 201)
    await update.callback_query.answer("x" * 200)


async def test_injected_faults_answer_as_telegram_on_a_bad_day(bot: Bot, api: LocalBotApi) -> None:
    api.add_chat(LocalChat.private(OWNER))
    api.faults.inject(Fault(status=429, retry_after=3), "sendMessage")
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(OWNER.id, "one")
    api.faults.inject(Fault(status=502), "sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(OWNER.id, "two")
    api.faults.inject(Fault(hang=0.5))
    with pytest.raises(TimedOut):
        await bot.send_message(OWNER.id, "three", read_timeout=0.1)
    api.faults.during(Fault(status=500), seconds=60, method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(OWNER.id, "four")
    await bot.get_me()  # other methods are unaffected
    api.faults.clear()
    await bot.send_message(OWNER.id, "five")
    assert [m.text for m in api.bot_messages(OWNER.id)] == ["five"]
    assert api.faults.injected == 5


async def test_rate_limits_answer_429_with_retry_after(api: LocalBotApi, bot: Bot) -> None:
    api.rate_limits = RateLimits(per_chat_per_second=1, global_per_second=30)
    api.add_chat(LocalChat.private(OWNER))
    await bot.send_message(OWNER.id, "one")
    with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
        await bot.send_message(OWNER.id, "two")


async def test_a_user_who_blocked_the_bot_gets_nothing_and_the_bot_gets_403(
    api: LocalBotApi, bot: Bot
) -> None:
    api.add_chat(LocalChat.private(OWNER))
    api.add_chat(LocalChat.private(STAFF))
    api.block(OWNER.id)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(OWNER.id, "low stock")
    await bot.send_message(STAFF.id, "still reachable")

    assert api.bot_messages(OWNER.id) == []
    assert api.refused_sends(OWNER.id) == 1
    assert api.refused_sends(STAFF.id) == 0
    api.unblock(OWNER.id)
    await bot.send_message(OWNER.id, "welcome back")
    assert [m.text for m in api.bot_messages(OWNER.id)] == ["welcome back"]
    assert api.refused_sends(OWNER.id) == 1


async def test_json_bodies_and_unknown_methods(api: LocalBotApi) -> None:
    api.add_chat(LocalChat.private(OWNER))
    async with ClientSession() as http:
        url = f"{api.base_url}{api.token}"
        async with http.post(f"{url}/sendMessage", json={"chat_id": OWNER.id, "text": "hi"}) as r:
            body = await r.json()
            assert body["ok"] is True
            assert body["result"]["text"] == "hi"
        async with http.post(f"{url}/launchRockets", json={}) as r:
            assert r.status == 404
            assert (await r.json())["ok"] is False


async def test_listeners_and_watch_see_every_bot_action(bot: Bot, api: LocalBotApi) -> None:
    api.add_chat(LocalChat.private(OWNER))
    seen: list[str | None] = []
    api.add_listener(lambda event: seen.append(event.message.text if event.message else None))
    watched = api.watch()
    next_event = asyncio.ensure_future(anext(watched))
    await asyncio.sleep(0)
    await bot.send_message(OWNER.id, "hello")
    event = await asyncio.wait_for(next_event, 2)
    assert event.message is not None
    assert event.message.text == "hello"
    assert seen == ["hello"]
    await watched.aclose()


async def test_forged_button_data_needs_an_explicit_opt_in(bot: Bot, api: LocalBotApi) -> None:
    await api.send_text(STAFF, None, "/stock milk")
    sent = await bot.send_message(STAFF.id, "Milk", reply_markup=keyboard(("+1", "adj:1:1")))
    with pytest.raises(LookupError):
        await api.press_button(STAFF, None, sent.message_id, "adj:999:100")
    press = await api.press_button(
        STAFF, None, sent.message_id, "adj:999:100", require_button=False
    )
    updates = await bot.get_updates(offset=press.update_id, timeout=0)
    assert updates[0].callback_query is not None
    assert updates[0].callback_query.data == "adj:999:100"


async def test_next_message_times_out_when_the_bot_is_silent(api: LocalBotApi) -> None:
    with pytest.raises(TimeoutError):
        await api.next_message(OWNER.id, timeout=0.05)


def test_command_entities_count_utf16_units() -> None:
    assert command_entities("🥛 /sell@stockbot milk") == [
        {"type": "bot_command", "offset": 3, "length": 14}
    ]
    assert command_entities("price 2/3") == []


async def test_a_python_telegram_bot_application_polls_and_replies(api: LocalBotApi) -> None:
    async def stock(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"card {context.args}", reply_markup=keyboard(("+1", "adj:1:1"))
        )

    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"tapped {query.data}")

    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("stock", stock))
    app.add_handler(CallbackQueryHandler(tapped))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await api.send_text(OWNER, None, "/stock whole milk")
            card = await api.next_message(OWNER.id)
            assert card.text == "card ['whole', 'milk']"
            await api.press(OWNER, None, card.message_id, "+1")
            assert (await api.next_edit(OWNER.id)).text == "tapped adj:1:1"
        finally:
            await app.updater.stop()
            await app.stop()


async def test_get_chat_member_reports_each_standing_as_telegram_does(
    bot: Bot, api: LocalBotApi
) -> None:
    api.set_member(GROUP, OWNER, MemberStatus.CREATOR)
    await api.send_text(STAFF, GROUP, "hello")  # writing in a group makes a member
    outsider = LocalUser(303, "Otto")
    api.set_member(GROUP, outsider, MemberStatus.KICKED)

    owner = await bot.get_chat_member(GROUP.id, OWNER.id)
    staff = await bot.get_chat_member(GROUP.id, STAFF.id)
    kicked = await bot.get_chat_member(GROUP.id, outsider.id)

    assert isinstance(owner, ChatMemberOwner) and not owner.is_anonymous
    assert isinstance(staff, ChatMemberMember)
    assert isinstance(kicked, ChatMemberBanned)
    api.set_member(GROUP, outsider, "left")
    assert isinstance(await bot.get_chat_member(GROUP.id, outsider.id), ChatMemberLeft)
    with pytest.raises(BadRequest, match=r"(?i)participant_id_invalid"):
        await bot.get_chat_member(GROUP.id, 999_999)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat_member(-424242, OWNER.id)


async def test_get_chat_administrators_lists_the_creator_and_admins(
    bot: Bot, api: LocalBotApi
) -> None:
    api.set_member(GROUP, OWNER, MemberStatus.CREATOR)
    api.set_member(GROUP, STAFF, MemberStatus.ADMINISTRATOR, anonymous=True)
    await api.send_text(LocalUser(303, "Otto"), GROUP, "hi")

    admins = await bot.get_chat_administrators(GROUP.id)

    assert [(type(a), a.user.id) for a in admins] == [
        (ChatMemberOwner, OWNER.id),
        (ChatMemberAdministrator, STAFF.id),
    ]
    assert isinstance(admins[1], ChatMemberAdministrator) and admins[1].is_anonymous
    api.add_chat(LocalChat.private(OWNER))
    with pytest.raises(BadRequest, match=r"(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(OWNER.id)


async def test_anonymous_admins_and_channel_posts_arrive_as_telegrams_shared_identities(
    bot: Bot, api: LocalBotApi
) -> None:
    channel = LocalChat.channel(-100777, "Corner shop news")
    await api.send_anonymously(OWNER, GROUP, "/sell milk 1")
    await api.send_as_channel(channel, GROUP, "/sell milk 2")

    anonymous, as_channel = [u.message for u in await bot.get_updates(timeout=0)]

    assert anonymous is not None and as_channel is not None
    assert anonymous.from_user is not None and anonymous.from_user.id == ANONYMOUS_ADMIN.id
    assert anonymous.sender_chat is not None and anonymous.sender_chat.id == GROUP.id
    assert as_channel.from_user is not None and as_channel.from_user.id == CHANNEL_BOT.id
    assert as_channel.sender_chat is not None and as_channel.sender_chat.type == "channel"
    member = await bot.get_chat_member(GROUP.id, OWNER.id)
    assert isinstance(member, ChatMemberAdministrator) and member.is_anonymous


async def test_a_user_who_never_opened_a_private_chat_cannot_be_written_to_first(
    bot: Bot, api: LocalBotApi
) -> None:
    await api.send_text(STAFF, GROUP, "/invite")

    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(STAFF.id, "your invite link")

    await api.send_text(STAFF, None, "/start")
    await bot.send_message(STAFF.id, "your invite link")
