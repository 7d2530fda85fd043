"""Prompts that wait for typed input (settings values, «Цена до…», «Свой период») end to end:
commands, other buttons, a typed «Отмена» and an obvious question leave them; the values
they ask for are accepted there (QA report of a new user's first session)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.records import Sent
from tests.support.bot import RunningBot
from tests.support.consult import CONS, DeskAPI, DeskBot, rows

USER = 5001
SAVED = "Сохранено"
QUESTION = "какое обеспечение заявки для СМП"


def is_article(text: str) -> bool:
    return "обеспечение заявки" in text.lower() and "44-ФЗ" in text


async def say(api: FakeBotAPI, text: str) -> Sent:
    mark = api.mark()
    api.user_says(USER, text)
    return await api.next_message(USER, after=mark)


async def press(api: FakeBotAPI, sent: Sent, label: str) -> Sent:
    """Press a button that answers with a new message; returns it."""
    mark = api.mark()
    qid = api.press(USER, sent, label)
    await api.answer_of(qid)
    return await api.next_message(USER, after=mark)


async def settings_prompt(api: FakeBotAPI, label: str) -> Sent:
    shown = await say(api, "/settings")
    return await press(api, shown, label)


async def replies(bot: RunningBot, text: str) -> list[str]:
    """Every message the bot sends in answer to `text`, once it has finished."""
    api = bot.api
    mark = api.mark()
    api.user_says(USER, text)
    await api.next_message(USER, after=mark)
    await bot.idle()
    return [s.text for s in api.sent[mark:] if s.chat_id == USER]


# -------------------------------------------------------------- leaving a prompt
async def test_commands_leave_settings_prompts(running_bot: RunningBot) -> None:
    api = running_bot.api
    await settings_prompt(api, "Тихие часы")
    found = await say(api, "/find бумага")
    assert "бумага" in found.text
    hello = await replies(running_bot, "привет")
    assert not any("Тихие часы пишите" in t for t in hello), hello


@pytest.mark.parametrize("command", ["/help", "/start", "/menu", "/forget", "/settings"])
async def test_any_command_leaves_a_settings_prompt(running_bot: RunningBot, command: str) -> None:
    api = running_bot.api
    await settings_prompt(api, "Часовой пояс")
    await say(api, command)
    after = await replies(running_bot, QUESTION)
    assert not any("часовой пояс" in t.lower() for t in after), after
    assert is_article(after[0]), after


async def test_other_buttons_leave_settings_prompts(running_bot: RunningBot) -> None:
    api = running_bot.api
    menu = await say(api, "/menu")
    await settings_prompt(api, "Сроки")
    await press(api, menu, "Вопрос по закону")  # a menu button of an older message
    after = await replies(running_bot, "3д")
    assert not any(SAVED in t for t in after), after

    shown = await say(api, "/settings")
    await press(api, shown, "Тихие часы")
    await press(api, shown, "Сроки")  # another prompt replaces the first
    saved = await say(api, "за 2 дня")
    assert SAVED in saved.text and "2 дня" in saved.text, saved.text


@pytest.mark.parametrize("label", ["Сроки", "Часовой пояс", "Тихие часы"])
@pytest.mark.parametrize("word", ["Отмена", "отмена", "отменить", "cancel", "/cancel"])
async def test_typed_cancel_leaves_settings_prompts(
    running_bot: RunningBot, label: str, word: str
) -> None:
    api = running_bot.api
    await settings_prompt(api, label)
    cancelled = await replies(running_bot, word)
    assert cancelled == ["Хорошо, настройки не изменились."], cancelled
    after = await replies(running_bot, "привет")
    assert not any(SAVED in t or "Не знаю" in t or "пишите" in t for t in after), after


async def test_a_question_is_not_a_value(running_bot: RunningBot) -> None:
    api = running_bot.api
    await settings_prompt(api, "Тихие часы")
    answered = await replies(running_bot, "какое обеспечение заявки нужно для СМП?")
    assert "Похоже, это не время тихих часов" in answered[0], answered
    assert "ввод тихих часов отменён" in answered[0]
    assert any(is_article(t) for t in answered[1:]), answered
    await settings_prompt(api, "Часовой пояс")
    long = "мы выиграли аукцион а заказчик не подписывает контракт уже две недели что делать"
    answered = await replies(running_bot, long)
    assert "Похоже, это не часовой пояс" in answered[0], answered
    assert not any("Не знаю часовой пояс" in t for t in answered)


@pytest.mark.parametrize("word", ["Отмена", "отменить", "cancel"])
async def test_typed_cancel_leaves_the_consultation_dialogue(
    desk: DeskAPI,
    sessionmaker: async_sessionmaker[AsyncSession],
    word: str,
    desk_bot: DeskBot,
) -> None:
    desk.add_private_chat(CONS)
    bot = await desk_bot()
    prompt = await say(desk, "/consult")
    assert prompt.button("Отмена")
    assert await replies(bot, word) == ["Хорошо, вопрос консультанту не отправлен."]
    after = await replies(bot, QUESTION)
    assert is_article(after[0]), after
    assert await rows(sessionmaker) == []
    assert not [s for s in desk.sent if s.chat_id == CONS]


# ------------------------------------------------------------- typed values
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("500 000", "до 500\u202f000 ₽"),
        ("500000", "до 500\u202f000 ₽"),
        ("500 тыс", "до 500\u202f000 ₽"),
        ("1,5 млн", "до 1\u202f500\u202f000 ₽"),
        ("десять тысяч", "до 10\u202f000 ₽"),
        ("до 3 млн руб.", "до 3\u202f000\u202f000 ₽"),
    ],
)
async def test_price_typed_after_the_price_button(
    running_bot: RunningBot, typed: str, shown: str
) -> None:
    api = running_bot.api
    search = await say(api, "/find бумага")
    prompt = await press(api, search, "Цена до")
    assert "напишите сумму" in prompt.text
    result = await replies(running_bot, typed)
    assert len(result) == 1 and "бумага" in result[0] and shown in result[0], result
    after = await replies(running_bot, QUESTION)
    assert is_article(after[0]), after  # the price prompt is over


async def test_price_prompt_refuses_nonsense_and_cancels(running_bot: RunningBot) -> None:
    api = running_bot.api
    search = await say(api, "/find бумага")
    await press(api, search, "Цена до")
    refused = await replies(running_bot, "0")
    assert len(refused) == 1 and "Сумма «0» не подходит" in refused[0], refused
    assert "Не получилось разобрать" not in refused[0]
    assert await replies(running_bot, "Отмена") == ["Хорошо, фильтр цены остался прежним."]
    await press(api, search, "Цена до")
    mark = api.mark()
    qid = api.press(USER, search, "Только СМП")  # another filter leaves the prompt
    await api.answer_of(qid)
    await api.wait_for(lambda: len(api.sent) > mark)
    after = await replies(running_bot, QUESTION)
    assert is_article(after[0]), after


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("01.11.2026 30.11.2026", "ноябрь 2026"),
        ("ноябрь 2026", "ноябрь 2026"),
        ("01.10.2026 30.11.2026", "01.10.2026 – 30.11.2026"),
    ],
)
async def test_period_typed_after_the_custom_period_button(
    running_bot: RunningBot, typed: str, shown: str
) -> None:
    api = running_bot.api
    summary = await say(api, "/stats")
    prompt = await press(api, summary, "Свой период")
    assert "ноябрь 2026" in prompt.text
    result = await replies(running_bot, typed)
    assert any("Статистика закупок" in t and shown in t.lower() for t in result), result
    after = await replies(running_bot, QUESTION)
    assert is_article(after[0]), after


async def test_period_prompt_cancel_and_bad_dates(running_bot: RunningBot) -> None:
    api = running_bot.api
    summary = await say(api, "/stats")
    await press(api, summary, "Свой период")
    bad = await replies(running_bot, "вчера")
    assert "Не понял дату" in bad[0] and "Не получилось разобрать" not in bad[0], bad
    assert await replies(running_bot, "cancel") == ["Хорошо, период не выбран."]


# ---------------------------------------------------------------- commands
async def test_commands_for_other_bots_are_ignored(running_bot: RunningBot) -> None:
    api = running_bot.api
    group = {"id": -100500, "type": "supergroup", "title": "Закупщики"}
    api.user_says(USER, "/start@otherbot", chat=group)
    api.user_says(USER, "/help@OtherBot", chat=group)
    api.user_says(USER, "/start@otherbot")
    await running_bot.idle()
    assert not api.to_chat(-100500) and not api.to_chat(USER)

    welcome = await say(api, "/start@SmeBot_Test_Bot")  # our name, in any case
    assert "Здравствуйте" in welcome.text
    mark = api.mark()
    api.user_says(USER, "/start@smebot_test_bot", chat=group)
    group_hint = await api.next_message(-100500, after=mark)
    assert "личных сообщениях" in group_hint.text


async def test_upper_case_commands_and_a_lone_slash(running_bot: RunningBot) -> None:
    api = running_bot.api
    found = await say(api, "/FIND бумага")
    assert "бумага" in found.text and "не знаю" not in found.text
    slash = await say(api, "/")
    assert "/help" in slash.text and "Команду" not in slash.text


# ----------------------------------------------------------------- wording
async def test_settings_errors_say_what_is_wrong(running_bot: RunningBot) -> None:
    api = running_bot.api
    prompt = await settings_prompt(api, "Сроки")
    assert prompt.text.index("3д") < prompt.text.index("3d")
    assert "за 3 дня" in prompt.text
    for typed, expected in (
        ("0m", "Срок «0m» вне допустимого"),
        ("1,5 минуты", "не делится на целые минуты"),
        ("3x", "д (дни), ч (часы) или м (минуты)"),
    ):
        error = await say(api, typed)
        assert error.text.startswith(expected) or expected in error.text, error.text
        assert "Не получилось разобрать" not in error.text and "запрос" not in error.text
    saved = await say(api, "1,5 дня")
    assert SAVED in saved.text and "36 часов" in saved.text, saved.text
    await settings_prompt(api, "Часовой пояс")
    error = await say(api, "Марс")
    assert error.text.startswith("Не знаю часовой пояс «Марс»"), error.text
    await settings_prompt(api, "Тихие часы")
    error = await say(api, "с 25 до 7")
    assert error.text.startswith("В сутках 24 часа"), error.text
