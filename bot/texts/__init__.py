"""Everything the bot says, in English: replies, prompts, button labels, the command
menu, alert messages and the wording of core's refusals; and the one formatter for
numbers, money and dates. Output is Telegram HTML: user-typed text is always escaped.

This is the language package: handlers, keyboards and the alert view take every word
from here (`from bot import texts`, then `texts.FLOW_CANCELLED`) and build none of their
own. The words are the msgids of the gettext catalogs (bot/locales, extracted with Babel
as babel.cfg says). One module an area, each changing for its own reasons:

- formatting: escaping, quantities, money, dates, badges, Telegram's length limits
- commands: the command menu, /help, the words of any step
- errors: core's refusals and the bot's own errors
- stock, views, catalog, members, groups, barcodes, alerts, reports, spreadsheets:
  the words of each area
- buttons: button labels

A module names what it takes from another explicitly; this package offers them all."""

from bot.texts.alerts import *  # noqa: F403
from bot.texts.barcodes import *  # noqa: F403
from bot.texts.buttons import *  # noqa: F403
from bot.texts.catalog import *  # noqa: F403
from bot.texts.commands import *  # noqa: F403
from bot.texts.errors import *  # noqa: F403
from bot.texts.formatting import *  # noqa: F403
from bot.texts.groups import *  # noqa: F403
from bot.texts.members import *  # noqa: F403
from bot.texts.reports import *  # noqa: F403
from bot.texts.spreadsheets import *  # noqa: F403
from bot.texts.stock import *  # noqa: F403
from bot.texts.views import *  # noqa: F403
