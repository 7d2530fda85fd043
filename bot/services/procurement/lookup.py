"""What a registry number names: a notice or a contract."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import NotFound
from bot.services.procurement.contracts import ContractCard, ContractList, find_contract
from bot.services.procurement.numbers import RegistryNumber
from bot.services.procurement.procedures import ProcedureCard, get_procedure


async def find_by_number(
    session: AsyncSession, registry: RegistryNumber, now: datetime
) -> ProcedureCard | ContractCard | ContractList | None:
    """What a registry number names: a notice, or a contract by any number it is known by
    (its registry number, a 223-ФЗ record's number, the notice it was concluded on)."""
    for kind in registry.kinds:
        try:
            if kind.startswith("notice"):
                return await get_procedure(session, registry.digits, now)
            return await find_contract(session, registry.digits, now.date())
        except NotFound:
            continue
    if not any(kind.startswith("contract") for kind in registry.kinds):
        try:  # a notice number the database knows only from its contracts
            return await find_contract(session, registry.digits, now.date())
        except NotFound:
            pass
    return None
