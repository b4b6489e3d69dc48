"""The extractive composer: pick the sentences that answer, write them up with `[n]` and outlets.

No LLM. Every answer sentence is a stored sentence (lightly framed: the reporting outlet named,
analysis labelled as the article's analysis), so every claim is verbatim-backed by its citation.
When the material does not support an answer the composer says so: `grounded=False`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index import Chunk, KnowledgeIndex, Passage, Sentence, stem, tokenize

from .actors import Actors
from .cues import DATE, GAIN_CUES, LOSS_CUES, NEXT_CUES, NUMBER, PLACE, POSITION_CUES, VERB_GROUPS
from .intent import Ask
from .models import Answer, Citation
from .rendering import citation_for, join_names, render_sentence, render_source

NOT_IN_ARTICLES = "The articles don't say."

# Words that only frame an ask: never content, never required to occur in the articles.
_ASK_WORDS = frozenset(tokenize(
    "what which who whom how why when where whether is are was were does did do done doing going happen happens happened "
    "happening position positions stance view views think thinks say says said tell told report reports reported "
    "reporting news article articles outlet outlets source sources latest current update situation status explain "
    "summary summarize describe detail details key main point points important role feel take approach mean means "
    "matter matters anything something everything else give me please could would should will can may might like much "
    "many really there their them they he him his she her it its that this those these and or but so also under any "
    "some play played step steps out long short took get go look come way thing things lot part kind sort new first "
    "last still yet now then again ever exactly actually publication media according cover coverage"
))
# Words that may be missing from the articles without making a question unanswerable, but that
# count as content when they do occur ("the envoy's plan" ~ "the plan was a basis for discussion").
_SOFT_WORDS = frozenset(tokenize(
    "next watch stand stands want wants wanted plan plans respond responded response react reaction strategy goal "
    "goals aim aims idea ask asked asking offer offering offered demand demands demanded propose proposed proposal "
    "suggest insist expect expected gain gains lose loses win wins winner winners loser losers benefit benefits cost "
    "costs date day time place city country meet meeting term terms condition conditions agree accept reject refuse "
    "threaten threatened threat threats warn warned push pushing seek seeking"
))
_QUESTION_FRAME = _ASK_WORDS | _SOFT_WORDS
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "threaten": ("warn", "sanction", "strike", "boycott", "retaliate", "ultimatum"),
    "threat": ("warn", "sanction", "strike", "boycott"), "threatened": ("warn",),
    "want": ("demand", "wants", "ready", "press"), "demand": ("press", "call", "want"), "offer": ("invite", "ready", "propose"),
    "meet": ("meeting", "talk", "negotiation"), "talk": ("negotiation", "meet"), "truce": ("ceasefire", "pause"),
    "ceasefire": ("truce", "pause"), "gain": ("benefit",), "win": ("benefit", "gain"), "lose": ("loss", "lose"),
    "condition": ("term", "only"), "term": ("condition",), "deadline": ("monday", "date"), "stand": ("position",),
}
_LIMITS = {"position": 3, "general": 3, "next": 3, "gains": 3, "when": 3, "where": 2, "outlet": 4, "source": 4}


@dataclass
class Candidate:
    sentence: Sentence
    chunk: Chunk
    score: float
    overlap: float
    dense: float


@dataclass
class Composition:
    """The composer's output before the service stamps the conversation id."""

    answer: Answer
    candidates: list[Candidate] = field(default_factory=list)


