"""The rate-limited sender against the fake Bot API over real HTTP."""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot

from bot.app import build_bot
from bot.config import Settings
from bot.outcome import Outcome
from bot.telegram.outbox import (
    LATE,
    PACING,
    Delivery,
    DeliveryStats,
    Outgoing,
    TokenBucket,
    burst_capacity,
)
from tests.fakebotapi import FakeBotAPI


@pytest.fixture
async def bot(fake_api: FakeBotAPI, settings: Settings) -> AsyncIterator[Bot]:
    bot = build_bot(settings.model_copy(update={"bot_api_url": fake_api.url}), fake_api.token)
    yield bot
    await bot.session.close()


class Journal:
    """Records the callbacks: every id must be marked sending before its outcome."""

    def __init__(self) -> None:
        self.sending: list[int] = []
        self.done: list[Outcome] = []

    async def on_tick(self, ids: list[int], outcomes: list[Outcome]) -> None:
        assert not set(ids) & set(self.sending), "an id was handed to Telegram twice"
        for o in outcomes:
            assert o.id in self.sending and o.id not in {d.id for d in self.done}
        self.done.extend(outcomes)
        self.sending.extend(ids)

    def by_id(self) -> dict[int, Outcome]:
        return {o.id: o for o in self.done}


async def _deliver(delivery: Delivery, messages: list[Outgoing]) -> tuple[Journal, DeliveryStats]:
    journal = Journal()
    stats = await delivery.deliver(messages, on_tick=journal.on_tick)
    return journal, stats


def _simulate(
    limit: float, capacity: float, seconds: float, seed: int, idle: float = 0.0
) -> list[float]:
    """Send times of a sender loop that wakes when the next token is due, up to LATE
    seconds late, and now and then sleeps long (idle: the bucket fills up)."""
    rng = random.Random(seed)
    paced = limit * PACING
    bucket = TokenBucket(paced, capacity, 0.0)
    now, sent = 0.0, []
    while now < seconds:
        take = int(bucket.refill(now))
        bucket.tokens -= take
        sent += [now] * take
        pause = rng.uniform(0.5, 3.0) if rng.random() < idle else bucket.wait_time(now)
        now += pause + rng.uniform(0, LATE)
    return sent


@pytest.mark.parametrize("limit", [1, 5, 20, 25, 30, 50, 100, 200])
def test_no_window_of_a_second_exceeds_the_limit_and_lateness_is_not_lost(limit: int) -> None:
    sent = _simulate(limit, burst_capacity(limit, limit * PACING), 200.0, seed=limit, idle=0.01)
    worst = max(bisect.bisect_left(sent, t + 1.0) - i for i, t in enumerate(sent))
    assert worst <= limit
    steady = _simulate(limit, burst_capacity(limit, limit * PACING), 100.0, seed=0)
    # the paced rate is kept although every wake-up is late (up to LATE seconds)
    clipped = _simulate(limit, 1.0, 100.0, seed=0)  # the old cap: lateness thrown away
    assert len(steady) / steady[-1] >= limit * PACING * 0.99
    if burst_capacity(limit, limit * PACING) > 1 > limit * (1 - PACING):
        assert len(clipped) < len(steady) * 0.99


async def test_total_and_per_chat_limits_are_kept(
    fake_api: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.send_limit = 20
    fake_api.per_chat_interval = 1.0
    chats = list(range(1000, 1040))
    for chat in chats:
        fake_api.add_private_chat(chat)
    messages = [Outgoing(i, chat, f"сообщение {i}") for i, chat in enumerate(chats)]
    messages += [Outgoing(100 + i, chats[0], f"ещё {i}") for i in range(3)]  # one chat thrice
    # the limits are checked where the sender issues its requests: the fake runs in this
    # process, and a busy machine bunches the arrivals it times (a 429 from it then is noise,
    # which the sender must still survive without a loss or a double)
    issued: list[tuple[float, int]] = []
    request = bot.session.make_request

    async def recorded(bot_: Bot, method: Any, timeout: int | None = None) -> Any:
        issued.append((time.monotonic(), int(method.chat_id)))
        return await request(bot_, method, timeout)

    monkeypatch.setattr(bot.session, "make_request", recorded)
    started = time.monotonic()
    # the rate a deployment configures under Telegram's limit (SEND_RATE 25 for ~30/s)
    journal, stats = await _deliver(Delivery(bot, rate=17), messages)
    elapsed = time.monotonic() - started
    assert stats.sent == 43
    assert all(d.startswith("Too Many Requests") for _, d in fake_api.rejections), (
        fake_api.rejections
    )
    assert len(journal.done) == 43 and {o.status for o in journal.done} == {"sent"}
    assert elapsed >= 42 / 17 * 0.9  # paced, not bursted
    times = [t for t, _ in issued]
    assert max(bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)) <= 20
    for chat in chats:
        mine = [t for t, c in issued if c == chat]
        assert all(b - a >= 0.99 for a, b in itertools.pairwise(mine)), (chat, mine)
    to_first = [s for s in fake_api.sent if s.chat_id == chats[0]]
    assert len(to_first) == 4


