"""The real dispatcher over real HTTP against the fake Bot API: conversation basics."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User
from tests.support.bot import RunningBot

ALICE = 1001


async def test_start_greets_with_menu_and_registers_user(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/start", first_name="Алиса")
    msg = await api.next_message(ALICE)
    assert "Здравствуйте, Алиса" in msg.text
    labels = [b["text"] for b in msg.buttons()]
    for part in (
        "Вопрос по закону",
        "Найти закупку",
        "Мои контракты",
        "Напоминания",
        "Статистика",
        "Консультант",
    ):
        assert any(part in label for label in labels), part
    user = (await session.execute(select(User).where(User.id == ALICE))).scalar_one()
    assert user.first_name == "Алиса" and user.is_active
    assert user.timezone == "Asia/Yekaterinburg" and user.region == "74"
    assert user.created_at.tzinfo is not None


async def test_help_and_menu(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/help")
    msg = await api.next_message(ALICE)
    assert "/start" in msg.text and "/menu" in msg.text
    mark = api.mark()
    api.user_says(ALICE, "/menu")
    msg = await api.next_message(ALICE, after=mark)
    assert "Главное меню" in msg.text and len(msg.buttons()) == 6


async def test_menu_buttons_are_answered(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/menu")
    menu = await api.next_message(ALICE)
    mark = api.mark()
    qid = api.press(ALICE, menu, "Мои контракты")
    await api.answer_of(qid)
    contracts = await api.next_message(ALICE, after=mark)
    assert "Мои контракты" in contracts.text and "номер контракта" in contracts.text
    mark = api.mark()
    qid = api.press(ALICE, menu, "Вопрос по закону")
    await api.answer_of(qid)
    prompt = await api.next_message(ALICE, after=mark)
    assert "вопрос" in prompt.text.lower()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {
                "sticker": {
                    "file_id": "s1",
                    "file_unique_id": "u1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "стикер",
        ),
        ({"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]}, "Фото"),
        ({"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}}, "Голосовые"),
        ({"location": {"latitude": 55.1, "longitude": 61.4}}, "не понимаю"),
    ],
)
async def test_other_content_gets_a_hint(
    running_bot: RunningBot, content: dict[str, Any], expected: str
) -> None:
    api = running_bot.api
    api.user_says(ALICE, None, **content)
    msg = await api.next_message(ALICE)
    assert expected in msg.text


async def test_unknown_command_and_forged_button(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(ALICE, "/nonsense <b>&")
    msg = await api.next_message(ALICE)
    assert "/nonsense" in msg.text and "/help" in msg.text
    qid = api.press_data(ALICE, msg, "forged:data:that:means:nothing")
    answer = await api.answer_of(qid)
    assert "устарела" in answer["text"]


async def test_huge_and_odd_text_is_answered_politely(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.user_says(ALICE, "<script>alert(1)</script> & " + "я" * 5000)
    msg = await api.next_message(ALICE)
    assert "длинное" in msg.text
    assert not api.rejections


async def test_group_chat_gets_pointer_to_private(running_bot: RunningBot) -> None:
    api = running_bot.api
    group = {"id": -100500, "type": "group", "title": "Закупщики"}
    api.user_says(ALICE, "/start", chat=group)
    msg = await api.next_message(-100500)
    assert "@smebot_test_bot" in msg.text
    mark = api.mark()
    api.user_says(ALICE, "просто болтаем", chat=group)
    api.user_says(ALICE, "/help")
    reply = await api.next_message(ALICE, after=mark)
    assert "/start" in reply.text
    assert not [s for s in api.sent[mark:] if s.chat_id == -100500]


async def test_user_reactivated_when_writing_again(
    running_bot: RunningBot, session: AsyncSession
) -> None:
    from bot.services.users import set_active

    api = running_bot.api
    api.user_says(ALICE, "/start")
    await api.next_message(ALICE)
    await set_active(session, ALICE, False)
    mark = api.mark()
    api.user_says(ALICE, "/menu")
    await api.next_message(ALICE, after=mark)
    session.expire_all()
    user = (await session.execute(select(User).where(User.id == ALICE))).scalar_one()
    assert user.is_active
