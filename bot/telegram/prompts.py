"""Input modes: a prompt whose FSM state makes the user's next text message its answer
(settings values, the search price limit, a statistics period).

One mechanism leaves them all (InputModeMiddleware in bot/middlewares.py, on the dispatcher):
while such a state is set,
- a command, or a press of a button that is not the prompt's own, leaves the mode quietly,
  and the command or button works as usual;
- the cancel button's label typed («Отмена», «отменить», «cancel») or /cancel leaves it with
  a note and nothing else happens;
- a message that clearly is no answer (a question with «?», a long text) leaves it with a
  note, then is handled as an ordinary message.

The consultation dialogue has its own handling (handlers/consult/dialogue.py) and shares
`is_cancel` with it."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import Message

CANCEL_WORDS = frozenset({"отмена", "отменить", "отмени", "cancel", "/cancel"})
LONG_TEXT = 12  # words: no value a prompt asks for is this long
LONG_WORDS = 5  # words without a single digit: no time, amount or period either


def is_cancel(text: str | None) -> bool:
    """«Отмена» (the label of the cancel buttons), «отменить», «cancel» or /cancel[@bot]."""
    word = (text or "").strip().lower().rstrip(".!")
    if word.startswith("/"):
        word = word.split()[0].split("@", 1)[0]
    return word in CANCEL_WORDS


async def cancel_word(message: Message) -> bool:
    """Filter form of `is_cancel` for the message's text (async: see bot/sync_filters.py)."""
    return is_cancel(message.text)


def not_an_answer(text: str) -> bool:
    """A question or a long text, not a value: «какое обеспечение нужно?»."""
    words = text.split()
    has_digit = any(ch.isdigit() for ch in text)
    return "?" in text or len(words) >= LONG_TEXT or (len(words) >= LONG_WORDS and not has_digit)


def own_buttons(cb: type[CallbackData], *ops: str) -> tuple[str, ...]:
    """Packed-data prefixes of the buttons `cb(op=…)` (their first field is `op`)."""
    return tuple(f"{cb.__prefix__}{cb.__separator__}{op}{cb.__separator__}" for op in ops)


@dataclass(frozen=True, slots=True)
class Prompt:
    """An input mode: `kind` names the value in the templates (common/input_cancelled,
    common/not_an_answer); `own` are the prompt's own buttons (see `own_buttons`)."""

    kind: str
    own: tuple[str, ...] = ()

    def owns(self, data: str | None) -> bool:
        return bool(data) and bool(self.own) and f"{data}:".startswith(self.own)
