"""What an operator asks for besides a subject (a small domain vocabulary, written for the copilot):
a task on their machine (starting it, shutting it down, a changeover, cleaning, purging, an inspection,
what to do about an alarm), or one value such as a torque.

"How do I start the machine?" names no machine: the operator means the one at their workcenter, whose
start-up procedure answers, not the procedure that says "start the machine" most often (the lockout's
test start). A procedure is a task's when its title names the task, and a question that asks for the task
is answered from the task's procedure of the operator's operation (or part) first. The kinds of task are
the ones a plant titles its operating procedures for, with the words the trade uses for them: the phases
29 CFR 1910.119(f)(1)(i) lists (start-up, normal operation, normal shutdown, emergency operation); the
changeover of SMED (Shingo's single-minute exchange of die: the setup or changeover, a die, mold, tool,
fixture or colour change); cleaning and inspecting, two of the servicing tasks 29 CFR 1910.147(b) names;
purging a molding machine's barrel; and the alarm or fault response (ISA-18.2's "alarm response
procedure"). A title that names none of them still names its task (`title_task`: "Loading a trailer",
"Calibration of the height gauge"), which a question naming it (on stems: "calibrate") asks for.

A question that asks for one value ("What torque for the mold clamps?") is answered with the step or
steps that give it, not the whole procedure (`Quantity`): a step gives a quantity when it holds a number
with one of its units ("120 Nm") or names it ("the torque on the tool card"); a value of another kind
does not count (a time is not a temperature).

Matched on stems as `vocabulary` matches the safety topics. Not understood: any wording these phrases miss,
and a machine that is named only by a word no procedure holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from plexlabor.copilot.vocabulary import GAP, GAP_WORDS, WORD, phrases, spans, stems, words


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
    one: str = ""
    """How a refusal names one procedure of the task ("a start-up procedure")."""
    several: str = ""
    """... and several ("start-up procedures")."""


START_UP = Task(
    "start-up",
    asked=(
        *("start", "restart", "startup", "turn * on", "switch * on", "power * up", "power * on", "fire * up"),
        *("bring * back up", "bring * back online", "bring * up", "get * running", "get * going", "boot up"),
    ),
    titled=("start up", "startup", "restart"),
    handling=("again", "back", "started", "starting", "running", "going", "production"),
    one="a start-up procedure",
    several="start-up procedures",
)
SHUTDOWN = Task(
    "shutdown",
    asked=("shutdown", "shut * down", "shut * off", "turn * off", "switch * off", "power * down", "power * off"),
    titled=("shutdown", "shut down", "shutting down"),
    handling=("finished", "done"),
    one="a shutdown procedure",
    several="shutdown procedures",
)
"""1910.119(f)(1)(i)(D)'s normal shutdown; a shutdown to service a machine is lockout (`vocabulary`)."""
CHANGEOVER = Task(
    "changeover",
    asked=(
        *("changeover", "change * over", "change", "swap", "switch over", "setup", "set * up", "exchange"),
        *("quick die change", "smed"),
    ),
    titled=("changeover", "change", "setup", "set up", "exchange"),
    handling=("next", "new", "over", "quick"),
    one="a changeover procedure",
    several="changeover procedures",
)
"""SMED's setup or changeover: the exchange of a die, mold, tool, fixture or colour for the next job."""
CLEANING = Task(
    "cleaning",
    asked=("clean", "cleaning", "clean * up", "clean * out", "wash", "wash * down", "wipe * down", "sanitize"),
    titled=("clean", "cleaning", "wash"),
    handling=("up", "down", "out"),
    one="a cleaning procedure",
    several="cleaning procedures",
)
PURGE = Task(
    "purge",
    asked=("purge", "purging", "purge * out"),
    titled=("purge", "purging"),
    handling=("out",),
    one="a purging procedure",
    several="purging procedures",
)
"""Purging a molding machine's barrel and screw of the last resin or colour (with purging compound)."""
INSPECTION = Task(
    "inspection",
    asked=("inspect", "inspection", "check", "verify", "verification"),
    titled=("inspection", "inspect", "check", "verification", "first article"),
    one="an inspection or check",
    several="inspections and checks",
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
    one="an alarm or fault response",
    several="alarm and fault responses",
)
"""An alarm or fault annunciated by the machine (its code or text on the screen or pendant, the stack light,
a beeper, an emergency stop) and its handling as ISA-18.2 names it (acknowledge, reset, silence)."""
TASKS: tuple[Task, ...] = (START_UP, SHUTDOWN, CHANGEOVER, CLEANING, PURGE, INSPECTION, ALARM)

