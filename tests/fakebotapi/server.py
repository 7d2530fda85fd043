"""The fake server's state and HTTP side: routing calls to `api_*` methods, injected
failures and rate limits, the update queue, and waiting for the bot to act."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakebotapi.records import Failure, Sent
from tests.fakebotapi.rules import ApiError


class FakeServer:
    """Holds the state of the fake Telegram and the aiohttp application serving it."""

    def __init__(self, token: str = "123456789:AAFakeTokenForTestsOnly_abcdefghijklm") -> None:
        self.token = token
        self.bot_user = {
            "id": 123456789,
            "is_bot": True,
            "first_name": "smebot",
            "username": "smebot_test_bot",
        }
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self.calls: list[str] = []
        self.content_types: list[tuple[str, str]] = []  # (method, the request's body type)
        self.commands: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.callbacks: dict[str, dict[str, Any]] = {}
        self.answered: dict[str, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.chats: dict[int, dict[str, Any]] = {}
        self.failures: list[Failure] = []
        self.rejections: list[tuple[str, str]] = []
        self.send_limit: float | None = None  # messages per second, total
        self.per_chat_interval: float | None = None
        # benchmarks: any positive chat id is a started private chat; random 5xx; 429s
        self.auto_chats = False
        self.fail_ratio = 0.0
        self.throttle_every = 0
        self._random = random.Random(42)
        self._send_count = 0
        self.files: dict[str, bytes] = {}  # file_id -> content (users' uploads)
        self.forum_topics: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, thread) -> state
        self.keep_messages = True  # False: count sendMessage per chat only (long benchmarks)
        self.sent_per_chat: dict[int, int] = {}
        self._window: list[float] = []
        self._last_to_chat: dict[int, float] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._poller: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""
        self._runner: web.AppRunner | None = None
        # webhook mode (setWebhook): updates are POSTed instead of waiting for getUpdates
        self.webhook: dict[str, Any] = {}
        self.webhook_targets: list[str] = []  # where to POST, round-robin (default: its url)
        self.webhook_log: list[tuple[int, str, int]] = []  # (update_id, target, HTTP status)
        self.webhook_concurrency = 40  # Telegram's default max_connections
        self._webhook_turn = itertools.count()
        self._webhook_slots: asyncio.Semaphore | None = None
        self._webhook_session: Any = None

    # ------------------------------------------------------------------ server
    async def start(self) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)
        if self._webhook_session is not None:
            await self._webhook_session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        self.content_types.append((method, request.content_type))
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        try:
            self._inject(method, params)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as exc:
            self.rejections.append((method, exc.description))
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.status)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        content = self.files.get(request.match_info["path"].removeprefix("documents/"))
        if content is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=content)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = self._json_params(await request.read())
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"filename": value.filename, "size": len(value.file.read())}
                    continue
                params[key] = self._decode(str(value))
        params.update({k: self._decode(v) for k, v in request.query.items()})
        return params

    @classmethod
    def _json_params(cls, body: bytes) -> dict[str, Any]:
        """As the Bot API reads a JSON body: a top-level string is the parameter's text, any
        other value its JSON text, then both are read as a form field is. A body that is not
        a JSON object gives no parameters (the server logs it and goes on, so the method
        reports what is missing)."""
        try:
            decoded = json.loads(body) if body.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}
        if not isinstance(decoded, dict):
            return {}
        return {
            key: cls._decode(value if isinstance(value, str) else json.dumps(value))
            for key, value in decoded.items()
        }

    @staticmethod
    def _decode(value: str) -> Any:
        if value[:1] in "{[" or value in {"true", "false", "null"}:
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        return value

    # --------------------------------------------------------------- injection
    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """The next `count` calls of `method` (to `chat_id`, if given) fail with `status`."""
        description = description or {
            429: f"Too Many Requests: retry after {retry_after or 1}",
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(status, "Error")
        if status == 429 and retry_after is None:
            retry_after = 1
        for _ in range(count):
            self.failures.append(Failure(method, status, description, retry_after, chat_id))

    def _inject(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        for i, f in enumerate(self.failures):
            if f.method == method and (f.chat_id is None or f.chat_id == chat_id):
                del self.failures[i]
                raise ApiError(f.status, f.description, f.retry_after)
        if method.startswith("send") and method != "sendChatAction" and isinstance(chat_id, int):
            if self.fail_ratio and self._random.random() < self.fail_ratio:
                raise ApiError(500, "Internal Server Error")
            self._send_count += 1
            if self.throttle_every and self._send_count % self.throttle_every == 0:
                raise ApiError(429, "Too Many Requests: retry after 1", 1)
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            now = time.monotonic()
            if self.send_limit:
                self._window = [t for t in self._window if now - t < 1.0]
                if len(self._window) >= self.send_limit:
                    raise ApiError(429, "Too Many Requests: retry after 1", 1)
                self._window.append(now)
            if self.per_chat_interval:
                last = self._last_to_chat.get(chat_id)
                if last is not None and now - last < self.per_chat_interval:
                    raise ApiError(429, "Too Many Requests: retry after 1", 1)
                self._last_to_chat[chat_id] = now

    # ------------------------------------------------------------ updates
    def _push(self, update: dict[str, Any]) -> int:
        update["update_id"] = next(self._update_ids)
        self.updates.append(update)
        if self.webhook.get("url"):
            self._spawn(self._deliver(update))
        task = asyncio.get_running_loop().create_task(self._notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return int(update["update_id"])

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        raise NotImplementedError  # webhooks.Webhooks delivers by POST

    # ---------------------------------------------------------------- waiting
    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting for the bot")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def next_message(
        self, chat_id: int, *, after: int = 0, timeout: float = 30.0, method: str | None = None
    ) -> Sent:
        """The first message to chat_id recorded after index `after` of `sent`."""

        def find() -> Sent | None:
            for s in self.sent[after:]:
                if s.chat_id == chat_id and (method is None or s.method == method):
                    return s
            return None

        result: Sent = await self.wait_for(find, timeout)
        return result

    async def answer_of(self, query_id: str, timeout: float = 30.0) -> dict[str, Any]:
        result: dict[str, Any] = await self.wait_for(lambda: self.answered.get(query_id), timeout)
        return result

    def answer_rejections(self) -> list[tuple[str, str]]:
        """answerCallbackQuery calls refused: a press answered twice, or one never made."""
        return [r for r in self.rejections if r[0] == "answerCallbackQuery"]

    def mark(self) -> int:
        return len(self.sent)

    def to_chat(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    async def drained(self, timeout: float = 30.0) -> None:
        """Wait until the bot has fetched every update."""
        await self.wait_for(lambda: self._confirmed >= len(self.updates), timeout)

    _confirmed = 0

    async def _wait_change(self) -> None:
        async with self._changed:
            await self._changed.wait()
