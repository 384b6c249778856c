"""The shop floor's safety words the copilot knows beyond its procedures' own (a small domain vocabulary).

A safety procedure must answer every wording of its topic, and must never be shadowed by a procedure
that only refers to it (a mold change whose step 2 says "lock out the press (Lockout/tagout procedure)").
Each `SafetyTopic` lists the phrases that name it and the work that calls for it, taken from the wording
of OSHA 29 CFR 1910.147 (the control of hazardous energy): its names (lockout, tagout, energy isolation,
de-energize, the padlock it is done with) and the servicing it names where the body may be caught
(clearing jams, reaching into or past a machine's guard) and the removal of a lock ((e)(3)). A procedure whose
title names a topic is that topic's procedure;
a question that names the topic or such work is answered from it first (`retrieval.ProcedureIndex.search`),
and no other question is (its steps may say "start the machine": that does not make it the start-up).
Written after the operators' paraphrases in `plexlabor_dev.copilot_questions` were first run (every lockout
wording was missed), from the standard's words rather than theirs; its held-out paraphrases measure it
(docs/copilot.md). A plant's other safety procedures (confined space entry, hot work) would be added here
the same way.

Most operators ask about hazardous energy without naming it ("do I have to cut the power before I clean
the rollers?"), so a topic also lists `together`: concepts a question must name all of, each a few
phrases. Lockout's are the standard's own (29 CFR 1910.147, read 2026-12-05): its scope (a)(1)(i), "the
servicing and maintenance of machines and equipment in which the unexpected energization or start up of
the machines or equipment, or release of stored energy, could cause injury"; the definitions (b) of
servicing and/or maintenance (setting up, adjusting, inspecting, modifying, maintaining, servicing,
lubrication, cleaning, unjamming, tool changes) and of an energy isolating device (a circuit breaker, a
disconnect switch, a line valve, a block); and (a)(2)(ii), which covers removing or bypassing a guard and
placing any part of the body into the point of operation or a danger zone. One concept alone (servicing,
switching off, a hand) is ordinary shop-floor talk ("how do I clean the spray gun", "how do I switch off
the booth at the end of the shift"), so only their meeting names the topic. Not understood: word order
and tense ("the press won't start after I fixed it" is not asked about, as "won't start" needs a word of
prevention beside it), and any wording these phrases do not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

WORD = re.compile(r"(?u)\b\w\w+\b")
"""A word as BM25's tokeniser (`bm25s`) splits text: two or more letters or digits."""
FILLERS = frozenset(["the", "an", "my", "your", "his", "her", "its", "our", "their", "this", "that"])
"""Left out when a phrase is matched ("isolate the energy" names "isolate energy")."""
NEGATION = re.compile(r"(?i)n['\u2019]t\b|\bcannot\b")
""""can't", "won't", "cannot" are read as "ca not", "wo not", "can not", so "can't start" holds "not start"."""


@dataclass(frozen=True)
class SafetyTopic:
    name: str
    names: tuple[str, ...]
    """Phrases that name the topic, in a procedure's title or in a question."""
    work: tuple[str, ...]
    """Phrases naming work that calls for it, in a question only."""
    together: tuple[tuple[tuple[str, ...], ...], ...] = ()
    """Concepts (each a tuple of phrases) that name the topic when a question names every one of a set."""


