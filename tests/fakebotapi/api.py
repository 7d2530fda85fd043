"""The fake Telegram Bot API: the server, its methods, webhooks and the users."""

from __future__ import annotations

from tests.fakebotapi.methods import Methods
from tests.fakebotapi.people import People
from tests.fakebotapi.webhooks import Webhooks


class FakeBotAPI(People, Webhooks, Methods):
    """Holds the state of the fake Telegram and the aiohttp application serving it."""
