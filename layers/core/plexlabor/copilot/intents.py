"""What an operator asks for besides a subject (a small domain vocabulary, written for the copilot):
starting their machine, what to do about an alarm, or one value such as a torque.

"How do I start the machine?" names no machine: the operator means the one at their workcenter, whose
start-up procedure answers, not the procedure that says "start the machine" most often (the lockout's
test start). A plant's operating procedures come in the phases that 29 CFR 1910.119(f)(1)(i) lists
(start-up, normal operation, shutdown, emergency operation) and with an alarm or fault response (ISA-18.2's
"alarm response procedure"); a procedure is a `Task`'s when its title names the task, and a question that
asks for the task is answered from the task's procedure of the operator's operation (or part) first.

A question that asks for one value ("What torque for the mold clamps?") is answered with the step or
steps that give it, not the whole procedure (`Quantity`): a step gives a quantity when it holds a number
with one of its units ("120 Nm") or names it ("the torque on the tool card").

Matched on stems as `vocabulary` matches the safety topics. Not understood: any wording these phrases miss,
and a machine that is named only by a word no procedure holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from plexlabor.copilot.vocabulary import GAP, phrases, spans, stems


@dataclass(frozen=True)
class Task:
    name: str
    asked: tuple[str, ...]
    """Phrases that ask for it in a question (`vocabulary.GAP` for a few words between)."""
    titled: tuple[str, ...]
    """Phrases that make a procedure whose title holds one the task's procedure."""
    handling: tuple[str, ...] = ()
    """Words that, once the task is asked, say no more than it does ("reset" an alarm, start "again"):
    they need not be in its procedure."""


START_UP = Task(
    "start-up",
    asked=(
        *("start", "restart", "startup", "turn * on", "switch * on", "power * up", "power * on", "fire * up"),
        *("bring * back up", "bring * back online", "get * running", "get * going", "boot up"),
    ),
    titled=("start up", "startup", "restart"),
    handling=("again", "back", "started", "starting", "running", "going"),
)
ALARM = Task(
    "alarm",
    asked=(
        *("alarm", "fault", "error", "error code", "emergency stop", "estop"),
        *("stack light", "warning light", "red light", "beep"),
    ),
    titled=("alarm", "fault", "error", "troubleshoot"),
    handling=(
        *("show", "display", "flash", "come up", "pop up", "go off", "sound", "stuck in"),
        *("acknowledge", "reset", "clear", "silence", "message", "code", "screen", "pendant", "panel"),
    ),
)
"""An alarm or fault annunciated by the machine (its code or text on the screen or pendant, the stack light,
a beeper, an emergency stop) and its handling as ISA-18.2 names it (acknowledge, reset, silence)."""
TASKS: tuple[Task, ...] = (START_UP, ALARM)

OWN_MACHINE = ("machine", "equipment", "unit", "cell", "station", "workcenter", "work center", "line")
"""Words that name no machine of their own: asked from an operation, the operator's machine."""
WHEN = (
    *("before", "after", "while", "during", "first", "now", "today", "tonight", "tomorrow", "beginning"),
    *("shift", "morning", "evening", "night", "weekend", "holiday", "break", "lunch", "downtime", "outage"),
)
"""Words that say when, not what: in a question for a task or a value they need not be in the answer."""

NUMBER = r"(?<![\w.])\d+(?:[.,]\d+)?"
NUMBER_WORDS = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"


@dataclass(frozen=True)
class Quantity:
    name: str
    words: tuple[str, ...]
    """Its names, in a question that starts with what or which, and in a step."""
    asking: tuple[str, ...]
    """Questions that ask for it without naming it ("how tight")."""
    units: str
    """A regular expression of a value with one of its units, in a step."""


