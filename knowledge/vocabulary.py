"""Word lists the question reader consults: small talk, topics the bot never answers, the
neighbouring terms no article covers, and English function words."""

from __future__ import annotations

SMALL_TALK = frozenset(
    [
        "привет",
        "здравствуй",
        "здравствуйте",
        "дело",
        "спасибо",
        "благодарить",
        "пока",
        "hi",
        "hello",
        "thanks",
        "thank",
        "bye",
        "ок",
        "ok",
        "хорошо",
        "ладно",
    ]
)

# Topics the bot must never answer with an article, whatever words they share with procurement.
OFF_TOPIC = frozenset(
    [
        "погода",
        "прогноз",
        "дождь",
        "снег",
        "температура",
        "крипта",
        "криптовалюта",
        "биткоин",
        "биткойн",
        "эфириум",
        "майнинг",
        "блокчейн",
        "развод",
        "алименты",
        "брак",
        "свадьба",
        "жена",
        "муж",
        "рецепт",
        "готовить",
        "борщ",
        "торт",
        "футбол",
        "хоккей",
        "матч",
        "кино",
        "фильм",
        "сериал",
        "музыка",
        "песня",
        "анекдот",
        "шутка",
        "гороскоп",
        "лотерея",
        "казино",
        "ставка",
        "букмекер",
        "лечение",
        "врач",
        "болезнь",
        "таблетка",
        "симптом",
        "грипп",
        "ковид",
        "машина",
        "автомобиль",
        "двигатель",
        "шина",
        "ипотека",
        "квартира",
        "аренда",
        "сосед",
        "отпуск",
        "туризм",
        "виза",
        "гражданство",
        "эмиграция",
        "иммиграция",
        "python",
        "программирование",
        "код",
        "javascript",
        "игра",
        "компьютерный",
        "телефон",
        "айфон",
        "знакомство",
        "любовь",
        # everyday life that shares words with procurement («штраф», «договор», «конкурс»)
        "гибдд",
        "гаи",
        "автошкола",
        "фитнес",
        "спортзал",
        "абонемент",
        "красота",
        "косметика",
        "маникюр",
        "мисс",
        "акция",
        "дивиденд",
        "брокер",
        "пенсия",
        "пособие",
        "маткапитал",
        "материнский",
        "егэ",
        "экзамен",
        "загранпаспорт",
        "внж",
        "егрн",
        "отпускные",
        "ндфл",
        "больничный",
        "увольнение",
        "уволить",
        "отпроситься",
        "работодатель",
        "похудеть",
        "диета",
        "маркетплейс",
        "вайлдберриз",
        "озон",
        "госуслуги",
        "коммуналка",
        "жкх",
        "квартплата",
        "парковка",
        "подвеска",
        # art sales and personal savings: «аукцион картин», «вклад под процент»
        "картина",
        "живопись",
        "антиквариат",
        "художник",
        "вклад",
        "css",
        "html",
        "weather",
        "phone",
        "smartphone",
        "iphone",
        "painting",
        "bitcoin",
        "crypto",
        "divorce",
        "recipe",
        "football",
        "movie",
        "music",
        "joke",
        "lottery",
        "casino",
        "doctor",
        "car",
        "mortgage",
        "apartment",
        "visa",
        "immigration",
        "programming",
        "game",
        "dating",
        "love",
        "landlord",
        "tenant",
        "rent",
        "ebay",
        "amazon",
        "aliexpress",
    ]
)


# Colloquial verbs owners use for what the articles say in the law's words («скинули цену» is
# «снизили цену», «выкинули заявку» is «отклонили заявку»): the question reads them as the
# article word (only when the articles use it).
COLLOQUIAL = {
    "скинуть": "снизить", "скидывать": "снижать", "сбросить": "снизить", "сбрасывать": "снижать",
    "стрясти": "взыскать", "выбить": "взыскать",
    "опаздывать": "просрочить", "опоздать": "просрочить", "задолжать": "долг",
    # chat slang for sums («аукцион на 400 лямов», «10 косарей»)
    "лям": "млн", "косарь": "тыс",
}  # fmt: skip

# A firm's own affairs next door to procurement: a question with a word of each set of a pair
# and nothing that ties it to procurement (PROCUREMENT_FRAME) is off-topic. Paying or reducing
# its own taxes («штраф за просрочку уплаты НДС», «как уменьшить УСН на взносы»; «заказчик
# оплатил без НДС» stays), registering a business («как зарегистрировать ИП»; «регистрация в
# ЕИС» stays) and opening a bank account («открыть расчётный счёт»; «открыть спецсчёт» stays).
NEIGHBOURS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (
        frozenset({"платить", "заплатить", "уплатить", "уплата", "оплатить", "перечислить",
                   "уменьшить"}),
        frozenset({"налог", "налоговый", "ндс", "ндфл", "усн", "енвд", "взнос",
                   "налогообложение"}),
    ),
    (
        frozenset({"регистрация", "зарегистрировать", "регистрировать", "открыть", "открытие"}),
        frozenset({"ип", "ооо", "фирма", "компания", "юрлицо", "бизнес"}),
    ),
    (frozenset({"открыть", "открытие", "завести"}), frozenset({"счет"})),
)  # fmt: skip

