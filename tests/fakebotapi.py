"""A fake Telegram Bot API server for end-to-end tests, over real HTTP (aiohttp).

It validates what Telegram validates (see ../shared/telegram-rules.md): HTML entities and
tags, text and caption lengths, callback_data size, button URLs, answering callback queries
once, "message is not modified", command names, inline results. It records what the bot
sends, lets a test play users (messages, button presses) and injects 429 / 403 / 5xx.

This module is an independent oracle: it must not import the bot's own code.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
ALLOWED_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*(/?)>")
ENTITY_RE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
ATTR_RE = re.compile(r'\s*([a-zA-Z-]+)(?:\s*=\s*"([^"]*)"|\s*=\s*\'([^\']*)\'|)')


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Parse Telegram HTML like the server does; return the plain text or raise 400."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = TAG_RE.match(text, i)
            if m is None:
                raise bad(f"can't parse entities: Unclosed start tag at byte offset {i}")
            closing, name, attrs, _selfclose = (
                m.group(1),
                m.group(2).lower(),
                m.group(3),
                m.group(4),
            )
            offset = len(text[:i].encode("utf-8"))
            if name not in ALLOWED_TAGS:
                kind = "end" if closing else "start"
                raise bad(
                    f'can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset {offset}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise bad(
                        f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1] if stack else name}\""
                    )
                stack.pop()
            else:
                parsed = {
                    a.group(1).lower(): (a.group(2) or a.group(3) or "")
                    for a in ATTR_RE.finditer(attrs)
                    if a.group(1)
                }
                if name == "span" and parsed.get("class") != "tg-spoiler":
                    raise bad(
                        f'can\'t parse entities: Unsupported start tag "span" at byte offset {offset}'
                    )
                if name == "a" and "href" in parsed:
                    href = parsed["href"]
                    if not re.match(r"^(https?://|tg://|mailto:)", href):
                        raise bad(f"can't parse entities: unsupported URL {href!r}")
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = ENTITY_RE.match(text, i)
            if m is None:
                raise bad(
                    f"can't parse entities: Character '&' is reserved and must be escaped at byte offset {len(text[:i].encode())}"
                )
            ent = m.group(1)
            if ent.startswith("#x"):
                out.append(chr(int(ent[2:], 16)))
            elif ent.startswith("#"):
                out.append(chr(int(ent[1:])))
            elif ent in ALLOWED_NAMED_ENTITIES:
                out.append(ALLOWED_NAMED_ENTITIES[ent])
            else:
                raise bad(f'can\'t parse entities: Unsupported HTML entity "&{ent};"')
            i = m.end()
        elif ch == ">":
            raise bad(
                f"can't parse entities: Character '>' is reserved and must be escaped at byte offset {len(text[:i].encode())}"
            )
        else:
            out.append(ch)
            i += 1
    if stack:
        raise bad(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def check_text(text: str | None, parse_mode: str | None, *, caption: bool = False) -> str:
    text = text or ""
    plain = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    if caption:
        if utf16_len(plain) > 1024:
            raise bad("message caption is too long")
        return plain
    if not plain.strip():
        raise bad("message text is empty")
    if utf16_len(plain) > 4096:
        raise bad("message is too long")
    return plain


def check_markup(markup: dict[str, Any] | None) -> None:
    if not markup:
        return
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise bad("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            url = button.get("url")
            if data is not None:
                size = len(data.encode("utf-8"))
                if size < 1 or size > 64:
                    raise bad("BUTTON_DATA_INVALID")
            if url is not None and not re.match(r"^(https?://|tg://)", url):
                raise bad("BUTTON_URL_INVALID")
            if (
                data is None
                and url is None
                and not (
                    button.get("switch_inline_query") is not None
                    or button.get("switch_inline_query_current_chat") is not None
                    or button.get("copy_text")
                )
            ):
                raise bad("can't parse inline keyboard button: no button action")


@dataclass
class Sent:
    """One thing the bot did, as the server saw it."""

    method: str
    chat_id: int | None
    params: dict[str, Any]
    message_id: int | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.markup or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, label_part: str) -> dict[str, Any]:
        for b in self.buttons():
            if label_part in b["text"]:
                return b
        raise AssertionError(
            f"no button with {label_part!r} in {[b['text'] for b in self.buttons()]}"
        )


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None


class FakeBotAPI:
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
            params = await request.json()
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"filename": value.filename, "size": len(value.file.read())}
                    continue
                params[key] = self._decode(str(value))
        params.update({k: self._decode(v) for k, v in request.query.items()})
        return params

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

    # ------------------------------------------------------------ user actions
    def add_private_chat(self, user_id: int, first_name: str = "Иван") -> None:
        """A user who has started the bot earlier (their chat exists, no update now)."""
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}

    def _user(self, user_id: int, first_name: str = "Иван") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}

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

    def user_says(
        self,
        user_id: int,
        text: str | None = None,
        *,
        first_name: str = "Иван",
        chat: dict[str, Any] | None = None,
        **content: Any,
    ) -> int:
        """A user writes to the bot (private chat unless `chat` is given)."""
        chat = chat or {"id": user_id, "type": "private", "first_name": first_name}
        self.chats[int(chat["id"])] = chat
        self.blocked.discard(user_id)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, first_name),
            **content,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push({"message": message})

    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        caption: str | None = None,
        chat: dict[str, Any] | None = None,
    ) -> int:
        """A user sends a file; the bot can fetch it with getFile and the file URL."""
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "mime_type": "text/markdown"
            if filename.endswith(".md")
            else "application/octet-stream",
            "file_size": len(content),
        }
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self.user_says(user_id, chat=chat, **extra)

    def press(self, user_id: int, sent: Sent, label_part: str) -> str:
        """A user presses a button of a message the bot sent; returns the query id."""
        button = sent.button(label_part)
        return self.press_data(user_id, sent, button["callback_data"])

    def press_data(self, user_id: int, sent: Sent, data: str) -> str:
        query_id = str(next(self._callback_ids))
        stored = self.messages.get((int(sent.chat_id or 0), int(sent.message_id or 0)))
        message = (
            dict(stored)
            if stored
            else {
                "message_id": sent.message_id or 0,
                "date": int(time.time()),
                "chat": {"id": sent.chat_id, "type": "private"},
                "text": sent.text or "x",
            }
        )
        self.callbacks[query_id] = {"user_id": user_id, "at": time.monotonic()}
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "chat_instance": str(sent.chat_id),
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def inline_query(self, user_id: int, query: str) -> str:
        query_id = str(next(self._callback_ids))
        self.callbacks[query_id] = {"user_id": user_id, "inline": True}
        self._push(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "query": query,
                    "offset": "",
                }
            }
        )
        return query_id

    # ------------------------------------------------------------ webhooks
    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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

    def mark(self) -> int:
        return len(self.sent)

    def to_chat(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    async def drained(self, timeout: float = 30.0) -> None:
        """Wait until the bot has fetched every update."""
        await self.wait_for(lambda: self._confirmed >= len(self.updates), timeout)

    _confirmed = 0

    # ------------------------------------------------------------- API methods
    async def api_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
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

    async def api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def api_close(self, params: dict[str, Any]) -> Any:
        return True

    async def api_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise bad("too many commands")
        for c in commands:
            if not COMMAND_RE.match(str(c.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        if self._poller is not None and not self._poller.done():
            self._poller.set_exception(
                ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            )
        poller: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = poller
        if offset:
            self._confirmed = max(self._confirmed, offset - 1)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

        def pending() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset][:limit]

        deadline = time.monotonic() + timeout
        while not pending() and time.monotonic() < deadline:
            waiter = asyncio.ensure_future(self._wait_change())
            done, _ = await asyncio.wait(
                {waiter, poller},
                timeout=max(0.0, deadline - time.monotonic()),
                return_when=asyncio.FIRST_COMPLETED,
            )
            waiter.cancel()
            if poller in done:
                poller.result()  # raises 409 for a superseded poller
                break
        if not poller.done():
            poller.set_result(None)
        return pending()

    async def _wait_change(self) -> None:
        async with self._changed:
            await self._changed.wait()

    def _store_message(self, chat_id: int, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message_id = next(self._message_ids)
        chat = self.chats.get(
            chat_id, {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **extra,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
        self.messages[(chat_id, message_id)] = message
        return message

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad("chat not found")
        if self.auto_chats and chat_id > 0 and chat_id not in self.chats:
            self.chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "Иван"}
        if chat_id not in self.chats:
            raise bad("chat not found")
        return chat_id

    async def api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        plain = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        self.sent_per_chat[chat_id] = self.sent_per_chat.get(chat_id, 0) + 1
        if not self.keep_messages:
            message_id = next(self._message_ids)
            return {"message_id": message_id, "date": int(time.time()), "chat": self.chats[chat_id]}
        message = self._store_message(chat_id, params, text=plain)
        self.sent.append(Sent("sendMessage", chat_id, params, message["message_id"]))
        return message

    async def _send_file(self, method: str, field_name: str, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        if not params.get(field_name):
            raise bad(f"there is no {field_name} in the request")
        caption = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        check_markup(params.get("reply_markup"))
        message = self._store_message(chat_id, params, caption=caption)
        self.sent.append(Sent(method, chat_id, params, message["message_id"]))
        return message

    async def api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendPhoto", "photo", params)

    async def api_sendDocument(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendDocument", "document", params)

    async def api_sendVoice(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendVoice", "voice", params)

    async def api_sendVideo(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendVideo", "video", params)

    async def api_sendAudio(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendAudio", "audio", params)

    async def api_sendVideoNote(self, params: dict[str, Any]) -> Any:
        return await self._send_file("sendVideoNote", "video_note", params)

    async def api_sendChatAction(self, params: dict[str, Any]) -> Any:
        self._chat_id(params)
        return True

    async def _edit(self, method: str, params: dict[str, Any], *, text: bool) -> Any:
        chat_id = self._chat_id(params)
        key = (chat_id, int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise bad("message to edit not found")
        new_markup = params.get("reply_markup")
        check_markup(new_markup)
        new_text = (
            check_text(params.get("text"), params.get("parse_mode"))
            if text
            else message.get("text")
        )
        if new_text == message.get("text") and (new_markup or None) == (
            message.get("reply_markup") or None
        ):
            raise bad(
                "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
            )
        message["text"] = new_text
        if new_markup:
            message["reply_markup"] = new_markup
        else:
            message.pop("reply_markup", None)
        self.sent.append(Sent(method, chat_id, params, key[1]))
        return message

    async def api_editMessageText(self, params: dict[str, Any]) -> Any:
        return await self._edit("editMessageText", params, text=True)

    async def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return await self._edit("editMessageReplyMarkup", params, text=False)

    async def api_deleteMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        if self.messages.pop((chat_id, int(params.get("message_id") or 0)), None) is None:
            raise bad("message to delete not found")
        return True

    async def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callbacks:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if query_id in self.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self.answered[query_id] = params
        return True

    async def api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self.callbacks or query_id in self.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        results = params.get("results") or []
        if len(results) > 50:
            raise bad("RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results]
        if len(set(ids)) != len(ids):
            raise bad("RESULT_ID_DUPLICATE")
        for r in results:
            if not 1 <= len(str(r.get("id", "")).encode()) <= 64:
                raise bad("RESULT_ID_INVALID")
            content = r.get("input_message_content") or {}
            if "message_text" in content:
                check_text(content["message_text"], content.get("parse_mode"))
            check_markup(r.get("reply_markup"))
        self.answered[query_id] = params
        return True

    async def api_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            raise bad("wrong file_id or the file is temporarily unavailable")
        if len(self.files[file_id]) > 20 * 1024 * 1024:
            raise bad("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}",
        }

    async def api_createForumTopic(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        chat = self.chats[chat_id]
        if not chat.get("is_forum"):
            raise bad("the chat is not a forum")
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise bad("TOPIC_NAME_INVALID")
        thread_id = next(self._message_ids)
        self.forum_topics[(chat_id, thread_id)] = {"name": name, "closed": False}
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    async def api_closeForumTopic(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        if not self.chats[chat_id].get("is_forum"):
            raise bad("the chat is not a forum")
        topic = self.forum_topics.get((chat_id, int(params.get("message_thread_id") or 0)))
        if topic is None:
            raise bad("TOPIC_ID_INVALID")
        if topic["closed"]:
            raise bad("TOPIC_NOT_MODIFIED")
        topic["closed"] = True
        return True