class Composer:
    """Extractive answers from retrieved passages."""

    def __init__(self, index: KnowledgeIndex, actors: Actors, k: int = 8) -> None:
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.index = index
        self.actors = actors
        self.k = k

    # ----- entry point -----------------------------------------------------------------------
    def compose(
        self,
        ask: Ask,
        previous: Answer | None = None,
        outlets: list[str] | None = None,
        article_ids: list[str] | None = None,
    ) -> Answer:
        if ask.intent == "injection":
            return _refuse(
                "I can only answer questions about what the indexed articles report; I can't follow instructions "
                "like that. " + NOT_IN_ARTICLES,
                ask,
            )
        if not self.index.chunks():
            return _refuse("No articles are indexed yet, so there is nothing to answer from. Ingest articles first.", ask)
        if ask.intent == "source":
            return self._source(ask, previous, outlets, article_ids)
        missing = self._missing_terms(ask)
        if missing:
            return _refuse(f"The articles don't say anything about {join_names(missing)}.", ask)
        if ask.intent == "outlet" and ask.outlet:
            return self._outlet(ask, ask.outlet, article_ids)
        passages = self.index.search(ask.text, k=self.k + 4, outlets=outlets, article_ids=article_ids)
        candidates = self._score(ask, passages)
        if outlets:  # a filter applies to each cited sentence, not only to the chunk around it
            wanted = {o.lower() for o in outlets}
            candidates = [c for c in candidates if wanted & {o.lower() for o in c.sentence.outlets}]
        chosen = self._select(ask, candidates)
        if not chosen:
            return _refuse(NOT_IN_ARTICLES + " Nothing in the indexed articles answers that.", ask)
        if ask.wants_number and not any(NUMBER.search(c.sentence.text) for c in chosen):
            return _refuse(NOT_IN_ARTICLES + " The articles don't give that number.", ask)
        if ask.intent == "when" and not any(DATE.search(c.sentence.text) for c in chosen):
            return _refuse(NOT_IN_ARTICLES + " The articles don't give a date for that.", ask)
        return self._write(ask, chosen)

    def ranked(self, ask: Ask, outlets: list[str] | None = None, article_ids: list[str] | None = None) -> list[Candidate]:
        """Every retrieved sentence scored for the ask, best first (the LLM mode's sources come from these)."""
        passages = self.index.search(ask.text, k=self.k + 4, outlets=outlets, article_ids=article_ids)
        candidates = self._score(ask, passages)
        if outlets:
            wanted = {o.lower() for o in outlets}
            candidates = [c for c in candidates if wanted & {o.lower() for o in c.sentence.outlets}]
        return candidates

    def clarified(self, candidate: Candidate) -> str:
        """The candidate's sentence with a leading pronoun clarified: 'he (Putin) said …'."""
        return self._clarify_pronoun(candidate)

    # ----- grounding checks ------------------------------------------------------------------
    def _content_terms(self, text: str, book: Actors | None = None, soft: bool = False) -> list[tuple[str, str]]:
        """(surface word, stemmed term) pairs of a question, without ask words, actors and outlets.

        `soft` keeps the words that frame an ask but carry meaning when present (plan, deal terms).
        """
        masked = text
        for mention in reversed((book or self.actors).mentions(text)):
            masked = masked[: mention.start] + " " * len(mention.surface) + masked[mention.start + len(mention.surface) :]
        masked = self._outlet_names().sub(lambda m: " " * len(m.group(0)), masked)
        out = []
        for word in re.findall(r"[\w’'-]+", masked):
            for piece in word.split("-"):
                terms = tokenize(piece)
                if terms and terms[0] not in (_ASK_WORDS if soft else _QUESTION_FRAME):
                    out.append((piece, terms[0]))
        return out

    def _outlet_names(self) -> re.Pattern[str]:
        """Matches any outlet name (lexicon or indexed) as a whole phrase."""
        from index.attribution import OUTLETS

        names = sorted({*self.index.outlets(), *OUTLETS, *(v for vs in OUTLETS.values() for v in vs)}, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.IGNORECASE)

    def _missing_terms(self, ask: Ask) -> list[str]:
        """Why the articles cannot answer: the question's key words that occur nowhere in them.

        A missing name (a capitalised word inside the question) is enough to refuse; otherwise
        at least half of the question's content words must be missing (synonyms count as found).
        """
        vocabulary = self.index.vocabulary()
        terms = self._content_terms(ask.current, ask.book)
        missing: list[str] = []
        missing_name = False
        first_word = (re.findall(r"[\w’'-]+", ask.current) or [""])[0]
        for surface, term in terms:
            if surface.isdigit() or term in vocabulary:
                continue
            if any(s in vocabulary for syn in _SYNONYMS.get(term, ()) for s in tokenize(syn)):
                continue
            if surface[:1].isupper() and surface != first_word:
                missing_name = True
            if surface.lower() not in (m.lower() for m in missing):
                missing.append(surface)
        counted = {t for surface, t in terms if not surface.isdigit()}
        if missing_name or (missing and len(missing) * 2 >= len(counted)):
            return missing
        return []

    # ----- scoring and selection -------------------------------------------------------------
    def _query_terms(self, ask: Ask) -> dict[str, tuple[float, frozenset[str]]]:
        """Each content term of the question → (weight, the stems that count as a match).

        Terms of the question as asked weigh 1; terms borrowed from earlier turns weigh 0.3.
        A synonym match counts 0.7 of a direct one (see `_overlap`).
        """
        own = {t for _, t in self._content_terms(ask.current, ask.book, soft=True)}
        borrowed = {t for _, t in self._content_terms(ask.text, ask.book, soft=True)} - own
        out: dict[str, tuple[float, frozenset[str]]] = {}
        for weight, terms in ((1.0, own), (0.3, borrowed)):
            for term in terms:
                synonyms = frozenset(s for syn in _SYNONYMS.get(term, ()) for s in tokenize(syn)) - {term}
                out[term] = (weight * self.index.idf(term), synonyms)
        return out

    @staticmethod
    def _overlap(terms: dict[str, tuple[float, frozenset[str]]], words: set[str]) -> float:
        total = sum(w for w, _ in terms.values()) or 1.0
        hit = 0.0
        for term, (weight, synonyms) in terms.items():
            if term in words:
                hit += weight
            elif synonyms & words:
                hit += 0.7 * weight
        return hit / total

    def _score(self, ask: Ask, passages: list[Passage]) -> list[Candidate]:
        terms = self._query_terms(ask)
        asked_actors = set(ask.actors)
        primary = ask.actors[0] if ask.actors else None
        verbs = _verbs_in(ask.current)
        verb_stems = {t for t in tokenize(ask.current) if t in VERB_GROUPS}
        wants_loss = bool(re.search(r"\blos(e|es|ing|er|ers)\b|\bhurt|\bcost", ask.current, re.IGNORECASE))
        wants_gain = bool(re.search(r"\b(gain|gains|benefit\w*|win\w*|advantage|help\w*)\b", ask.current, re.IGNORECASE))
        out: list[Candidate] = []
        for rank, passage in enumerate(passages):
            dense = passage.dense_similarity or 0.0
            for sentence in passage.chunk.sentences:
                text = sentence.text
                words = set(tokenize(text))
                overlap = self._overlap(terms, words)
                score = 0.55 * dense + 0.6 * overlap + 0.08 / (1 + rank)
                mentions = (ask.book or self.actors).mentions(text)
                mentioned = {m.actor for m in mentions}
                shared = verbs & _verbs_in(text)
                if shared and (primary is None or primary in mentioned):
                    # "What does Moscow want?" ~ "Moscow wants …" (exact) or "… pressed for …" (same group),
                    # strongest when the asked actor is the sentence's subject
                    exact = bool(verb_stems & words)
                    subject = bool(mentions) and mentions[0].actor == primary
                    score += (0.35 if exact else 0.25) if subject else (0.15 if exact else 0.1)
                if ask.intent == "position":
                    if asked_actors & mentioned:
                        score += 0.3
                        if mentions[0].actor == primary:
                            score += 0.15  # the asked actor is the sentence's subject
                        if primary in mentioned:
                            score += 0.12 * len((asked_actors - {primary}) & mentioned)  # and the others asked about
                    elif asked_actors:
                        score -= 0.15
                    if POSITION_CUES.search(text):
                        score += 0.12
                    if sentence.kind == "reported":
                        score += 0.15
                elif ask.intent == "next":
                    if re.search(r"next|watch|ahead|coming", sentence.section or "", re.IGNORECASE):
                        score += 0.35
                    if NEXT_CUES.search(text):
                        score += 0.12
                    if sentence.kind == "reported":
                        score += 0.1
                elif ask.intent == "gains":
                    loss = bool(LOSS_CUES.search(text))
                    gain = bool(GAIN_CUES.search(text))
                    if (wants_loss and loss) or (wants_gain and gain) or (not wants_loss and not wants_gain and (loss or gain)):
                        score += 0.4
                        if re.match(r"^[\w’'-]+(?:\s+[\w’'-]+)?\s+(?:also\s+)?(?:loses|gains|benefits|wins)\b", text):
                            score += 0.1  # "Ukraine loses if …": the sentence is about exactly that
                    elif loss or gain:
                        score += 0.1
                    if sentence.kind == "analysis":
                        score += 0.1
                elif ask.intent == "when":
                    score += 0.35 if DATE.search(text) else -0.2
                    if sentence.kind == "reported":
                        score += 0.06
                elif ask.intent == "where":
                    score += 0.35 if PLACE.search(text) else -0.2
                    if sentence.kind == "reported":
                        score += 0.06
                elif asked_actors and asked_actors & mentioned:
                    score += 0.15
                if ask.intent in ("gains",) and asked_actors and asked_actors & mentioned:
                    score += 0.15
                out.append(Candidate(sentence, passage.chunk, score, overlap, dense))
        out.sort(key=lambda c: -c.score)
        return out

    def _select(self, ask: Ask, candidates: list[Candidate]) -> list[Candidate]:
        if not candidates:
            return []
        best = candidates[0]
        if ask.intent == "general" and best.dense < 0.18 and best.overlap < 0.2:
            return []  # nothing in the articles is about this
        limit = _LIMITS.get(ask.intent, 3)
        floor = max(0.25, best.score * 0.72)
        chosen: list[Candidate] = []
        seen: set[tuple[str, int]] = set()
        for c in candidates:
            key = (c.chunk.article_id, c.sentence.start)
            if key in seen or c.score < floor:
                continue
            if c.overlap == 0 and c.dense < 0.3 and chosen:
                continue
            if any(_redundant(c, other) for other in chosen):
                continue
            seen.add(key)
            chosen.append(c)
            follow = _continuation(c)
            if follow is not None and (c.chunk.article_id, follow.sentence.start) not in seen:
                seen.add((c.chunk.article_id, follow.sentence.start))
                chosen.append(follow)  # "For Kyiv, the risk is obvious." says nothing without the next one
            if len(chosen) >= limit:
                break
        return chosen

    # ----- special intents -------------------------------------------------------------------
    def _outlet(self, ask: Ask, outlet: str, article_ids: list[str] | None) -> Answer:
        known = {o.lower(): o for o in self.index.outlets()}
        name = known.get(outlet.lower())
        if name is None:
            return _refuse(f"None of the indexed articles cite {outlet}, so I can't say what {outlet} reported.", ask)
        passages = self.index.search(ask.text, k=self.k * 2, outlets=[name], article_ids=article_ids)
        candidates = [
            c for c in self._score(ask, passages)
            if name.lower() in (o.lower() for o in c.sentence.outlets) and c.sentence.kind == "reported"
        ]
        outlet_words = set(tokenize(outlet))
        topic = {t for _, t in self._content_terms(ask.text, ask.book)} - outlet_words
        topic |= set(tokenize(" ".join(a for actor in ask.actors for a in (ask.book or self.actors).aliases(actor))))
        if not candidates:
            return _refuse(f"{name} is cited in the articles, but not on that.", ask)
        if topic:
            candidates = [c for c in candidates if c.overlap > 0 or (ask.actors and set(ask.actors) & set((ask.book or self.actors).actors_in(c.sentence.text)))]
            if not candidates:
                return _refuse(f"The articles don't attribute anything on that to {name}: {name} did not report on it here.", ask)
        chosen = []
        seen = set()
        for c in candidates:
            key = (c.chunk.article_id, c.sentence.start)
            if key not in seen:
                seen.add(key)
                chosen.append(c)
            if len(chosen) >= (3 if topic else _LIMITS["outlet"]):
                break
        return self._write(ask, chosen)

    def _source(self, ask: Ask, previous: Answer | None, outlets: list[str] | None, article_ids: list[str] | None) -> Answer:
        if previous is not None and previous.grounded and previous.citations:
            chunks = self.index.chunks()
            chosen = []
            for citation in previous.citations:
                chunk = chunks.get(citation.chunk_id)
                sentence = next((s for s in chunk.sentences if s.start == citation.start), None) if chunk else None
                if chunk and sentence:
                    chosen.append(Candidate(sentence, chunk, 1.0, 1.0, 1.0))
            if chosen:
                return self._write(ask, chosen, attribution_first=True)
        passages = self.index.search(ask.text, k=self.k, outlets=outlets, article_ids=article_ids)
        candidates = [c for c in self._score(ask, passages) if c.sentence.kind == "reported"]
        chosen = self._select(ask, candidates)
        if not chosen:
            return _refuse("Which statement do you mean? Ask about a topic first, then ask who reported it.", ask)
        return self._write(ask, chosen, attribution_first=True)

    # ----- writing ---------------------------------------------------------------------------
    def _write(self, ask: Ask, chosen: list[Candidate], attribution_first: bool = False) -> Answer:
        citations: list[Citation] = []
        parts: list[str] = []
        previous_kind: str | None = None
        for c in chosen:
            n = len(citations) + 1
            s = c.sentence
            citations.append(citation_for(n, s, c.chunk))
            text = self._clarify_pronoun(c)
            if attribution_first:
                parts.append(render_source(s, text, n, only=len(chosen) == 1))
            else:
                parts.append(render_sentence(s, text, n, c.chunk.publisher, previous_kind == "analysis"))
            previous_kind = s.kind
        return Answer(answer=" ".join(parts), grounded=True, citations=citations, intent=ask.intent, resolved_question=ask.text)

    def _clarify_pronoun(self, c: Candidate) -> str:
        """'In Moscow, he said …' → 'In Moscow, he (Putin) said …' when the article just named him.

        Parentheses, not brackets: `[n]` is reserved for citation markers.
        """
        text = c.sentence.text
        match = re.search(r"\b(he|she)\b", text[:60], re.IGNORECASE)
        if not match:
            return text
        if any(m.person for m in self.actors.mentions(text[: match.start()])):
            return text
        before = self.index.text_before(c.chunk, c.sentence.start, 400)
        people = [m for m in self.actors.mentions(before) if m.person]
        if not people:
            return text
        name = people[-1].surface
        return text[: match.end()] + f" ({name})" + text[match.end() :]


