"""The spaCy NER component: lazy, batched, offsets relative to each text; entities stored on sentences."""

from __future__ import annotations

import pytest

from index.analyze import analyze
from index.entities import Entity, EntityTagger, default_tagger
from index.errors import EntityModelUnavailable
from index.models import ArticleRecord, Sentence


def test_init_is_cheap_and_validates() -> None:
    tagger = EntityTagger()
    assert not tagger.loaded
    with pytest.raises(ValueError, match="batch_size"):
        EntityTagger(batch_size=0)


def test_default_tagger_is_one_per_process() -> None:
    assert default_tagger() is default_tagger()


def test_tag_finds_people_places_and_organisations_with_offsets() -> None:
    texts = [
        "Prime Minister Tomas Rell flew to Geneva on Monday.",
        "",
        "The United Nations said Maria Okafor would lead the talks in Nairobi.",
    ]
    found = default_tagger().tag(texts)
    assert len(found) == 3 and found[1] == ()
    for text, entities in zip(texts, found, strict=True):
        for e in entities:
            assert isinstance(e, Entity)
            assert text[e.start : e.end] == e.text
    assert ("Tomas Rell", "PERSON") in {(e.text, e.label) for e in found[0]}
    assert ("Geneva", "GPE") in {(e.text, e.label) for e in found[0]}
    labels = {e.text: e.label for e in found[2]}
    assert labels.get("Maria Okafor") == "PERSON"
    assert labels.get("Nairobi") == "GPE"


def test_tag_of_nothing_loads_nothing() -> None:
    tagger = EntityTagger()
    assert tagger.tag([]) == []
    assert not tagger.loaded


def test_a_missing_model_package_is_a_clear_error() -> None:
    with pytest.raises(EntityModelUnavailable, match="not installed"):
        EntityTagger(model="no_such_spacy_model_pkg").tag(["Anything at all."])


def test_sentence_round_trips_speaker_and_entities_and_loads_old_dicts() -> None:
    s = Sentence(0, 20, "Rell said it again.", ("AP",), "reported", None, "Rell", ((0, 4, "PERSON"),))
    assert Sentence.from_dict(s.to_dict()) == s
    old = {"start": 0, "end": 5, "text": "Hello", "outlets": [], "kind": "analysis", "section": None}
    loaded = Sentence.from_dict(old)
    assert loaded.speaker is None and loaded.entities == ()
    assert Sentence(0, 5, "Hello", (), "analysis", "S").section == "S"  # positional construction still works


def test_analyze_stores_entities_relative_to_each_sentence() -> None:
    record = ArticleRecord(
        id="x", title="Dam talks", publisher="Kestrel Wire",
        text="The talks resumed in Vienna. Foreign Minister Ines Varga said Kestria would not sign.",
    )
    article = analyze(record)
    second = article.sentences[1]
    assert "Ines Varga" in second.entity_texts("PERSON")
    assert all(0 <= s < e <= len(second.text) for s, e, _ in second.entities)
    assert article.sentences[0].entity_texts("GPE") == ["Vienna"]


def test_one_name_gets_one_label_across_an_article() -> None:
    from index.entities import consistent_labels

    found = [
        (Entity(0, 10, "PERSON", "Tomas Rell"),),
        (Entity(0, 4, "ORG", "Rell"), Entity(20, 26, "GPE", "Geneva")),  # a surname of a person is a person
        (Entity(0, 6, "PERSON", "Geneva"),),
        (Entity(5, 11, "GPE", "Geneva"), Entity(30, 35, "DATE", "March")),
        (Entity(0, 5, "ORG", "Velda"),),
        (Entity(0, 5, "GPE", "Velda"),),  # a tie: each mention keeps its own label
    ]
    labels = [[e.label for e in entities] for entities in consistent_labels(found)]
    assert labels == [["PERSON"], ["PERSON", "GPE"], ["GPE"], ["GPE", "DATE"], ["ORG"], ["GPE"]]
