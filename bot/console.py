"""`smebot chat`: a console conversation through the real dispatcher, with no network.

A BaseSession that answers Bot API calls in memory records what the bot sends; typed lines
become Message updates and a typed button number becomes a CallbackQuery update. Buttons are
numbered through the whole conversation, so any button still on screen can be pressed; photos
and documents the bot sends are written under `data/console/` and their paths printed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
    User,
)

from bot.ui.console_text import button_label, html_to_text
from bot.ui.render import render

CONSOLE_USER = User(id=100_000_001, is_bot=False, first_name="Гость", language_code="ru")
CONSOLE_BOT = User(id=100_000_000, is_bot=True, first_name="smebot", username="smebot_console_bot")
EXIT_WORDS = frozenset({"exit", "quit", "выход", ":q", "/quit", "/exit", "/выход"})
SAVE_DIR = Path("data/console")
LOG_FILE = SAVE_DIR / "console.log"  # `smebot chat` logs here, not into the conversation
BUTTON_DIGITS = 4  # longer numbers (notices, contracts, INN) are messages, never buttons
REPLY_RE = re.compile(r"^\s*>>\s*(\d{1,4})\s+(.+)$", re.S)  # «>>7 текст» replies to [7]'s message
SAVED_RE = re.compile(r"^(\d{4,})-")  # «0007-stats.png»: the number of a file saved earlier


def next_file_number(save_dir: Path) -> int:
    """One after the highest number of a file saved in `save_dir` (by any earlier session), so a
    new session's files never overwrite the old ones; 1 in an empty or missing directory."""
    numbers = (SAVED_RE.match(p.name) for p in save_dir.glob("*")) if save_dir.is_dir() else ()
    return max((int(m.group(1)) for m in numbers if m is not None), default=0) + 1


@dataclass
class Sent:
    """One thing the bot did that the user sees."""

    kind: str  # message | edit | alert | photo | document
    text: str
    message_id: int = 0
    keyboard: InlineKeyboardMarkup | None = None
    saved: Path | None = None  # where a photo or a document was written


class ConsoleSession(BaseSession):
    """Answers Bot API methods in memory and records the visible ones."""

    def __init__(self, save_dir: Path = SAVE_DIR, first_message_id: int = 1) -> None:
        """`first_message_id`: where the bot's message ids start. Telegram never reuses an id
        in a chat, and the database remembers ids of earlier sessions (the consultation
        posts), so a session on an old database starts above them (bot/runner.py)."""
        super().__init__()
        self.outbox: list[Sent] = []
        self.save_dir = save_dir
        self._ids: Iterator[int] = itertools.count(max(1, first_message_id))
        self._files: Iterator[int] = itertools.count(next_file_number(save_dir))

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = method.__api_method__
        params: dict[str, Any] = method.model_dump(exclude_none=True)
        result: Any = True
        if name == "getMe":
            result = CONSOLE_BOT
        elif name in {"sendMessage", "sendPhoto", "sendDocument"}:
            kind = {"sendMessage": "message", "sendPhoto": "photo", "sendDocument": "document"}
            text = params.get("text") or params.get("caption") or ""
            result = self._message(params, text)
            upload = getattr(
                method, {"sendPhoto": "photo", "sendDocument": "document"}.get(name, ""), None
            )
            saved = await self._save(bot, upload, kind[name]) if upload is not None else None
            self.outbox.append(
                Sent(
                    kind[name],
                    text,
                    result.message_id,
                    getattr(method, "reply_markup", None),
                    saved,
                )
            )
        elif name in {"editMessageText", "editMessageReplyMarkup"}:
            text = params.get("text", "")
            result = self._message(params, text, message_id=params.get("message_id"))
            self.outbox.append(
                Sent("edit", text, result.message_id, getattr(method, "reply_markup", None))
            )
        elif name == "answerCallbackQuery" and params.get("text"):
            self.outbox.append(Sent("alert", params["text"]))
        return result  # type: ignore[no-any-return]

    async def _save(self, bot: Bot, upload: object, kind: str) -> Path | None:
        """Write an uploaded file under save_dir; a file id or URL has nothing to write."""
        if not isinstance(upload, InputFile):
            return None
        default = "image.png" if kind == "photo" else "file.bin"
        name = re.sub(r"[^\w.-]+", "_", Path(upload.filename or default).name) or default
        path = self.save_dir / f"{next(self._files):04d}-{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            async for chunk in upload.read(bot):
                out.write(chunk)
        return path

    def _message(self, params: dict[str, Any], text: str, message_id: int | None = None) -> Message:
        return Message(
            message_id=message_id or next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=int(params.get("chat_id", CONSOLE_USER.id)), type="private"),
            from_user=CONSOLE_BOT,
            text=text,
        )

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover - files are not used in console
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        return None


Button = tuple[int, str, str | None, str | None]  # message id, label, callback data, url


