"""Users: writing to the bot, sending files, pressing buttons, inline queries."""

from __future__ import annotations

import time
from typing import Any

from tests.fakebotapi.records import Sent
from tests.fakebotapi.server import FakeServer


class People(FakeServer):
    def add_private_chat(self, user_id: int, first_name: str = "Иван") -> None:
        """A user who has started the bot earlier (their chat exists, no update now)."""
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}

    def _user(self, user_id: int, first_name: str = "Иван") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}

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
