"""The Bot API methods the bot calls, with Telegram's checks."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.fakebotapi.records import Sent
from tests.fakebotapi.rules import COMMAND_RE, ApiError, bad, check_markup, check_text
from tests.fakebotapi.server import FakeServer


class Methods(FakeServer):
    # ------------------------------------------------------------- API methods
    async def api_getMe(self, _params: dict[str, Any]) -> Any:
        return self.bot_user

    async def api_close(self, _params: dict[str, Any]) -> Any:
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
