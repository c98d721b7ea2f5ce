"""The shop in a Telegram Mini App: a JSON API under /api/v1 and the pages that use it.

An interface layer like `bot/`: it calls the same core use cases as the chat and
reaches the database and the session store only through what the composition root
(`bot.miniapp_wiring`) hands it."""
