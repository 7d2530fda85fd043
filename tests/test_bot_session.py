"""The bot's Bot API session posts JSON for requests without files and multipart for uploads;
the fake server reads a JSON body as Telegram does (bot/telegram/session.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import bot_properties, build_bot
from bot.config import Settings
from tests.fakebotapi import FakeBotAPI

CHAT = 4242
TEXT = "<b>Обеспечение заявки</b> — от 0,5 до 1 % НМЦК &amp; «кавычки»\n\n" + "ч. 1 ст. 44 " * 150
MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="👍 Полезно", callback_data="fb:1:1")]]
)


@pytest.fixture
async def bot(fake_api: FakeBotAPI, settings: Settings) -> AsyncIterator[Bot]:
    fake_api.add_private_chat(CHAT)
    bot = build_bot(settings.model_copy(update={"bot_api_url": fake_api.url}), fake_api.token)
    yield bot
    await bot.session.close()


async def test_text_goes_as_json_and_files_as_multipart(bot: Bot, fake_api: FakeBotAPI) -> None:
    await bot.send_message(CHAT, TEXT, reply_markup=MARKUP)
    await bot.send_document(CHAT, BufferedInputFile(b"a;b\n1;2\n", "report.csv"), caption="Отчёт")
    assert fake_api.content_types == [
        ("sendMessage", "application/json"),
        ("sendDocument", "multipart/form-data"),
    ]
    text, document = fake_api.sent
    assert text.params["text"] == TEXT
    assert text.button("Полезно")["callback_data"] == "fb:1:1"
    assert document.text == "Отчёт"
    attached = str(document.params["document"]).removeprefix("attach://")
    assert document.params[attached] == {"filename": "report.csv", "size": 8}


async def test_json_and_form_requests_reach_the_server_alike(
    bot: Bot, fake_api: FakeBotAPI
) -> None:
    form = Bot(
        bot.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(fake_api.url)),
        default=bot_properties(),
    )
    try:
        await form.send_message(CHAT, TEXT, reply_markup=MARKUP, disable_notification=False)
        await bot.send_message(CHAT, TEXT, reply_markup=MARKUP, disable_notification=False)
    finally:
        await form.session.close()
    assert [t for _, t in fake_api.content_types] == [
        "application/x-www-form-urlencoded",
        "application/json",
    ]
    by_form, by_json = fake_api.sent
    assert by_json.params == by_form.params
    assert by_json.params["parse_mode"] == "HTML"
    assert by_json.params["link_preview_options"] == {"is_disabled": True}
    assert by_json.params["disable_notification"] is False


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b'{"chat_id": "4242", "text": "<b>ok</b>", "parse_mode": "HTML"}', None),
        (b'{"chat_id": 4242, "text": "<x>", "parse_mode": "HTML"}', "Unsupported start tag"),
        (b'{"chat_id": 4242, "text": ""}', "message text is empty"),
        (b'[{"chat_id": 4242, "text": "hi"}]', "chat_id is empty"),
        (b'{"chat_id": 4242, "text": ', "chat_id is empty"),
    ],
)
async def test_the_fake_reads_a_json_body_as_telegram_does(
    fake_api: FakeBotAPI, body: bytes, description: str | None
) -> None:
    """A top-level string is read as a form field's text ("4242" is the chat 4242); a body
    that is not a JSON object carries no parameters; the rules apply to JSON as to forms."""
    fake_api.add_private_chat(CHAT)
    url = f"{fake_api.url}/bot{fake_api.token}/sendMessage"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers={"Content-Type": "application/json"}) as resp,
    ):
        reply = await resp.json()
    if description is None:
        assert reply["ok"], reply
        assert fake_api.sent[-1].chat_id == CHAT
    else:
        assert resp.status == 400 and description in reply["description"], reply
