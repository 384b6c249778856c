"""The shop floor's safety words the copilot knows beyond its procedures' own (a small domain vocabulary).

A safety procedure must answer every wording of its topic, and must never be shadowed by a procedure
that only refers to it (a mold change whose step 2 says "lock out the press (Lockout/tagout procedure)").
Each `SafetyTopic` lists the phrases that name it and the work that calls for it, taken from the wording
of OSHA 29 CFR 1910.147 (the control of hazardous energy): its names (lockout, tagout, energy isolation,
de-energize, the padlock it is done with) and the servicing it names where the body may be caught
(clearing jams, reaching into a machine). A procedure whose title names a topic is that topic's procedure;
a question that names the topic or such work is answered from it first (`retrieval.ProcedureIndex.search`).
Written after the operators' paraphrases in `plexlabor_dev.copilot_questions` were first run (every lockout
wording was missed), from the standard's words rather than theirs; its held-out paraphrases measure it
(docs/copilot.md). A plant's other safety procedures (confined space entry, hot work) would be added here
the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

WORD = re.compile(r"(?u)\b\w\w+\b")
"""A word as BM25's tokeniser (`bm25s`) splits text: two or more letters or digits."""
FILLERS = frozenset(["the", "an", "my", "your", "his", "her", "its", "our", "their", "this", "that"])
"""Left out when a phrase is matched ("isolate the energy" names "isolate energy")."""


@dataclass(frozen=True)
class SafetyTopic:
    name: str
    names: tuple[str, ...]
    """Phrases that name the topic, in a procedure's title or in a question."""
    work: tuple[str, ...]
    """Phrases naming work that calls for it, in a question only."""


LOCKOUT = SafetyTopic(
    "lockout/tagout",
    names=(
        "lockout",
        "lock out",
        "tagout",
        "tag out",
        "loto",
        "padlock",
        "energy isolation",
        "energy isolating",
        "isolate energy",
        "hazardous energy",
        "stored energy",
        "de energize",
        "deenergize",
        "zero energy",
    ),
    work=("jam", "unjam", "blockage", "reach in", "reach into", "reach inside"),
)
SAFETY_TOPICS: tuple[SafetyTopic, ...] = (LOCKOUT,)


def _phrase(text: str, stem: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(stem(word) for word in WORD.findall(text.lower()) if word not in FILLERS)


def _holds(words: tuple[str, ...], phrases: Iterable[tuple[str, ...]]) -> bool:
    return any(words[i : i + len(p)] == p for p in phrases for i in range(len(words) - len(p) + 1))


class SafetyWords:
    """`SAFETY_TOPICS` matched on stems (the index's stemmer), so "locking out" and "jammed" are found."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        self.stem = stem
        self._names = {t.name: [_phrase(p, stem) for p in t.names] for t in SAFETY_TOPICS}
        self._work = {t.name: [_phrase(p, stem) for p in t.work] for t in SAFETY_TOPICS}

    def named(self, text: str) -> frozenset[str]:
        """The topics a title (or any text) names."""
        words = _phrase(text, self.stem)
        return frozenset(name for name, phrases in self._names.items() if _holds(words, phrases))

    def asked(self, question: str) -> frozenset[str]:
        """The topics a question names, or whose work it names."""
        words = _phrase(question, self.stem)
        return frozenset(name for name in self._names if _holds(words, self._names[name] + self._work[name]))
