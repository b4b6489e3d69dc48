"""The briefing on the seed and on the multi-article corpus, over HTTP and the CLI."""

from __future__ import annotations

import re

import httpx
import pytest
from click.testing import CliRunner

from bot.briefing import resolve_date
from bot.cli import main
from tests.conftest import SEED


@pytest.fixture(scope="module")
def seed_briefing(seed_server) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = httpx.get(f"{seed_server.url}/v1/briefing", timeout=60)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def corpus_briefing(corpus_server) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = httpx.get(f"{corpus_server.url}/v1/briefing", timeout=60)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _check_citations(briefing: dict, article_texts: dict[str, str]) -> None:  # type: ignore[type-arg]
    numbers = {c["n"] for c in briefing["citations"]}
    assert numbers == set(range(1, len(numbers) + 1))
    items = [i for a in briefing["positions"] for i in a["items"]] + briefing["next_steps"] + briefing["gains_losses"]
    items += [i for o in briefing["by_outlet"] for i in o["items"]] + [v for d in briefing["differences"] for v in d["versions"]]
    for item in items:
        assert item["citations"] and set(item["citations"]) <= numbers
        assert {int(n) for n in re.findall(r"\[(\d+)\]", item["text"])} == set(item["citations"])
    for c in briefing["citations"]:
        text = article_texts[c["article_id"]]
        assert text[c["start"] : c["end"]] == c["quote"], "every quote is the stored text at its offsets"


def _actor(briefing: dict, name: str) -> dict:  # type: ignore[type-arg]
    found = [a for a in briefing["positions"] if a["actor"] == name]
    assert found, [a["actor"] for a in briefing["positions"]]
    return found[0]  # type: ignore[no-any-return]


def _outlets(items: list[dict]) -> set[str]:  # type: ignore[type-arg]
    return {o for i in items for o in i["outlets"]}


def test_seed_positions_of_each_actor_with_the_right_outlets(seed_briefing, seed_bot) -> None:  # type: ignore[no-untyped-def]
    _check_citations(seed_briefing, {"putin-peace-signal": seed_bot.index.article_text("putin-peace-signal")})
    russia = _actor(seed_briefing, "Russia")
    assert {"Al Jazeera", "BBC"} <= _outlets(russia["items"])
    assert any("third country" in i["text"] for i in russia["items"])
    ukraine = _actor(seed_briefing, "Ukraine")
    assert any("security guarantees" in i["text"] and i["outlets"] == ["BBC"] for i in ukraine["items"])
    europe = _actor(seed_briefing, "Europe")
    assert any("30-day ceasefire" in i["text"] and i["outlets"] == ["POLITICO"] for i in europe["items"])
    us = _actor(seed_briefing, "United States")
    assert any("Trump" in i["text"] and "POLITICO" in i["outlets"] for i in us["items"])
    assert "Trump" in " ".join(us["aliases"])


def test_seed_next_steps_include_monday_and_may_15(seed_briefing) -> None:  # type: ignore[no-untyped-def]
    steps = seed_briefing["next_steps"]
    monday = [s for s in steps if "Monday" in s["when"]]
    may = [s for s in steps if "May 15" in s["when"]]
    assert monday and may
    assert any({"POLITICO", "BBC"} <= set(s["outlets"]) for s in may)
    assert all(s["dates"] == [] for s in steps), "no published_at: dates stay as written"


def test_seed_gains_and_losses_are_analysis(seed_briefing) -> None:  # type: ignore[no-untyped-def]
    effects = seed_briefing["gains_losses"]
    assert {(e["actor"], e["effect"]) for e in effects} >= {("Russia", "gains"), ("Ukraine", "loses"), ("Europe", "loses")}
    assert all(e["kind"] == "analysis" and e["outlets"] == [] for e in effects)
    assert all("analysis" in e["text"] for e in effects)


def test_seed_per_outlet_map_is_exactly_the_articles_attribution(seed_briefing) -> None:  # type: ignore[no-untyped-def]
    claims = {o["outlet"]: [i["text"] for i in o["items"]] for o in seed_briefing["by_outlet"]}
    assert set(claims) == {"Al Jazeera", "POLITICO", "BBC"}
    starts = {o: sorted(t[:25] for t in texts) for o, texts in claims.items()}
    assert starts["Al Jazeera"] == sorted(["In Moscow, he said the wa", "Putin’s remarks came as R"])
    assert starts["POLITICO"] == sorted(["At the same time, Europea", "The immediate test is whe"])
    assert starts["BBC"] == sorted(["BBC reported that Putin i", "Zelenskyy’s position rema", "The immediate test is whe"])
    assert seed_briefing["differences"] == []


def test_corpus_briefing_discovers_actors_and_shows_differing_reports(corpus_briefing, corpus_bot) -> None:  # type: ignore[no-untyped-def]
    texts = {a.id: corpus_bot.index.article_text(a.id) for a in corpus_bot.index.articles()}
    _check_citations(corpus_briefing, texts)
    actors = {a["actor"] for a in corpus_briefing["positions"]}
    assert {"Valdoria", "Kestria"} <= actors, "actors are discovered from the text, not a fixed list"
    assert not actors & {"Geneva", "Talks", "Istanbul", "Farmers"}
    kestria = _actor(corpus_briefing, "Kestria")
    assert any("guarantee" in i["text"] for i in kestria["items"])
    (diff,) = [d for d in corpus_briefing["differences"] if "Geneva" in d["point"]]
    by_outlet = {o: v["when"] for v in diff["versions"] for o in v["outlets"]}
    assert "March 14" in by_outlet["Bloomberg"] and "March 12" in by_outlet["Reuters"]
    dated = [s for s in corpus_briefing["next_steps"] if s["dates"]]
    assert any("2026-03-12" in s["dates"] for s in dated), "relative dates resolve against published_at"


