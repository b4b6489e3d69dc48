"""Actors grouped from the corpus (index.actors) and the bot's `Actors.from_corpus` built on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.actors import Actors
from index.actors import country_forms, demonyms, find_actors, standard_forms
from index.analyze import analyze
from index.models import ArticleRecord, Sentence

# Invented reporting about real countries and invented people and places.
ARTICLES = [
    ("norway-talks", "Harbour Daily", (
        "Norwegian Foreign Minister Ines Dahl arrived in Geneva on Monday for talks on the fishing dispute. "
        "Dahl said Oslo would not accept new quotas. "
        "The Norwegian government has asked for a neutral panel, officials said. "
        "Norway wants the quota frozen until 2030, according to the Kestrel Times."
    )),
    ("iceland-reply", "North Wire", (
        "Reykjavik rejected the proposal on Tuesday. "
        "Icelandic Prime Minister Bjorn Haldor told reporters that Iceland would table its own plan. "
        "Haldor, who faces an election in May, said the Norwegians were asking too much. "
        "Treasury Secretary Mara Quill said the panel would meet again in June. "
        "The Treasury Secretary added that the costs would be shared. "
        "Lars Berg, an Icelandic official, said the talks would go on."
    )),
    ("valdoria-dam", "Orna Herald", (
        "Valdoria began filling the dam in July. "
        "Valdorian officials say the reservoir will be full by spring. "
        "Valdoria's energy minister, Petra Osk, said the turbines would start in June. "
        "Osk told the Orna Herald that Valdoria would not accept a foreign veto."
    )),
]


@pytest.fixture(scope="module")
def sentences() -> list[Sentence]:
    out: list[Sentence] = []
    for article_id, publisher, text in ARTICLES:
        out.extend(analyze(ArticleRecord(id=article_id, title=article_id, text=text, publisher=publisher)).sentences)
    return out


def test_country_data_knows_names_capitals_demonyms_and_seats() -> None:
    forms = country_forms()
    assert forms["tehran"] == forms["iranian"] == forms["iranians"] == forms["iran"] == "Iran"
    assert forms["kremlin"] == forms["moscow"] == "Russia"
    assert forms["american"] == "United States"  # not a territory that shares the demonym
    assert "to" not in forms and "by" not in forms  # ISO codes are not words
    assert {"Iran", "Tehran", "Iranian", "Iranians"} <= set(standard_forms("Iran"))
    assert {"Valdorian", "Valdorians"} <= demonyms("Valdoria")


def test_find_actors_groups_country_forms_and_full_names_with_surnames(sentences: list[Sentence]) -> None:
    groups = {g.name: g for g in find_actors(sentences)}
    norway = groups["Norway"]
    assert norway.kind == "country" and {"Norwegian", "Oslo", "Norway"} <= set(norway.aliases)
    dahl = groups["Ines Dahl"]
    assert dahl.kind == "person" and "Dahl" in dahl.aliases
    assert dahl.links == ("Norway",), "the title names her country"
    assert groups["Bjorn Haldor"].links == ("Iceland",)
    assert groups["Lars Berg"].links == ("Iceland",), "an apposition with a role names his country"
    assert groups["Petra Osk"].links == ("Valdoria",), "an invented country, from the corpus's own demonyms"
    assert {"Valdoria", "Valdorian"} <= set(groups["Valdoria"].aliases)
    assert "Treasury Secretary" in groups["Mara Quill"].titles


def test_outlets_and_places_are_not_actors(sentences: list[Sentence]) -> None:
    actors = Actors.from_corpus(sentences, min_mentions=1)
    assert "Kestrel Times" not in actors.groups and "Orna Herald" not in actors.groups
    assert "Geneva" not in actors.groups


def test_from_corpus_puts_a_titled_person_in_their_countrys_actor(sentences: list[Sentence]) -> None:
    actors = Actors.from_corpus(sentences)
    assert actors.actors_in("What does Oslo want?") == ["Norway"]
    assert actors.actors_in("Where do the Norwegians stand?") == ["Norway"]
    assert actors.actors_in("What did Dahl say about quotas?") == ["Norway"]
    assert actors.actors_in("What is the Norwegian government asking for?") == ["Norway"]
    assert actors.actors_in("What did Ines Dahl say?") == ["Norway"]
    assert actors.actors_in("What did Reykjavik reject?") == ["Iceland"]
    dahl = [m for m in actors.mentions("Dahl said no.") if m.surface == "Dahl"]
    assert dahl and dahl[0].person, "a person's names still count as people (for he/she)"
    assert actors.actors_in("When will the Treasury Secretary meet the panel?") == ["Mara Quill"]


def test_the_four_seed_actors_do_not_shape_another_corpus(sentences: list[Sentence]) -> None:
    actors = Actors.from_corpus(sentences)
    assert not {"Russia", "Ukraine"} & set(actors.groups)
    assert actors.actors_in("What does Putin want?") == []


def test_configured_aliases_file_adds_and_replaces_groups(sentences: list[Sentence], tmp_path: Path) -> None:
    path = tmp_path / "aliases.json"
    path.write_text(json.dumps({"Fishing bloc": ["the bloc", "Nordic states"], "people": ["the envoy"]}), "utf-8")
    actors = Actors.from_corpus(sentences, configured=path)
    assert actors.actors_in("What do the Nordic states want?") == ["Fishing bloc"]
    assert actors.actors_in("What does Oslo want?") == ["Norway"]
    path.write_text(json.dumps({"Fishing bloc": "not a list"}), "utf-8")
    with pytest.raises(ValueError, match="must be a list of strings"):
        Actors.from_corpus(sentences, configured=path)


def test_the_bundled_seed_groups_russia_from_the_data() -> None:
    from index.parse import read_path

    seed = Path(__file__).resolve().parents[2] / "data" / "articles" / "putin-peace-signal.txt"
    records, _ = read_path(seed)
    actors = Actors.from_corpus(analyze(records[0]).sentences)
    for question in ("Where does Moscow stand?", "What is the Kremlin offering?", "What does Russia want?"):
        assert actors.actors_in(question) == ["Russia"], question
    assert actors.actors_in("What is the risk for Kyiv?") == ["Ukraine"]
    assert actors.actors_in("Where does Washington stand?") == ["United States"]
    assert actors.actors_in("What is Zelenskyy's position?") == ["Volodymyr Zelenskyy"]
    assert "Europe" in actors.actors_in("What does Europe want from Moscow?")


def test_a_configured_alias_leaves_the_corpus_group_it_was_in(sentences: list[Sentence], tmp_path: Path) -> None:
    path = tmp_path / "aliases.json"
    path.write_text(json.dumps({"Nordic bloc": ["Norway", "Norwegian", "Oslo", "Iceland"]}), "utf-8")
    actors = Actors.from_corpus(sentences, configured=path)
    assert actors.actors_in("What does Oslo want?") == ["Nordic bloc"]
    assert actors.actors_in("What does Iceland want?") == ["Nordic bloc"]
    assert "Norway" not in actors.groups, "the corpus's own Norway group gave its aliases away"


def test_no_actor_list_is_built_in() -> None:
    assert Actors().actors_in("What does Putin want from Ukraine and the EU?") == []


def test_a_family_name_written_first_joins_its_full_name() -> None:
    text = ("Xia Lantian, a Chinese official, told delegates the text was not acceptable. "
            "Xia said voluntary support differs from an obligation. "
            "Ines Dahl said Norway would not pay.")
    sentences = analyze(ArticleRecord(id="a", title="a", text=text, publisher="Harbour Daily")).sentences
    groups = {g.name: g for g in find_actors(sentences)}
    assert "Xia" in groups["Xia Lantian"].aliases and "Xia" not in groups, groups.keys()
    assert groups["Xia Lantian"].links == ("China",)
    actors = Actors.from_corpus(sentences, min_mentions=1)
    assert actors.actors_in("What did Xia say?") == ["China"]
