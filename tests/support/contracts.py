"""Contract documents for the contract look-up tests: 44-FZ contracts, execution and
acceptance documents, 223-FZ contracts, written to a directory and imported."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.importer.batches import import_files
from bot.sources.files import parse_path

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
NUMBER = "2740000171526000234"
NS44 = 'xmlns="http://zakupki.gov.ru/oos/types/1" xmlns:ns2="http://zakupki.gov.ru/oos/export/1"'


def clock() -> datetime:
    return NOW


def execution_et(number: str = NUMBER) -> str:
    """A contractProcedure: one payment, then termination by agreement (status ET)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:export {NS44}><ns2:contractProcedure schemeVersion="7.5">
<id>1</id><regNum>{number}</regNum><publishDate>2026-10-20T10:00:00+05:00</publishDate>
<versionNumber>0</versionNumber>
<executions><stage><endDate>2026-09-30</endDate></stage><ordinalNumber>1</ordinalNumber>
<execution><payDoc><documentName>Платежное поручение</documentName>
<documentDate>2026-10-05</documentDate><documentNum>77</documentNum></payDoc>
<paid>1500.00</paid></execution></executions>
<termination><terminationDate>2026-10-19</terminationDate>
<reasonInfo>Стороны договорились</reasonInfo>
<reason><code>1</code><name>Соглашение сторон</name></reason></termination>
<currentContractStage>ET</currentContractStage>
</ns2:contractProcedure></ns2:export>
"""


def contract44(
    number: str = NUMBER,
    notice: str = "0169300000126000001",
    stage: str = "E",
    smp: bool = False,
    signed: str = "2026-09-01",
) -> str:
    status = "<otherInfo><statusInfo><code>30</code></statusInfo></otherInfo>" if smp else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:export {NS44}><ns2:contract schemeVersion="15.3">
<id>2</id><publishDate>2026-09-01T10:00:00+05:00</publishDate><versionNumber>0</versionNumber>
<foundation><fcsOrder><order><notificationNumber>{notice}</notificationNumber></order>
</fcsOrder></foundation>
<customer><fullName>МБОУ СОШ № 1</fullName><inn>7401001234</inn><kpp>740101001</kpp></customer>
<signDate>{signed}</signDate><regNum>{number}</regNum>
<priceInfo><price>3000.00</price><currency><code>RUB</code></currency></priceInfo>
<executionPeriod><startDate>{signed}</startDate><endDate>2027-12-31</endDate></executionPeriod>
<suppliersInfo><supplierInfo><legalEntityRF><EGRULInfo><fullName>ООО «Ромашка»</fullName>
<INN>7452000001</INN></EGRULInfo>{status}</legalEntityRF></supplierInfo></suppliersInfo>
<currentContractStage>{stage}</currentContractStage>
</ns2:contract></ns2:export>
"""


def acceptance(number: str, day: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:export {NS44}><ns2:contractProcedure schemeVersion="7.5">
<id>3</id><regNum>{number}</regNum><publishDate>{day}T10:00:00+05:00</publishDate>
<executions><ordinalNumber>1</ordinalNumber><execution>
<docExecution><documentName>Акт</documentName><documentDate>{day}</documentDate>
<documentNum>1</documentNum></docExecution></execution></executions>
<currentContractStage>E</currentContractStage>
</ns2:contractProcedure></ns2:export>
"""


def contract223(reg: str, record: str, notice: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:contract xmlns="http://zakupki.gov.ru/223fz/types/1"
 xmlns:ns2="http://zakupki.gov.ru/223fz/contract/1"><ns2:body><ns2:item>
<ns2:contractData><ns2:registrationNumber>{record}</ns2:registrationNumber>
<ns2:customer><mainInfo><fullName>АО «Завод»</fullName><inn>5010501819</inn>
<kpp>501001001</kpp></mainInfo></ns2:customer>
<ns2:contractRegNumber>{reg}</ns2:contractRegNumber>
<ns2:contractDate>2026-05-28</ns2:contractDate>
<ns2:purchaseNoticeInfo><ns2:purchaseNoticeNumber>{notice}</ns2:purchaseNoticeNumber>
</ns2:purchaseNoticeInfo>
<ns2:supplierInfo><name>ООО «Поставщик {record[-1]}»</name><inn>7700000001</inn></ns2:supplierInfo>
<ns2:price>1000.00</ns2:price><ns2:currency><code>RUB</code></ns2:currency>
<ns2:version>1</ns2:version>
</ns2:contractData></ns2:item></ns2:body></ns2:contract>
"""


def _write(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.xml").write_text(text, encoding="utf-8")


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession], directory: Path, **files: str
) -> None:
    _write(directory, files)
    summary = await import_files(sessionmaker, parse_path(directory), now=clock)
    assert summary.errors == []
