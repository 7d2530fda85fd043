"""The numbers README gives a newcomer to try exist in the demo data `make run` loads, on any
date, and show what README says: an open notice with its auction day only, and a contract with
stages, acceptance and payments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.sources.demo import write_demo
from bot.sources.files import parse_path
from bot.sources.records import ContractRecord, ExecutionRecord, ProcedureRecord

README = Path(__file__).resolve().parent.parent / "README.md"
DATES = [
    datetime.now(UTC),
    datetime(2026, 3, 1, 10, 17, tzinfo=UTC),
    datetime(2027, 7, 15, 23, 59, tzinfo=UTC),
]


def _tried_numbers() -> tuple[str, str]:
    """The notice and the contract number of README's «First ten minutes» table."""
    table = README.read_text(encoding="utf-8").split("## First ten minutes", 1)[1]
    numbers = re.findall(r"^\| `(\d{19})` \|", table, flags=re.M)
    notices = [n for n in numbers if n.startswith("0")]
    contracts = [n for n in numbers if n.startswith("3")]
    assert len(notices) == 1 and len(contracts) == 1, numbers
    return notices[0], contracts[0]


@pytest.mark.parametrize("now", DATES, ids=lambda d: d.date().isoformat())
def test_readme_numbers_are_in_the_demo_data_on_any_date(tmp_path: Path, now: datetime) -> None:
    notice_no, contract_no = _tried_numbers()
    write_demo(tmp_path, 300, region="74", seed=2026, now=now)  # what `make run` loads
    docs = [doc for parsed in parse_path(tmp_path) for doc in parsed.documents]
    notice = next(d for d in docs if isinstance(d, ProcedureRecord) and d.number == notice_no)
    assert notice.applications_end is not None
    assert notice.applications_end > now + timedelta(days=7)  # open whenever it is tried
    assert notice.auction_on is not None  # a day without a time: «время не указано»
    assert notice.auction_at is None
    contract = next(d for d in docs if isinstance(d, ContractRecord) and d.number == contract_no)
    assert len(contract.stages) >= 2
    executions = [
        d for d in docs if isinstance(d, ExecutionRecord) and d.contract_number == contract_no
    ]
    assert any(e.acceptances for e in executions) and any(e.payments for e in executions)
