"""The shop settings typed in chat: timezone, alert time, near-expiry days, currency."""

from __future__ import annotations

import re
import zoneinfo
from datetime import time
from functools import cache

from bot.i18n import N_, _
from bot.parsing.errors import ParseError, shorten
from bot.parsing.values import parse_days
from bot.parsing.words import ascii_digits
from bot.parsing.zone_words import russian_zone
from core.shops import timezones_like

TIMEZONE_USAGE = N_("a timezone name such as Europe/Berlin or America/New_York, or a city")
ALERT_TIME_USAGE = N_("a time of day as HH:MM, e.g. 08:30")
NEAR_EXPIRY_USAGE = N_("a number of days from 0 to 365, e.g. 7")


@cache
def _timezones_by_key() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def parse_timezone(text: str) -> str:
    """A canonical IANA timezone name from any spelling case: `europe/berlin` →
    `Europe/Berlin`; spaces become underscores (`America/New York`). A city the zone is
    named after (`berlin`), or a Russian city or Moscow offset (`Москва`, `МСК+2`)."""
    key = re.sub(r"\s+", "_", text.strip()).casefold()
    name = _timezones_by_key().get(key) or russian_zone(text)
    if name is None:
        typed = shorten(text.strip())
        meant = timezones_like(text)
        if len(meant) == 1:  # a city only one zone is named after: `berlin`, `Moscow`
            return meant[0]
        if meant:
            raise ParseError(
                _("“{typed}” is not a timezone I know. Did you mean {choices}?").format(
                    typed=typed, choices=" or ".join(meant)
                ),
                f"/settings timezone {meant[0]}",
            )
        raise ParseError(
            _("“{typed}” is not a timezone I know.").format(typed=typed), TIMEZONE_USAGE
        )
    return name


# `08:30`, `8.30`, a whole hour (`7`, `7h`), and `7am` / `7:30 pm` / `12 am`; in Russian
# `в 7`, `7 ч`, `7 утра`, `7 вечера`, `2 дня`, `12 ночи`.
TIME_OF_DAY = re.compile(
    r"(?:в\s*)?(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*"
    r"(?:(?P<half>am|pm|a\.m\.|p\.m\.|утра|ночи|дня|вечера)|h|ч|час|часа|часов)?",
    re.IGNORECASE,
)
# The half of the day a word puts an hour in: 12 ночи is midnight, 12 дня noon.
AFTER_NOON = ("p", "дня", "вечера")


def parse_alert_time(text: str) -> time:
    """`08:30`, `8:30`, `8.30`, `8`, `8am`, `7:30 pm` or `7 утра` as a time of day."""
    match = TIME_OF_DAY.fullmatch(ascii_digits(text.strip()))
    hour, minute = (int(match["hour"]), int(match["minute"] or 0)) if match else (99, 0)
    if match is not None and match["half"]:
        if not 1 <= hour <= 12:
            hour = 99
        else:
            hour = hour % 12 + (12 if match["half"].lower().startswith(AFTER_NOON) else 0)
    if hour > 23 or minute > 59:
        message = _("“{typed}” is not a time of day.").format(typed=shorten(text.strip()))
        raise ParseError(message, ALERT_TIME_USAGE)
    return time(hour, minute)


def parse_near_expiry_days(text: str) -> int:
    return parse_days(text, NEAR_EXPIRY_USAGE)  # `5`, `5 days`, `5 дней`


CURRENCY_BY_SYMBOL = {
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₽": "RUB",
    "₴": "UAH",
    "₹": "INR",
    "₺": "TRY",
    "₩": "KRW",
    # What people in the shops we speak with write for their money.
    **dict.fromkeys(("руб", "руб.", "рубль", "рубли", "рублей", "р", "р."), "RUB"),
    **dict.fromkeys(("грн", "грн.", "гривна", "гривня", "гривны"), "UAH"),
    **dict.fromkeys(("евро",), "EUR"),
    **dict.fromkeys(("доллар", "доллары", "долларов"), "USD"),
    **dict.fromkeys(("₸", "тенге", "тг"), "KZT"),
}


def parse_currency(text: str) -> str:
    """The code a common symbol stands for (`€` → `EUR`), else the text in capitals; that
    it is a three-letter code is the shops' rule, checked in core."""
    cleaned = text.strip()
    return CURRENCY_BY_SYMBOL.get(cleaned.casefold(), cleaned.upper())
