# ruff: noqa: E501  (XML templates read best on one line per element)
"""Demo data: realistic EIS-format XML (44-ФЗ notices, contracts, execution documents) for a
region, written to files that go through the same importer as real data."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

T = TypeVar("T")

NS = (
    'xmlns="http://zakupki.gov.ru/oos/types/1" xmlns:ns2="http://zakupki.gov.ru/oos/base/1" '
    'xmlns:ns3="http://zakupki.gov.ru/oos/export/1" xmlns:ns4="http://zakupki.gov.ru/oos/common/1" '
    'xmlns:ns5="http://zakupki.gov.ru/oos/EPtypes/1"'
)
# Chelyabinsk region and its neighbours share UTC+5; Moscow-time regions use +3.
REGION_OFFSETS = {"74": 5, "66": 5, "02": 5, "72": 5, "45": 5, "77": 3, "78": 3, "50": 3}
REGION_TOWNS = {
    "74": ["Челябинска", "Магнитогорска", "Златоуста", "Миасса", "Копейска", "Троицка"],
    "66": ["Екатеринбурга", "Нижнего Тагила", "Каменска-Уральского"],
    "77": ["Москвы"],
}
OBJECTS = [
    ("Поставка офисной бумаги формата А4", "17.12.14.110", "Бумага для печати"),
    ("Поставка картриджей для лазерных принтеров", "20.59.12.120", "Картриджи"),
    (
        "Поставка продуктов питания (молочная продукция) для школьной столовой",
        "10.51.11.110",
        "Молоко",
    ),
    ("Поставка мяса и мясной продукции", "10.11.31.110", "Мясо"),
    ("Выполнение работ по ремонту кровли здания школы", "43.91.19.110", "Кровельные работы"),
    ("Выполнение работ по капитальному ремонту спортивного зала", "41.20.40.900", "Ремонт"),
    ("Оказание услуг по уборке помещений", "81.21.10.000", "Уборка"),
    ("Оказание услуг охраны объектов", "80.10.12.000", "Охрана"),
    ("Поставка компьютерной техники (ноутбуки, мониторы)", "26.20.11.110", "Ноутбуки"),
    ("Поставка лекарственных препаратов", "21.20.10.190", "Лекарства"),
    ("Поставка медицинских изделий (шприцы, перчатки)", "32.50.13.190", "Медизделия"),
    ("Поставка мебели для учебных классов", "31.01.12.160", "Мебель"),
    ("Оказание услуг по техническому обслуживанию автомобилей", "45.20.11.000", "ТО автомобилей"),
    ("Поставка бензина автомобильного АИ-92", "19.20.21.100", "Бензин"),
    ("Выполнение работ по благоустройству дворовой территории", "42.99.29.000", "Благоустройство"),
    ("Выполнение работ по ремонту автомобильной дороги", "42.11.20.000", "Ремонт дорог"),
    ("Поставка канцелярских товаров", "32.99.12.110", "Канцтовары"),
    ("Оказание услуг по организации питания обучающихся", "56.29.20.000", "Питание"),
    ("Поставка хозяйственных товаров и моющих средств", "20.41.32.110", "Моющие средства"),
    ("Оказание услуг связи и доступа к сети Интернет", "61.10.30.000", "Интернет"),
    ("Поставка спецодежды", "14.12.11.000", "Спецодежда"),
    ("Выполнение работ по монтажу системы видеонаблюдения", "43.21.10.290", "Видеонаблюдение"),
    ("Поставка учебной литературы", "58.11.13.000", "Учебники"),
    ("Оказание услуг по вывозу твердых коммунальных отходов", "38.11.21.000", "Вывоз ТКО"),
    ("Поставка строительных материалов", "23.61.11.000", "Стройматериалы"),
]
CUSTOMER_KINDS = [
    'МУНИЦИПАЛЬНОЕ БЮДЖЕТНОЕ ОБЩЕОБРАЗОВАТЕЛЬНОЕ УЧРЕЖДЕНИЕ "СРЕДНЯЯ ОБЩЕОБРАЗОВАТЕЛЬНАЯ ШКОЛА № {n} Г. {town}"',
    'МУНИЦИПАЛЬНОЕ ДОШКОЛЬНОЕ ОБРАЗОВАТЕЛЬНОЕ УЧРЕЖДЕНИЕ "ДЕТСКИЙ САД № {n} Г. {town}"',
    'ГОСУДАРСТВЕННОЕ БЮДЖЕТНОЕ УЧРЕЖДЕНИЕ ЗДРАВООХРАНЕНИЯ "ГОРОДСКАЯ БОЛЬНИЦА № {n} Г. {town}"',
    "АДМИНИСТРАЦИЯ ГОРОДА {town}",
    'МУНИЦИПАЛЬНОЕ КАЗЕННОЕ УЧРЕЖДЕНИЕ "УПРАВЛЕНИЕ ЖИЛИЩНО-КОММУНАЛЬНОГО ХОЗЯЙСТВА Г. {town}"',
    'ГОСУДАРСТВЕННОЕ АВТОНОМНОЕ УЧРЕЖДЕНИЕ КУЛЬТУРЫ "ДОМ КУЛЬТУРЫ № {n} Г. {town}"',
]
SUPPLIERS = [
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "УРАЛСНАБ"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЮЖУРАЛСТРОЙ"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ТЕХНОКОМ"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ОФИС-ПЛЮС"',
    'АКЦИОНЕРНОЕ ОБЩЕСТВО "ЧЕЛЯБИНСКАЯ ФАРМАЦИЯ"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЧИСТЫЙ ГОРОД"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "МЕДТЕХСЕРВИС"',
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "АВТОЛИДЕР"',
]
METHODS = [("EAP20", "Электронный аукцион", 0.7), ("ZKP20", "Запрос котировок в электронной форме", 0.2),
           ("OKP20", "Открытый конкурс в электронной форме", 0.1)]  # fmt: skip
PLATFORMS = [
    ("ETP_RTS", "РТС-тендер", "http://www.rts-tender.ru", 0.66),
    ("ETP_SBAST", "Сбербанк-АСТ", "http://www.sberbank-ast.ru", 0.2),
    ("ETP_EETP", "РОСЭЛТОРГ (АО«ЕЭТП»)", "http://roseltorg.ru", 0.1),
    ("ETP_MMVB", "ЭТП ГПБ", "http://etpgpb.ru", 0.04),
]
ROOT_TAGS = {
    "EAP20": "epNotificationEF2020",
    "ZKP20": "epNotificationEZK2020",
    "OKP20": "epNotificationEOK2020",
}
SMP_ONLY_SHARE = 0.35  # share of notices restricted to SMP/SONKO (ч. 3 ст. 30 44-ФЗ)
SMP_RESTRICTION = (
    "Закупка у субъектов малого предпринимательства и социально ориентированных некоммерческих "
    "организаций: ограничение участия в соответствии с ч. 3 ст. 30 Закона № 44-ФЗ"
)


def inn10(rng: random.Random, region: str) -> str:
    """A valid 10-digit INN (legal entity) registered in `region`."""
    body = region + "".join(str(rng.randint(0, 9)) for _ in range(7))
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


@dataclass(frozen=True)
class Customer:
    name: str
    inn: str
    kpp: str
    reg_num: str


def _weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights=weights)[0]


def _price(rng: random.Random) -> Decimal:
    value = min(max(rng.lognormvariate(13.2, 1.1), 30_000), 80_000_000)
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def _dt(moment: datetime, offset: int) -> str:
    return moment.astimezone(timezone(timedelta(hours=offset))).isoformat(timespec="seconds")


def _day(day: date, offset: int) -> str:
    return f"{day.isoformat()}{'+' if offset >= 0 else '-'}{abs(offset):02d}:00"


# The year digits of every demo number: one series, so the numbers README gives to try hold on
# any date (the dates themselves follow today's).
NUMBER_YEAR = 26


class DemoGenerator:
    def __init__(self, region: str = "74", seed: int = 2026, now: datetime | None = None) -> None:
        self.region = region
        self.seed = seed
        self.rng = random.Random(seed)  # the customers and suppliers
        self.now = now or datetime.now(UTC)
        self.offset = REGION_OFFSETS.get(region, 3)
        towns = REGION_TOWNS.get(region, ["Г. ОБРАЗЦОВО"])
        self.customers = [
            Customer(
                kind.format(n=self.rng.randint(1, 150), town=self.rng.choice(towns).upper()),
                inn := inn10(self.rng, region),
                f"{inn[:4]}01001",
                f"03{region}{300000 + i:07d}",
            )
            for i, kind in enumerate(self.rng.choices(CUSTOMER_KINDS, k=40))
        ]
        self.suppliers = [(name, inn10(self.rng, region)) for name in SUPPLIERS]

    def _rng(self, what: str, serial: int) -> random.Random:
        return random.Random(f"{self.seed}/{what}/{serial}")

    def notice(
        self, serial: int, *, end: datetime | None = None, title: str | None = None
    ) -> tuple[str, str, dict[str, object]]:
        """One notice as (file name, XML, facts used to build its contract); `end` and
        `title` pin the application deadline and the object's name (acceptance tests). Each
        notice draws from its own generator (seed, serial), so its number, customer and method
        are the same whatever the date and whatever came before (README names demo numbers)."""
        rng = self._rng("notice", serial)
        code, method_name, _ = _weighted(rng, METHODS, [m[2] for m in METHODS])
        etp_code, etp_name, etp_url, _ = _weighted(rng, PLATFORMS, [p[3] for p in PLATFORMS])
        pinned_end, pinned_title = end, title
        title, okpd, okpd_name = rng.choice(OBJECTS)
        title = pinned_title or title
        customer = rng.choice(self.customers)
        number = f"{customer.reg_num}{NUMBER_YEAR:02d}{serial:06d}"
        published = self.now - timedelta(days=rng.uniform(0, 60), hours=rng.uniform(0, 8))
        end = published + timedelta(days=rng.choice([5, 7, 8, 10, 15, 20]))
        end = end.replace(minute=0, second=0, microsecond=0) if pinned_end is None else pinned_end
        price = _price(rng)
        smp = rng.random() < SMP_ONLY_SHARE
        local_end = end.astimezone(timezone(timedelta(hours=self.offset))).date()
        bidding = (
            f"<ns5:biddingDate>{_day(local_end, self.offset)}</ns5:biddingDate>"
            if code == "EAP20"
            else ""
        )
        restriction = (
            "<ns5:requirementsInfo><ns5:requirementInfo><ns5:preferenseRequirementInfo>"
            f"<ns2:shortName>SMPOnly</ns2:shortName><ns2:name>{escape(SMP_RESTRICTION)}</ns2:name>"
            "</ns5:preferenseRequirementInfo></ns5:requirementInfo></ns5:requirementsInfo>"
            if smp
            else ""
        )
        root = ROOT_TAGS[code]
        xml = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns3:export {NS}>
  <ns3:{root} schemeVersion="15.3">
    <ns5:id>{rng.randint(10**7, 10**8)}</ns5:id>
    <ns5:versionNumber>1</ns5:versionNumber>
    <ns5:commonInfo>
      <ns5:purchaseNumber>{number}</ns5:purchaseNumber>
      <ns5:publishDTInEIS>{_dt(published, self.offset)}</ns5:publishDTInEIS>
      <ns5:href>https://zakupki.gov.ru/epz/order/notice/ea20/view/common-info.html?regNumber={number}</ns5:href>
      <ns5:placingWay><ns2:code>{code}</ns2:code><ns2:name>{escape(method_name)}</ns2:name></ns5:placingWay>
      <ns5:ETP><ns2:code>{etp_code}</ns2:code><ns2:name>{escape(etp_name)}</ns2:name><ns2:url>{etp_url}</ns2:url></ns5:ETP>
      <ns5:purchaseObjectInfo>{escape(title)}</ns5:purchaseObjectInfo>
    </ns5:commonInfo>
    <ns5:purchaseResponsibleInfo>
      <ns5:responsibleOrgInfo>
        <ns5:regNum>{customer.reg_num}</ns5:regNum>
        <ns5:fullName>{escape(customer.name)}</ns5:fullName>
        <ns5:INN>{customer.inn}</ns5:INN>
        <ns5:KPP>{customer.kpp}</ns5:KPP>
      </ns5:responsibleOrgInfo>
      <ns5:responsibleRole>CU</ns5:responsibleRole>
    </ns5:purchaseResponsibleInfo>
    <ns5:notificationInfo>
      <ns5:procedureInfo>
        <ns5:collectingInfo>
          <ns5:startDT>{_dt(published, self.offset)}</ns5:startDT>
          <ns5:endDT>{_dt(end, self.offset)}</ns5:endDT>
        </ns5:collectingInfo>
        {bidding}
        <ns5:summarizingDate>{_day(local_end + timedelta(days=2), self.offset)}</ns5:summarizingDate>
      </ns5:procedureInfo>
      <ns5:contractConditionsInfo>
        <ns5:maxPriceInfo>
          <ns5:maxPrice>{price}</ns5:maxPrice>
          <ns5:currency><ns2:code>RUB</ns2:code><ns2:name>РОССИЙСКИЙ РУБЛЬ</ns2:name></ns5:currency>
        </ns5:maxPriceInfo>
      </ns5:contractConditionsInfo>
      <ns5:customerRequirementsInfo>
        <ns5:customerRequirementInfo>
          <ns5:customer>
            <ns2:regNum>{customer.reg_num}</ns2:regNum>
            <ns2:fullName>{escape(customer.name)}</ns2:fullName>
          </ns5:customer>
        </ns5:customerRequirementInfo>
      </ns5:customerRequirementsInfo>
      <ns5:purchaseObjectsInfo>
        <ns5:notDrugPurchaseObjectsInfo>
          <ns4:purchaseObject>
            <ns4:OKPD2><ns2:OKPDCode>{okpd}</ns2:OKPDCode><ns2:OKPDName>{escape(okpd_name)}</ns2:OKPDName></ns4:OKPD2>
            <ns4:name>{escape(okpd_name)}</ns4:name>
          </ns4:purchaseObject>
        </ns5:notDrugPurchaseObjectsInfo>
      </ns5:purchaseObjectsInfo>
      {restriction}
    </ns5:notificationInfo>
  </ns3:{root}>
</ns3:export>
"""
        facts = {
            "number": number,
            "price": price,
            "customer": customer,
            "end": end,
            "smp": smp,
            "title": title,
        }
        return f"{root}_{number}_demo.xml", xml, facts

    def contract(
        self, facts: dict[str, object], serial: int
    ) -> tuple[str, str, list[tuple[str, str]]]:
        """A contract for a notice whose results are in, with execution documents."""
        rng = self._rng("contract", serial)
        customer: Customer = facts["customer"]  # type: ignore[assignment]
        end: datetime = facts["end"]  # type: ignore[assignment]
        max_price: Decimal = facts["price"]  # type: ignore[assignment]
        supplier, supplier_inn = rng.choice(self.suppliers)
        is_smp = bool(facts["smp"]) or rng.random() < 0.5
        price = (max_price * Decimal(str(rng.uniform(0.75, 0.99)))).quantize(Decimal("0.01"))
        signed = (end + timedelta(days=rng.randint(7, 12))).date()
        number = f"3{customer.inn}{NUMBER_YEAR:02d}{serial:06d}"
        n_stages = rng.choice([1, 1, 2, 3])
        stage_len = rng.choice([7, 10, 15, 30])
        stages, stage_amount = [], (price / n_stages).quantize(Decimal("0.01"))
        for i in range(n_stages):
            start = signed + timedelta(days=stage_len * i)
            stages.append((i + 1, start, start + timedelta(days=stage_len), stage_amount))
        exec_end = stages[-1][2]
        status = "EC" if exec_end < self.now.date() - timedelta(days=20) else "E"
        smp_code = (
            "<otherInfo><statusInfo><ns2:code>30</ns2:code><ns2:name>субъект малого предпринимательства"
            "</ns2:name></statusInfo></otherInfo>"
            if is_smp
            else ""
        )
        stage_xml = "".join(
            f"<stages><sid>{serial * 10 + n}</sid><startDate>{s}</startDate><endDate>{e}</endDate>"
            f"<stagePrice>{a}</stagePrice></stages>"
            for n, s, e, a in stages
        )
        xml = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns3:export {NS}>
  <ns3:contract schemeVersion="15.3">
    <id>{rng.randint(10**7, 10**8)}</id>
    <publishDate>{_dt(datetime.combine(signed, datetime.min.time(), UTC) + timedelta(hours=6), self.offset)}</publishDate>
    <versionNumber>0</versionNumber>
    <foundation><fcsOrder><order><notificationNumber>{facts["number"]}</notificationNumber><lotNumber>1</lotNumber></order></fcsOrder></foundation>
    <customer><regNum>{customer.reg_num}</regNum><fullName>{escape(customer.name)}</fullName><inn>{customer.inn}</inn><kpp>{customer.kpp}</kpp></customer>
    <signDate>{signed}</signDate>
    <regNum>{number}</regNum>
    <number>{serial}/{signed.year}</number>
    <contractSubject>{escape(str(facts["title"]))}</contractSubject>
    <priceInfo><price>{price}</price><currency><code>RUB</code><name>РОССИЙСКИЙ РУБЛЬ</name></currency></priceInfo>
    <executionPeriod><startDate>{signed}</startDate>{stage_xml}<endDate>{exec_end}</endDate></executionPeriod>
    <suppliersInfo><supplierInfo><legalEntityRF><EGRULInfo><fullName>{escape(supplier)}</fullName><INN>{supplier_inn}</INN><KPP>{supplier_inn[:4]}01001</KPP></EGRULInfo>{smp_code}</legalEntityRF></supplierInfo></suppliersInfo>
    <href>https://zakupki.gov.ru/epz/contract/contractCard/common-info.html?reestrNumber={number}</href>
    <currentContractStage>{status}</currentContractStage>
  </ns3:contract>
