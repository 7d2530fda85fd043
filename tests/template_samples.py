"""Sample contexts for every template; the rules test renders each one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.services.answers import ArticleRef, ArticleView
from bot.services.gaps import Gap
from bot.services.kb_store.versions import VersionInfo
from bot.services.procurement import (
    STATUS_WORDS,
    ContractBrief,
    ContractCard,
    ContractList,
    FactView,
    LotView,
    ProcedureBrief,
    ProcedureCard,
    SearchPage,
    StageView,
)
from bot.services.reminders.prefs import Prefs
from bot.services.reminders.subscriptions import SubscriptionView
from bot.services.schedule import QuietHours
from bot.services.stats.period import Period
from bot.services.stats.result import ContractTotals, MonthPoint, ProcedureTotals, Share, Stats
from bot.sources.records import ProcedureStatus
from bot.ui.commands import ADMIN_COMMANDS, COMMANDS, STAFF_COMMANDS
from knowledge.figures import Figure, FigureProblem
from knowledge.glossary import Term
from knowledge.loader import Article

HOSTILE = '<b>Ð & "кавычки" </i> ' + "x" * 10

VIEW = ArticleView(
    id="security-bid-size-44",
    title="Сколько составляет обеспечение заявки & <что> важно",
    section="security",
    section_title="Обеспечение",
    chunks=("<b>Жирный</b> текст &amp; «кавычки»\n\n• пункт", "второй <i>кусок</i>"),
    laws=("ч. 15 ст. 44 44-ФЗ", "ст. 37 44-ФЗ <x>"),
    applies_to="both",
    updated=date(2026, 11, 26),
    reviewed_by="редакция & <консультант>",
    related=(ArticleRef("a", "Связанная", "smp"),),
)
REFS = (ArticleRef("a", HOSTILE, "smp", 1.0), ArticleRef("b", "Вторая статья", "smp", 0.5))
TERM = Term(
    "НМЦК",
    "начальная (максимальная) цена контракта",
    ("нмцк", "<нмц>"),
    ("initial price",),
    "Описание & <пример>",
)

CARD = ProcedureCard(
    number="0873200009825003091",
    law="44",
    method="Электронный аукцион",
    title="Поставка бумаги <A4> & картриджей",
    customer_name='МБОУ "Школа № 5" & <филиал>',
    customer_inn="7451000000",
    customer_kpp="745101001",
    region="74",
    platform_name="РТС-тендер",
    platform_url="https://www.rts-tender.ru",
    max_price=Decimal("1234567.89"),
    currency="RUB",
    published_at=datetime(2026, 11, 20, 5, tzinfo=UTC),
    applications_end=datetime(2026, 11, 28, 5, tzinfo=UTC),
    auction_at=datetime(2026, 11, 30, 5, tzinfo=UTC),
    auction_on=None,
    summarizing_at=datetime(2026, 12, 1, 5, tzinfo=UTC),
    summarizing_on=None,
    smp_only=True,
    preferences="Преимущество <учреждениям> & организациям инвалидов",
    okpd2="17.12.14",
    status=ProcedureStatus.ACCEPTING,
    status_words="приём заявок",
    url="https://zakupki.gov.ru/epz/order/extendedsearch/results.html?searchString=0873200009825003091",
    lots=(LotView(1, "Лот <1>", Decimal("1000"), "RUB"),),
    days_left=2,
)
CARD_223 = dataclasses.replace(
    CARD, law="223", days_left=0, platform_url=None, lots=(), smp_only=False
)
# the EIS way: the auction's and the summing-up's days without a time
CARD_DAYS = dataclasses.replace(
    CARD,
    auction_at=None,
    auction_on=date(2026, 12, 4),
    summarizing_at=None,
    summarizing_on=date(2026, 12, 7),
)
CONTRACT = ContractCard(
    number="1770989550925003831",
    law="44",
    procedure_number="0873200009825003091",
    status_code="E",
    status_words="исполнение",
    customer_name="ФГБУ <Центр> & Ко",
    customer_inn="7709895509",
    supplier_name='ООО "Бумага & Ко"',
    supplier_inn="7451234567",
    supplier_is_smp=True,
    price=Decimal("99000.50"),
    currency="RUB",
    signed_on=date(2026, 10, 1),
    execution_start=date(2026, 10, 1),
    execution_end=date(2026, 12, 31),
    stages=(StageView(1, date(2026, 10, 1), date(2026, 11, 1), Decimal("50000")),),
    acceptances=(FactView(date(2026, 11, 2), Decimal("50000"), "Акт <№1>"),),
    payments=(FactView(date(2026, 11, 5), Decimal("50000"), "п/п 1"),),
    paid_total=Decimal("50000"),
    payment_due=date(2026, 11, 11),
    payment_overdue=True,
    terminated_on=date(2026, 11, 20),
    termination_reason="Соглашение <сторон>",
    url="https://zakupki.gov.ru/epz/contract/search/results.html?searchString=1770989550925003831",
)
BRIEF = ProcedureBrief(
    "0873200009825003091",
    "Поставка <бумаги>",
    Decimal("1000"),
    "RUB",
    CARD.applications_end,
    True,
    ProcedureStatus.ACCEPTING,
)
DRAFT_VIEW = dataclasses.replace(
    VIEW, reviewed_by="редакция smebot (черновик, требует проверки консультантом)"
)
PAGE = SearchPage(
    "поставка бумага", (BRIEF, dataclasses.replace(BRIEF, status=ProcedureStatus.CLOSED)), 12, 1, 3
)

SAMPLES: dict[str, list[dict[str, Any]]] = {
    "start/welcome": [{"name": "Алиса"}, {"name": HOSTILE}, {"name": ""}],
    "start/help": [
        {"commands": COMMANDS, "staff_commands": ()},
        {"commands": COMMANDS, "staff_commands": STAFF_COMMANDS + ADMIN_COMMANDS},
    ],
    "start/menu": [{}],
    "start/ask_prompt": [{}],
    "common/unknown_command": [{"command": "/x<y>&"}, {"command": "/"}],
    "common/input_cancelled": [
        {"kind": k} for k in ("lead", "tz", "quiet", "price", "period", "other")
    ],
    "common/not_an_answer": [
        {"kind": k} for k in ("lead", "tz", "quiet", "price", "period", "other")
    ],
    "common/unsupported_content": [
        {"kind": k} for k in ("sticker", "photo", "voice", "document", "other")
    ],
    "common/too_long": [
        {"length": 5001, "limit": 1000, "consult": False},
        {"length": 1001, "limit": 1000, "consult": False},
        {"length": 5075, "limit": 1000, "consult": True},
    ],
    "common/error": [{}],
    "common/domain_error": [
        {"code": c, "detail": d}
        for c in ("not_found", "forbidden", "bad_input", "generic")
        for d in ("", HOSTILE)
    ]
    + [
        {"code": "erased", "detail": "12"},
    ],
    "common/flood": [{}],
    "common/flood_dropped": [{}],
    "common/stale_button": [{}],
    "common/group_hint": [{"username": "smebot_bot"}],
    "qa/answer": [
        {"article": VIEW, "chunk": VIEW.chunks[i], "first": i == 0, "last": i == 1} for i in (0, 1)
    ]
    + [{"article": DRAFT_VIEW, "chunk": VIEW.chunks[1], "first": False, "last": True}],
    "qa/inline_article": [
        {"article": VIEW, "chunk": VIEW.chunks[0]},
        {"article": DRAFT_VIEW, "chunk": VIEW.chunks[0]},
    ],
    "qa/definition": [
        {"term": TERM, "synonyms": list(TERM.synonyms), "more": REFS},
        {"term": TERM, "synonyms": [], "more": ()},
    ],
    "qa/suggest": [{"suggestions": REFS, "vague": False}, {"suggestions": REFS, "vague": True}],
    "qa/none": [{"outcome": "none"}, {"outcome": "off_topic"}],
    "qa/small_talk": [{"kind": k} for k in ("hello", "thanks", "bye")],
    "qa/empty": [{}],
    "qa/feedback": [{"useful": True}, {"useful": False}],
    "qa/feedback_again": [{}],
    "faq/sections": [{"total": 88}, {"total": 1}],
    "faq/section": [
        {"title": "Обеспечение", "count": 9, "page": 0, "pages": 2},
        {"title": HOSTILE, "count": 1, "page": 0, "pages": 1},
    ],
    "glossary/term": [
        {"term": TERM, "synonyms": list(TERM.synonyms)},
        {"term": dataclasses.replace(TERM, full=f"{TERM.term} (пояснение)"), "synonyms": []},
    ],
    "glossary/not_found": [
        {"query": HOSTILE, "suggestions": ["НМЦК", "НМЦД"]},
        {"query": "x", "suggestions": []},
    ],
    "glossary/usage": [{"terms": ["СМП", "НМЦК", "<x>"]}],
    "procurement/procedure": [
        {"card": CARD, "tz": "Asia/Yekaterinburg", "tz_name": "Екатеринбург"},
        {"card": CARD_223, "tz": "Europe/Moscow", "tz_name": "Москва"},
        {"card": CARD_DAYS, "tz": "Europe/Moscow", "tz_name": "Москва"},
    ],
    "procurement/contract": [
        {"card": CONTRACT},
        {
            "card": dataclasses.replace(
                CONTRACT,
                stages=(),
                acceptances=(),
                payments=(),
                payment_due=None,
                terminated_on=None,
                price=None,
            )
        },
        {
            "card": dataclasses.replace(
                CONTRACT,
                payment_due=date(2028, 5, 12),
                payment_overdue=False,
                payment_due_preliminary=True,
            )
        },
        {
            "card": dataclasses.replace(
                CONTRACT,
                procedure_number=None,
                customer_name="",
                customer_inn=None,
                supplier_name="",
                supplier_inn=None,
                supplier_is_smp=None,
                price=None,
                signed_on=None,
                execution_start=None,
                execution_end=None,
                payment_due=None,
                status_code="ET",
                status_words="исполнение прекращено",
                complete=False,
                execution_reported_on=date(2018, 1, 22),
            )
        },
    ],
    "procurement/inline_title": [
        {"kind": k, "number": "0873200009825003091"} for k in ("procedure", "contract", "contracts")
    ],
    "procurement/contract_list": [
        {
            "contracts": ContractList(
                "0873200009825003091",
                (
                    ContractBrief(
                        "1770989550925003831",
                        "исполнение",
                        'ООО "Бумага & Ко"',
                        Decimal("99000.50"),
                        "RUB",
                        date(2026, 10, 1),
                    ),
                    ContractBrief(
                        "1770989550925003832", "нет сведений", HOSTILE, None, "USD", None
                    ),
                ),
            ),
            "shown": 20,
        }
    ],
    "procurement/not_found": [
        {"kind": "partial", "number": "12345678", "url": ""},
        {"kind": "missing", "number": "0873200009825003091", "url": CARD.url},
        {"kind": "missing", "number": "0873200009825003091", "url": CARD.url, "eis_failed": True},
    ],
    "procurement/search": [
        {
            "page": PAGE,
            "tz": "Asia/Yekaterinburg",
            "page_size": 5,
            "status_words": STATUS_WORDS,
            "filters_text": "регион 74, только СМП",
        },
        {
            "page": dataclasses.replace(PAGE, items=(), total=0, pages=1, page=0),
            "tz": "Asia/Yekaterinburg",
            "page_size": 5,
            "status_words": STATUS_WORDS,
            "filters_text": "",
        },
    ],
    "procurement/find_usage": [{}],
    "procurement/fetching": [{"number": "0873200009825003091"}],
    "procurement/price_prompt": [{}],
}

# ------------------------------------------------------------------------ statistics
_SHARE = Share("44", "44-ФЗ", 120, Decimal("123456789.10"), 0.8, 0.75)
STATS = Stats(
    region="74",
    region_name="Челябинская область",
    period=Period(date(2026, 1, 1), date(2026, 12, 31), "year"),
    today=date(2026, 11, 24),
    procedures=ProcedureTotals(150, Decimal("987654321.99"), 90, Decimal("12345678.9"), 0.6, 0.125),
    by_law=(_SHARE, dataclasses.replace(_SHARE, key="223", name="223-ФЗ", share=0.2)),
    by_method=(dataclasses.replace(_SHARE, key=HOSTILE, name=HOSTILE),) * 4,
    by_platform=(dataclasses.replace(_SHARE, key="РТС-тендер", name="РТС-тендер <&>"),),
    top_customers=(dataclasses.replace(_SHARE, key="7451000000", name='МБОУ "Школа" & <x>'),) * 4,
    top_okpd2=(dataclasses.replace(_SHARE, key="17", name="Бумага и изделия из бумаги"),),
    contracts=ContractTotals(40, Decimal("5000000"), 30, Decimal("2500000"), 0.5, 10, 2, 3),
    monthly=(MonthPoint("2026-11", 150, Decimal("987654321.99"), 40, Decimal("5000000")),),
)
STATS_EMPTY = dataclasses.replace(
    STATS,
    region=None,
    region_name="вся Россия",
    period=Period(date(2015, 3, 1), date(2015, 3, 31), "custom"),
    procedures=ProcedureTotals(0, Decimal(0), 0, Decimal(0), 0.0, 0.0),
    by_law=(),
    by_method=(),
    by_platform=(),
    top_customers=(),
    top_okpd2=(),
    contracts=ContractTotals(0, Decimal(0), 0, Decimal(0), 0.0, 0, 0, 0),
    monthly=(),
)
STATS_NO_CONTRACTS = dataclasses.replace(STATS, contracts=STATS_EMPTY.contracts)
SAMPLES.update(
    {
        "stats/summary": [
            {"stats": STATS, "period_label": "2026 год", "top": 3},
            {"stats": STATS_NO_CONTRACTS, "period_label": HOSTILE, "top": 3},
            {
                "stats": dataclasses.replace(STATS_EMPTY, contracts=STATS.contracts),
                "period_label": "x",
                "top": 3,
            },
        ],
        "stats/empty": [
            {"stats": STATS_EMPTY, "period_label": "01.03.2015 – 31.03.2015"},
            {"stats": STATS, "period_label": HOSTILE},
        ],
        "stats/caption": [{"stats": STATS, "period_label": "ноябрь 2026"}],
        "stats/csv_header": [{}],
        "stats/csv_caption": [{"stats": STATS_EMPTY, "period_label": HOSTILE}],
        "stats/custom_prompt": [
            {"region": "74", "home": "74"},
            {"region": "all", "home": HOSTILE},
        ],
        "stats/usage": [{"detail": HOSTILE}, {"detail": ""}],
    }
)

# ------------------------------------------------------------------------ reminders
_AT = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
_PREFS = Prefs(
    (4320, 1440, 180), "Asia/Yekaterinburg", QuietHours(time(22), time(8)), False, False, False
)
SAMPLES.update(
    {
        "reminders/deadline": [
            {
                "events": [
                    {
                        "left": timedelta(days=1),
                        "event_at": _AT,
                        "date_only": False,
                        "days_left": None,
                        "phrase": "заканчивается подача заявок",
                    }
                ],
                "tz": "Asia/Yekaterinburg",
                "sub_kind": "procedure",
                "target": "0169300000126000123",
                "title": HOSTILE,
            },
            *[
                {
                    "events": [
                        {
                            "left": timedelta(hours=3),
                            "event_at": _AT,
                            "date_only": True,
                            "days_left": days,
                            "phrase": "заканчивается этап 2",
                        }
                    ],
                    "tz": "Europe/Moscow",
                    "sub_kind": "contract",
                    "target": "2745300000126000001",
                    "title": "",
                }
                for days in (0, 1, 3)
            ],
            {  # catch-up reminders of one subscription due at once: one message
                "events": [
                    {
                        "left": timedelta(days=2),
                        "event_at": _AT,
                        "date_only": False,
                        "days_left": None,
                        "phrase": "заканчивается подача заявок",
                    },
                    {
                        "left": timedelta(days=4),
                        "event_at": _AT,
                        "date_only": True,
                        "days_left": 4,
                        "phrase": "проводятся торги",
                    },
                ],
                "tz": "Asia/Yekaterinburg",
                "sub_kind": "procedure",
                "target": "0169300000126000123",
                "title": HOSTILE,
            },
        ],
        "reminders/update": [
            {
                "cancelled": False,
                "changes": [
                    {
                        "label": "приём заявок до",
                        "old": _AT,
                        "new": _AT + timedelta(days=2),
                        "date_only": False,
                    }
                ],
                "sub_kind": "procedure",
                "target": "0169300000126000123",
                "title": HOSTILE,
                "tz": "Asia/Yekaterinburg",
            },
            {
                "cancelled": True,
                "changes": [],
                "sub_kind": "procedure",
                "target": "0169300000126000123",
                "title": "",
                "tz": "Asia/Yekaterinburg",
            },
        ],
        "reminders/digest": [
            {
                "searches": [
                    {
                        "words": HOSTILE,
                        "total": 7,
                        "more": False,
                        "items": [
                            {
                                "number": "0169300000126000123",
                                "title": HOSTILE,
                                "max_price": Decimal("150000.5"),
                                "currency": "RUB",
                                "applications_end": _AT,
                            },
                            {
                                "number": "32615000001",
                                "title": "Поставка бумаги",
                                "max_price": None,
                                "currency": "RUB",
                                "applications_end": None,
                            },
                        ],
                    }
                ],
                "tz": "Asia/Yekaterinburg",
            }
        ],
        "reminders/list": [
            {
                "items": [
                    {
                        "kind": "procedure",
                        "target": "0169300000126000123",
                        "title": HOSTILE,
                        "active": True,
                        "next_due": _AT,
                        "filters_text": "",
                    },
                    {
                        "kind": "contract",
                        "target": "2745300000126000001",
                        "title": "ООО «Ромашка»",
                        "active": False,
                        "next_due": None,
                        "filters_text": "",
                    },
                    {
                        "kind": "search",
                        "target": HOSTILE,
                        "title": "",
                        "active": True,
                        "next_due": None,
                        "filters_text": "регион 74, только СМП",
                    },
                    {
                        "kind": "procedure",
                        "target": "0169300000126000124",
                        "title": "",
                        "active": True,
                        "next_due": None,
                        "filters_text": "",
                    },
                ],
                "total": 9,
                "offset": 5,
                "tz": "Asia/Yekaterinburg",
            }
        ],
        "reminders/empty": [{}],
        "reminders/subscribed": [
            {
                "created": True,
                "kind": "procedure",
                "target": "0169300000126000123",
                "leads": "3 дня, 1 день",
                "next_due": _AT,
                "tz": "Asia/Yekaterinburg",
                "catch_up": None,
            },
            {
                "created": False,
                "kind": "contract",
                "target": HOSTILE,
                "leads": "1 день",
                "next_due": None,
                "tz": "Europe/Moscow",
                "catch_up": None,
            },
            *(
                {
                    "created": True,
                    "kind": "procedure",
                    "target": "0169300000126000123",
                    "leads": "1 неделю",
                    "next_due": _AT,
                    "tz": "Asia/Yekaterinburg",
                    "catch_up": {
                        "name": HOSTILE,
                        "event_at": _AT + timedelta(days=2),
                        "date_only": date_only,
                        "left": timedelta(days=2),
                        "days_left": days,
                        "due_at": _AT,
                        "due_day": days - 2,
                        "due_time": "08:00",
                    },
                }
                for date_only in (False, True)
                for days in (0, 1, 2, 3)
            ),
        ],
        "reminders/search_saved": [
            {"created": True, "words": HOSTILE, "filters_text": "вся Россия"},
            {"created": False, "words": "бумага", "filters_text": "регион 74"},
        ],
        "reminders/toast": [
            {"op": op, "target": "0169300000126000123"} for op in ("pause", "resume", "del", "off")
        ],
        "settings/show": [
            {"prefs": _PREFS, "leads": "3 дня, 1 день, 3 часа", "saved": False},
            {
                "prefs": dataclasses.replace(
                    _PREFS, quiet=None, news=True, timezone="Asia/Omsk", custom_leads=True
                ),
                "leads": "1 час",
                "saved": True,
            },
            {
                "prefs": dataclasses.replace(_PREFS, timezone="America/New_York"),
                "leads": "5 минут",
                "saved": True,
            },
        ],
        "settings/lead_prompt": [{}],
        "settings/tz_prompt": [{}],
        "settings/quiet_prompt": [{}],
        "settings/cancelled": [{}],
        "settings/forget_confirm": [{}],
        "settings/forget_cancelled": [{}],
        "settings/forgotten": [
            {"questions": q, "consultations": c, "subscriptions": n, "reminders": r}
            for q, c, n, r in ((0, 0, 0, 0), (1, 2, 5, 21), (12, 1, 1, 1))
        ],
    }
)

# ------------------------------------------------------------------------ knowledge-base editing
_ARTICLE = Article(
    id="security-bid-size-44",
    title=HOSTILE,
    section="security",
    questions=("Сколько обеспечение?",),
    tags=("обеспечение",),
    laws=("ч. 15 ст. 44 44-ФЗ", "<x>"),
    applies_to="44-ФЗ",
    updated=date(2026, 11, 20),
    reviewed_by="Консультант <&>",
    body="Текст",
    announce=True,
)
_FIGURE = FigureProblem(
    "upload.md",
    18,
    Figure(Fraction(3), "day", "working", "3 <рабочих> дня"),
    ("ч. 5 ст. 49",),
    False,
)
_VERSION = VersionInfo(
    "security-bid-size-44", 2, "security/x.md", "tg:1", _AT, HOSTILE, False, True
)
SAMPLES.update(
    {
        "kb/preview": [
            {
                "article": _ARTICLE,
                "current_version": 3,
                "excerpt": "<b>Жирный</b> &amp; текст",
                "figures": [],
                "more_figures": 0,
            },
            {
                "article": dataclasses.replace(_ARTICLE, announce=False),
                "current_version": None,
                "excerpt": "текст\n\n…",
                "figures": [_FIGURE, dataclasses.replace(_FIGURE, working_vs_calendar=True)],
                "more_figures": 3,
            },
        ],
        "kb/published": [
            {"changed": True, "title": HOSTILE, "version": 4, "announced": 12},
            {"changed": False, "title": "x", "version": 1, "announced": None},
        ],
        "kb/announced": [{"title": HOSTILE, "count": 0}, {"title": "x", "count": 21}],
        "kb/download_failed": [{}],
        "kb/rejected": [{"problems": ["line 3: missing laws", HOSTILE]}],
        "kb/history": [
            {
                "article_id": "security-bid-size-44",
                "versions": [
                    _VERSION,
                    dataclasses.replace(_VERSION, version=1, current=False, is_deleted=True),
                ],
            }
        ],
        "kb/usage": [
            {"command": c} for c in ("kb_edit", "kb_history", "kb_rollback", "kb_from", "kb")
        ],
        "kb/edit_caption": [{"article_id": "security-bid-size-44"}],
        "kb/gaps": [
            {
                "gaps": [
                    Gap(5, (HOSTILE, "как вернуть обеспечение"), _AT, 2),
                    Gap(1, ("x",), _AT, 0),
                ]
            },
            {"gaps": []},
        ],
        "kb/cancelled": [{}],
        "kb/draft_caption": [{"number": 12}],
        "reminders/news": [{"title": HOSTILE}],
        "reminders/contracts": [
            {
                "items": [
                    SubscriptionView(1, "contract", "2745300000126000001", HOSTILE, True, "", _AT),
                    SubscriptionView(2, "contract", "2745300000126000002", "", False, ""),
                ],
                "total": 12,
                "tz": "Asia/Yekaterinburg",
            },
            {"items": [], "total": 0, "tz": "Europe/Moscow"},
        ],
    }
)


# ------------------------------------------------------------------------ consultations
def _consult_samples() -> dict[str, list[dict[str, Any]]]:
    from bot.services.consultations import About, AboutKind, ConsultationView, QueuePage, Status
    from bot.services.roles import StaffMember

    at = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    new = ConsultationView(
        id=12,
        user_id=1001,
        user_name=HOSTILE,
        username="ivan_ip",
        status=Status.NEW,
        question=HOSTILE + " как обжаловать отклонение заявки? " + "слово " * 800,
        file_id=None,
        file_kind=None,
        chat_id=None,
        thread_id=None,
        message_id=None,
        consultant_id=None,
        consultant_name=None,
        created_at=at,
        waiting_since=at,
        answered_at=None,
        closed_at=None,
        closed_by=None,
        rating=None,
        last_announced_at=None,
    )
    forum = dataclasses.replace(
        new,
        status=Status.IN_WORK,
        question="Короткий вопрос",
        chat_id=-100500,
        thread_id=77,
        message_id=78,
        consultant_id=2002,
        consultant_name="Мария <&>",
        username=None,
    )
    group = dataclasses.replace(
        forum, status=Status.ANSWERED, thread_id=None, question="", file_id="F", file_kind="photo"
    )
    closed = dataclasses.replace(
        forum, status=Status.CLOSED, rating=4, closed_at=at, closed_by=2002
    )
    # a status the templates do not know (a row written by a newer version)
    odd = dataclasses.replace(new, status="weird", file_id="D", file_kind="document")  # type: ignore[arg-type]
    erased = dataclasses.replace(closed, question="", file_id=None, file_kind=None, erased_at=at)
    from bot.services.consultations.about import QUESTION_LIMIT, TITLE_LIMIT

    long_title = (HOSTILE + "я" * TITLE_LIMIT)[:TITLE_LIMIT]
    long_question = (HOSTILE + "ф" * QUESTION_LIMIT)[:QUESTION_LIMIT]
    abouts = [
        About(AboutKind.PROCEDURE, number="0174300000126000123", title=long_title),
        About(AboutKind.CONTRACT, number="3740100000026000012", title=HOSTILE),
        About(AboutKind.CONTRACT, number="3740100000026000012"),
        About(AboutKind.ANSWER, question=long_question, article_id="a-1", article_title=long_title),
        About(AboutKind.ANSWER, question=HOSTILE),
        About(AboutKind.ANSWER, article_id="a-1", article_title=HOSTILE),
    ]
    about = [dataclasses.replace(new, about=a) for a in abouts]
    views = [new, forum, group, closed, odd, erased, *about]
    page = QueuePage(tuple(views[:3]), 19, 1, 3, 8)
    empty = QueuePage((), 0, 0, 1, 8)
    later = at + timedelta(hours=5)
    member = StaffMember(555, "consultant", "bot", HOSTILE, 1, at)
    nameless = StaffMember(556, "consultant", "bot")
    return {
        "consult/prompt": [{"about": None}, *({"about": a} for a in abouts)],
        "consult/question_part": [
            {"c": new, "part": "слово " * 490, "n": n, "total": 3} for n in (2, 3)
        ],
        "consult/follow_up_prompt": [{"id": 12}],
        "consult/cancelled": [{"follow_up": False}, {"follow_up": True}],
        "consult/need_content": [{"follow_up": False}, {"follow_up": True}],
        "consult/queued": [{"c": c} for c in views],
        "consult/accepted": [{"c": c} for c in views],
        "consult/follow_up_sent": [{"c": new}],
        "consult/card": [
            {"c": c, "tz": tz, "venue": v, "question": c.question[:2500], "rest": rest}
            for c in views
            for v in ("forum", "group", "private")
            for tz, rest in (("Asia/Yekaterinburg", 0), ("Europe/Moscow", 1), ("Asia/Omsk", 2))
        ],
        "consult/follow_up_note": [
            {"c": new, "text": HOSTILE, "has_file": False},
            {"c": forum, "text": "", "has_file": True},
            {"c": group, "text": "слово " * 900, "has_file": True},
        ],
        "consult/reannounce": [
            {"c": c, "waited": w}
            for c in views
            for w in (timedelta(hours=5), timedelta(days=2), timedelta(minutes=1))
        ],
        "consult/attachment": [{"id": 12, "to_staff": True}, {"id": 12, "to_staff": False}],
        "consult/answer": [
            {"c": new, "part": HOSTILE, "first": True, "last": True},
            {"c": new, "part": "x" * 3800, "first": True, "last": False},
            {"c": new, "part": "y" * 3800, "first": False, "last": True},
            {"c": new, "part": "", "first": True, "last": True},
        ],
        "consult/taken": [{"c": forum}],
        "consult/closed": [
            {"c": c, "by_user": by_user}
            for c in (closed, dataclasses.replace(closed, answered_at=at))
            for by_user in (True, False)
        ],
        "consult/rated": [
            {"c": dataclasses.replace(closed, rating=v), "changed": ch}
            for v in range(1, 6)
            for ch in (True, False)
        ],
        "consult/closed_staff": [
            {"c": closed, "by_user": True, "by_name": ""},
            {"c": closed, "by_user": False, "by_name": HOSTILE},
        ],
        "consult/delivery_failed": [
            {"c": forum, "what": "ответ", "reason": "blocked"},
            {"c": forum, "what": "сообщение о закрытии", "reason": "other"},
        ],
        "consult/not_consultation": [{"forum": True}, {"forum": False}],
        "consult/not_staff": [{"user_id": 1001}],
        "consult/close_where": [{}],
        "consult/unsupported_answer": [{"c": forum}],
        "consult/answer_sent": [{"c": forum}],
        "consult/toast": [
            {"op": op, "id": 12, "failed": failed}
            for op in ("taken", "closed", "already_closed")
            for failed in (True, False)
        ],
        "consult/queue": [{"page": page, "now": later}, {"page": empty, "now": later}],
        "consult/staff_usage": [{"command": "consultant_add"}],
        "consult/staff_added": [
            {"member": member, "changed": True, "private": True},
            {"member": nameless, "changed": False, "private": True},
            {"member": nameless, "changed": True, "private": False},
        ],
        "consult/staff_removed": [{"member": member}, {"member": nameless}],
        "consult/staff_list": [
            {
                "members": [
                    StaffMember(1, "admin", "settings", "Админ"),
                    StaffMember(2, "consultant", "settings"),
                    member,
                ]
            },
            {"members": []},
        ],
    }


SAMPLES.update(_consult_samples())

SAMPLES.update(
    {
        "console/intro": [
            {"save_dir": "data/console/", "log_file": None},
            {"save_dir": "data/console/", "log_file": "data/console/console.log"},
        ],
        "console/saved": [
            {"kind": "photo", "path": "data/console/0001-stats.png"},
            {"kind": "document", "path": HOSTILE},
        ],
        "console/no_button": [
            {"number": 8, "gone": False, "last": 6},
            {"number": 3, "gone": True, "last": 12},
            {"number": 1, "gone": False, "last": None},
        ],
        "console/no_data": [{}],
        "console/link": [{"url": "https://zakupki.gov.ru/"}],
    }
)