async def test_429_waits_retry_after_and_sends_once(fake_api: FakeBotAPI, bot: Bot) -> None:
    for chat in (1, 2, 3):
        fake_api.add_private_chat(chat)
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    _journal, stats = await _deliver(
        Delivery(bot, rate=50), [Outgoing(i, i, f"текст {i}") for i in (1, 2, 3)]
    )
    assert time.monotonic() - started >= 0.9
    assert stats.throttled == 1 and stats.sent == 3
    assert sorted(s.chat_id for s in fake_api.sent) == [1, 2, 3]


async def test_blocked_and_unknown_chats_are_not_retried(fake_api: FakeBotAPI, bot: Bot) -> None:
    fake_api.add_private_chat(1)
    fake_api.add_private_chat(2)
    fake_api.blocked.add(2)
    journal, _ = await _deliver(
        Delivery(bot, rate=50),
        [Outgoing(1, 1, "a"), Outgoing(2, 2, "b"), Outgoing(3, 999, "c")],  # 999: no such chat
    )
    outcomes = journal.by_id()
    assert outcomes[1].status == "sent" and outcomes[1].message_id
    assert outcomes[2].status == "blocked" and outcomes[2].attempts == 1
    assert outcomes[3].status == "blocked" and "chat not found" in outcomes[3].error
    assert fake_api.calls.count("sendMessage") == 3


async def test_server_errors_are_retried_with_backoff_up_to_a_bound(
    fake_api: FakeBotAPI, bot: Bot
) -> None:
    fake_api.add_private_chat(1)
    fake_api.add_private_chat(2)
    fake_api.fail_next("sendMessage", 500, chat_id=1, count=2)
    fake_api.fail_next("sendMessage", 502, chat_id=2, count=10)
    journal, stats = await _deliver(
        Delivery(bot, rate=50, max_attempts=3, backoff=0.01),
        [Outgoing(1, 1, "a"), Outgoing(2, 2, "b")],
    )
    outcomes = journal.by_id()
    assert outcomes[1].status == "sent" and outcomes[1].attempts == 3
    assert outcomes[2].status == "retry" and outcomes[2].attempts == 3
    assert stats.server_errors == 5
    assert [s.chat_id for s in fake_api.sent] == [1]


async def test_html_the_fake_rejects_is_a_failure_not_a_crash(
    fake_api: FakeBotAPI, bot: Bot
) -> None:
    fake_api.add_private_chat(1)
    journal, _ = await _deliver(Delivery(bot, rate=50), [Outgoing(1, 1, "<div>x</div>")])
    assert journal.by_id()[1].status == "failed"


async def test_stop_finishes_in_flight_and_starts_nothing_new(
    fake_api: FakeBotAPI, bot: Bot
) -> None:
    for chat in range(1, 11):
        fake_api.add_private_chat(chat)
    delivery = Delivery(bot, rate=5)
    journal = Journal()

    async def on_tick(ids: list[int], outcomes: list[Outcome]) -> None:
        await journal.on_tick(ids, outcomes)
        if len(journal.done) >= 3:
            delivery.stop()

    await delivery.deliver(
        [Outgoing(i, i, "x") for i in range(1, 11)],
        on_tick=on_tick,
    )
    assert 3 <= len(journal.done) < 10 and len(journal.done) == len(journal.sending)
    assert len(fake_api.sent) == len(journal.done)


async def test_nothing_goes_out_before_its_mark_is_committed_and_stop_sends_the_marked(
    fake_api: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox write runs beside the sending (a slow commit here): still no message reaches
    Telegram before the write that marked it has finished; a stop sends every marked row and
    leaves the rest unmarked."""
    import asyncio

    chats = {i: 3000 + i for i in range(60)}
    for chat in chats.values():
        fake_api.add_private_chat(chat)
    committed: set[int] = set()
    journal = Journal()

    async def slow_commit(ids: list[int], outcomes: list[Outcome]) -> None:
        await asyncio.sleep(0.03)
        await journal.on_tick(ids, outcomes)
        committed.update(chats[i] for i in ids)

    real_send = bot.send_message
    early: list[int] = []

    async def send_message(chat_id: int, text: str, **kwargs: object) -> object:
        if chat_id not in committed:
            early.append(chat_id)
        return await real_send(chat_id, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot, "send_message", send_message)
    delivery = Delivery(bot, rate=50)
    messages = [Outgoing(i, chat, f"сообщение {i}") for i, chat in chats.items()]

    async def stop_soon() -> None:
        await fake_api.wait_for(lambda: len(fake_api.sent) >= 20, timeout=30)
        delivery.stop()

    stopper = asyncio.create_task(stop_soon())
    stats = await delivery.deliver(messages, on_tick=slow_commit)
    await stopper
    assert early == []
    assert 20 <= stats.sent < len(messages)  # stopped part-way
    assert set(journal.sending) == set(journal.by_id())  # every marked row was sent
    assert len(fake_api.sent) == stats.sent