QUANTITIES: tuple[Quantity, ...] = (
    Quantity(
        "torque",
        ("torque",),
        ("how tight",),
        NUMBER + r"\s*(?:n\s*[·.\-]?\s*m|ft[\s.\-]*lbs?|lb[\s.\-]*ft|in[\s.\-]*lbs?)\b",
    ),
    Quantity(
        "temperature",
        ("temperature", "temp"),
        ("how hot", "how warm", "how cool", "how cold"),
        NUMBER + r"\s*(?:°\s*[cf]?|deg(?:rees?)?(?:\s*[cf])?|[cf])\b",
    ),
    Quantity("pressure", ("pressure",), ("how much pressure",), NUMBER + r"\s*(?:bar|psi|kpa|mpa|pa)\b"),
    Quantity(
        "time",
        ("time", "duration"),
        ("how long",),
        NUMBER + r"\s*(?:s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?)\b",
    ),
    Quantity(
        "percentage",
        ("percent", "percentage", "concentration", "tolerance"),
        (),
        NUMBER + r"\s*(?:%|percent)",
    ),
    Quantity("number of times", (), ("how many", "how often"), r"\b(?:" + NUMBER_WORDS + r"\s+times|twice)\b"),
    Quantity("flow", ("flow",), (), NUMBER + r"\s*(?:l\s*/\s*min|lpm|cfh|scfh|m3\s*/\s*h)\b"),
    Quantity("speed", ("speed", "rpm"), ("how fast",), NUMBER + r"\s*(?:rpm|m\s*/\s*min|mm\s*/\s*s)\b"),
)
VALUE_WORDS = ("spec", "specification", "setting", "value", "number")
"""Words a value question uses for the value itself ("the torque spec")."""
WHAT = ("what", "which", "whats")


@dataclass(frozen=True)
class Asked:
    """What a question asks for beyond its subject."""

    tasks: frozenset[str]
    quantities: tuple[Quantity, ...]
    consumed: frozenset[str]
    """The question's stems that only ask for the task or the quantity (they need not be in the answer)."""


class Intents:
    """`TASKS` and `QUANTITIES` matched on stems (the index's stemmer)."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        self.stem = stem
        self._asked = {task.name: phrases(task.asked, stem) for task in TASKS}
        self._titled = {task.name: phrases(task.titled, stem) for task in TASKS}
        self._words = {q.name: phrases(q.words, stem) for q in QUANTITIES}
        self._asking = {q.name: phrases(q.asking, stem) for q in QUANTITIES}
        self._units = {q.name: re.compile(q.units, re.IGNORECASE) for q in QUANTITIES}
        self._value_words = phrases(VALUE_WORDS, stem)
        self._handling = {task.name: phrases(task.handling, stem) for task in TASKS}
        self._when = phrases(WHEN, stem)
        self._own_machine = phrases(OWN_MACHINE, stem)

    def titled(self, title: str) -> frozenset[str]:
        """The tasks whose procedure `title` names."""
        words = stems(title, self.stem)
        return frozenset(name for name, found in self._titled.items() if spans(words, found))

    def asked(self, question: str) -> Asked:
        words = stems(question, self.stem)
        consumed: set[str] = set()
        tasks = set()
        for name, found in self._asked.items():
            if where := spans(words, found):
                tasks.add(name)
                consumed |= {words[i] for span in where for i in span} - {GAP}
        quantities = []
        for quantity in QUANTITIES:
            named = spans(words, self._words[quantity.name]) if words[:1] and words[0] in WHAT else []
            if where := named + spans(words, self._asking[quantity.name]):
                quantities.append(quantity)
                consumed |= {words[i] for span in where for i in span}
        framing = [self._handling[name] for name in tasks] + [self._value_words] * bool(quantities)
        for found in framing + [self._when] * bool(framing):
            consumed |= {words[i] for span in spans(words, found) for i in span}
        return Asked(frozenset(tasks), tuple(quantities), frozenset(consumed))

    def own_machine(self, question: str, operation: str | None) -> frozenset[str]:
        """The question's stems that name the operator's own machine: words that name no machine of their
        own, and the operation's own name ("the molding machine", asked from operation MOLDING)."""
        words = stems(question, self.stem)
        own = {words[i] for span in spans(words, self._own_machine) for i in span}
        return frozenset(
            own | (set(stems(operation.replace("-", " ").replace("_", " "), self.stem)) if operation else set())
        )

    def gives(self, quantity: Quantity, text: str) -> tuple[bool, bool]:
        """Whether a step's `text` holds a value of `quantity` (a number with its unit), and whether it
        names it."""
        return bool(self._units[quantity.name].search(text)), bool(
            spans(stems(text, self.stem), self._words[quantity.name])
        )

    def value_steps(self, quantities: Sequence[Quantity], texts: Sequence[str], subject: frozenset[str]) -> list[int]:
        """The positions of the steps that give the asked value: those holding a number with its unit,
        else those naming it; of these, the ones that share a word of the question's `subject` when any
        does. Empty when no step gives it."""
        valued, named = [], []
        for position, text in enumerate(texts):
            found = [self.gives(quantity, text) for quantity in quantities]
            if any(value for value, _ in found):
                valued.append(position)
            elif any(name for _, name in found):
                named.append(position)
        steps = valued or named
        sharing = [p for p in steps if subject & set(stems(texts[p], self.stem))]
        return sharing or steps