PREPOSITIONS = frozenset(
    ["of", "on", "at", "in", "for", "before", "after", "from", "with", "to", "during", "into", "by", "per", "when"]
)
"""Where a title's task ends and what it is done to or when begins ("Calibration | of the height gauge")."""
PARTICLES = frozenset(["up", "down", "over", "out", "off", "on", "in"])


def title_task(title: str) -> str | None:
    """The task a title names when it names none of `TASKS` (English grammar, no vocabulary): its words
    before the first preposition are the task's noun phrase, whose last word is the task ("Torque audit of
    a station": audit; English compounds put their head last), unless it opens with a verb's -ing form
    ("Loading a trailer": loading); a particle goes with the word before it ("Warm-up": warm up)."""
    words = [word.lower() for word in WORD.findall(title)]
    cut = next((i for i, word in enumerate(words) if i and word in PREPOSITIONS), len(words))
    head = words[:cut]
    if not head:
        return None
    if head[0].endswith("ing") and len(head[0]) > 4:
        return head[0]
    if len(head) > 1 and head[-1] in PARTICLES:
        return f"{head[-2]} {head[-1]}"
    return head[-1] if len(head[-1]) > 2 else None


def titled_task(title: str) -> Task | None:
    """The title's own task (`title_task`), named as a refusal names it."""
    word = title_task(title)
    return Task(word, (word,), (word,), one=f"a {word} procedure", several=f"{word} procedures") if word else None


OWN_MACHINE = ("machine", "equipment", "unit", "cell", "station", "workcenter", "work center", "line")
"""Words that name no machine of their own: asked from an operation, the operator's machine."""
EQUIPMENT = (
    *("press", "press brake", "punch press", "lathe", "mill", "grinder", "drill press", "guillotine", "cnc"),
    *("machining center", "edm", "laser", "plasma cutter", "waterjet", "extruder", "dryer", "chiller"),
    *("robot", "cobot", "welder", "torch", "booth", "oven", "furnace", "kiln", "compressor", "boiler"),
    *("conveyor", "forklift", "lift truck", "pallet jack", "agv", "crane", "hoist"),
    *("cmm", "coordinate measuring machine", "vision system"),
)
"""Names of the machines and equipment a plant writes its procedures for (a small domain vocabulary): the
machinery of 29 CFR 1910 subpart O (mechanical power presses 1910.217, press brakes, mills and grinders, the
guillotine cutters and shears of 1910.212(a)(3)(iii)), industrial robots (ANSI/RIA R15.06), welders and
torches (subpart Q), spray booths and ovens (1910.107), powered industrial trucks (1910.178), cranes and
hoists (1910.179), coordinate measuring machines (ISO 10360), and a molding or machining shop's own. A
question that names one is about that machine: a procedure that does not name it does not answer it (the
press's alarm response does not answer "the robot stopped with a red light"), whatever the share of the
question's other words it holds. "machine", "cell", "line" name the operator's own machine (`OWN_MACHINE`)."""
VERBAL = ("press", "mill")
"""Equipment names that are also verbs: read as the verb right after a person ("do I press", "you mill") or
before what is pressed ("press reset", "press the button")."""
PERSONS = ("i", "you", "we", "to", "then", "just", "please")
PRESSED = ("reset", "start", "stop", "enter", "ok", "okay", "button", "buttons", "key", "cycle", "down", "hard", "it")


def _a_verb(written: tuple[str, ...], at: int) -> bool:
    """Whether the word at `at` is used as a verb (`VERBAL`)."""
    before = written[at - 1] if at else ""
    after = written[at + 1] if at + 1 < len(written) else ""
    return before in PERSONS or after in PRESSED


WHEN = (
    *("before", "after", "while", "during", "first", "now", "today", "tonight", "tomorrow", "beginning"),
    *("shift", "morning", "evening", "night", "weekend", "holiday", "break", "lunch", "downtime", "outage"),
    *("end", "day", "week"),
)
"""Words that say when, not what: in a question for a task or a value they need not be in the answer."""

SINCE = ("after", "before", "during", "since", "until", "till")
"""A task named right after one of these says when, not what ("What do I measure on the first part after a
changeover?" asks for no changeover); an alarm is what is asked about after it happened."""

NUMBER = r"(?<![\w.])\d+(?:[.,]\d+)?"
NUMBER_WORDS = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"