class ConsoleChat:
    """Feeds typed lines to the dispatcher and prints what the bot answered."""

    def __init__(self, dp: Dispatcher, bot: Bot, session: ConsoleSession, out: TextIO) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self.out = out
        self.buttons: dict[int, Button] = {}  # every button still on screen, by its number
        self._texts: dict[int, str] = {}  # what the bot's messages say, by message id
        self._numbers = itertools.count(1)
        self._last_number = 0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)

    async def say(self, text: str) -> None:
        """One line from the user: a button number presses it, anything else is a message.
        A short number with no such button says so, unless the bot is waiting for an answer
        (a price, a period): then the number is that answer."""
        stripped = text.strip()
        if stripped.isdigit() and len(stripped) <= BUTTON_DIGITS:
            number = int(stripped)
            if number in self.buttons:
                await self._press(number)
            elif await self._awaiting_input():
                await self._send_text(text)
            else:
                self._write(
                    render(
                        "console/no_button",
                        number=number,
                        gone=number <= self._last_number,
                        last=self._last_number if self.buttons else None,
                    )
                )
        else:
            await self._send_text(text)
        self._print_replies()

    async def _awaiting_input(self) -> bool:
        context = self.dp.fsm.get_context(self.bot, CONSOLE_USER.id, CONSOLE_USER.id)
        return await context.get_state() is not None

    def _write(self, text: str) -> None:
        self.out.write(f"\n{html_to_text(text)}\n")

    async def _send_text(self, text: str) -> None:
        reply_to: Message | None = None
        reply = REPLY_RE.match(text)
        if reply is not None and int(reply.group(1)) in self.buttons:
            # «>>7 текст»: a reply (Telegram's «Ответить») to the message under button [7]
            message_id, label, _data, _url = self.buttons[int(reply.group(1))]
            reply_to = Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=CONSOLE_USER.id, type="private"),
                from_user=CONSOLE_BOT,
                text=self._texts.get(message_id, label),
            )
            text = reply.group(2)
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=CONSOLE_USER.id, type="private", first_name=CONSOLE_USER.first_name),
            from_user=CONSOLE_USER,
            text=text,
            reply_to_message=reply_to,
        )
        await self.dp.feed_update(
            self.bot, Update(update_id=next(self._update_ids), message=message)
        )

    async def _press(self, number: int) -> None:
        message_id, label, data, url = self.buttons[number]
        if url:
            self._write(render("console/link", url=url))
            return
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=CONSOLE_USER.id, type="private"),
            from_user=CONSOLE_BOT,
            text=label,
        )
        query = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=CONSOLE_USER,
            chat_instance="console",
            message=message,
            data=data,
        )
        await self.dp.feed_update(
            self.bot, Update(update_id=next(self._update_ids), callback_query=query)
        )

    def _print_replies(self) -> None:
        sent, self.session.outbox[:] = list(self.session.outbox), []
        for item in sent:
            if item.kind == "edit":  # an edited message keeps only its new buttons
                for number in [n for n, b in self.buttons.items() if b[0] == item.message_id]:
                    del self.buttons[number]
            prefix = "🔔 " if item.kind == "alert" else ""
            if item.message_id and item.text:
                self._texts[item.message_id] = item.text
            if item.text:
                self.out.write(f"\n{prefix}{html_to_text(item.text)}\n")
            if item.kind in {"photo", "document"}:
                path = item.saved if item.saved is not None else "—"
                self.out.write(html_to_text(render("console/saved", kind=item.kind, path=path)))
                self.out.write("\n")
            if item.keyboard is not None:
                for row in item.keyboard.inline_keyboard:
                    cells = []
                    for button in row:
                        number = self._last_number = next(self._numbers)
                        self.buttons[number] = (
                            item.message_id,
                            button.text,
                            button.callback_data,
                            button.url,
                        )
                        cells.append(f"[{number}] {button_label(button.text)}")
                    self.out.write("  " + "   ".join(cells) + "\n")
        self.out.flush()


async def run_console(
    dp: Dispatcher,
    bot: Bot,
    session: ConsoleSession,
    read_line: Callable[[], str | None],
    out: TextIO,
    *,
    no_data: bool = False,
    log_file: Path | None = None,
) -> None:
    """Conversation loop until EOF or an exit word; `no_data` adds how to load demo data,
    `log_file` where the log records go (said once, at the start)."""
    chat = ConsoleChat(dp, bot, session, out)
    intro = render("console/intro", save_dir=f"{session.save_dir}/", log_file=log_file)
    out.write(html_to_text(intro) + "\n")
    if no_data:
        out.write(html_to_text(render("console/no_data")) + "\n")
    await chat.say("/start")
    while True:
        out.write("\n> ")
        out.flush()
        line = read_line()
        if line is None or line.strip().lower() in EXIT_WORDS:
            out.write("\nДо встречи!\n")
            return
        if line.strip():
            await chat.say(line.rstrip("\n"))