</ns3:export>
"""
        executions: list[tuple[str, str]] = []
        today = self.now.date()
        for n, _start, stage_end, amount in stages:
            if stage_end >= today:
                break
            accepted = stage_end + timedelta(days=rng.randint(1, 5))
            if accepted >= today:
                break
            paid = None if rng.random() < 0.15 else accepted + timedelta(days=rng.randint(2, 9))
            if paid is not None and paid >= today:
                paid = None
            executions.append(
                self._execution(rng, number, n, stage_end, accepted, paid, amount, status)
            )
        return f"contract_{number}_demo.xml", xml, executions

    def _execution(
        self,
        rng: random.Random,
        number: str,
        n: int,
        stage_end: date,
        accepted: date,
        paid: date | None,
        amount: Decimal,
        status: str,
    ) -> tuple[str, str]:
        payment = (
            f"<payDoc><documentName>Платежное поручение</documentName><documentDate>{paid}</documentDate>"
            f"<documentNum>{rng.randint(1000, 99999)}</documentNum></payDoc>"
            f"<currency><code>RUB</code></currency><paid>{amount}</paid>"
            if paid
            else ""
        )
        xml = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns3:export {NS}>
  <ns3:contractProcedure schemeVersion="7.5">
    <id>{rng.randint(10**7, 10**8)}</id>
    <regNum>{number}</regNum>
    <publishDate>{_dt(datetime.combine(paid or accepted, datetime.min.time(), UTC) + timedelta(hours=7), self.offset)}</publishDate>
    <versionNumber>0</versionNumber>
    <executions>
      <stage><endDate>{stage_end}</endDate></stage>
      <ordinalNumber>{n}</ordinalNumber>
      <execution>
        {payment}
        <docExecution><code>01</code><name>Документ о приемке</name><documentNum>{n}</documentNum><documentDate>{accepted}</documentDate></docExecution>
      </execution>
    </executions>
    <currentContractStage>{status}</currentContractStage>
  </ns3:contractProcedure>
</ns3:export>
"""
        return f"contractProcedure_{number}_{n}_demo.xml", xml

    def files(self, count: int, start: int = 1) -> Iterator[tuple[str, str]]:
        """(file name, XML) for `count` notices (serial numbers from `start`) plus contracts
        and execution documents."""
        for serial in range(start, start + count):
            name, xml, facts = self.notice(serial)
            yield name, xml
            finished = facts["end"] < self.now - timedelta(days=14)  # type: ignore[operator]
            if finished and self._rng("signed", serial).random() < 0.8:
                contract_name, contract_xml, executions = self.contract(facts, serial)
                yield contract_name, contract_xml
                yield from executions


def write_demo(
    directory: Path,
    count: int,
    region: str = "74",
    seed: int = 2026,
    now: datetime | None = None,
    start: int = 1,
) -> int:
    """Write demo XML files into `directory`; return how many files were written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, xml in DemoGenerator(region, seed, now).files(count, start):
        (directory / name).write_text(xml, encoding="utf-8")
        written += 1
    return written