@dataclass(frozen=True)
class Quantity:
    name: str
    words: tuple[str, ...]
    """Its names, in a question asking for its value (`Intents._for_value`) and in a step."""
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
    Quantity(
        "number of times",
        (),
        ("how many", "how often"),
        r"\b(?:" + NUMBER_WORDS + r"\s+(?:times|shots|strokes|cycles|parts|pieces)|twice)\b",
    ),
    Quantity("flow", ("flow",), (), NUMBER + r"\s*(?:l\s*/\s*min|lpm|cfh|scfh|m3\s*/\s*h)\b"),
    Quantity("speed", ("speed", "rpm"), ("how fast",), NUMBER + r"\s*(?:rpm|m\s*/\s*min|mm\s*/\s*s)\b"),
)
VALUE_WORDS = ("spec", "specification", "setting", "value", "number")
"""Words a value question uses for the value itself ("the torque spec")."""
WHAT = ("what", "which", "whats")
HOW_MUCH = ("much", "high", "low")
"""After "how", words that ask for an amount of the quantity named at most `vocabulary.GAP_WORDS` words later ("How
much torque for the mold clamps?", "How high should the barrel temperature be?")."""
OTHER_ASKING = (
    *("how", "why", "where", "when", "who", "whom", "whose", "do", "does", "did", "can", "could", "should"),
    *("would", "will", "must", "may", "might", "shall", "is", "are", "am", "was", "were", "have", "has", "had"),
)
"""A question that opens with one of these asks how, whether, why or where, not for the value of a quantity it names
("How do I check the torque tool?", "Is the temperature alarm on?"), unless "how much" asks for it."""


@dataclass(frozen=True)
class Asked:
    """What a question asks for beyond its subject."""

    tasks: frozenset[str]
    quantities: tuple[Quantity, ...]
    consumed: frozenset[str]
    """The question's stems that only ask for the task or the quantity (they need not be in the answer)."""
    task_words: frozenset[str] = frozenset()
    """Those of `consumed` that ask for the task ("purge" of "How long should I purge?"): which step gives a
    value is told by them too."""


