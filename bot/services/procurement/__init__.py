"""Look up procedures and contracts by registry number; search procedures by words.

`numbers` (registry numbers in text, EIS addresses), `procedures` (a notice's card),
`contracts` (a contract's card, the payment term), `lookup` (what a number names), `search`
(keyword search)."""

from bot.services.procurement.contracts import (
    CONTRACT_STATUS_WORDS,
    CONTRACTS_SHOWN,
    EXECUTION_ORDER,
    PAYMENT_DAYS,
    ContractBrief,
    ContractCard,
    ContractList,
    FactView,
    StageView,
    contracts_of_procedure,
    execution_status,
    find_contract,
    get_contract,
    payment_due,
    same_contract,
)
from bot.services.procurement.lookup import find_by_number
from bot.services.procurement.numbers import (
    RegistryNumber,
    classify,
    contract_url,
    eis_url,
    find_registry_number,
    looks_like_partial_number,
)
from bot.services.procurement.procedures import (
    STATUS_WORDS,
    LotView,
    ProcedureCard,
    get_procedure,
    procedure_status,
    procedure_with_status,
)
from bot.services.procurement.search import (
    COUNT_CAP,
    ProcedureBrief,
    SearchFilters,
    SearchPage,
    search_procedures,
    similar_words,
)

__all__ = [
    "CONTRACTS_SHOWN",
    "CONTRACT_STATUS_WORDS",
    "COUNT_CAP",
    "EXECUTION_ORDER",
    "PAYMENT_DAYS",
    "STATUS_WORDS",
    "ContractBrief",
    "ContractCard",
    "ContractList",
    "FactView",
    "LotView",
    "ProcedureBrief",
    "ProcedureCard",
    "RegistryNumber",
    "SearchFilters",
    "SearchPage",
    "StageView",
    "classify",
    "contract_url",
    "contracts_of_procedure",
    "eis_url",
    "execution_status",
    "find_by_number",
    "find_contract",
    "find_registry_number",
    "get_contract",
    "get_procedure",
    "looks_like_partial_number",
    "payment_due",
    "procedure_status",
    "procedure_with_status",
    "same_contract",
    "search_procedures",
    "similar_words",
]
