"""The briefing cache is a small LRU: distinct topics cannot grow it without bound."""

from __future__ import annotations

import pytest


def test_briefing_cache_keeps_only_the_most_recently_used(seed_bot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert seed_bot._briefing_cache_size == 32
    monkeypatch.setattr(seed_bot, "_briefing_cache_size", 4)  # the same code, fewer briefings to compute
    monkeypatch.setattr(seed_bot, "_briefings", {})
    first = seed_bot.brief("ceasefire")
    kept = seed_bot.brief("next steps")
    for n in range(6):  # every distinct topic is a new entry
        seed_bot.brief(f"ceasefire {n}")
        assert seed_bot.brief("next steps") is kept  # used in between: survives what "ceasefire" does not
    assert len(seed_bot._briefings) == 4
    assert seed_bot.brief("ceasefire") is not first  # evicted, computed again
    assert seed_bot.brief("next steps") is kept
