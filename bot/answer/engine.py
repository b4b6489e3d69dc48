"""The extractive answer engine: candidates → features → ranker → refusal → writer.

No LLM and no hand-set weights: sentences are ranked by a logistic model fitted on labelled
questions (`bench/fit_answer.py` writes `weights.json`), and the same fit calibrates when the
evidence is too weak to answer. Every answer sentence is a stored sentence, cited verbatim.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from index import Chunk, KnowledgeIndex, tokenize
from index.attribution import opening_person
from index.outlets import same_outlet
from index.quotes import quote_runs, quote_states, statement_runs
from index.segment import split_sentences

from ..actors import Actors, Mention
from ..intent import Ask
from ..models import Answer
from ..rendering import join_names
from .features import FEATURES, Candidate, FeatureExtractor, candidates_of
from .query import Query, read_query
from .ranker import AnswerModel, select_indices
from .refusal import NOT_IN_ARTICLES, decline, evidence, typed_entities
from .writer import AnswerWriter, refuse

_OVERVIEW = re.compile(
    r"\b(summari[sz]e|summary|overview|gist|main\s+points|key\s+points|catch\s+me\s+up|brief\s+me|tl;?dr)\b"
    r"|\bwhat(?:'s|\s+is|\s+are)\s+(?:this|it|these|the\s+(?:story|stories|news|articles?))\s+(?:all\s+)?about\b"
    r"|\bwhat\s+(?:do|does)\s+(?:the|these)\s+articles?\s+(?:say|cover|report)\s*\??$",
    re.IGNORECASE,
)


class AnswerEngine:
    """Answers one classified ask from the index; `compose` is the verb."""

    def __init__(self, index: KnowledgeIndex, actors: Actors, k: int = 40, model: AnswerModel | None = None,
                 model_path: Path | None = None) -> None:
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.index = index
        self.actors = actors
        self.k = k
        self.model = model or AnswerModel.load(model_path)
        self.writer = AnswerWriter(index, lambda: self.actors)
        self.features = FeatureExtractor(index.idf, lambda: self.actors, index.article_size, self._antecedents)
        # (snapshot version, article id → statement run per sentence): swapped whole when the version moves
        self._runs: tuple[int, dict[str, tuple[list[int], list[int], list[bool]]]] = (-1, {})

    # ----- entry point -----------------------------------------------------------------------
    def compose(self, ask: Ask, previous: Answer | None = None, outlets: list[str] | None = None,
                article_ids: list[str] | None = None) -> Answer:
        if ask.intent == "injection":
            return refuse("I can only answer questions about what the indexed articles report; I can't follow "
                          "instructions like that. " + NOT_IN_ARTICLES, ask.intent, ask.text)
        if not self.index.chunks():
            return refuse("No articles are indexed yet, so there is nothing to answer from. Ingest articles first.",
                          ask.intent, ask.text)
        if ask.intent == "source":
            return self._source(ask, previous, outlets, article_ids)
        if _OVERVIEW.search(ask.current or ask.text) and not ask.actors:
            # "Summarize the Carbon Brief article": that outlet's articles; one only cited, not published,
            # is answered below from the sentences that cite it
            asked = ask.outlets or ([ask.outlet] if ask.outlet else [])
            own = self._leads(asked, article_ids) if asked else []
            if not asked or own:
                return self._overview(ask, self._leads(outlets, article_ids) if outlets or not asked else own)
        query = read_query(ask, self.index.outlets())
        ranked, features = self._rank(query, outlets, article_ids)
        if not ranked:
            return refuse(NOT_IN_ARTICLES + " Nothing in the indexed articles answers that.", ask.intent, ask.text)
        vocabulary = self.index.vocabulary()
        scores = np.array([c.score for c in ranked])
        proof = evidence(query, scores, features, vocabulary, typed_entities(ranked[:3]))
        answerable = self.model.answerable(proof) >= self.model.refusal_threshold
        if len(ask.outlets) > 1 and not outlets and (answerable or not query.terms):
            return self._each_outlet(query, ranked, article_ids)
        if query.outlet:
            return self._scoped(query, ranked, answerable, vocabulary)
        if not answerable:
            titles = [a.title for a in self.index.articles()]
            return refuse(decline(query, vocabulary, float(proof[1]), titles), ask.intent, ask.text)
        chosen = self.select(ranked, query)
        for part in split_parts(ask.current or ask.text):
            # "X proposed …; how did Y respond?": the best evidence for each part, wherever it is
            sub = Ask(part, ask.intent, ask.actors, ask.outlet, part, ask.book)
            part_query = read_query(sub, self.index.outlets())
            part_ranked, _ = self._rank(part_query, outlets, article_ids)
            if not part_ranked or part_ranked[0].score < self.model.selection.absolute:
                continue
            self.add_part(chosen, part_ranked[0])
        return self.writer.run(chosen, ask.intent, ask.text)

    def add_part(self, chosen: list[Candidate], top: Candidate) -> None:
        """Add a part's best sentence with the rest of its statement (also when the selection holds the
        sentence but not the statement), unless the same wire sentence from another outlet is there."""
        if any(c.chunk.id != top.chunk.id and _redundant(c, top) for c in chosen):
            return
        added = self.whole_statements([top], first=1) or [top]
        follow = self._continuation(added[-1])
        chosen.extend(c for c in (*added, *([follow] if follow else [])) if not any(c.chunk.id == o.chunk.id for o in chosen))

    def ranked(self, ask: Ask, outlets: list[str] | None = None, article_ids: list[str] | None = None) -> list[Candidate]:
        """Every candidate sentence scored for the ask, best first (the LLM mode's sources come from these)."""
        return self._rank(read_query(ask, self.index.outlets()), outlets, article_ids)[0]

    def cited(self, answer: Answer) -> list[Candidate]:
        """The stored sentences an answer cites, in citation order (those still indexed)."""
        chunks = self.index.chunks()
        out = []
        for citation in answer.citations:
            chunk = chunks.get(citation.chunk_id)
            sentence = next((s for s in chunk.sentences if s.start == citation.start), None) if chunk else None
            if chunk and sentence:
                out.append(Candidate(sentence, chunk, 1.0, 1.0, 1.0))
        return out

    def _antecedents(self, candidate: Candidate, book: Actors) -> list[Mention]:
        return self.writer.antecedents(candidate, book, possessive=True)[1]

    def clarified(self, candidate: Candidate) -> str:
        """The candidate's sentence with a leading pronoun clarified: 'he (Putin) said …'."""
        return self.writer.clarified(candidate)

    # ----- ranking ---------------------------------------------------------------------------
    def featurize(self, query: Query, outlets: list[str] | None = None, article_ids: list[str] | None = None
                  ) -> tuple[list[Candidate], np.ndarray]:
        """The candidate sentences for a query and their feature rows (retrieval order, unranked)."""
        passages = self.index.candidates(query.text, self.k, outlets, article_ids)
        if outlets:  # a filter applies to each cited sentence, not only to its article
            passages = [p for p in passages if any(same_outlet(o, w) for w in outlets
                                                   for o in (*p.chunk.sentences[0].outlets, p.chunk.publisher or ""))]
        candidates = candidates_of(passages)
        if not candidates:
            return [], np.zeros((0, len(FEATURES)))
        features = self.features.run(query, candidates, [p.score for p in passages],
                                     [p.lexical_score or 0.0 for p in passages])
        return candidates, features

    def _rank(self, query: Query, outlets: list[str] | None, article_ids: list[str] | None
              ) -> tuple[list[Candidate], np.ndarray]:
        candidates, features = self.featurize(query, outlets, article_ids)
        if not candidates:
            return [], features
        scores = self.model.rank(features)
        for c, p in zip(candidates, scores, strict=True):
            c.score = float(p)
        order = np.argsort(-scores, kind="stable")
        return [candidates[i] for i in order], features[order]

    def select(self, ranked: list[Candidate], query: Query | None = None) -> list[Candidate]:
        """The best sentence, then others close enough to it that add to it, then a lead-in's follow-up."""
        weights = {t: self.index.idf(t) for t in query.terms} if query else {}
        covers = [c.terms & weights.keys() for c in ranked]
        picked = select_indices([c.score for c in ranked], covers, weights, self.model.selection,
                                lambda i, j: _redundant(ranked[i], ranked[j]))
        chosen = self.whole_statements([ranked[i] for i in picked])
        out: list[Candidate] = []
        for c in chosen:
            out.append(c)
            follow = self._continuation(c)
            if follow is not None and not any(f.chunk.id == follow.chunk.id for f in (*chosen, *out)):
                out.append(follow)  # "For Kyiv, the risk is obvious." says nothing without the next one
        return out

    def whole_statements(self, chosen: list[Candidate], first: int = 2) -> list[Candidate]:
        """The `first` chosen sentences each with the rest of its speaker's statement (the quotation it
        belongs to and the speaker's next or previous sentences), in article order; the others as they are."""
        out: list[Candidate] = []
        seen = {c.chunk.id for c in chosen}
        for k, c in enumerate(chosen):
            if k >= first:
                out.append(c)
                continue
            for chunk in self._quote_run(c.chunk):
                if chunk.id == c.chunk.id:
                    out.append(c)
                elif chunk.id not in seen and chunk.sentences:
                    seen.add(chunk.id)
                    out.append(Candidate(chunk.sentences[0], chunk, c.score, c.overlap, c.dense))
        return out

    def _quote_run(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the statement `chunk`'s sentence belongs to (just `chunk` outside one)."""
        snapshot = self.index.snapshot()
        version, by_article = self._runs
        if version != snapshot.version:
            by_article = {}
            self._runs = (snapshot.version, by_article)
        runs = by_article.get(chunk.article_id)
        if runs is None:
            size = snapshot.sizes.get(chunk.article_id, 0)
            chunks = [snapshot.by_position.get((chunk.article_id, i)) for i in range(size)]
            if any(c is None or not c.sentences for c in chunks):
                return [chunk]
            text = self.index.article_text(chunk.article_id) or ""
            sentences = [c.sentences[0] for c in chunks]  # type: ignore[union-attr]
            breaks = [i == 0 or "\n" in text[sentences[i - 1].end : s.start] for i, s in enumerate(sentences)]
            # a statement reproduced over many paragraphs is cited by the paragraph, not whole
            quoted = quote_runs(quote_states([s.text for s in sentences], breaks, run_on=False))
            # a sentence about a person ("Trump, in a post, claimed credit.") opens that person's statement …
            opens = [opening_person(s.text, s.entities) for s in sentences]
            about = [s.speaker is None and who is not None for s, who in zip(sentences, opens, strict=True)]
            voices = [s.speaker or who for s, who in zip(sentences, opens, strict=True)]
            runs = by_article[chunk.article_id] = (quoted, statement_runs(quoted, voices), about)
        quoted, statements, about = runs
        p = chunk.position
        if p >= len(statements):
            return [chunk]
        run = statements[p]
        # … when it is the sentence chosen: a quote chosen does not bring the narration around it
        members = [i for i in range(run, min(len(statements), run + 8))
                   if statements[i] == run and (i == p or not about[i] or quoted[i] == quoted[p])]
        return [c for i in members if (c := snapshot.by_position.get((chunk.article_id, i))) is not None]

    def _continuation(self, c: Candidate) -> Candidate | None:
        """The next sentence when this one says nothing without it (a lead-in: short, or ending in a
        colon), or when the next goes on with the same subject ("They also pleaded …") or opens on what
        this one introduced ("… delivered a speech." → "In the speech, she praised …")."""
        text = c.sentence.text.rstrip()
        lead_in = len(text) < 60 or text.endswith(":")
        nxt = self.index.neighbour(c.chunk, 1)
        if nxt is None or not nxt.sentences:
            return None
        following = nxt.sentences[0].text
        if not (lead_in or _ALSO.match(following) or _refers_back(following, c)):
            return None
        return Candidate(nxt.sentences[0], nxt, c.score, c.overlap, c.dense)

    # ----- special asks ----------------------------------------------------------------------
    def _scoped(self, query: Query, ranked: list[Candidate], answerable: bool, vocabulary: frozenset[str]) -> Answer:
        """'What did X report …?': X's sentences; when X did not report it but another outlet did, say so."""
        ask = query.ask
        outlet = query.outlet or ""
        # the outlet as the articles spell it: "the AP" asked, "Associated Press" published
        name = next((o for o in self.index.outlets() if same_outlet(o, outlet)), None)

        if name is None:
            return refuse(f"{NOT_IN_ARTICLES} None of the indexed articles cite {outlet}, so I can't say what {outlet} "
                          "reported.", ask.intent, ask.text)
        own = [c for c in ranked if _from_outlet(c, outlet) and (c.overlap > 0 or not query.terms)]
        rule = self.model.selection
        if own and (answerable or own[0].score >= rule.absolute) and own[0].score >= _CLOSE_TO_BEST * ranked[0].score:
            return self.writer.run(self.select(own, query), ask.intent, ask.text)
        others = [c for c in ranked if not _from_outlet(c, outlet)]
        if answerable and others:
            return self.writer.false_premise(name, self.select(others, query), ask.intent, ask.text)
        titles = [a.title for a in self.index.articles()]
        return refuse(decline(query, vocabulary, ranked[0].dense, titles), ask.intent, ask.text)

    def _each_outlet(self, query: Query, ranked: list[Candidate], article_ids: list[str] | None) -> Answer:
        """'Compare what X and Y reported (about …)': each named outlet's own best sentences on it, or
        the lead of its articles when nothing more is asked; an outlet with nothing on it is named."""
        ask = query.ask
        chosen: list[Candidate] = []
        silent: list[str] = []
        # each outlet ranked among its own sentences, none favoured for being named (a shared pool ranks
        # the first-named outlet's sentences up); on it when close enough to the best of any of them
        own_ranked = {asked: self._rank(replace(query, outlet=None), [asked], article_ids)[0] if query.terms else []
                      for asked in ask.outlets}
        best = max((r[0].score for r in own_ranked.values() if r), default=0.0)
        floor = max(self.model.selection.absolute, _CLOSE_TO_BEST * best)
        for asked in ask.outlets:
            if query.terms:
                on_it = [c for c in own_ranked[asked] if c.overlap > 0 and c.score >= floor]
                picked = self.select(on_it, query)[:2] if on_it else []
            else:  # nothing asked but what each reported: its lead (or its best sentence, when it is only cited)
                picked = self._leads([asked], article_ids)[:1] or [c for c in ranked if _from_outlet(c, asked)][:1]
            picked = [c for c in picked if not any(c.chunk.id == o.chunk.id or _redundant(c, o) for o in chosen)]
            (chosen.extend(picked) if picked else silent.append(asked))
        if not chosen:
            return refuse(f"{NOT_IN_ARTICLES} None of the articles from {join_names(ask.outlets)} report on that.",
                          ask.intent, ask.text)
        lead = f"{join_names(silent)} did not report on that in these articles." if silent else None
        return self.writer.run(chosen, ask.intent, ask.text, lead=lead)

    def _leads(self, outlets: list[str] | None, article_ids: list[str] | None) -> list[Candidate]:
        """The lead sentence of each article (of these outlets, these articles), newest first."""
        chunks = self.index.chunks()
        firsts: dict[str, Candidate] = {}
        for chunk in sorted(chunks.values(), key=lambda c: (c.article_id, c.position)):
            if chunk.article_id in firsts or (article_ids and chunk.article_id not in article_ids):
                continue
            if outlets and not any(same_outlet(chunk.publisher or "", o) for o in outlets):
                continue
            s = chunk.sentences[0]
            if len(s.text) >= 80 and len(tokenize(s.text)) >= 8 and chunk.position < 8:
                firsts[chunk.article_id] = Candidate(s, chunk, 1.0, 0.0, 0.0)
        return sorted(firsts.values(), key=lambda c: (c.chunk.published_at or "", c.chunk.article_id), reverse=True)

    def _overview(self, ask: Ask, leads: list[Candidate]) -> Answer:
        """'Summarize the articles': the lead of each article (`_leads`), newest first, each naming its outlet."""
        if not leads:
            return refuse(NOT_IN_ARTICLES + " Nothing in the indexed articles answers that.", ask.intent, ask.text)
        return self.writer.overview(leads[:5], ask.text)

    def _source(self, ask: Ask, previous: Answer | None, outlets: list[str] | None, article_ids: list[str] | None) -> Answer:
        """'Which outlet reported that?': the previous answer's citations, attribution first."""
        if previous is not None and previous.grounded and previous.citations:
            chosen = self.cited(previous)
            if chosen:
                return self.writer.run(chosen, ask.intent, ask.text, attribution_first=True)
        ranked, _ = self._rank(read_query(ask, self.index.outlets()), outlets, article_ids)
        ranked = [c for c in ranked if c.sentence.kind == "reported"]
        if not ranked or ranked[0].score < self.model.selection.absolute:
            return refuse("Which statement do you mean? Ask about a topic first, then ask who reported it.",
                          ask.intent, ask.text)
        return self.writer.run(self.select(ranked), ask.intent, ask.text, attribution_first=True)


_PART_BREAK = re.compile(r"\s*[;:]\s+|,?\s+and\s+(?=(?:the\s+)?(?:one|other)\s+(?:that|who|which)\b)|,?\s+(?:and|while|but)\s+(?=(?:how|what|who|whom|when|where|why|which|did|does|do|is|are|was|were)\b)"
                         r"|,\s+(?=(?:how|what|who|when|where|why|which)\b)", re.IGNORECASE)


_EACH = re.compile(r"\b(?:each|both|respectively)\b", re.IGNORECASE)


# A sentence that goes on with the previous one's subject: "They also pleaded …", "He further said …"
_ALSO = re.compile(r"^(?:he|she|they|it|we)\s+(?:also|further|additionally|later)\b", re.IGNORECASE)
# "In the speech, …", "During the call …", "That goal …" (a bare "The law …" is how any news sentence opens)
_BACK = re.compile(r"^(?:(?:in|during|at|after|since|under)\s+(?:the|this|that|these|those)|this|that|these|those)\s+([\w’'-]+)",
                   re.IGNORECASE)


def _refers_back(following: str, c: Candidate) -> bool:
    """`following` opens on a thing `c`'s sentence introduced: "In the speech, …" after "… delivered a speech"."""
    m = _BACK.match(following)
    terms = tokenize(m.group(1)) if m else []
    return bool(terms) and terms[0] in c.terms


def split_parts(question: str) -> list[str]:
    """The parts of a two-part question ("What did X say, and how did Y respond?", "How did X's envoy
    and Y's delegate each describe it?", "X proposed a cap. How did Y respond?"); [] for one part."""
    from .query import names_in

    names = names_in(question)
    each = _EACH.search(question)
    if each and len(names) >= 2:
        # "How did [A's envoy] and [B's delegate] each describe it?": the question once per conjunct
        first = question.find(names[0])
        joint = re.search(r",?\s+and\s+", question[first:each.start()]) if first >= 0 else None
        if joint:
            left = question[first : first + joint.start()]
            right = question[first + joint.end() : each.start()].strip()
            prefix, rest = question[:first], question[each.end():]
            if left.strip() and right:
                return [" ".join(f"{prefix}{conjunct} {rest}".split()) for conjunct in (left.strip(), right)]
    sentences = [question[a:b] for a, b in split_sentences(question)]  # "X proposed a cap. How did Y respond?"
    parts = [p.strip(" ?.") for sentence in sentences for p in _clauses(sentence) if p and p.strip(" ?.")]
    parts = [p for p in parts if any(t.isalpha() for t in tokenize(p))]  # "(6-11)" is no part
    return parts if len(parts) >= 2 else []


_PART_SPLIT = re.compile(f"({_PART_BREAK.pattern})", re.IGNORECASE)  # the breaks kept, to tell a comma from the rest
_QUESTION = re.compile(r"\b(?:how|what|who|whom|whose|when|where|why|which)\b|^\s*(?:did|does|do|is|are|was|were|has|have|"
                       r"had|will|would|can|could|should)\b", re.IGNORECASE)


def _clauses(sentence: str) -> list[str]:
    """A sentence cut at its part breaks; a lead-in cut off by a comma ("After the vote, what did X say")
    is no question of its own and stays with the clause it introduces."""
    pieces = _PART_SPLIT.split(sentence)
    out: list[str] = []
    carry = ""
    for k in range(0, len(pieces), 2):
        text = carry + pieces[k]
        separator = pieces[k + 1] if k + 1 < len(pieces) else ""
        if separator.strip() == "," and not _QUESTION.search(text):
            carry = text + separator
            continue
        out.append(text)
        carry = ""
    return out


# An outlet's own best sentence answers an ask about that outlet when it scores at least this share
# of the best sentence from any outlet; below it, the outlet did not really report on it.
_CLOSE_TO_BEST = 0.5


def _from_outlet(c: Candidate, outlet: str) -> bool:
    """The candidate is that outlet's: its article's publisher, or an outlet its sentence credits."""
    return any(same_outlet(o, outlet) for o in (*c.sentence.outlets, c.chunk.publisher or ""))


def _redundant(a: Candidate, b: Candidate) -> bool:
    """Nearly the same sentence twice (two articles carrying one wire story)."""
    return len(a.terms & b.terms) / max(1, len(a.terms | b.terms)) >= 0.6
