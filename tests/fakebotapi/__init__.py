"""A fake Telegram Bot API server for end-to-end tests, over real HTTP (aiohttp).

It validates what Telegram validates (see ../shared/telegram-rules.md): HTML entities and
tags, text and caption lengths, callback_data size, button URLs, answering callback queries
once, "message is not modified", command names, inline results. It records what the bot
sends, lets a test play users (messages, button presses) and injects 429 / 403 / 5xx.

This package is an independent oracle: it must not import the bot's own code.

- `rules`: what Telegram refuses (HTML, lengths, keyboards);
- `records`: what the bot did, as the server saw it;
- `server`: the HTTP server, its state, injected failures and waiting for the bot;
- `methods`: the Bot API methods; `webhooks`: setWebhook and delivering updates by POST;
- `people`: users writing, sending files and pressing buttons;
- `api`: `FakeBotAPI`, all of the above in one object.
"""

from tests.fakebotapi.api import FakeBotAPI
from tests.fakebotapi.records import Failure, Sent
from tests.fakebotapi.rules import ApiError, check_markup, check_text, parse_html

__all__ = ["ApiError", "Failure", "FakeBotAPI", "Sent", "check_markup", "check_text", "parse_html"]
