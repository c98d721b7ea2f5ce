"""The Telegram interface of stockbot: handlers, parsing, keyboards, flows, the runner."""
