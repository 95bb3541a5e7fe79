"""The words the extractor's rules look for, by language: every language-specific rule's data is here.

The rules themselves (in the other modules of :mod:`dashlib.extract`) are written once; what differs
between languages is which words signal an organisation, a kind of place, an event, a role or a
relation. English lists apply to every Latin-script text as well, because organisation names are
often written in English inside French (or other) texts ("du Beijing Drainage Group"). Chinese has
no capitals and no spaces: its names are found from word suffixes (局, 集团 …) on jieba's words.

Month and country names are not listed here: they come from Babel's CLDR data for the text's
language (see :mod:`dashlib.extract.dates` and :mod:`dashlib.extract.places`).
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "fr", "zh")

# ---------------------------------------------------------------------------------------------
# Organisations: head words, and the type each suggests (a guess, shown as one).

# English head words: a capitalised name that contains one is an organisation ("Beijing Drainage
# Group", "Ministry of Ecology and Environment").
EN_ORG_HEADS: Mapping[str, str] = {
    "office": "local_government", "bureau": "local_government", "department": "local_government",
    "commission": "local_government", "committee": "local_government", "council": "local_government",
    "municipality": "local_government", "government": "local_government", "authority": "local_government",
    "administration": "local_government", "agency": "international_organization",
    "ministry": "national_government",
    "group": "enterprise", "holding": "enterprise", "holdings": "enterprise", "company": "enterprise",
    "corporation": "enterprise", "corp": "enterprise", "ltd": "enterprise", "inc": "enterprise",
    "bank": "enterprise", "utility": "enterprise", "utilities": "enterprise",
    "community": "community",
    "programme": "international_organization", "program": "international_organization",
    "secretariat": "international_organization", "organisation": "international_organization",
    "organization": "international_organization", "fund": "international_organization",
    "institute": "ngo", "foundation": "ngo", "association": "ngo", "society": "ngo", "university": "ngo",
    "network": "city_network", "alliance": "city_network", "coalition": "city_network", "federation": "city_network",
    "union": "international_organization",
}

# French head words: they open the name ("Bureau municipal de l'écologie … de Beijing", "communauté
# de Jiangshanfu"). A lowercase head only makes a name when a capitalised word follows its "de".
FR_ORG_HEADS: Mapping[str, str] = {
    "bureau": "local_government", "office": "local_government", "direction": "local_government",
    "service": "local_government", "département": "local_government", "commission": "local_government",
    "comité": "local_government", "conseil": "local_government", "mairie": "local_government",
    "municipalité": "local_government", "gouvernement": "local_government", "préfecture": "local_government",
    "agence": "international_organization", "ministère": "national_government",
    "groupe": "enterprise", "société": "enterprise", "compagnie": "enterprise", "entreprise": "enterprise",
    "banque": "enterprise",
    "communauté": "community",
    "programme": "international_organization", "secrétariat": "international_organization",
    "organisation": "international_organization", "fonds": "international_organization",
    "institut": "ngo", "fondation": "ngo", "association": "ngo", "université": "ngo",
    "réseau": "city_network", "alliance": "city_network", "fédération": "city_network", "union": "city_network",
}

# Chinese suffixes: the last word of a name (北京市生态环境局, 北京能源集团). Longest first.
ZH_ORG_SUFFIXES: Mapping[str, str] = {
    "委员会": "local_government", "办公室": "local_government", "管理局": "local_government",
    "基金会": "ngo", "研究院": "ngo", "研究所": "ngo", "联合会": "city_network",
    "集团": "enterprise", "公司": "enterprise", "企业": "enterprise", "银行": "enterprise",
    "政府": "local_government", "国资委": "local_government", "社区": "community",
    "联盟": "city_network", "协会": "ngo", "大学": "ngo", "组织": "international_organization",
    "秘书处": "international_organization", "署": "international_organization",
    "局": "local_government", "厅": "local_government", "委": "local_government", "部": "national_government",
}

# Words that make an office the city's own (its affiliation to the city government is stated).
MUNICIPAL_WORDS = {"en": ("municipal", "city of", "metropolitan"), "fr": ("municipal", "municipale", "ville de"),
                   "zh": ("市",)}

# Words that make a name a UN body, in any language.
UN_MARKERS = ("united nations", "nations unies", "un ", "联合国")

# Abbreviations that are not organisations: units, formulae, generic class nouns.
NOT_ORG_ABBREVIATIONS = frozenset({
    "CO2", "CH4", "N2O", "NOX", "SO2", "PM10", "PM2", "GDP", "PIB", "GHG", "GES", "NGO", "NGOS", "ONG", "ONGS",
    "CEO", "USD", "EUR", "RMB", "CNY", "KM", "KWH", "MW", "GW", "TWH", "AM", "PM", "II", "III", "IV", "VI",
    "VII", "VIII", "IX", "XI", "XII", "AI", "IA", "IT", "TV", "PDF", "FAQ",
})

# Class nouns that introduce named organisations in a list ("organisations telles que C40 et ICLEI").
ORG_LIST_INTRODUCERS = {
    "en": ("organizations such as", "organisations such as", "partners such as", "partners including",
           "organizations including", "organisations including", "such as"),
    "fr": ("organisations telles que", "organisations comme", "partenaires tels que", "tels que", "telles que"),
    "zh": (),
}

# ---------------------------------------------------------------------------------------------
# Places: the words that name a kind of place, and venues.

PLACE_KIND_WORDS: Mapping[str, Mapping[str, str]] = {
    # the word comes before the name: "district de Shunyi", "town of Houshayu"
    "fr": {"district": "district", "bourg": "town", "ville": "city", "village": "town", "commune": "town",
           "canton": "district", "arrondissement": "district", "quartier": "district", "province": "region",
           "région": "region", "comté": "district", "communauté": "community"},
    "en": {"district": "district", "town": "town", "township": "town", "city": "city", "village": "town",
           "county": "district", "province": "region", "region": "region", "community": "community",
           "borough": "district", "municipality": "city"},
}
# English also puts the word after the name: "Shunyi District", "Houshayu Town".
EN_PLACE_SUFFIXES: Mapping[str, str] = {
    "district": "district", "town": "town", "township": "town", "county": "district", "province": "region",
    "village": "town", "community": "community", "borough": "district",
}
ZH_PLACE_SUFFIXES: Mapping[str, str] = {
    "街道": "district", "社区": "community", "省": "region", "市": "city", "区": "district", "县": "district",
    "镇": "town", "乡": "town", "村": "town",
}
# Venue words: French before the name ("Pavillon chinois", "stade olympique de Bakou"), English after.
VENUE_WORDS = {
    "fr": ("pavillon", "stade", "palais", "centre de conférences", "centre des congrès", "parc des expositions",
           "salle"),
    "en": ("pavilion", "stadium", "hall", "arena", "convention centre", "convention center", "conference centre",
           "conference center", "exhibition centre", "exhibition center"),
    "zh": ("馆", "体育场", "会议中心", "展览中心"),
}
# How big each kind of place is, to order a chain of places (smallest first).
KIND_RANK = {"venue": 0, "community": 1, "town": 2, "district": 3, "city": 4, "region": 5, "country": 6}

# A place named right after one of these is where something happens, not a party to a relation.
LOCATIVE_WORDS = {
    "en": ("in", "at", "near"), "fr": ("à", "au", "aux", "en", "dans", "près"),
    "zh": ("在", "于", "到", "赴"),
}
# Connectors that put a smaller place inside a larger one: "… du bourg de Houshayu dans le district de Shunyi".
INSIDE_WORDS = {
    "en": (",", "in", "of", "within"), "fr": (",", "du", "de la", "de l'", "dans le", "dans la", "dans l'", "en", "à"),
    "zh": ("",),
}

# ---------------------------------------------------------------------------------------------
# Events: the word decides the type; a demonstrative before it ("cette conférence") refers back.

EVENT_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {"side event": "side_event", "side-event": "side_event", "parallel session": "side_event",
           "panel discussion": "panel", "panel": "panel", "round table": "panel", "roundtable": "panel",
           "conference": "conference", "summit": "conference", "forum": "conference", "congress": "conference",
           "session": "conference", "meeting": "conference", "workshop": "conference", "symposium": "conference",
           "assembly": "conference", "report": "report", "agreement": "agreement", "memorandum": "agreement",
           "treaty": "agreement", "signed": "agreement", "policy": "policy", "strategy": "policy",
           "action plan": "policy", "announced": "policy", "opened": "milestone", "inaugurated": "milestone",
           "founded": "milestone", "established": "milestone", "award": "milestone", "launched": "milestone"},
    "fr": {"session parallèle": "side_event", "événement parallèle": "side_event", "side event": "side_event",
           "table ronde": "panel", "conférence": "conference", "sommet": "conference", "forum": "conference",
           "congrès": "conference", "session": "conference", "réunion": "conference", "atelier": "conference",
           "colloque": "conference", "séminaire": "conference", "assemblée": "conference", "rapport": "report",
           "accord": "agreement", "protocole d'accord": "agreement", "signé": "agreement", "signée": "agreement",
           "politique": "policy", "stratégie": "policy", "plan d'action": "policy", "annoncé": "policy",
           "inauguré": "milestone", "inaugurée": "milestone", "ouvert": "milestone", "ouverte": "milestone",
           "fondé": "milestone", "fondée": "milestone", "créé": "milestone", "créée": "milestone", "prix": "milestone"},
    "zh": {"边会": "side_event", "分论坛": "side_event", "圆桌": "panel", "大会": "conference", "会议": "conference",
           "论坛": "conference", "峰会": "conference", "研讨会": "conference", "报告": "report", "协议": "agreement",
           "协定": "agreement", "备忘录": "agreement", "签署": "agreement", "政策": "policy", "战略": "policy",
           "成立": "milestone", "揭牌": "milestone", "开幕": "conference", "颁奖": "milestone"},
}
# More specific types win when one sentence has several event words.
EVENT_TYPE_PRIORITY = ("side_event", "panel", "agreement", "report", "policy", "milestone", "conference")
# Event codes in any language: COP29, CMP1, CMA1, SB60, UNEA-4.
EVENT_CODE_PATTERN = r"\b(?:COP|CMP|CMA|SB|UNEA)[- ]?\d{1,2}\b"
DEMONSTRATIVES = {"en": ("this", "that", "the same"), "fr": ("cette", "ce", "cet", "ces", "même"),
                  "zh": ("该", "本", "此", "这次", "这")}

# ---------------------------------------------------------------------------------------------
# Participations: a sentence after an event's own sentence speaks of that event only when it refers
# back to it or uses a word of taking part; the words around an organisation suggest its role.

PARTICIPATION_CUES = {
    "en": ("took part", "participants", "participated", "attended", "speakers", "spoke", "panel", "panellists",
           "panelists", "discussion", "experts", "delegates", "representatives", "organised by", "organized by",
           "hosted by", "co-hosted", "presented"),
    "fr": ("participants", "participé", "ont pris part", "intervenants", "discussion", "table ronde", "experts",
           "délégués", "représentants", "organisé par", "organisée par", "accueilli", "ont abordé", "a présenté"),
    "zh": ("参加", "出席", "参与", "发言", "讨论", "嘉宾", "代表", "主办", "承办", "致辞", "分享"),
}
# Role cues, most specific first: the cue nearest before the organisation (in its clause) decides.
ROLE_CUES: Mapping[str, Mapping[str, str]] = {
    "en": {"organised by": "organizer", "organized by": "organizer", "organiser": "organizer",
           "organizer": "organizer", "by": "organizer", "hosted by": "host", "host": "host",
           "supported by": "supporter", "with the support of": "supporter", "sponsored by": "supporter",
           "panel": "panelist", "panellist": "panelist", "panelist": "panelist", "discussion": "panelist",
           "speakers": "panelist", "spoke": "panelist", "experts": "panelist"},
    "fr": {"organisé par": "organizer", "organisée par": "organizer", "organisateur": "organizer",
           "accueilli par": "host", "accueillie par": "host", "hôte": "host", "avec le soutien": "supporter",
           "soutenu par": "supporter", "soutenue par": "supporter", "table ronde": "panelist",
           "discussion": "panelist", "intervenants": "panelist", "experts": "panelist"},
    "zh": {"主办": "organizer", "承办": "host", "支持": "supporter", "发言": "panelist", "讨论": "panelist",
           "对话": "panelist", "嘉宾": "panelist"},
}
# Roles a cue after the organisation gives (Chinese puts the verb last: "……在边会上发言").
ROLE_CUES_AFTER = {"zh": ("发言", "讨论", "主办", "承办", "致辞")}

# ---------------------------------------------------------------------------------------------
# Relations between organisations.

RELATION_CUES: Mapping[str, Mapping[str, str]] = {
    "en": {"cooperation": "cooperation", "cooperate": "cooperation", "partnership": "cooperation",
           "agreement": "cooperation", "signed": "cooperation", "written with": "cooperation",
           "together with": "cooperation", "jointly": "cooperation", "sister cities": "cooperation",
           "support": "support", "supported": "support", "funded": "support", "funding": "support",
           "praised": "recognition", "recognised": "recognition", "recognized": "recognition",
           "award": "recognition", "commended": "recognition",
           "member of": "membership", "members": "membership", "joined": "membership",
           "supervised by": "affiliation", "part of": "affiliation", "subsidiary": "affiliation",
           "managed by": "affiliation", "owned by": "affiliation", "its": "affiliation"},
    "fr": {"coopération": "cooperation", "coopèrent": "cooperation", "partenariat": "cooperation",
           "accord": "cooperation", "signé": "cooperation", "jumelage": "cooperation",
           "soutien": "support", "soutenu": "support", "soutenue": "support", "financé": "support",
           "saluées": "recognition", "salué": "recognition", "saluée": "recognition", "salués": "recognition",
           "reconnu": "recognition", "reconnue": "recognition", "prix": "recognition", "distingué": "recognition",
           "membre": "membership", "adhéré": "membership", "rejoint": "membership",
           "supervisé par": "affiliation", "placé sous": "affiliation", "filiale": "affiliation",
           "relevant de": "affiliation", "géré par": "affiliation"},
    "zh": {"合作": "cooperation", "协议": "cooperation", "签署": "cooperation", "友好城市": "cooperation",
           "支持": "support", "资助": "support", "赞扬": "recognition", "表彰": "recognition",
           "高度评价": "recognition",
           "成员": "membership", "加入": "membership", "管理": "affiliation", "隶属": "affiliation",
           "下属": "affiliation", "监管": "affiliation", "主管": "affiliation"},
}
# Words after which the organisations named are the givers ("from"): "praised by UNEP", "de la part d'…".
AGENT_MARKERS = {
    "en": ("by", "from"), "fr": ("par", "de la part de", "de la part d'", "de la part du", "de la part des"),
    "zh": ("由", "受到", "得到"),
}
