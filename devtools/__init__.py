"""Tools beside the product: a Telegram Bot API server in miniature for loopback use
(`devtools.localapi`) and the console chat built on it (`devtools.console`).

The bot never imports this package (tests/unit/test_layers.py keeps it so); only the
`stockbot` command reaches the console, lazily, for `stockbot chat` and a tokenless
`stockbot run`."""
