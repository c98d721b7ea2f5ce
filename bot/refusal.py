"""A refusal of the chat's own, not a rule of core's: the form of a command that could not
be read as it was typed (`/quiet`, `/mute`, `/language`), a button pressed by someone it
was not for, a private chat to open before the bot can write there.

Core's refusals carry a code and values (core.errors) and are worded by bot.texts.why;
this one carries its words, a message of bot.texts, said in the reader's language where
it is sent (bot.handlers.base.on_error)."""

from __future__ import annotations


class ChatRefusal(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
