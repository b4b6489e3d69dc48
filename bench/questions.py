"""The benchmarks' pool of distinct questions about the seed article (distinct, so the query cache never helps)."""

from __future__ import annotations

ACTORS = ["Putin", "Zelenskyy", "Europe", "Trump", "Moscow", "Kyiv", "the Kremlin", "European leaders", "Washington", "Russia"]
FORMS = [
    "What does {a} want?", "What is {a}'s position?", "What did {a} say about the ceasefire?", "What is {a} offering?",
    "What does {a} demand before talks?", "How does {a} gain or lose?", "What is the risk for {a}?",
    "What did {a} threaten?", "Where does {a} stand on sanctions?", "What should we watch about {a}?",
]
EXTRA = ["What happens next?", "Who gains and who loses?", "What did the BBC report?", "What did POLITICO report?",
         "When are the Istanbul talks?", "What did Al Jazeera report about the truce?", "Give me a recipe for bread.",
         "What did China say?", "How many prisoners were exchanged?", "Where would Putin meet Zelenskyy?"]


def questions(n: int) -> list[str]:
    """The first `n` questions of the pool (all of them when `n` is larger)."""
    pool = [f.format(a=a) for f in FORMS for a in ACTORS] + EXTRA
    return pool[:n]
