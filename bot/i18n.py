"""The bot's languages: message catalogs (gettext, read with Babel) and formatting of
numbers, money and dates per locale.

English is the source language: its messages are the msgids in bot/texts/, so it
needs no catalog. Other languages have a catalog `bot/locales/<lang>/LC_MESSAGES/
stockbot.po`, read once at start (no compile step). `babel.cfg` says where messages are
extracted from (`pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -o stockbot.pot .`); a unit test
fails when a catalog misses or leaves untranslated a message.

The language of the update being handled is a context variable, set once per update
(bot.handlers.language) and per alert (bot.alerts_view): concurrent updates never see
each other's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, get_territory_currencies
from babel.support import Translations

from core.model import LANGUAGES

SOURCE = "en"
DOMAIN = "stockbot"
LOCALES_DIR = Path(__file__).parent / "locales"

_current: ContextVar[str] = ContextVar("language", default=SOURCE)


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    if language == SOURCE:
        return NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load_all() -> None:
    """Read every catalog now, so a broken one stops the start, not a reply."""
    for language in LANGUAGES:
        translations(language)


def supported(code: str | None) -> str | None:
    """Our language for a Telegram language_code ("ru", "ru-RU", "en-GB"), if we have it."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def current() -> str:
    return _current.get()


def use(language: str) -> None:
    """The language of everything said from here on in this task."""
    _current.set(language if language in LANGUAGES else SOURCE)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    token = _current.set(language if language in LANGUAGES else SOURCE)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """A message whose form follows `count` (Russian has three)."""
    return translations(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it here: a constant, said
    (and translated) where it is sent (bot.handlers.base.respond, keyboards.button)."""
    return message


def number(value: Decimal | float | int) -> str:
    return format_decimal(value, locale=_locale())


@cache
def currency_of_zone(zone: str) -> str | None:
    """The currency of the country a timezone (`Europe/London`) is in, by CLDR; None for a
    zone of no one country (`UTC`) or an old alias."""
    territory = get_global("zone_territories").get(zone)
    if territory is None:
        return None
    currencies = get_territory_currencies(territory, tender=True)
    return currencies[0] if currencies else None


def money(value: Decimal, currency: str) -> str:
    return format_currency(value, currency, locale=_locale())


def day(value: date) -> str:
    return format_date(value, format="medium", locale=_locale())


def short_day(value: date) -> str:
    """Day and month, as under a chart's bars."""
    return format_date(value, format="d MMM", locale=_locale())


def moment(value: datetime) -> str:
    """Day, month and time, as on a history line."""
    return format_datetime(value, format="d MMM HH:mm", tzinfo=value.tzinfo, locale=_locale())


@cache
def _locale_of(language: str) -> Locale:
    return Locale.parse(language)


def _locale() -> Locale:
    return _locale_of(current())