# Words and glossary concepts that tie a question to public procurement whatever it buys: with one
# of them a word of OFF_TOPIC names the goods («поставили автомобиль по госконтракту, заказчик не
# платит», «аукцион на аренду помещения по 44-ФЗ»), not the topic, and the question stays in
# scope. Only what is unambiguous: «аукцион», «конкурс», «договор», «заявка» are used outside
# procurement too («аукцион картин», «конкурс рисунков»).
PROCUREMENT_FRAME = frozenset(
    {"заказчик", "госзаказчик", "госконтракт", "госзакупка", "закупка", "госзаказ",
     "#44фз", "#223фз", "#еис", "#еруз", "#рнп", "#нмцк", "#нмцд", "#икз", "#окпд2",
     "#ктру", "#этп", "#оик", "#оз", "#спецсчет", "#казначейскоесопровождение", "#пп1352",
     "#пп1875", "#квотасмп", "#единственныйпоставщик", "#контракт", "#торги"}
)  # fmt: skip

# A counterparty the question calls private («частному дистрибьютору», «частник», «a private
# client»), a marketplace or a card acquirer: the deal is a private one under the civil code,
# not public procurement, unless the question names it as public (PUBLIC_FRAME). «Заказчик»,
# «поставщик» or «договор» do not make it public: a private buyer is a «заказчик» too.
PRIVATE_PARTY = frozenset(
    {"частный", "частник", "private", "маркетплейс", "marketplace", "авито", "avito",
     "вайлдберриз", "wildberries", "озон", "ozon", "эквайринг", "acquiring"}
)  # fmt: skip
PUBLIC_FRAME = frozenset(
    {"госзаказчик", "госконтракт", "госзакупка", "госзаказ", "госкомпания", "госкорпорация",
     "государственный", "муниципальный", "бюджетный", "учреждение", "администрация",
     "министерство", "больница", "поликлиника", "школа", "детсад", "садик", "вуз",
     "#оз", "#оик", "#спецсчет", "#торги",
     "#44фз", "#223фз", "#еис", "#еруз", "#рнп", "#нмцк", "#нмцд", "#икз",
     "#казначейскоесопровождение", "#пп1352", "#квотасмп"}
)  # fmt: skip
# «контракт» in Russian is the public one (a private deal is a «договор»); the English
# «contract» is either, and «площадка» (an ЭТП) is Avito too: neither makes a deal public.
PUBLIC_WORDS = frozenset({"контракт", "госконтракт"})

# A firm's own affairs in the neighbouring domains — its taxes, its staff, customs, its own
# customers and loans («декларация по УСН», «трудовой договор», «гарантия для таможни»,
# «покупатель вернул товар», «кредит на грузовик»): a question with such a word is off-topic
# unless something ties it to procurement (TIES), whatever words it shares with the articles
# (several articles mention УСН, НДС or a loan for a contract).
DOMAINS = frozenset(
    {"налог", "налоговый", "ндс", "ндфл", "усн", "упрощенка", "енвд", "ифнс", "вычет",
     "налогообложение", "трудовой", "прогул", "объяснительный", "зарплата", "employee",
     "salary", "таможня", "таможенный", "растаможка", "ввоз", "customs", "custom", "покупатель",
     "потребитель", "кредит", "кредитный"}
)  # fmt: skip
# What ties a question with a word of DOMAINS to procurement: PROCUREMENT_FRAME, the price,
# and any glossary concept but the everyday ones (a loan's «штраф», a firm's «договор», an
# «ип» is #смп, customs take a «банковская гарантия» too).
EVERYDAY_CONCEPTS = frozenset(
    {"#смп", "#мсп", "#209фз", "#договор", "#акт", "#упд", "#пени", "#неустойка", "#штраф",
     "#оплата", "#бг", "#аванс", "#жалоба", "#факторинг", "#протокол", "#мойбизнес",
     "#корпорациямсп", "#рго"}
)  # fmt: skip
TIE_WORDS = frozenset({"цена", "поставщик", "участник", "участвовать", "торги"})

# A word of OFF_TOPIC that at least this many articles use is a procurement word too («ставка»:
# ключевая ставка of a penalty, «код» ОКПД2): it no longer makes the question off-topic.
OFF_TOPIC_DF = 2

# Procurement-adjacent terms no article covers: a question about them is not answered from an
# article that shares its other words («договор лизинга» is not about signing a contract).
UNCOVERED = frozenset(
    [
        "лизинг",
        "лизинговый",
        "концессия",
        "концессионный",
        "франшиза",
        "аккредитив",
        "эскроу",
        "гчп",
        "мчп",
        "офсетный",
        "энергосервисный",
        "физлицо",
        "маркетплейс",
        "патент",
        "ипотечный",
        "роспатент",  # registering a trademark, not naming one in a procurement
        "пристав",  # bailiffs' sales of seized property
        "фссп",
        "страховка",
        "осаго",
        "каско",
        "leasing",
        "concession",
        "franchise",
        "tax",
        "marketplace",
    ]
)

# English function words the stopword list leaves out: neither terms nor context.
ENGLISH_FILLER = frozenset(
    [
        "much",
        "many",
        "have",
        "has",
        "had",
        "does",
        "doe",
        "did",
        "get",
        "got",
        "if",
        "from",
        "as",
        "will",
        "would",
        "should",
        "could",
        "shall",
        "may",
        "might",
        "must",
        "need",
        "want",
        "let",
        "they",
        "them",
        "their",
        "than",
        "then",
        "so",
        "not",
        "no",
        "yes",
        "by",
        "at",
        "or",
        "and",
        "but",
        "been",
        "was",
        "were",
        "into",
        "out",
        "up",
        "down",
        "over",
        "under",
        "more",
        "most",
        "less",
        "all",
        "some",
        "other",
        "its",
        "his",
        "her",
        "us",
        "whom",
        "whose",
        "still",
        "also",
        "just",
        "only",
        "very",
        "too",
        "here",
        "now",
    ]
)
