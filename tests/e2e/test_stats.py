"""/stats and the «📊 Статистика» button through the fake Bot API: chart photo, summary,
period and region buttons, CSV document, bad input and empty periods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.bot import RunningBot
from tests.support.demo import load_demo

USER = 3101


def attached(params: dict[str, Any], field: str) -> dict[str, Any]:
    """The uploaded file of `field` (aiogram sends 'attach://<name>' plus a file part)."""
    value = params[field]
    if isinstance(value, str) and value.startswith("attach://"):
        value = params[value.removeprefix("attach://")]
    assert isinstance(value, dict), value
    return value


async def test_stats_command_photo_summary_and_csv(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=60)
    api = running_bot.api
    api.user_says(USER, "/stats")
    photo = await api.next_message(USER, method="sendPhoto")
    image = attached(photo.params, "photo")
    assert image["filename"] == "stats.png" and image["size"] > 10_000
    assert "Челябинская область" in photo.text and "2026 год" in photo.text
    summary = await api.next_message(USER, method="sendMessage")
    assert "Процедуры:</b> 60 " in summary.text and "Контракты" in summary.text
    assert "Только для СМП" in summary.text and "Площадки" in summary.text
    labels = [b["text"] for b in summary.buttons()]
    assert "✅ Год" in labels and any("CSV" in label for label in labels)
    assert all(len(b["callback_data"].encode()) <= 64 for b in summary.buttons())

    mark = api.mark()
    qid = api.press(USER, summary, "CSV")
    await api.answer_of(qid)
    document = await api.next_message(USER, after=mark, method="sendDocument")
    csv_file = attached(document.params, "document")
    assert csv_file["filename"] == "stats_74_2026-01-01_2026-12-31.csv"
    assert csv_file["size"] > 100 and "CSV" in document.text

    mark = api.mark()
    qid = api.press(USER, summary, "Месяц")
    await api.answer_of(qid)
    await api.next_message(USER, after=mark, method="sendPhoto")
    month = await api.next_message(USER, after=mark, method="sendMessage")
    assert "ноябрь 2026" in month.text and "✅ Месяц" in [b["text"] for b in month.buttons()]

    mark = api.mark()
    qid = api.press(USER, month, "Вся Россия")
    await api.answer_of(qid)
    everywhere = await api.next_message(USER, after=mark, method="sendMessage")
    assert "вся Россия" in everywhere.text
    assert any("Мой регион" in b["text"] for b in everywhere.buttons())

    mark = api.mark()
    qid = api.press(USER, everywhere, "Свой период")
    await api.answer_of(qid)
    prompt = await api.next_message(USER, after=mark)
    assert "/stats" in prompt.text
    assert not api.rejections


async def test_menu_button_and_custom_period(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=40)
    api = running_bot.api
    api.user_says(USER, "/menu")
    menu = await api.next_message(USER)
    mark = api.mark()
    qid = api.press(USER, menu, "Статистика")
    answer = await api.answer_of(qid)
    assert "скоро" not in str(answer.get("text", "")).lower()
    await api.next_message(USER, after=mark, method="sendPhoto")
    summary = await api.next_message(USER, after=mark, method="sendMessage")
    assert "Статистика закупок" in summary.text

    mark = api.mark()
    api.user_says(USER, "/stats 74 2011 2026")  # 16 years: no «too long» any more (issue 17)
    await api.next_message(USER, after=mark, method="sendPhoto")
    years = await api.next_message(USER, after=mark, method="sendMessage")
    assert "01.01.2011 – 31.12.2026" in years.text, years.text

    mark = api.mark()
    api.user_says(USER, "/stats 74 01.10.2026 30.11.2026")
    custom = await api.next_message(USER, after=mark, method="sendMessage")
    assert "01.10.2026 – 30.11.2026" in custom.text
    mark = api.mark()
    qid = api.press(USER, custom, "CSV")
    await api.answer_of(qid)
    document = await api.next_message(USER, after=mark, method="sendDocument")
    assert attached(document.params, "document")["filename"] == "stats_74_2026-10-01_2026-11-30.csv"
    assert not api.rejections


async def test_bad_input_and_empty_periods(
    running_bot: RunningBot, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load_demo(sessionmaker, tmp_path, count=10)
    api = running_bot.api
    cases = [
        ("/stats 00", "Не знаю региона"),
        ("/stats 74 01.05.2026 01.01.2026", "позже"),
        ("/stats 74 1999", "раньше 2011"),
        ("/stats 74 2011 2099", "дальше"),
        ("/stats 74 вчера", "Не понял дату"),
    ]
    for command, expected in cases:
        mark = api.mark()
        api.user_says(USER, command)
        msg = await api.next_message(USER, after=mark)
        assert msg.method == "sendMessage" and expected in msg.text, (command, msg.text)
        assert "/stats [регион]" in msg.text
    for command in ("/stats 74 2015", "/stats 66"):
        mark = api.mark()
        api.user_says(USER, command)
        msg = await api.next_message(USER, after=mark)
        assert msg.method == "sendMessage" and "нет данных" in msg.text
        assert not any("CSV" in b["text"] for b in msg.buttons())
        await running_bot.idle()
    assert not [s for s in api.to_chat(USER) if s.method == "sendPhoto"]
    assert not api.rejections