INTO = ("in", "into", "inside", "under", "between", "behind", "through")
UNEXPECTEDLY = ("unexpectedly", "accidentally", "by accident", "by itself", "on its own")
"""How a machine starts that the standard guards against: "unexpected energization or start up" ((a)(1)(i))."""
PREVENTING = ("make sure", "ensure", "prevent", "keep", "stop", "so")
"""Words of prevention; beside `NOT_MOVING` they ask how to keep a machine from starting."""
NOT_MOVING = (
    *(
        f"{lead} {verb}"
        for lead in ("not", "from")
        for verb in ("start", "restart", "turn", "turn on", "switch on", "power up", "move", "run", "cycle", "energize")
    ),
    *("stay off", "remain off", "stay dead"),
)
ENERGIZING = (
    *("start", "restart", "turn", "switch on", "power up", "move", "run", "cycle", "energize"),
    *("restore power", "restore energy"),
)
LOCKS = ("lock", "padlock")
"""A lockout device, named as the shop floor names it: beside `ENERGIZING`, the release from lockout ((e):
"before lockout or tagout devices are removed and energy is restored to the machine"); beside a tag, the
lockout and tagout devices of (b)."""
SWITCHING_OFF = (
    *("cut power", "kill power", "power off", "power down", "shut off", "switch off", "turn off", "shut down"),
    *("breaker", "main switch", "disconnect", "unplug", "isolate", "isolator", "line valve", "bleed", "block"),
)
"""Shutting a machine down and its energy isolating devices ((b): a circuit breaker, a disconnect switch,
a line valve, a block), and bleeding stored energy off."""
SERVICING = (
    *("servicing", "service", "maintenance", "maintain", "repair", "fix", "work on", "set up", "adjust"),
    *("inspect", "modify", "install", "lubricate", "grease", "clean", "unjam", "replace", "tool change"),
)
"""Servicing and/or maintenance as (b) defines it, with the shop floor's "fix", "repair" and "work on"."""
BODY_INTO = (
    *(f"{part} {into}" for part in ("hand", "arm", "finger", "body", "head", "leg", "foot") for into in INTO),
    *(f"{verb} {into}" for verb in ("climb", "crawl", "step", "get", "go", "lean") for into in INTO[:3]),
)
"""Placing a part of the body into a machine ((a)(2)(ii)(B))."""
MACHINE_PARTS = (
    *("machine", "equipment", "press", "ram", "die", "mold", "mould", "platen", "spindle", "chuck", "blade"),
    *("belt", "roller", "chain", "conveyor", "robot", "cell", "guard", "fence", "gear", "shaft"),
)
"""Where the point of operation or a danger zone is ((a)(2)(ii)(B)): the machine and its moving parts."""
STUCK = ("jam", "stuck", "wedged", "caught", "blocked")
REMOVING = (
    *("remove", "removal", "take * off", "come off", "cut * off", "get * off", "pull"),
    *("still on", "left * on", "leave * on", "went home", "gone"),
)
"""Taking a lockout device off ((e)(3): "each lockout or tagout device shall be removed ... by the employee who
applied the device", and its exception (e)(3)(i)-(iii) for one whose employee is not at the facility)."""


