"""What a question asks for, read once per ask: its terms, names, the answer type it wants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from index import tokenize

from ..cues import is_calendar_name, opens_later_sentence
from ..intent import Ask

# Words that frame an ask without naming what it is about ("what did … say about …").
FRAME_WORDS = frozenset(tokenize(
    "what which who whom whose how why when where whether is are was were does did do done doing going happen "
    "happens happened happening tell told say says said according report reports reported article articles "
    "outlet outlets source sources news piece story stories summarize summarise summary describe described detail "
    "details explain mean means exactly actually please could would should will can may might like much many "
    "there their them they he him his she her it its that this those these and or but so also any some get go "
    "make made thing things way kind sort else really ever now then again still yet position positions stance "
    "stand stands view views think thinks role opinion take takes feel feels compare compared comparison contrast "
    # prepositions, particles and pronouns English uses everywhere: they name nothing an article could lack
    "under between among amid against during without within through throughout across toward towards upon via "
    "since until while once both either neither besides beside up down out off around above below behind beyond "
    "along onto anything anyone anybody something someone somebody everything everyone everybody nothing nobody "
    "myself yourself himself herself itself ourselves themselves because though although unless "
    # time relative to the reader's now: news copy dates things instead
    "current currently ongoing recent recently present presently"
))
# Words that say what kind of answer is wanted ("threaten", "next steps"): content when the articles
# use them, but an article can answer without using them, so their absence never counts as missing.
SOFT_WORDS = frozenset(tokenize(
    "want wants wanted plan plans respond responded response react reacted reaction threaten threatened threat "
    "threats demand demands demanded offer offered propose proposed proposal suggest expect expected gain gains "
    "lose loses win wins winner winners loser losers benefit benefits cost costs next watch step steps condition "
    "conditions term terms agree agreed accept accepted reject rejected warn warned push seek ask asked happen "
    "mean means deal outcome result results issue issues problem latest update situation status key main "
    "important significant point points"
))
_QUESTION_OPENERS = frozenset(
    "what which who whom whose how why when where whether is are was were does did do can could would should will "
    "and but so according in on at for after before if as".split()
)
# The entity labels (spaCy's OntoNotes set) that answer each kind of "wh-" ask.
ANSWER_TYPES: list[tuple[re.Pattern[str], frozenset[str]]] = [
    (re.compile(r"^\s*(?:and\s+|so\s+)?when\b|\bwhat\s+(?:date|day|time|year|month)\b|\bhow\s+(?:soon|long)\b|\bby\s+when\b|"
                r"\b(?:dates?|deadlines?)\b", re.IGNORECASE), frozenset({"DATE", "TIME"})),
    (re.compile(r"\bhow\s+(?:much|many|big|large|high|low)\b|\b(?:what|the)\s+(?:amount|sum|figure|number|percentage|share|"
                r"price|total|size)\b|\bhow\s+(?:much\s+)?money\b|\b(?:figures|amounts|sums)\b", re.IGNORECASE),
     frozenset({"MONEY", "CARDINAL", "PERCENT", "QUANTITY"})),
    (re.compile(r"^\s*(?:and\s+|so\s+)?(?:who|whom)\b|\bwhich\s+(?:leaders?|officials?|ministers?|people|person|"
                r"negotiators?|senators?|lawmakers?|justices?|judges?)\b|\bwho(?:'s|\s+is|\s+was)\b", re.IGNORECASE),
     frozenset({"PERSON", "ORG", "NORP"})),
    (re.compile(r"^\s*(?:and\s+|so\s+)?where\b(?!\s+(?:does|do|did|is|are)\s+[\w’' .-]{1,40}?\s+stand\b)|"
                r"\bwhich\s+(?:countries|country|cities|city|nations?|states?|places?|capital)\b|\bwhat\s+(?:city|country|"
                r"place|venue)\b", re.IGNORECASE),
     frozenset({"GPE", "LOC", "FAC", "NORP"})),
    (re.compile(r"\bwhich\s+(?:companies|company|firms?|groups?|organi[sz]ations?|parties|party|agenc(?:y|ies)|"
                r"outlets?|bodies|body)\b", re.IGNORECASE), frozenset({"ORG"})),
    (re.compile(r"\bwhat\s+(?:law|act|bill|treaty|agreement)\b|\bname\s+of\s+the\s+(?:law|act|bill)\b", re.IGNORECASE),
     frozenset({"LAW", "ORG", "EVENT"})),
]
_NAME = re.compile(r"\b[A-Z][\w’'.-]*[A-Za-z0-9](?:\s+(?:of\s+|al-|bin\s+)?[A-Z][\w’'.-]*[A-Za-z0-9])*")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


@dataclass
class Query:
    """One ask, read for ranking: content terms (stemmed) and names, its own and borrowed."""

    ask: Ask
    terms: list[str]  # content terms of the question as asked (after pronoun resolution)
    borrowed: list[str]  # content terms that only the conversation context adds
    names: list[str]  # capitalised names in the question ("Khalil al-Hayya", "COP29")
    numbers: list[str]
    answer_types: frozenset[str]  # every entity label that answers the ask
    # one label set per thing asked: "How big is it, and by when?" asks an amount and a date
    answer_groups: tuple[frozenset[str], ...] = ()
    outlet: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.ask.text


def read_query(ask: Ask, outlets: list[str]) -> Query:
    """Read an `Ask` (follow-up already resolved) into what the features need."""
    current = ask.current or ask.text
    masked = _mask_outlets(current, outlets)
    own = content_terms(masked)
    context = content_terms(_mask_outlets(ask.text, outlets))
    borrowed = [t for t in dict.fromkeys(context) if t not in set(own)]
    groups = tuple(labels for pattern, labels in ANSWER_TYPES if pattern.search(current))
    return Query(ask, list(dict.fromkeys(own)), borrowed, names_in(masked), _NUMBER.findall(current),
                 frozenset().union(*groups), groups, ask.outlet)


def content_terms(text: str) -> list[str]:
    """Stemmed content terms of a question: no stop words, no words that only frame the ask."""
    return [t for t in tokenize(text) if t not in FRAME_WORDS and not t.isdigit() or (t.isdigit() and len(t) >= 2)]


# Irregular English verb forms (base, past, participle; ambiguous ones such as "left", "found" or "saw"
# left out): "sought" answers "seeking", "won" answers "win" — for term matching, never for retrieval.
_IRREGULAR = """
arise arose arisen; beat beaten; become became; begin began begun; bend bent; bid; bite bit bitten;
bleed bled; blow blew blown; break broke broken; breed bred; bring brought; build built; burn burnt; buy bought;
catch caught; choose chose chosen; cling clung; come came; creep crept; deal dealt; dig dug; do did done;
draw drew drawn; drink drank drunk; drive drove driven; eat ate eaten; fall fallen; feed fed; feel felt;
fight fought; flee fled; fly flew flown; forbid forbade forbidden; forecast; foresee foresaw foreseen;
forget forgot forgotten; forgive forgave forgiven; freeze froze frozen; get got gotten; give gave given; go went gone;
grind ground; grow grew grown; hang hung; have had; hear heard; hide hid hidden; hold held; keep kept; know knew known;
lead led; lend lent; lose lost; make made; mean meant; meet met; mislead misled; overcome overcame;
overtake overtook overtaken; overthrow overthrew overthrown; pay paid; prove proven; ride rode ridden; ring rang rung;
run ran; seek sought; sell sold; send sent; shake shook shaken; shine shone; shoot shot; show shown; shrink shrank shrunk;
sing sang sung; sink sank sunk; sit sat; sleep slept; slide slid; speak spoke spoken; speed sped; spend spent; spin spun;
spring sprang sprung; stand stood; steal stole stolen; stick stuck; sting stung; strike struck stricken;
strive strove striven; swear swore sworn; sweep swept; swim swam swum; swing swung; take took taken; teach taught;
tear tore torn; think thought; throw threw thrown; undergo underwent undergone; understand understood;
undertake undertook undertaken; uphold upheld; wake woke woken; wear wore worn; weep wept; win won;
withdraw withdrew withdrawn; withhold withheld; withstand withstood; write wrote written
"""
VERB_BASE: dict[str, str] = {
    form: base for group in _IRREGULAR.split(";") if (words := [w for t in group.split() for w in tokenize(t)])
    for base in words[:1] for form in words[1:] if form != base
}
_VERB_FAMILY: dict[str, frozenset[str]] = {
    base: frozenset({base, *(f for f, b in VERB_BASE.items() if b == base)}) for base in set(VERB_BASE.values())
}


# Words news copy uses for one thing, for the refusal's vocabulary check only: a question that says
# "truce" is not about something the articles never mention when they say "ceasefire".
_SYNONYMS = """
truce ceasefire armistice; deal agreement accord pact; talks negotiations; ban prohibition;
envoy emissary; lawmakers legislators; hostages captives; prisoners detainees inmates;
troops soldiers; aid assistance; tariffs duties levies; summit conference; pledge promise commitment;
wealthy rich affluent; poor needy; nation country; killed dead; strike attack raid; vote ballot
"""
SYNONYMS: dict[str, frozenset[str]] = {
    t: frozenset(g) for group in _SYNONYMS.split(";")
    if (g := {t for w in group.split() for t in tokenize(w)[:1]}) for t in g
}


def close_form(term: str, word: str) -> bool:
    """A suffix or a short prefix apart: "azerbaijani" ~ "azerbaijan", "reassur" ~ "assur" (`term` of 6+ letters)."""
    return len(word) >= 5 and (term.startswith(word) or word.startswith(term[:-2])
                               or (term.endswith(word) and len(term) - len(word) <= 3))


def verb_forms(term: str) -> frozenset[str]:
    """A stemmed term's irregular verb family ("won" → win, wins, won), empty for any other word."""
    return _VERB_FAMILY.get(VERB_BASE.get(term, term), frozenset())


