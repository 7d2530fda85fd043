"""Outgoing messages at Telegram's limits: one sender for reminders, digests and news.

* `rate` messages per second in total: a token bucket paced at 98 % of `rate` holding at most
  the other 2 % (paced rate + burst = `rate`; at low rates one token and a little slack, see
  `burst_capacity`), so a one-second window on Telegram's side never sees more than `rate`
  (bigger bursts queue up at the server and arrive bunched: measured);
  at most one message per chat per `per_chat_interval` seconds;
* 429: every send waits `retry_after` (a global pause), then the message is retried;
* 403 (blocked, deactivated) and «chat not found» (`ErrorKind.BLOCKED`, `GONE`): outcome
  `blocked`, never retried;
* 5xx and network errors: retried with exponential back-off up to `max_attempts`, then
  outcome `retry` (the caller puts the row back in the outbox for later);
* other 4xx: outcome `failed`.

`deliver()` reports progress through one callback at a time so the caller can keep its
outbox exact in one transaction: `on_tick(sending_ids, outcomes)` marks the next look-ahead
(`LOOKAHEAD` seconds of sending: claim → sending) and carries the answers Telegram gave since
the previous call (sending → sent / failed / pending); a message goes out only after the call
that marked it has returned. One writer, no lock contention.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup

from bot.outcome import Outcome, OutcomeStatus
from bot.telegram.errors import ErrorKind, classify

log = logging.getLogger("smebot.delivery")
PACING = 0.98  # stay just under the configured rate: clocks and networks jitter
MIN_TICK = 0.01  # the sender loop wakes at most ~100 times a second (one DB write each)
LATE = 0.01  # seconds: how late the sender loop may wake after a token is due
SLACK = 0.05  # a window's worst case stays this far under `floor(limit) + 1` sends
LOOKAHEAD = 0.2  # seconds of sending marked in the outbox ahead of the limiter (covers a claim)


@dataclass(frozen=True, slots=True)
class Outgoing:
    id: int
    chat_id: int
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass
class DeliveryStats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retry: int = 0
    throttled: int = 0  # 429 answers seen
    server_errors: int = 0  # 5xx and network errors seen
    skipped: int = 0  # claimed by another sender meanwhile (lease expired): not sent here
    started: float = 0.0
    finished: float = 0.0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = min(1.0, capacity)
        self.updated = now
        self.overflow = 0.0  # tokens that came while the bucket was full (unused capacity)

    def refill(self, now: float) -> float:
        tokens = self.tokens + (now - self.updated) * self.rate
        self.overflow += max(0.0, tokens - self.capacity)
        self.tokens = min(self.capacity, tokens)
        self.updated = now
        return self.tokens

    def wait_time(self, now: float) -> float:
        missing = 1.0 - self.refill(now)
        return max(0.0, missing / self.rate)


def burst_capacity(limit: float, paced: float) -> float:
    """The most tokens the limiter may save up: the rest of the limit above the paced rate,
    or at low rates one token plus `LATE` seconds' worth, whichever is more.

    A bucket capped at exactly one token throws away the millisecond or two by which the
    sender loop wakes after every token is due (measured: 2.4 % of the limit at 25/s). Sends
    in any window shorter than a second number at most `capacity + paced`, and sends are
    whole, so that sum is kept under `floor(limit) + 1`: no window exceeds the limit."""
    ceiling = math.floor(limit) + 1 - SLACK - paced
    return max(1.0, min(ceiling, max(limit - paced, 1.0 + paced * LATE)))


# returns the ids it marked sending (None: all of them); only those are sent
OnTick = Callable[[list[int], list[Outcome]], Coroutine[Any, Any, Collection[int] | None]]
Refill = Callable[[], Coroutine[Any, Any, list["Outgoing"]]]


class Delivery:
    def __init__(
        self,
        bot: Bot,
        *,
        rate: float = 25.0,
        per_chat_interval: float = 1.0,
        max_attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        timer: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.rate = rate * PACING
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.timer = timer
        self.sleep = sleep
        self.bucket = TokenBucket(self.rate, burst_capacity(rate, self.rate), timer())
        self.paused_until = 0.0
        self.chat_next: dict[int, float] = {}
        self._stopping = False

    def stop(self) -> None:
        """Finish the messages in flight, start no new ones."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------ one message
    async def _acquire(self) -> None:
        """Wait for a token and for any global 429 pause (used by retries)."""
        while True:
            now = self.timer()
            if now < self.paused_until:
                await self.sleep(self.paused_until - now)
                continue
            wait = self.bucket.wait_time(now)
            if wait <= 0:
                self.bucket.tokens -= 1.0
                return
            await self.sleep(max(wait, MIN_TICK))

    async def _send(self, msg: Outgoing, stats: DeliveryStats) -> Outcome:
        attempts = 0
        throttled = 0
        while True:
            attempts += 1
            try:
                sent = await self.bot.send_message(
                    msg.chat_id, msg.text, reply_markup=msg.reply_markup
                )
                return Outcome(
                    msg.id, OutcomeStatus.SENT, sent.message_id, "", attempts, msg.chat_id
                )
            except Exception as exc:  # never let one message kill the sender
                kind = classify(exc)
                if isinstance(exc, TelegramRetryAfter):
                    stats.throttled += 1
                    throttled += 1
                    attempts -= 1  # a 429 is Telegram asking us to wait, not a failed attempt
                    if exc.retry_after > self.max_retry_after or throttled > 20:
                        return Outcome(
                            msg.id, OutcomeStatus.RETRY, None, "429 flood wait", 1, msg.chat_id
                        )
                    self.paused_until = max(self.paused_until, self.timer() + exc.retry_after)
                elif kind is ErrorKind.TRANSIENT:
                    stats.server_errors += 1
                    if attempts >= self.max_attempts:
                        return Outcome(
                            msg.id, OutcomeStatus.RETRY, None, str(exc)[:150], attempts, msg.chat_id
                        )
                    await self.sleep(min(self.max_backoff, self.backoff * 2 ** (attempts - 1)))
                else:
                    return self._final(msg, exc, kind, attempts)
            await self._acquire()

    @staticmethod
    def _final(msg: Outgoing, exc: Exception, kind: ErrorKind, attempts: int) -> Outcome:
        """An answer that is never retried: the chat is blocked or gone, or the send failed."""
        if not isinstance(exc, TelegramBadRequest | TelegramForbiddenError):
            log.exception("unexpected error sending reminder %s", msg.id)
            return Outcome(
                msg.id, OutcomeStatus.FAILED, None, repr(exc)[:150], attempts, msg.chat_id
            )
        gone = kind in (ErrorKind.BLOCKED, ErrorKind.GONE)
        status = OutcomeStatus.BLOCKED if gone else OutcomeStatus.FAILED
        return Outcome(msg.id, status, None, exc.message[:150], attempts, msg.chat_id)

    # ------------------------------------------------------------ a batch
    def _take(self, pending: deque[Outgoing], busy: set[int], now: float) -> list[Outgoing]:
        """The messages that may go now: tokens available, chat free and not too soon."""
        budget = int(self.bucket.refill(now))
        group: list[Outgoing] = []
        skipped: list[Outgoing] = []
        while pending and len(group) < budget and len(skipped) < 1000:
            msg = pending.popleft()
            if msg.chat_id in busy or self.chat_next.get(msg.chat_id, 0.0) > now:
                skipped.append(msg)
                continue
            group.append(msg)
            busy.add(msg.chat_id)
            self.chat_next[msg.chat_id] = now + self.per_chat_interval
        pending.extendleft(reversed(skipped))
        self.bucket.tokens -= len(group)
        return group

    def _forget_old_chats(self, now: float) -> None:
        if len(self.chat_next) > 10_000:
            self.chat_next = {c: t for c, t in self.chat_next.items() if t > now}

    def _next_wake(self, ready: deque[Outgoing], now: float) -> float:
        if now < self.paused_until:
            return self.paused_until - now
        if not ready:
            return MIN_TICK
        wait = self.bucket.wait_time(now)
        head = self.chat_next.get(ready[0].chat_id, 0.0) - now
        return max(MIN_TICK, wait if wait > 0 else max(head, MIN_TICK))

    async def deliver(  # noqa: C901  (one send loop: admission, outcomes, retries; to be split with bot/telegram)
        self,
        messages: Sequence[Outgoing],
        *,
        on_tick: OnTick,
        refill: Refill | None = None,
        low_water: int = 0,
    ) -> DeliveryStats:
        """Send `messages`; with `refill`, ask for more in the background whenever fewer than
        `low_water` wait, so claiming the next batch never stalls the sending.

        The outbox write runs beside the sending: while the messages marked *sending* by the
        last committed `on_tick` go out, the next look-ahead (LOOKAHEAD seconds of sending) is
        being marked, so a slow commit does not leave the limiter idle. A message is only ever
        sent after the commit that marked it; on `stop()` the marked ones are still sent."""
        stats = DeliveryStats(started=self.timer())
        pending: deque[Outgoing] = deque(messages)
        ready: deque[Outgoing] = deque()  # marked sending (committed): may go now
        marked: list[Outgoing] = []  # being marked by `marking`
        marking: asyncio.Task[Collection[int] | None] | None = None
        lookahead = max(1, round(self.rate * LOOKAHEAD))
        inflight: dict[asyncio.Task[Outcome], Outgoing] = {}
        busy: set[int] = set()
        answered: list[Outcome] = []
        more: asyncio.Task[list[Outgoing]] | None = None
        exhausted = refill is None

        def finished(task: asyncio.Task[Outcome]) -> None:
            msg = inflight.pop(task)
            busy.discard(msg.chat_id)
            if not task.cancelled():
                outcome = task.result()
                stats.count(outcome)
                answered.append(outcome)

        try:
            while True:
                if more is not None and more.done():
                    batch = more.result()
                    more = None
                    exhausted = not batch
                    pending.extend(batch)
                if (
                    refill is not None
                    and more is None
                    and not exhausted
                    and not self._stopping
                    and len(pending) <= low_water
                ):
                    more = asyncio.create_task(refill())
                if marking is not None and marking.done():
                    allowed = marking.result()  # an outbox write that failed stops delivery
                    if allowed is None:
                        ready.extend(marked)
                    else:  # rows no longer claimed by this sender are never sent by it
                        kept = set(allowed)
                        ready.extend(m for m in marked if m.id in kept)
                        stats.skipped += sum(1 for m in marked if m.id not in kept)
                    marked, marking = [], None
                if marking is None:
                    take: list[Outgoing] = []
                    while not self._stopping and pending and len(ready) + len(take) < lookahead:
                        take.append(pending.popleft())
                    if take or answered:
                        done_now = answered[:]
                        answered.clear()
                        marked = take
                        # committed before these messages' HTTP calls: the claim/confirm
                        # protocol; runs while the already marked ones are being sent
                        marking = asyncio.create_task(on_tick([m.id for m in take], done_now))
                now = self.timer()
                if ready and now >= self.paused_until:
                    for msg in self._take(ready, busy, now):
                        task = asyncio.create_task(self._send(msg, stats))
                        inflight[task] = msg
                        task.add_done_callback(finished)
                waiting = pending and not self._stopping
                if (
                    not waiting
                    and not ready
                    and not inflight
                    and more is None
                    and marking is None
                    and not answered
                ):
                    break
                # while a mark is being written, look in again soon to pick it up
                wake = MIN_TICK if marking is not None else self._next_wake(ready, now)
                await self.sleep(max(0.001, wake))
                self._forget_old_chats(now)
        finally:
            for task in list(inflight):  # only on cancellation: the process is going down
                task.cancel()
            if more is not None and not more.done():
                more.cancel()
            if marking is not None and not marking.done():
                marking.cancel()
        stats.finished = self.timer()
        return stats
