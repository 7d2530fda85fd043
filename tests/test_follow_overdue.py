"""A contract whose payment is overdue can be followed (issue 18): it is exactly the one a
supplier wants to watch until it is paid or its next stage comes."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import Refused
from bot.services.procurement import ContractCard
from bot.services.reminders import subscriptions, targets
from tests.factories import NOW, add_user
from tests.template_samples import CONTRACT
from tests.test_reminders import DEFAULTS

USER = 4242
PAST = dataclasses.replace(
    CONTRACT,
    execution_end=date(2026, 11, 10),
    payment_due=date(2026, 11, 20),
    payment_overdue=True,
    terminated_on=None,
    termination_reason=None,
)


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> list[ContractCard]:
    shown = [PAST]

    async def fake(_session: AsyncSession, _number: str, _today: date) -> ContractCard:
        return shown[0]

    monkeypatch.setattr(targets, "get_contract", fake)
    return shown


@pytest.mark.usefixtures("card")
async def test_overdue_payment_can_be_followed(session: AsyncSession) -> None:
    assert PAST.payment_due is not None
    assert NOW.date() > PAST.payment_due  # every deadline is behind
    await add_user(session, USER)
    followed = await subscriptions.subscribe(session, USER, "contract", PAST.number, DEFAULTS, NOW)
    assert followed.created and followed.view.active


async def test_paid_contract_with_nothing_ahead_is_still_refused(
    session: AsyncSession, card: Any
) -> None:
    card[0] = dataclasses.replace(PAST, payment_due=None, payment_overdue=False)
    await add_user(session, USER)
    with pytest.raises(Refused):
        await subscriptions.subscribe(session, USER, "contract", PAST.number, DEFAULTS, NOW)
