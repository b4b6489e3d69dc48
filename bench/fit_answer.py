"""Fit the answer engine's ranker, refusal model and selection rule on labelled question sets.

    .venv/bin/python bench/fit_answer.py [--out bot/answer/weights.json] [--loco] [--ranker listwise|pointwise] [--l2 X]

Sets: the bundled seed, our own multi-publisher fixture set, and every dev corpus under
../shared/devsets (articles.jsonl + qa.jsonl). A candidate sentence is labelled positive when
it holds an expected keyword and comes from an article that answers (`source_ids`, when the set
has them; otherwise from an expected outlet). `--loco` also reports the honest figure: fit on all
sets but one dev set, answer that one, per dev set (leave one corpus out).

The ranker is fitted listwise by default: per question, a softmax over its candidates that should
put the answer sentences first (L2 30), then one logistic scale and bias that make its scores
probabilities again (the selection rule and the refusal model read them as such). Left out in turn,
it ranks each dev set's answers higher than the pointwise logistic fit (`--ranker pointwise`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bot.answer import REFUSAL_FEATURES, AnswerModel, Selection  # noqa: E402
from bot.answer.features import FEATURES  # noqa: E402
from bot.answer.query import read_query  # noqa: E402
from bot.answer.ranker import select_indices  # noqa: E402
from bot.answer.refusal import evidence, typed_entities  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.evaluation import InProcessTarget, load_testset, run_evaluation  # noqa: E402
from bot.evaluation.checks import OutletMatch, normalize  # noqa: E402
from bot.evaluation.sets import default_sets as evaluation_sets  # noqa: E402
from bot.service import Briefbot  # noqa: E402
from index.embedding import MiniLMEmbedder  # noqa: E402

WORK = ROOT / ".briefbot-fit"


@dataclass
class LabelledQuestion:
    set_name: str
    qid: str
    category: str
    answerable: bool
    keywords: list[str]
    outlets: list[str]
    features: np.ndarray
    labels: np.ndarray
    texts: list[str]  # normalised sentence texts, candidate order
    cited_outlets: list[set[str]]
    covers: list[frozenset[str]] = field(default_factory=list)
    term_weights: dict[str, float] = field(default_factory=dict)
    evidence_inputs: dict[str, object] = field(default_factory=dict)


def default_sets() -> list[tuple[str, Path, Path]]:
    """(name, articles, questions) of the seed, our own set and every dev set (bench-quality's sets)."""
    return [(s.name if s.name != "corpus" else "own", s.articles, s.questions) for s in evaluation_sets(ROOT)]


def open_bot(name: str, articles: Path, embedder: MiniLMEmbedder) -> Briefbot:
    """A fresh index of a set's articles, configured as the set is served (its aliases file, if any)."""
    aliases = next((s.aliases for s in evaluation_sets(ROOT) if s.articles == articles), None)
    bot = Briefbot(Settings(data_dir=WORK / name, aliases_file=aliases), embedder=embedder)
    report = bot.ingest_paths([articles])
    if report.failed:
        raise SystemExit(f"{name}: ingest failed: {report.summary()}")
    return bot


def resolve(bot: Briefbot, question: str, history: list[str]):  # type: ignore[no-untyped-def]
    """The ask as the service would classify it after the history turns (asked for real)."""
    resolved: list[str] = []
    conversation, previous = None, None
    for turn in history:
        previous = bot.ask(turn, conversation)
        conversation = previous.conversation_id
        resolved.append(previous.resolved_question or turn)
    return bot._classify(question, resolved, previous)


def label_set(name: str, bot: Briefbot, qa_path: Path) -> list[LabelledQuestion]:
    out = []
    engine = bot.composer
    for line in qa_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        ask = resolve(bot, case["question"], case.get("history") or [])
        query = read_query(ask, bot.index.outlets())
        candidates, features = engine.featurize(query)
        keywords = [normalize(k) for k in case.get("expected_keywords") or []]
        sources = set(case.get("source_ids") or [])
        expected = {o.casefold() for o in case.get("expected_outlets") or []}
        labels, texts, cited = [], [], []
        for c in candidates:
            text = normalize(c.sentence.text)
            outlets = {o.casefold() for o in c.sentence.outlets} | ({c.chunk.publisher.casefold()} if c.chunk.publisher else set())
            from_source = c.chunk.article_id in sources if sources else (not expected or bool(outlets & expected))
            labels.append(float(case["answerable"] and from_source and any(k in text for k in keywords)))
            texts.append(text)
            cited.append({o.casefold() for o in c.sentence.outlets})
        weights = {t: bot.index.idf(t) for t in query.terms}
        covers = [c.terms & weights.keys() for c in candidates]
        out.append(LabelledQuestion(name, case["id"], case.get("category", "-"), bool(case["answerable"]), keywords,
                                    sorted(expected), features, np.array(labels), texts, cited, covers, weights,
                                    {"query": query, "candidates": candidates}))
    return out


# ----- fitting -------------------------------------------------------------------------------
def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, sample_weight: np.ndarray | None = None,
                 iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (IRLS); x already standardised."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    sw = np.ones(n) if sample_weight is None else sample_weight
    reg = np.eye(d + 1) * l2
    reg[-1, -1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (sw * (p - y)) + reg @ w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def fit_listwise(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = 1.0, iters: int = 100) -> np.ndarray:
    """Weights that put each question's answer sentences above its other candidates: per question,
    the mean over its positives of -log softmax(score) (a convex listwise loss), each question
    weighing the same, L2-regularised; damped Newton. `groups`: (standardised rows, 0/1 labels)."""
    def loss(w: np.ndarray) -> float:
        total = 0.5 * l2 * float(w @ w)
        for x, y in groups:
            s = x @ w
            top = s.max()
            total += float(top + np.log(np.exp(s - top).sum()) - (y @ s) / y.sum())
        return total

    d = groups[0][0].shape[1]
    w = np.zeros(d)
    current = loss(w)
    for _ in range(iters):
        grad = l2 * w
        hess = np.eye(d) * l2
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            mean = p @ x
            grad += mean - (y @ x) / y.sum()
            centred = x - mean
            hess += (centred * p[:, None]).T @ centred
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4 and loss(w - t * step) > current - 1e-4 * t * float(grad @ step):
            t /= 2
        w = w - t * step
        previous, current = current, loss(w)
        if previous - current < 1e-9:
            break
    return w


Judge = Callable[[AnswerModel], float]


def fit_model(questions: list[LabelledQuestion], vocabularies: dict[str, frozenset[str]],
              judge: Judge | None = None, ranker: str = "listwise", l2: float = 30.0) -> AnswerModel:
    rows = [q for q in questions if q.answerable and len(q.labels) and q.labels.any()]
    x = np.vstack([q.features for q in rows])
    y = np.concatenate([q.labels for q in rows])
    # each question weighs the same, whatever its number of candidates
    sw = np.concatenate([np.full(len(q.labels), 1.0 / len(q.labels)) for q in rows]) * len(rows)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    if ranker == "listwise":  # the better leave-one-corpus-out ranking (README: Experiments)
        direction = fit_listwise([((q.features - mean) / scale, q.labels) for q in rows], l2=l2)
        # the scale and bias that make scores probabilities again (selection and refusal read them so)
        (a,), bias = fit_logistic((((x - mean) / scale) @ direction)[:, None], y, l2=0.0, sample_weight=sw)
        weights = a * direction
    else:
        weights, bias = fit_logistic((x - mean) / scale, y, l2=l2, sample_weight=sw)
    model = AnswerModel(weights, bias, mean, scale, np.zeros(len(REFUSAL_FEATURES)), 0.0)
    # refusal: question-level evidence under the fitted ranker
    ev = np.vstack([question_evidence(model, q, vocabularies[q.set_name]) for q in questions])
    ans = np.array([float(q.answerable) for q in questions])
    model.refusal_weights, model.refusal_bias = fit_refusal(ev, ans)
    model.refusal_threshold = pick_threshold(held_out_answerable(ev, ans, [q.set_name for q in questions]), ans)
    model.selection = pick_selection(model, [q for q in questions if q.answerable])
    if judge is not None:
        model.selection = refine_selection(model, judge)
    return model


def question_evidence(model: AnswerModel, q: LabelledQuestion, vocabulary: frozenset[str]) -> np.ndarray:
    scores = model.rank(q.features) if len(q.features) else np.zeros(0)
    candidates = q.evidence_inputs["candidates"]
    order = np.argsort(-scores, kind="stable")[:3]
    top = [candidates[i] for i in order]  # type: ignore[index]
    return evidence(q.evidence_inputs["query"], scores, q.features, vocabulary, typed_entities(top))  # type: ignore[arg-type]


def fit_refusal(ev: np.ndarray, ans: np.ndarray) -> tuple[np.ndarray, float]:
    """The refusal model: a logistic regression on question-level evidence, the two classes weighing the same."""
    balance = np.where(ans == 1, 1.0 / max(1, ans.sum()), 1.0 / max(1, (1 - ans).sum())) * len(ans) / 2
    return fit_logistic(ev, ans, l2=0.5, sample_weight=balance)


def held_out_answerable(ev: np.ndarray, ans: np.ndarray, set_names: list[str]) -> np.ndarray:
    """P(answerable) of each question from a refusal model fitted without its set: the threshold is
    picked on these, as it will be applied to stories the model has not seen (in-sample probabilities
    are over-confident on the very questions they were fitted to)."""
    names = np.array(set_names)
    if len(set(set_names)) < 2:  # one set: nothing to hold out
        w, b = fit_refusal(ev, ans)
        return 1.0 / (1.0 + np.exp(-np.clip(ev @ w + b, -30, 30)))
    p = np.zeros(len(ans))
    for name in dict.fromkeys(set_names):
        rest = names != name
        w, b = fit_refusal(ev[rest], ans[rest])
        p[~rest] = 1.0 / (1.0 + np.exp(-np.clip(ev[~rest] @ w + b, -30, 30)))
    return p


def pick_threshold(p: np.ndarray, answerable: np.ndarray) -> float:
    """The threshold with the best balanced accuracy among those refusing at most 4% of answerable questions."""
    best, best_t = -1.0, 0.5
    for t in np.linspace(0.05, 0.95, 91):
        false_refusal = float(((p < t) & (answerable == 1)).sum() / max(1, answerable.sum()))
        refusal = float(((p < t) & (answerable == 0)).sum() / max(1, (1 - answerable).sum()))
        score = refusal + (1 - false_refusal) - (10.0 if false_refusal > 0.04 else 0.0)
        if score > best + 1e-9:
            best, best_t = score, float(t)
    return best_t


def pick_selection(model: AnswerModel, questions: list[LabelledQuestion]) -> Selection:
    """The selection rule that best covers every expected keyword, preferring fewer sentences."""
    ranked = []
    for q in questions:
        if not len(q.features):
            continue
        scores = model.rank(q.features)
        order = np.argsort(-scores, kind="stable")
        texts = [q.texts[i] for i in order]
        words = [set(t.split()) for t in texts]
        covers = [q.covers[i] for i in order]
        ranked.append((q, scores[order].tolist(), texts, covers, words))
    best, best_rule = -1.0, Selection()
    grid = product((1, 2, 3, 4, 5), (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), (0.02, 0.05, 0.1, 0.15, 0.2, 0.3), (0.0, 0.2, 0.5, 1.0))
    for m, rel, ab, cov in grid:
        rule = Selection(m, rel, ab, cov)
        hits, used = 0.0, 0
        for q, scores, texts, covers, words in ranked:
            def redundant(i: int, j: int, words: list[set[str]] = words) -> bool:
                return len(words[i] & words[j]) / max(1, len(words[i] | words[j])) >= 0.6
            picked = select_indices(scores, covers, q.term_weights, rule, redundant)
            joined = " ".join(texts[i] for i in picked)
            hits += sum(kw in joined for kw in q.keywords) / max(1, len(q.keywords))
            used += len(picked)
        value = hits / max(1, len(ranked)) - 0.01 * used / max(1, len(ranked))
        if value > best:
            best, best_rule = value, rule
    return best_rule


def refine_selection(model: AnswerModel, judge: Judge) -> Selection:
    """The selection's two most telling knobs (how close a further sentence must be, and the bonus for
    covering more of the question) picked by the pass rate through the real pipeline on the training
    sets: the keyword simulation above knows nothing of split questions, whole statements or outlets."""
    base = model.selection
    best, best_rule = -1.0, base
    for relative in (0.2, 0.3, 0.4, 0.5):
        for coverage in (0.0, 0.5, 1.0):
            rule = replace(base, relative=relative, coverage=coverage)
            value = judge(replace(model, selection=rule))
            if value > best + 1e-9 or (abs(value - best) <= 1e-9 and rule == base):
                best, best_rule = value, rule
    return best_rule


def ranking_quality(model: AnswerModel, questions: list[LabelledQuestion]) -> dict[str, float]:
    """How high the ranker puts a labelled answer sentence, over the answerable questions that have one
    among their candidates: hit@1, hit@3 and mean reciprocal rank. Steadier than the pass rate, which
    a one-question flip moves by two points."""
    ranks = []
    for q in questions:
        if not (q.answerable and len(q.labels) and q.labels.any()):
            continue
        order = np.argsort(-model.rank(q.features), kind="stable")
        ranks.append(1 + int(np.flatnonzero(q.labels[order])[0]))
    if not ranks:
        return {"questions": 0, "hit@1": 0.0, "hit@3": 0.0, "mrr": 0.0}
    r = np.array(ranks)
    return {"questions": len(r), "hit@1": round(float((r == 1).mean()), 3), "hit@3": round(float((r <= 3).mean()), 3),
            "mrr": round(float((1 / r).mean()), 3)}


def _ranking_line(quality: dict[str, float]) -> str:
    return f"ranking hit@1 {quality['hit@1']:.2f} hit@3 {quality['hit@3']:.2f} mrr {quality['mrr']:.2f} (n={quality['questions']})"


# ----- scoring a fitted model through the real pipeline ---------------------------------------
def answer_pass_rate(bot: Briefbot, qa_path: Path, model: AnswerModel, outlet_match: OutletMatch = "any"
                     ) -> tuple[float, Counter, Counter]:
    """Run a set with `model` through the evaluation harness (the README's pass definition); per-category counts."""
    saved = bot.composer.model
    bot.composer.model = model
    try:
        report = run_evaluation(load_testset(qa_path), InProcessTarget(bot, check_retrieval=False),
                                outlet_match=outlet_match)
    finally:
        bot.composer.model = saved
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in report.rows:
        category = row.category or "-"
        total[category] += 1
        passed[category] += row.passed
    return sum(passed.values()) / max(1, sum(total.values())), passed, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bot/answer/weights.json")
    parser.add_argument("--loco", action="store_true", help="also report leave-one-corpus-out pass rates")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--ranker", choices=("listwise", "pointwise"), default="listwise",
                        help="listwise: softmax over each question's candidates; pointwise: logistic per sentence")
    parser.add_argument("--l2", type=float, default=None, help="the ranker's L2 penalty (default 30 listwise, 2 pointwise)")
    args = parser.parse_args()

    try:
        AnswerModel.load()
    except ValueError:  # the features changed since the last fit: start from the neutral prior
        AnswerModel.load = classmethod(lambda cls, path=None: cls.neutral())  # type: ignore[method-assign]
    embedder = MiniLMEmbedder()
    embedder.load()
    bots, questions, vocab = {}, [], {}
    for name, articles, qa in default_sets():
        print(f"labelling {name} …", file=sys.stderr, flush=True)
        bots[name] = (open_bot(name, articles, embedder), qa)
        vocab[name] = bots[name][0].index.vocabulary()
        questions += label_set(name, bots[name][0], qa)
    positives = sum(int(q.labels.sum()) for q in questions)
    print(f"{len(questions)} questions, {sum(len(q.labels) for q in questions)} candidates, {positives} positive",
          file=sys.stderr)
    def judge_on(names: list[str]) -> Judge:
        def judge(candidate: AnswerModel) -> float:  # the mean pass rate over the training sets
            rates = [answer_pass_rate(bots[n][0], bots[n][1], candidate, "all" if n in ("seed", "own") else "any")[0]
                     for n in names]
            return sum(rates) / len(rates)
        return judge

    l2 = args.l2 if args.l2 is not None else (30.0 if args.ranker == "listwise" else 2.0)
    model = fit_model(questions, vocab, judge_on(list(bots)), args.ranker, l2)
    dev = [n for n in bots if n not in ("seed", "own")]
    report: dict[str, object] = {"sets": list(bots), "features": list(FEATURES), "ranker": args.ranker, "l2": l2,
                                 "weights": dict(zip(FEATURES, model.weights.round(3).tolist(), strict=True))}
    fitted, ranking = {}, {}
    for name, (bot, qa) in bots.items():
        rate, passed, total = answer_pass_rate(bot, qa, model, "any" if name in dev else "all")
        fitted[name] = round(rate, 3)
        ranking[name] = ranking_quality(model, [q for q in questions if q.set_name == name])
        print(f"fit on all   {name:32s} pass {rate:.2f}  " + " ".join(f"{c}:{passed[c]}/{total[c]}" for c in sorted(total)))
        print(f"{'':13s}{'':32s} {_ranking_line(ranking[name])}")
    report["pass_rate_fitted_on_all"] = fitted
    report["ranking_fitted_on_all"] = ranking
    if args.loco:
        loco, loco_ranking = {}, {}
        for held in dev:
            held_model = fit_model([q for q in questions if q.set_name != held], vocab,
                                   judge_on([n for n in bots if n != held]), args.ranker, l2)
            bot, qa = bots[held]
            rate, passed, total = answer_pass_rate(bot, qa, held_model)
            loco[held] = round(rate, 3)
            loco_ranking[held] = ranking_quality(held_model, [q for q in questions if q.set_name == held])
            print(f"leave out    {held:32s} pass {rate:.2f}  " + " ".join(f"{c}:{passed[c]}/{total[c]}" for c in sorted(total))
                  + f"  selection {held_model.selection}")
            print(f"{'':13s}{'':32s} {_ranking_line(loco_ranking[held])}")
        report["pass_rate_leave_one_corpus_out"] = loco
        report["ranking_leave_one_corpus_out"] = loco_ranking
    model.meta = {"fitted_on": list(bots), "questions": len(questions), "positives": positives, **report}
    if not args.no_write:
        args.out.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