_GENERIC_FRAME = frozenset(tokenize("what which who how why when where is are was were does did do done doing happen next"))


def _redundant(a: Candidate, b: Candidate) -> bool:
    """The same outlets saying nearly the same thing twice (two articles by one wire)."""
    if set(a.sentence.outlets) != set(b.sentence.outlets):
        return False
    wa, wb = set(tokenize(a.sentence.text)), set(tokenize(b.sentence.text))
    return len(wa & wb) / max(1, len(wa | wb)) >= 0.4


def _share(terms: set[str], words: set[str]) -> float:
    return len(terms & words) / len(terms) if terms else 0.0


def _verbs_in(text: str) -> set[str]:
    """The verb groups (want, offer, threaten, say, …) a text uses."""
    return {VERB_GROUPS[s] for s in (stem(w) for w in re.findall(r"[a-z]+", text.lower())) if s in VERB_GROUPS}


def _continuation(c: Candidate) -> Candidate | None:
    """The next sentence of the same chunk, when the chosen one is only a short lead-in."""
    if len(c.sentence.text) >= 60 and not c.sentence.text.rstrip().endswith(":"):
        return None
    sentences = c.chunk.sentences
    for i, s in enumerate(sentences[:-1]):
        if s.start == c.sentence.start:
            return Candidate(sentences[i + 1], c.chunk, c.score, c.overlap, c.dense)
    return None


def _refuse(message: str, ask: Ask) -> Answer:
    return Answer(answer=message, grounded=False, citations=[], intent=ask.intent, resolved_question=ask.text)