def is_soft(term: str) -> bool:
    """A `SOFT_WORDS` term in any of its verb forms ("won" is "win")."""
    return term in SOFT_WORDS or VERB_BASE.get(term, term) in SOFT_WORDS


def close_forms(terms: list[str], words: frozenset[str]) -> dict[str, frozenset[str]]:
    """Each term's other forms among `words`: its irregular verb forms and its `close_form`s."""
    by_start: dict[str, list[str]] = {}
    for w in words:
        by_start.setdefault(w[:3], []).append(w)
    out = {}
    for t in terms:
        found = {w for w in verb_forms(t) if w in words}
        if len(t) >= 6:  # a close form shares the term's first letters or is the term less a short prefix
            found.update(w for w in (*by_start.get(t[:3], ()), t[1:], t[2:], t[3:]) if w in words and close_form(t, w))
        found.discard(t)
        out[t] = frozenset(found)
    return out


def names_in(text: str) -> list[str]:
    """Capitalised names in a question, without the question's opening word ("What", "Did", "Outlets")."""
    from .refusal import rarity

    out: list[str] = []
    first = len(text) - len(text.lstrip(" \"“‘'("))
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in _QUESTION_OPENERS:
            words = words[1:]
        if words and m.start() == first and len(words) == len(m.group(0).split()) and rarity(words[0].lower()) < 0.4:
            words = words[1:]  # "Outlets give …": capitalised only because it opens the question
        if words and opens_later_sentence(text, m.start(), words[0]):
            words = words[1:]  # "… passed. Once the law was in force, …"
        # a possessive ends a name: "Hamas's al-Hayya" is Hamas and al-Hayya
        for segment in re.split(r"(?<=['’]s)\s+", " ".join(words)):
            name = re.sub(r"(?:’s|'s)$", "", segment).strip(" .-")
            if (len(name) > 1 and name.lower() not in _QUESTION_OPENERS and name not in out
                    and not is_calendar_name(name)):
                out.append(name)
    return out


def _mask_outlets(text: str, outlets: list[str]) -> str:
    pattern = _outlet_pattern(tuple(sorted(outlets, key=len, reverse=True)))
    return pattern.sub(lambda m: " " * len(m.group(0)), text) if pattern else text


@lru_cache(maxsize=16)
def _outlet_pattern(outlets: tuple[str, ...]) -> re.Pattern[str] | None:
    from index.attribution import OUTLETS

    names = sorted({*outlets, *OUTLETS, *(v for vs in OUTLETS.values() for v in vs)}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w-])(?:the\s+)?(?:" + "|".join(re.escape(n) for n in names) + r")(?:['’]s)?(?![\w-])",
                      re.IGNORECASE)