def test_briefing_filters_and_bad_input(seed_server) -> None:  # type: ignore[no-untyped-def]
    only_bbc = httpx.get(f"{seed_server.url}/v1/briefing", params={"outlets": "BBC"}).json()
    assert {o["outlet"] for o in only_bbc["by_outlet"]} == {"BBC"}
    assert all("BBC" in c["outlets"] for c in only_bbc["citations"])
    none = httpx.get(f"{seed_server.url}/v1/briefing", params={"article_ids": "nope"}).json()
    assert none["positions"] == [] and none["citations"] == []
    topic = httpx.get(f"{seed_server.url}/v1/briefing", params={"topic": "sanctions"}).json()
    assert topic["topic"] == "sanctions" and topic["citations"]
    too_long = httpx.get(f"{seed_server.url}/v1/briefing", params={"topic": "x" * 2000})
    assert too_long.status_code == 422 and "detail" in too_long.json()


def test_briefing_is_cached_per_index_version(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_bot

    bot = make_bot(tmp_path / "b", embedder, SEED)
    first = bot.brief()
    assert bot.brief() is first
    bot.index.ingest_records([__import__("index").ArticleRecord(
        id="extra", title="Extra", text="Turkey offered to host the talks in Istanbul on May 15, Reuters reported.")])
    second = bot.brief()
    assert second is not first and "Reuters" in {o["outlet"] for o in second.to_dict()["by_outlet"]}


def test_brief_cli_prints_markdown_and_json() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEED)]).exit_code == 0
    md = runner.invoke(main, ["brief"])
    assert md.exit_code == 0
    for heading in ("## Positions", "## Next steps", "## Who gains, who loses", "## Who reported what", "## Sources"):
        assert heading in md.output
    data = runner.invoke(main, ["brief", "--json"])
    assert data.exit_code == 0 and '"by_outlet"' in data.output


@pytest.mark.parametrize(
    "expression,published,expected",
    [("Monday", "2026-03-01", "2026-03-02"), ("Monday", "2026-03-02", "2026-03-02"), ("May 15", "2026-03-01", "2026-05-15"),
     ("January 5", "2026-11-20", "2027-01-05"), ("Monday", None, None), ("next week", "2026-03-01", "2026-03-08"),
     ("2026-04-01", None, "2026-04-01"), ("mid-March", "2026-01-10", "2026-03-15"), ("mid-March", "2026-11-10", "2027-03-15"),
     ("Thursday", "2026-03-03", "2026-03-05"), ("in two weeks", "2026-03-01", "2026-03-15"), ("next month", "2026-03-01", "2026-04-01"),
     ("next week", None, None), ("2026", "2026-03-01", None), ("weekend", "2026-03-01", None), ("a while", "2026-03-01", None)],
)
def test_resolve_date(expression: str, published: str | None, expected: str | None) -> None:
    assert resolve_date(expression, published) == expected


def test_markdown_pairs_each_date_with_its_own_resolution() -> None:
    from bot.briefing import Briefing, BriefItem, to_markdown
    from bot.models import Citation

    citation = Citation(n=1, outlets=["AP"], kind="reported", quote="q", article_id="a", article_title="t",
                        publisher="AP", url=None, chunk_id="c", start=0, end=1, published_at="2026-03-01")
    item = BriefItem(text="Talks next week, then a vote on Monday, AP reported [1].", citations=[1], kind="reported",
                     outlets=["AP"], when=["next week", "Monday"], dates=["2026-03-02"])
    md = to_markdown(Briefing(articles=["a"], index_version=1, topic=None, next_steps=[item], citations=[citation],
                              by_outlet=[]))
    assert "_next week (2026-03-08), Monday (2026-03-02)_" in md, "each date with its own resolution (dateparser for next week)"


def test_a_new_storys_briefing_groups_a_country_its_capital_demonym_and_minister(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.conftest import make_bot

    articles = [
        {"id": "talks", "title": "Fishing talks open", "outlet": "Harbour Daily", "published_at": "2031-05-02",
         "text": "Norwegian Foreign Minister Ines Dahl said Oslo wants the cod quota frozen until 2030. "
                 "Norway will ask for a neutral panel, Dahl told reporters. "
                 "Iceland wants the quota cut by a fifth, Icelandic officials said."},
        {"id": "reply", "title": "Reykjavik answers", "outlet": "North Wire", "published_at": "2031-05-03",
         "text": "Reykjavik rejected the Norwegian plan on Tuesday. "
                 "The Norwegians want a deal before the season opens in June, officials said."},
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in articles) + "\n", encoding="utf-8")
    bot = make_bot(tmp_path / "data", embedder, path)
    actors = [p.actor for p in bot.brief().positions]
    assert "Norway" in actors and "Iceland" in actors, actors
    assert not {"Norwegian", "Oslo", "Dahl", "Ines Dahl", "Norwegians", "Reykjavik", "Icelandic"} & set(actors), actors
