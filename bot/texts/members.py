"""Shops and their people: onboarding, invites, the team, settings and languages."""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import SettingsField
from bot.i18n import N_, _
from bot.texts.formatting import h, moment, quoted
from core.alert_model import (
    AlertSettings,
)
from core.model import Member, Role, Shop

# --- onboarding -----------------------------------------------------------------------

WELCOME_NEW = N_(
    "👋 <b>Welcome to stockbot</b> — your shop's stock, run from this chat.\n\n"
    "• Create your shop: <code>/newshop Corner Cafe</code>\n"
    "• Or join one: open the invite link an owner sent you.\n\n"
    "/help shows everything I can do."
)


ROLE_NAME = {Role.OWNER: N_("owner"), Role.STAFF: N_("staff")}


def welcome_back(shop: Shop, member: Member) -> str:
    return _(
        "👋 Welcome back to <b>{shop}</b> ({role}).\n"
        "Try /dashboard, /stock <i>name</i> or /restock <i>name qty</i>. /help lists everything."
    ).format(shop=h(shop.name), role=_(ROLE_NAME[member.role]))


def shop_created(shop: Shop) -> str:
    return _(
        "🏪 <b>{shop}</b> is ready and you are its owner.\n\n"
        "Next: add products with <code>/add milk cat dairy unit l min 5</code>, then "
        "<code>/restock milk 20 exp 20 dec</code>. Invite staff with /invite.\n"
        "Settings: timezone {timezone}, currency {currency}, near-expiry {days} days. "
        "Set your timezone now (it decides when stock counts as expired and when the daily "
        "alert comes), or later in /settings."
    ).format(
        shop=h(shop.name),
        timezone=shop.timezone,
        currency=shop.currency,
        days=shop.near_expiry_days,
    )


def invite_created(link: str, code: str, role: Role, expires: datetime, shop: Shop) -> str:
    return _(
        "🔗 Invite to <b>{shop}</b> as <b>{role}</b>, valid once, until {until}:\n{link}\n\n"
        "Or they can send me: <code>/start {code}</code>"
    ).format(
        shop=h(shop.name),
        role=_(ROLE_NAME[role]),
        until=moment(expires, shop),
        link=h(link),
        code=h(code),
    )


def joined(shop: Shop, member: Member) -> str:
    return _("✅ You joined <b>{shop}</b> as {role}. Try /dashboard.").format(
        shop=h(shop.name), role=_(ROLE_NAME[member.role])
    )


def team(members: list[Member], shop: Shop) -> str:
    rows = [_("👥 <b>Team of {shop}</b>").format(shop=h(shop.name))]
    for member in members:
        rows.append(f"• {h(member.name or str(member.user_id))} — {_(ROLE_NAME[member.role])}")
    rows.append(_("Invite more with /invite (staff) or /invite owner."))
    return "\n".join(rows)


def settings_text(shop: Shop, quiet: AlertSettings, *, owner: bool = True) -> str:
    dates = _("day first (01.06.2026)") if shop.day_first else _("month first (06/01/2026)")
    text = _(
        "⚙️ <b>Settings of {shop}</b>\n"
        "Timezone: {timezone}\nCurrency: {currency}\n"
        "Near-expiry window: {days} days\n"
        "Daily alert time: {time}\n"
        "Dates: {dates}"
    ).format(
        shop=h(shop.name),
        timezone=shop.timezone,
        currency=shop.currency,
        days=shop.near_expiry_days,
        time=shop.alert_time.strftime("%H:%M"),
        dates=dates,
    )
    if quiet.quiet_start is None or quiet.quiet_end is None:
        text += "\n" + _("Quiet hours: off")
    else:
        text += "\n" + _("Quiet hours: {start}–{end}").format(
            start=quiet.quiet_start.strftime("%H:%M"), end=quiet.quiet_end.strftime("%H:%M")
        )
    if not owner:
        return f"{text}\n\n" + _("Only an owner can change these.")
    return f"{text}\n\n" + _(
        "Change one with the buttons or e.g. "
        "<code>/settings timezone Europe/Berlin</code>, <code>/settings expiry 5</code>, "
        "<code>/settings alert 07:30</code>, <code>/settings currency USD</code>, "
        "<code>/settings dates month-first</code>. Alerts: /alerts, /quiet, /mute."
    )


# --- shops, team, settings ------------------------------------------------------------

NEWSHOP_USAGE = N_("/newshop <name>, e.g. /newshop Corner Cafe")
SHOP_NEEDS_NAME = N_("Give the shop a name.")
SHOP_NAME_PROMPT = N_("What is the new shop called? e.g. <code>Corner Cafe</code>")
CARD_PROMPT = N_("Which product? Type its name (or a barcode).")
INVITE_USAGE = N_("/invite [owner]")
SETTINGS_USAGE = N_(
    "/settings timezone <Area/City> | currency <code> | expiry <days> | alert <HH:MM> | "
    "dates day-first|month-first | quiet 22:00-07:00|off"
)
SAY_WHICH_SETTING = N_("Say which setting and its new value.")
CHOOSE_DATE_ORDER = N_("Choose day-first or month-first.")