class Intents:
    """`TASKS`, the tasks of `titles` that name none of them (`title_task`), and `QUANTITIES`, matched on
    stems (the index's stemmer)."""

    def __init__(self, stem: Callable[[str], str], titles: Sequence[str] = ()) -> None:
        self.stem = stem
        self._known = {task.name: phrases(task.titled, stem) for task in TASKS}
        own = [task for title in titles if not self._names(title) and (task := titled_task(title))]
        self.tasks = {task.name: task for task in (*TASKS, *own)}
        self._titled = {task.name: phrases(task.titled, stem) for task in self.tasks.values()}
        self._asked = {task.name: phrases(task.asked, stem) for task in self.tasks.values()}
        self._handling = {task.name: phrases(task.handling, stem) for task in self.tasks.values()}
        self._words = {q.name: phrases(q.words, stem) for q in QUANTITIES}
        self._asking = {q.name: phrases(q.asking, stem) for q in QUANTITIES}
        self._units = {q.name: re.compile(q.units, re.IGNORECASE) for q in QUANTITIES}
        self._value_words = phrases(VALUE_WORDS, stem)
        self._how_much = frozenset(map(stem, HOW_MUCH))
        self._other_asking = frozenset(map(stem, OTHER_ASKING))
        self._heads = frozenset(map(stem, (*PREPOSITIONS, *VALUE_WORDS)))
        self._when = phrases(WHEN, stem)
        self._since = [(stem(word),) for word in SINCE]

        self._own_machine = phrases(OWN_MACHINE, stem)
        self._equipment = phrases(EQUIPMENT, stem)

    def _names(self, title: str) -> frozenset[str]:
        words = stems(title, self.stem)
        return frozenset(name for name, found in self._known.items() if spans(words, found))

    def titled(self, title: str) -> frozenset[str]:
        """The tasks whose procedure `title` names."""
        words = stems(title, self.stem)
        return frozenset(name for name, found in self._titled.items() if spans(words, found))

    def asked(self, question: str) -> Asked:
        words = stems(question, self.stem)
        consumed: set[str] = set()
        tasks = set()
        since = self._since
        for name, found in self._asked.items():
            if where := [
                s for s in spans(words, found) if name == ALARM.name or words[s.start - 1 : s.start] not in since
            ]:
                tasks.add(name)
                consumed |= {words[i] for span in where for i in span} - {GAP}
        task_words = frozenset(consumed)
        quantities = []
        for quantity in QUANTITIES:
            named = [
                asked for span in spans(words, self._words[quantity.name]) if (asked := self._for_value(words, span))
            ]
            if where := named + spans(words, self._asking[quantity.name]):
                quantities.append(quantity)
                consumed |= {words[i] for span in where for i in span}
        framing = [self._handling[name] for name in tasks] + [self._value_words] * bool(quantities)
        for found in framing + [self._when] * bool(framing):
            consumed |= {words[i] for span in spans(words, found) for i in span}
        return Asked(frozenset(tasks), tuple(quantities), frozenset(consumed), task_words)

    def _for_value(self, words: tuple[str, ...], span: range) -> range | None:
        """Where the question asks for the value of the quantity it names at `span` (stems), the words asking for it
        included; None when it names it otherwise. Asked for: in a question opening with what or which ("What torque
        for the mold clamps?"); after "how much / high / low" ("How much torque ..."); named as the head of its noun
        phrase (last, or before a preposition or a word for the value) in a question opening with none of
        `OTHER_ASKING` ("Torque for the mold clamps?", "Clamp torque spec?", "I need the torque for the clamps"),
        not before another noun ("Torque tool check?", "Temperature alarm on the press")."""
        if words[0] in WHAT:
            return span
        for start in range(max(0, span.start - 2 - GAP_WORDS), span.start - 1):
            if words[start] == "how" and words[start + 1] in self._how_much:
                return range(start, span.stop)
        after = words[span.stop] if span.stop < len(words) else None
        counted = span.start > 0 and re.fullmatch(NUMBER_WORDS, words[span.start - 1])  # "five times" is a count
        if words[0] in self._other_asking or counted:
            return None
        return span if after is None or after in self._heads else None

    def own_machine(self, question: str, operation: str | None) -> frozenset[str]:
        """The question's stems that name the operator's own machine: words that name no machine of their
        own, and the operation's own name ("the molding machine", asked from operation MOLDING)."""
        words = stems(question, self.stem)
        own = {words[i] for span in spans(words, self._own_machine) for i in span}
        return frozenset(
            own | (set(stems(operation.replace("-", " ").replace("_", " "), self.stem)) if operation else set())
        )

    def equipment(self, text: str) -> dict[tuple[str, ...], str]:
        """The machines and equipment `text` names (`EQUIPMENT`; a verb such as "press reset" left out), each
        as stems and as written ("CMM")."""
        written = words(text)
        found = tuple(self.stem(word) for word in written)
        named: dict[tuple[str, ...], str] = {}
        taken: set[int] = set()
        for span in sorted(spans(found, self._equipment), key=len, reverse=True):  # "press brake", not "press"
            if taken & set(span) or (len(span) == 1 and written[span.start] in VERBAL and _a_verb(written, span.start)):
                continue
            taken |= set(span)
            named[found[span.start : span.stop]] = " ".join(written[span.start : span.stop])
        return named

    def gives(self, quantity: Quantity, text: str) -> tuple[bool, bool]:
        """Whether a step's `text` holds a value of `quantity` (a number with its unit), and whether it
        names it."""
        return bool(self._units[quantity.name].search(text)), bool(
            spans(stems(text, self.stem), self._words[quantity.name])
        )

    def value_steps(
        self, quantities: Sequence[Quantity], texts: Sequence[str], subject: frozenset[str]
    ) -> tuple[list[int], bool]:
        """The positions of the steps that give the asked value, and whether they give it: those holding a
        number with its unit (of these, the ones that share a word of the question's `subject` when any
        does), else those naming it and sharing a word. When no step holds such a number and those naming
        the quantity share no word, they name it for something else (the start-up's "hold time" for how
        long to purge): the steps sharing the most of the subject's words answer, saying that they give no
        such value. Empty when no step gives it, names it or shares a word."""
        valued, named = [], []
        for position, text in enumerate(texts):
            found = [self.gives(quantity, text) for quantity in quantities]
            if any(value for value, _ in found):
                valued.append(position)
            elif any(name for _, name in found):
                named.append(position)
        shared = [len(subject & set(stems(text, self.stem))) for text in texts]
        if valued:
            return [p for p in valued if shared[p]] or valued, True
        if sharing := [p for p in named if shared[p]]:
            return sharing, True
        if most := max(shared, default=0):
            return [p for p, count in enumerate(shared) if count == most], False
        return named, True
