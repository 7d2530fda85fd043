"""Webhook mode: setWebhook, and updates POSTed round-robin to the bot's replicas."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tests.fakebotapi.rules import bad
from tests.fakebotapi.server import FakeServer


class Webhooks(FakeServer):
    async def post_webhook(
        self, update: dict[str, Any], *, target: str | None = None, secret: str | None = None
    ) -> int:
        """POST one update the way Telegram does; returns the HTTP status. `secret` None
        sends the configured secret token; a string sends that one ("" sends no header)."""
        import aiohttp

        if self._webhook_session is None:
            self._webhook_session = aiohttp.ClientSession()
        url = target or self.webhook["url"]
        token = self.webhook.get("secret_token") if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with self._webhook_session.post(
            url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=60)
        ) as response:
            await response.read()
            return int(response.status)

    async def _deliver(self, update: dict[str, Any]) -> None:
        """Round-robin over `webhook_targets` (the replicas behind a proxy); anything but
        200 is retried on the next target after a pause, as Telegram retries."""
        if self._webhook_slots is None:
            self._webhook_slots = asyncio.Semaphore(self.webhook_concurrency)
        update_id = int(update["update_id"])
        async with self._webhook_slots:
            while self.webhook.get("url") and update in self.updates:
                targets = self.webhook_targets or [self.webhook["url"]]
                target = targets[next(self._webhook_turn) % len(targets)]
                try:
                    status = await self.post_webhook(update, target=target)
                except Exception:
                    status = 0
                self.webhook_log.append((update_id, target, status))
                if status == 200:
                    if update in self.updates:
                        self.updates.remove(update)
                    self._confirmed += 1
                    return
                await asyncio.sleep(0.5)

    def delivered_to(self, update_id: int) -> list[str]:
        """The targets that answered 200 for an update (exactly one when all went well)."""
        return [t for u, t, s in self.webhook_log if u == update_id and s == 200]

    async def api_deleteWebhook(self, _params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self.api_deleteWebhook(params)
        if not re.match(r"^https?://", url):  # Telegram wants https; tests listen on http
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad("secret token contains unallowed characters")
        self.webhook = {
            "url": url,
            "secret_token": None if secret is None else str(secret),
            "allowed_updates": list(params.get("allowed_updates") or []),
        }
        for update in self.updates:  # what waited for getUpdates goes out now
            self._spawn(self._deliver(update))
        return True

    async def api_getWebhookInfo(self, _params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info