def comma_or_thousands(typed: str, thousands: str, decimal: str) -> str:
    """`1,000` reads as a thousand and as 1 with a decimal comma: ask which is meant."""
    point = typed.replace(",", ".")
    return _(
        "Is “{typed}” {thousands} or {decimal}? For {thousands}, write it without the comma; "
        "for {decimal}, write {point} with a point."
    ).format(typed=typed, thousands=thousands, decimal=decimal, point=point)


def date_in_other_order(typed: str, *, day_first: bool) -> str:
    """A date that only makes sense read the other way round (`12/25/2026` in a shop that
    reads day first): say how the shop reads dates and where that is changed."""
    if day_first:
        return _(
            "“{typed}” is not a date here: this shop reads dates day first (25/12/2026). "
            "For month first, an owner can send /settings dates month-first."
        ).format(typed=typed)
    return _(
        "“{typed}” is not a date here: this shop reads dates month first (12/25/2026). "
        "For day first, an owner can send /settings dates day-first."
    ).format(typed=typed)


DATE_ORDER_CHOICES = (("day-first", "01.06.2026"), ("month-first", "06/01/2026"))
SETTING_PROMPTS = {
    SettingsField.TIMEZONE: N_(
        "Send the shop's timezone or its city, e.g. <code>Europe/Berlin</code> or "
        "<code>Berlin</code>."
    ),
    SettingsField.CURRENCY: N_("Send the currency code, e.g. <code>EUR</code>."),
    SettingsField.NEAR_EXPIRY_DAYS: N_("How many days before expiry should I warn? e.g. 7"),
    SettingsField.ALERT_TIME: N_("At what time should the daily alert come? e.g. 08:00"),
    SettingsField.DATE_ORDER: N_("How do you write dates?"),
    SettingsField.QUIET_HOURS: N_(
        "When should alerts wait? e.g. <code>22:00-07:00</code>, or <code>off</code>."
    ),
}
SETTINGS_LABELS = {
    SettingsField.TIMEZONE: N_("🌍 Timezone"),
    SettingsField.CURRENCY: N_("💱 Currency"),
    SettingsField.NEAR_EXPIRY_DAYS: N_("⌛ Near-expiry days"),
    SettingsField.ALERT_TIME: N_("⏰ Alert time"),
    SettingsField.DATE_ORDER: N_("📅 Date order"),
    SettingsField.QUIET_HOURS: N_("🌙 Quiet hours"),
}


def not_a_role(word: str) -> str:
    return _("{word} is not a role.").format(word=quoted(word))


def member_name(member: Member) -> str:
    return member.name or str(member.user_id)


def member_removed(member: Member) -> str:
    return _("Removed {name}.").format(name=member_name(member))


def removal_question(member: Member, shop: Shop) -> str:
    return _(
        "Remove <b>{name}</b> from {shop}? They lose access at once; what they recorded "
        "stays in the history."
    ).format(name=h(member_name(member)), shop=h(shop.name))


def you_were_removed(shop: Shop) -> str:
    return _(
        "You are no longer a member of <b>{shop}</b>: an owner removed you. What you "
        "recorded stays in its history."
    ).format(shop=h(shop.name))


def your_role_now(shop: Shop, role: Role) -> str:
    return _("An owner of <b>{shop}</b> made you {role}.").format(
        shop=h(shop.name), role=_(ROLE_NAME[role])
    )


def role_changed(member: Member) -> str:
    return _("{name} is now {role}.").format(
        name=member_name(member), role=_(ROLE_NAME[member.role])
    )


def your_shops(choices: list[tuple[Shop, Member]]) -> str:
    lines = [f"• {h(shop.name)} ({_(ROLE_NAME[member.role])})" for shop, member in choices]
    return _("🏪 <b>Your shops</b>") + "\n" + "\n".join(lines)


def now_working_in(shop: Shop) -> str:
    return _("Now working in {shop}.").format(shop=shop.name)


def local_currency_hint(shop: Shop, local: str) -> str:
    return _(
        "💱 Prices are in {current}, and shops in {timezone} usually price in {local}: "
        "💱 Currency changes it."
    ).format(current=shop.currency, timezone=shop.timezone, local=local)


def settings_saved(shop: Shop, quiet: AlertSettings) -> str:
    return _("✅ Saved.") + "\n\n" + settings_text(shop, quiet)


# -- languages -----------------------------------------------------------------------------

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
LANGUAGE_USAGE = N_("/language en|ru, /language auto (as your Telegram app), or /language shop ru")


def language_now(language: str) -> str:
    return _("I speak {language} with you. Change it with /language en or /language ru.").format(
        language=LANGUAGE_NAMES[language]
    )


def language_follows_telegram(language: str) -> str:
    return _("I follow your Telegram app's language: {language} now.").format(
        language=LANGUAGE_NAMES[language]
    )


def shop_language_set(shop: Shop) -> str:
    return _("Alerts of {shop} go in {language} to members who never chose a language.").format(
        shop=h(shop.name), language=LANGUAGE_NAMES[shop.language]
    )
