"""What a conversation carries from turn to turn is bounded, however long it runs."""

from __future__ import annotations

from bot.conversations import MAX_CARRIED_CHARS, carried_over


def test_carried_over_keeps_the_newest_context_and_cuts_at_a_word() -> None:
    assert carried_over("What next?") == "What next?"
    long = "And then? " + "What is Putin's position on the ceasefire? " * 40
    kept = carried_over(long)
    assert len(kept) <= MAX_CARRIED_CHARS and long.startswith(kept) and long[len(kept)] == " "
    assert len(carried_over("x" * 5000)) == MAX_CARRIED_CHARS  # one endless word is cut anyway


def test_a_long_conversation_does_not_grow_its_resolved_question(seed_bot) -> None:  # type: ignore[no-untyped-def]
    question = ("What is Putin's position on " + "the ceasefire, the talks and the sanctions, " * 40)[:990] + "?"
    first = seed_bot.ask(question)
    conversation = first.conversation_id
    for _ in range(4):
        answer = seed_bot.ask("And then?", conversation)
        assert len(answer.resolved_question) <= MAX_CARRIED_CHARS + len("And then? ")
    turns = seed_bot.conversation(conversation)
    assert len(turns) == 5 and all(len(t.resolved) <= MAX_CARRIED_CHARS for t in turns)
