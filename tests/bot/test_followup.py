"""Follow-up questions rewritten against the conversation (bot.followup.resolve), on invented actors."""

from __future__ import annotations

from bot.actors import Actors
from bot.followup import resolve

ACTORS = Actors(
    groups={"Marovia": ["Marovia", "Marovian", "Sella", "Edvin Kast", "Kast"], "Ostland": ["Ostland", "Pia Lund", "Lund"]},
    people=["Edvin Kast", "Kast", "Pia Lund", "Lund"],
)


def test_a_pronoun_is_resolved_even_when_the_follow_up_names_a_country() -> None:
    r = resolve("And how much of the toll did he want Ostland to pay?", ["What did Edvin Kast propose?"], ACTORS)
    assert r.followup and "Edvin Kast want Ostland" in r.text, r.text


def test_an_and_follow_up_that_names_its_actor_keeps_what_it_responds_to() -> None:
    r = resolve("And how did Ostland respond?", ["What did Marovia accuse the shippers of on Tuesday?"], ACTORS)
    assert r.followup and r.current == "And how did Ostland respond?"
    assert "accuse the shippers" in r.text, "the last question is carried as context"


def test_a_standalone_question_with_its_own_person_is_left_alone() -> None:
    r = resolve("What did Pia Lund say about the tariffs?", ["What did Edvin Kast propose?"], ACTORS)
    assert not r.followup and r.text == "What did Pia Lund say about the tariffs?"


def test_she_with_no_antecedent_takes_the_person_the_previous_answer_cited() -> None:
    # the answer to "Which detainee was freed?" named Ilse Varn, who is no actor of the book
    r = resolve("Why had she been locked up?", ["Which Marovian detainee was freed first?"], ACTORS,
                "Among those freed was Ilse Varn, 62.", ["Ilse Varn"])
    assert r.current == "Why had Ilse Varn been locked up?"
    # a person in the last question still comes first
    r = resolve("Why did she resign?", ["What did Pia Lund say?"], ACTORS, "", ["Ilse Varn"])
    assert r.current == "Why did Pia Lund resign?"


def test_he_is_the_person_the_last_question_named_even_when_no_actor_holds_them() -> None:
    # Tomas Brenn is a person of the articles (mentioned once, so no actor) and the user spells him
    # "Tomas K. Brenn"; the previous answer names Edvin Kast, an actor, after him
    book = Actors(groups=ACTORS.groups, people=[*ACTORS.people, "Tomas Brenn", "Brenn"])
    r = resolve("What did he say?", ["Who is Tomas K. Brenn?"], book,
                "Harbour chief Tomas Brenn thanked Edvin Kast for the reprieve.", ["Tomas Brenn", "Edvin Kast"])
    assert r.current == "What did Tomas K. Brenn say?", r.current
    r = resolve("What did he say?", ["Who is Tomas Brenn?"], book, "He thanked Edvin Kast.", ["Edvin Kast"])
    assert r.current == "What did Tomas Brenn say?", r.current


def test_what_about_swaps_every_mention_of_the_last_actor_also_in_the_carried_context() -> None:
    # the last question was itself a follow-up, so it carries the one before it
    r = resolve("What about Pia Lund?", ["What did Edvin Kast say at the closing? Who is Edvin Kast?"], ACTORS)
    assert r.text == "What did Pia Lund say at the closing? Who is Pia Lund?", r.text