LOCKOUT = SafetyTopic(
    "lockout/tagout",
    names=(
        "lockout",
        "lock * out",
        "tagout",
        "tag * out",
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
    work=(
        *("jam", "unjam", "blockage", "reach in", "reach into", "reach inside"),
        *("reach past", "reach over", "reach around", "reach through", "reach behind", "reach under"),
        *(f"{verb} {how}" for verb in ("start", "start up", "turn on", "come on", "move") for how in UNEXPECTEDLY),
        *(f"{how} {verb}" for verb in ("start", "energize", "turn on", "move") for how in UNEXPECTEDLY[:2]),
        *("unexpected start", "unexpected startup", "unexpected energization", "accidental start"),
        *("stored energy", "stored pressure", "residual pressure", "residual energy"),
        *("point of operation", "danger zone"),
    ),
    together=(
        (PREVENTING, NOT_MOVING),
        (("nobody", "no one", "no body"), ENERGIZING),
        (SWITCHING_OFF, SERVICING),
        (SWITCHING_OFF, BODY_INTO),
        (BODY_INTO, SERVICING),
        (BODY_INTO, MACHINE_PARTS),
        (STUCK, MACHINE_PARTS),
        (("guard", "interlock", "safety device"), ("off", "remove", "bypass", "defeat", "take out")),
        (LOCKS, ENERGIZING),
        (LOCKS, ("tag",)),
        (LOCKS, REMOVING),
        (("tag",), SERVICING),
    ),
)
SAFETY_TOPICS: tuple[SafetyTopic, ...] = (LOCKOUT,)


ALIKE: tuple[tuple[str, str], ...] = (
    (
        "check",
        r"checks?|checking|checked|verif(?:y|ies|ying|ied|ication)|inspect(?:s|ing|ed|ions?)?|tests?|testing|tested"
        r"|calibrat(?:e|es|ed|ing|ions?)|audits?|auditing|compar(?:e|es|ed|ing|isons?)",
    ),
    ("tool", r"tools?|wrench(?:es)?|nutrunners?"),
    ("glasses", r"glasses|goggles|eye\s+protection"),
    ("earplugs", r"ear\s*plugs?|ear\s*muffs?|hearing\s+protection"),
    ("lockout", r"lock(?:ing)?[\s-]*outs?"),
    ("tagout", r"tag(?:ging)?[\s-]*outs?"),
    ("estop", r"e[\s-]?stops?|emergency\s+stops?"),
)
"""Words the shop floor uses alike for what a step requires, each group read as its first word: a check, a
verification, an inspection, a test, a calibration, an audit or a comparison of a thing ("the torque tool check" is
what "verify the torque wrench calibration" does; "the colour standard comparison" what "compare it with the colour
standard" does: the stemmer keeps a noun in "-ison" apart from its verb); a tool and the wrench or nutrunner it is; eye
and hearing protection; a lockout or tagout however spelled; an emergency stop. Matched where a question to skip a
step is matched with the step (`answers.bypass_answer`), not in the ranking nor the 75 % gate: read there, "check"
(a word of most procedures) took the weight of a rarer "inspection", a wrench made any "tool" a torque wrench, and
questions no procedure covers were answered (docs/copilot.md); a verification is an inspection task's word
(`intents.INSPECTION`) instead."""
ALIKE_WORDS = re.compile("|".join(rf"\b(?P<{name}>{pattern})\b" for name, pattern in ALIKE), re.IGNORECASE)


def alike(text: str) -> str:
    """`text` with each word of `ALIKE` read as its group's first word."""
    return ALIKE_WORDS.sub(lambda m: str(m.lastgroup), text)


GAP = "*"
"""In a phrase, up to `GAP_WORDS` words of any kind ("turn * on" holds "turn the machine on")."""
GAP_WORDS = 2


def words(text: str) -> tuple[str, ...]:
    """The words of `text` in lower case, fillers left out, negations spelled out (`stems` before stemming)."""
    spelled = NEGATION.sub(lambda m: " not" if m.group().lower() != "cannot" else "can not", text.lower())
    return tuple(word for word in WORD.findall(spelled) if word not in FILLERS)


def stems(text: str, stem: Callable[[str], str]) -> tuple[str, ...]:
    """The words of `text` as the index's stemmer gives them, fillers left out, negations spelled out."""
    return tuple(stem(word) for word in words(text))


def _phrase(text: str, stem: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(word for part in text.split(GAP) for word in (*stems(part, stem), GAP))[:-1]


def _at(words: tuple[str, ...], phrase: tuple[str, ...], start: int) -> int | None:
    """The end of `phrase` in `words` when it starts at `start`, or None."""
    if not phrase:
        return start
    if phrase[0] == GAP:
        for skip in range(GAP_WORDS + 1):
            if (end := _at(words, phrase[1:], start + skip)) is not None:
                return end
        return None
    if start < len(words) and words[start] == phrase[0]:
        return _at(words, phrase[1:], start + 1)
    return None


def spans(words: tuple[str, ...], phrases: Iterable[tuple[str, ...]]) -> list[range]:
    """Where each of `phrases` occurs in `words` (positions)."""
    return [
        range(start, end)
        for phrase in phrases
        for start in range(len(words))
        if (end := _at(words, phrase, start)) is not None
    ]


def _holds(words: tuple[str, ...], phrases: Iterable[tuple[str, ...]]) -> bool:
    return bool(spans(words, phrases))


def phrases(texts: Iterable[str], stem: Callable[[str], str]) -> list[tuple[str, ...]]:
    """Phrases as `spans` matches them: stems, with `GAP` kept."""
    return [_phrase(text, stem) for text in texts]


class SafetyWords:
    """`SAFETY_TOPICS` matched on stems (the index's stemmer), so "locking out" and "jammed" are found."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        self.stem = stem
        self._names = {t.name: [_phrase(p, stem) for p in t.names] for t in SAFETY_TOPICS}
        self._work = {t.name: [_phrase(p, stem) for p in t.work] for t in SAFETY_TOPICS}
        self._together = {
            t.name: [[[_phrase(p, stem) for p in concept] for concept in concepts] for concepts in t.together]
            for t in SAFETY_TOPICS
        }

    def named(self, text: str) -> frozenset[str]:
        """The topics a title (or any text) names."""
        words = stems(text, self.stem)
        return frozenset(name for name, phrases in self._names.items() if _holds(words, phrases))

    def asked(self, question: str, together: bool = True) -> frozenset[str]:
        """The topics a question names, or whose work it names, alone or (`together`) as a set of concepts
        together."""
        words = stems(question, self.stem)
        return frozenset(
            name
            for name in self._names
            if _holds(words, self._names[name] + self._work[name])
            or (together and any(all(_holds(words, c) for c in concepts) for concepts in self._together[name]))
        )
