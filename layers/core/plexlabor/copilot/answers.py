"""Answers from retrieved procedures only: numbered steps that cite their passages, the tools a procedure
names, or a plain "no procedure covers this". Nothing here writes a step, a tool or a parameter that
is not in the procedure retrieved; wording by a language model (`copilot.bedrock`) starts from this.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from plexlabor.copilot.intents import Asked
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import Hit, ProcedureIndex

TOOLS_QUESTION = re.compile(
    r"^\s*(?:what|which)\s+(?:tools?|ppe|equipment)(?:\s*(?:and|or|/|,)\s*(?:tools?|ppe|equipment))*"
    r"\s+(?:do|does|will|would|should|must)\s+(?:i|we|you|one|an? \w+)\s+(?:need|use|bring|wear)\s+"
    r"(?:to|for)\s+(?P<task>.+?)[\s?.!]*$",
    re.IGNORECASE,
)
""""What tools (and PPE) do I need to <task>?" and its close variants; the task is what is retrieved."""

Kind = Literal["steps", "tools", "refused", "safety"]
"""`safety`: a question asking to skip or bypass a safety check, guard or protective equipment, answered "no" with the
procedure that requires it (`bypass_answer`)."""
VALUE_CANDIDATES = 3
"""A question for a value looks at this many procedures of a scope for one that gives it."""
Scope = Literal["operation", "part", "department", "plant"]


@dataclass(frozen=True)
class Where:
    """Where the operator is: the procedures for their operation are looked at first, then their part's, then
    their department's, then the plant's (every procedure, but another department's only for a question that
    names a machine it names: asked at a quality seat, "what gloves do I need" is not the paint booth's)."""

    operation: str | None = None
    part: str | None = None
    departments: tuple[str, ...] = ()
    """The departments of the job's operation (its workcenter's, read from Plex: `copilot.workplace`)."""

    def ours(self, procedure: Procedure) -> bool:
        """Whether `procedure` is for the operator's department (or for every department, or none is known)."""
        return (
            not procedure.departments
            or not self.departments
            or bool(set(procedure.departments) & set(self.departments))
        )

    def scopes(
        self, names_its_machine: Callable[[Procedure], bool] = lambda procedure: False
    ) -> list[tuple[Scope, Callable[[Procedure], bool] | None]]:
        """Each scope and the procedures it looks at (None: all); `names_its_machine`: whether the question
        names a machine the procedure names (another department's procedure answers only then)."""
        operation, part, departments = self.operation, self.part, set(self.departments)
        scopes: list[tuple[Scope, Callable[[Procedure], bool] | None]] = []
        if operation:
            scopes.append(("operation", lambda procedure: operation in procedure.operations))
        if part:
            scopes.append(("part", lambda procedure: part in procedure.parts))
        if not departments:
            return [*scopes, ("plant", None)]
        scopes.append(("department", lambda procedure: bool(departments & set(procedure.departments))))
        return [*scopes, ("plant", lambda procedure: self.ours(procedure) or names_its_machine(procedure))]


@dataclass(frozen=True)
class Citation:
    procedure_id: str
    title: str
    step: int
    """1-based position of the step in the procedure."""

    @property
    def label(self) -> str:
        return f"[{self.procedure_id}#{self.step}]"


@dataclass(frozen=True)
class Answer:
    question: str
    kind: Kind
    text: str
    procedure_id: str | None = None
    title: str | None = None
    steps: tuple[tuple[Citation, str], ...] = ()
    tools: tuple[str, ...] | None = None
    reason: str | None = None
    """Why the copilot refused (kind "refused")."""
    worded_by: str | None = None
    """The language model that worded `text` from the cited steps (None: the steps as written)."""
    scope: Scope | None = None
    """Whose procedures answered: the operation's, the part's or the plant's (None: a refusal)."""
    selected: str | None = None
    """Which of the procedure's steps `steps` are when not all of them ("the step giving the torque (1 of
    its 8 steps)": a question for one value)."""

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(citation for citation, _ in self.steps)


ASK_INSTEAD = "Ask your supervisor or the process engineer; I will not guess."
NO_PROCEDURE = f"No procedure I have covers this. {ASK_INSTEAD}"
SETTINGS_WITHOUT_PROCEDURE = (
    "No procedure I have covers this question, so there are no steps to follow. The settings below are not "
    "from a procedure: they come from the past runs that went well on the most similar lots, inside the SOP's "
    "limits. For anything else, ask your supervisor or the process engineer."
)


def with_settings(reply: Answer) -> Answer:
    """A refusal beside suggested settings says it is about procedures only (it does not refuse the settings)."""
    return replace(reply, text=SETTINGS_WITHOUT_PROCEDURE) if reply.kind == "refused" else reply


BYPASS = re.compile(
    r"\b(?:skip(?:ping|ped)?|bypass(?:ing|ed)?|overrid(?:e|ing)|defeat(?:ing)?|disabl(?:e|ing)|ignor(?:e|ing)"
    r"|get(?:ting)?\s+around|jump(?:ing|er)?\s+out|tap(?:e|ing)\s+(?:over|down)|tie\s+(?:down|back)"
    r"|leav(?:e|ing)\s+(?:off|out)|(?:turn|switch)(?:ing)?\s+off|go(?:ing)?\s+without|work(?:ing)?\s+without"
    r"|run(?:ning)?\s+(?:\w+\s+){0,3}?without|do(?:ing)?\s+without)\b",
    re.IGNORECASE,
)
"""Asking to leave out what keeps people safe: skip, bypass, override, defeat, disable, ignore, get around, jumper
out, tape over, tie down, leave off, turn off, go / work / run / do without."""
SAFEGUARDS = re.compile(
    r"\b(?:safety|guards?|guarding|interlocks?|light\s+curtains?|e-?stops?|emergency\s+stops?|lock\s*out|lockout"
    r"|tag\s*out|tagout|checks?|checking|inspections?|ppe|glasses|goggles|gloves|face\s+shield|harness|respirator"
    r"|ear\s*plugs|hearing\s+protection|safety\s+shoes|gates?|fence|two-hand|sensors?)\b",
    re.IGNORECASE,
)
"""What keeps people safe, as an operator names it: a safety check or inspection, a guard or interlock, a lockout,
protective equipment."""
BYPASS_CANDIDATES = 3
BYPASS_COVERAGE = 0.5
"""A procedure is cited as requiring what a bypass question names when it holds half the question's words (the
safeguard's, the machine's; "if I'm late" is the other half): "the torque tool check" is not the mold change's."""
BYPASS_RULE = (
    "No. A safety check, guard or lockout and the protective equipment a procedure names are never skipped or "
    "bypassed, not even when you are late or the job is urgent."
)
BYPASS_NO = f"{BYPASS_RULE} Ask your supervisor."
GENERIC_SAFEGUARDS = frozenset({"safety", "check", "checking", "inspection"})
"""`SAFEGUARDS` words that name no safeguard of their own: a step holding "check" is no guard check (ux_s16 verify
A: "skip the safety guard check" cited a CNC machine's daily check of way oil and coolant)."""
_PHRASE_END = re.compile(r"[.?!;,]|\s(?:if|on|for|to|when|while|because|and|so|or|at|in|before|after)\s", re.I)
_ARTICLES = re.compile(r"^(?:(?:the|a|an|my|this|that|our|these|those)\s+)+", re.IGNORECASE)


BYPASS_REACH = 2
"""At most this many words between the bypass and the safeguard it leaves out ("skip the safety guard check"; not
"turn off the machine and check the guard")."""
_LEFT_OUT = re.compile(rf"\s*(?:[\w'-]+\s+){{0,{BYPASS_REACH}}}(?:{SAFEGUARDS.pattern})", re.IGNORECASE)


def asks_to_bypass(question: str) -> bool:
    """Whether the question asks to skip or bypass a safety check, guard, lockout or protective equipment: a `BYPASS`
    with a `SAFEGUARDS` word at most `BYPASS_REACH` words after it ("Can I skip the safety guard check if I'm
    late?", "Can I run the press without the guard?")."""
    return any(_LEFT_OUT.match(question, bypass.end()) for bypass in BYPASS.finditer(question))


def _safeguard_key(word: str) -> str:
    """One spelling of a `SAFEGUARDS` word: "Lock out", "lockouts" and "lockout" alike."""
    return re.sub(r"[\s-]", "", word.lower()).removesuffix("s")


def _named_safeguards(text: str) -> set[str]:
    return {_safeguard_key(m.group()) for m in SAFEGUARDS.finditer(text)}


def _left_out(question: str) -> str:
    """What the question would leave out, in its words: "the safety guard check if I'm late" -> "guard check"
    ("safety" dropped before two or more words), "the interlock on the press" -> "interlock"."""
    for bypass in BYPASS.finditer(question):
        if _LEFT_OUT.match(question, bypass.end()):
            rest = question[bypass.end() :]
            end = _PHRASE_END.search(rest)
            words = _ARTICLES.sub("", (rest[: end.start()] if end else rest).strip()).split()
            return " ".join(words[1:] if len(words) > 2 and words[0].lower() == "safety" else words)
    return ""


def bypass_answer(index: ProcedureIndex, question: str, where: Where) -> Answer:
    """ "No; ask your supervisor" (ux_s16 #7: "Can I skip the safety guard check if I'm late?" was "Nothing relevant
    found"), with the steps requiring the safeguard the question names (guard, lockout, interlock, PPE; a safety
    check or inspection when it names no other): of the first scope of `where` with a procedure naming it and holding
    half the question's words, the one they rank first; no such one: the procedure in scope whose title names it
    (else the first naming it), whatever else the question asks; and its steps naming it (all of a procedure whose
    title names it). No procedure in scope naming it: "No procedure I have describes a guard check; ask your
    supervisor." after the "no" (a step about way oil is not cited for a guard, ux_s16 verify A). Never a
    procedure's steps for doing without it."""
    named = set().union(*(_named_safeguards(sentence) for sentence in re.split(r"[.?!;]+", question)))
    named = (named - GENERIC_SAFEGUARDS) or (named & {"safety"})
    subject = BYPASS.sub(" ", question)

    def names_it(text: str) -> bool:
        return bool(named & _named_safeguards(text))

    ranked: list[tuple[Scope, list[Hit]]] = []
    for scope, within in where.scopes():

        def steps_name_it(procedure: Procedure, within: Callable[[Procedure], bool] | None = within) -> bool:
            texts = (procedure.title, *(step.text for step in procedure.steps))
            return (within is None or within(procedure)) and any(names_it(text) for text in texts)

        ranked.append((scope, index.search(subject, k=BYPASS_CANDIDATES, within=steps_name_it)))
    covering = [
        (scope, hit)
        for scope, hits in ranked
        for hit in hits
        if index.coverage(subject, index.position(hit.procedure)) >= BYPASS_COVERAGE
    ]
    # a guard, lockout, interlock or PPE some procedure in scope names is cited even when the question's other words
    # ("on the hydraulic press before clearing a jam") are not half of it (review2_s16 #3: "No procedure I have
    # describes a lockout" beside the lockout SOP), the one whose title names it first; a bare "safety" is named by
    # too many steps to stand for a check of its own
    named_by_some = [(scope, hit) for scope, hits in ranked for hit in hits] if named - {"safety"} else []
    named_by_some.sort(key=lambda found: not names_it(found[1].procedure.title))
    chosen = next(iter(covering or named_by_some), None)
    if chosen is not None:
        scope, hit = chosen
        procedure = hit.procedure
        steps = tuple(
            (Citation(procedure.id, procedure.title, number), step.text)
            for number, step in enumerate(procedure.steps, start=1)
            if names_it(step.text) or names_it(procedure.title)
        )
        text = f"{BYPASS_NO} {procedure.title} [{procedure.id}] requires it:"
        return Answer(
            question,
            "safety",
            text,
            procedure.id,
            procedure.title,
            steps,
            procedure.tools,
            "safety bypass",
            scope=scope,
        )
    left_out = _left_out(question)
    if not left_out:
        return Answer(question, "safety", BYPASS_NO, reason="safety bypass")
    article = "" if left_out.endswith("s") else ("an " if left_out[0].lower() in "aeiou" else "a ")
    text = f"{BYPASS_RULE} No procedure I have describes {article}{left_out}; ask your supervisor."
    return Answer(question, "safety", text, reason="safety bypass")


def relevant(index: ProcedureIndex, hit: Hit, question: str, covered: frozenset[str] = frozenset()) -> bool:
    """The hit is close enough to answer from: enough of the question's words are in the procedure (or
    `covered`: words it need not hold) and it names every machine the question names (`intents.EQUIPMENT`),
    or the question names the safety topic the procedure is for; never another safety topic's procedure."""
    if hit.safety is not None:
        return True
    coverage = index.coverage(question, index.position(hit.procedure), covered) if covered else hit.coverage
    return not hit.off_topic and coverage >= index.settings.min_coverage and not index.unnamed(question, hit.procedure)


def _gives_value(index: ProcedureIndex, procedure: Procedure, asked: Asked, numbers: bool = False) -> bool:
    """Whether the procedure gives a value of a quantity asked: holds a number with its unit, or (not
    `numbers`) names it."""
    texts = [procedure.title, *(procedure.tools or ()), *(step.text for step in procedure.steps)]
    return any(
        index.intents.gives(q, text)[0] or (not numbers and index.intents.gives(q, text)[1])
        for q in asked.quantities
        for text in texts
    )


def _names_more_than_the_task(index: ProcedureIndex, question: str, where: Where, asked: Asked) -> bool:
    """Whether the question names anything but the task, when it is asked and the operator's machine."""
    return bool(index.subject(question) - asked.consumed - index.intents.own_machine(question, where.operation))


def _of_several(index: ProcedureIndex, question: str, where: Where, asked: Asked) -> bool:
    """The question names nothing but a task of which the plant has several procedures (no one of them is
    more the one asked for: "How do I clean the machine?" asked with no operation)."""
    return (
        not _names_more_than_the_task(index, question, where, asked)
        and sum(bool(asked.tasks & index.tasks(p)) for p in index.procedures) > 1
    )


def _tasks_procedure(index: ProcedureIndex, question: str, where: Where, asked: Asked) -> tuple[Scope, Hit] | None:
    """The procedure for the task the question asks for (start-up, changeover, alarm, ...), of the first scope
    that has one covering the question: the task's own words need not be in it, nor, asked from an
    operation or a part, the words that name the operator's machine ("the machine", the operation's name).
    A question that names nothing but the task ("How do I do a changeover?") is answered only from a scope
    with one procedure of the task: of several, none is more the one asked for than another."""
    together = "alarm" not in asked.tasks
    named = _names_more_than_the_task(index, question, where, asked)
    for scope, within in where.scopes(_names_its_machine(index, question)):

        def eligible(procedure: Procedure, within: Callable[[Procedure], bool] | None = within) -> bool:
            return bool(asked.tasks & index.tasks(procedure)) and (within is None or within(procedure))

        if not named and sum(map(eligible, index.procedures)) > 1:
            continue
        hits = index.search(question, k=1, within=eligible, together=together)
        own = index.intents.own_machine(question, where.operation) if scope != "plant" else frozenset()
        if hits and relevant(index, hits[0], question, asked.consumed | own):
            return scope, hits[0]
    return None


def _as_typed(question: str, name: str) -> str:
    """`name` (lower case, as `intents.Intents.equipment` gives it) as the question spells it ("CMM")."""
    typed = re.search(r"\b" + r"\W+".join(map(re.escape, name.split())) + r"\b", question, re.IGNORECASE)
    return typed.group() if typed else name


def _unknown_machines(index: ProcedureIndex, question: str, procedures: list[Procedure]) -> str | None:
    """The machines the question names that none of `procedures` names, as the question spells them ("the
    robot", "the CMM and the oven"), or None."""
    missing = [
        _as_typed(question, name)
        for key, name in index.intents.equipment(question).items()
        if not any(key in index.equipment(p) for p in procedures)
    ]
    return "the " + " and the ".join(missing) if missing else None


def _names_its_machine(index: ProcedureIndex, question: str) -> Callable[[Procedure], bool]:
    """Whether the question names a machine a procedure names."""
    machines = frozenset(index.intents.equipment(question))
    return lambda procedure: bool(machines & index.equipment(procedure))


def _no_task_procedure(index: ProcedureIndex, question: str, asked: Asked, yours: str | None = None) -> str:
    """A refusal of a question for a task: the plant's procedures for it, or that it has none; a machine the
    question names that none of them names is said first; asked from a job, `yours` (its procedures) in place of
    the plant's list of the task's."""
    tasks = [index.intents.tasks[name] for name in sorted(asked.tasks)]
    one = " or ".join(task.one for task in tasks)
    several = " or ".join(task.several for task in tasks)
    procedures = [p for p in index.procedures if asked.tasks & index.tasks(p)]
    titles = [p.title for p in procedures]
    then = f"{yours} {ASK_INSTEAD}" if yours else ASK_INSTEAD
    if not titles:
        return f"No procedure I have covers this: none of them is {one}. {then}"
    listed = "; ".join(titles[:5]) + (f"; and {len(titles) - 5} more" if len(titles) > 5 else "")
    if machines := _unknown_machines(index, question, procedures):
        return f"No procedure I have covers this: none of the plant's {several} names {machines} ({listed}). {then}"
    if yours:
        return f"No procedure I have covers this. {then}"
    return (
        f"No procedure I have covers this. The plant's {several}: {listed}. Name the machine, or fill in "
        f"your job's operation, and ask again; otherwise ask your supervisor or the process engineer. "
        "I will not guess."
    )


def _best(index: ProcedureIndex, question: str, asked: Asked, hits: list[Hit]) -> Hit | None:
    """The first hit close enough to answer from; for a question for a value, the first such that gives a
    value of the kind asked when one does (the start-up's "within 5 C" over the alarm response's "heater
    and temperature alarms" for the barrel heaters' temperature)."""
    answering = [
        hit
        for hit in hits
        if relevant(
            index,
            hit,
            question,
            asked.consumed if asked.quantities and _gives_value(index, hit.procedure, asked) else frozenset(),
        )
    ]
    valued = [hit for hit in answering if _gives_value(index, hit.procedure, asked, numbers=True)]
    return next(iter(valued or answering), None)


def _other_departments(index: ProcedureIndex, question: str, where: Where, found: Procedure | None) -> str | None:
    """The refusal of a question that another department's procedure would answer (it names no machine that
    procedure names) and that the operator's department's procedures answer worse (`found`: none, or one
    holding fewer of the question's words), naming that procedure and its departments; None otherwise."""
    elsewhere = answer(index, question, replace(where, departments=()))
    other = next((p for p in index.procedures if p.id == elsewhere.procedure_id), None)
    if other is None or where.ours(other):
        return None
    if found is not None and index.coverage(question, index.position(found)) >= index.coverage(
        question, index.position(other)
    ):
        return None
    return (
        f"No procedure for your job's department ({', '.join(where.departments)}) covers this. "
        f"{other.title} [{other.id}] does, for {', '.join(other.departments)}: if you mean that "
        f"machine, name it and ask again. {ASK_INSTEAD}"
    )


JOBS_PROCEDURES_LISTED = 8


def _jobs_procedures(index: ProcedureIndex, where: Where) -> str | None:
    """A miss asked from a job names that job's procedures: its operation's, its part's and its department's
    ("The procedures for your job's department (ASSY): Torque tool check at an assembly station [SOP-006]"), as a miss
    without a job names the plant's procedures of the task asked (ux_s16 #7: one with a job named none); None when
    no job is given or it has none."""
    departments = set(where.departments)
    procedures = [
        p
        for p in index.procedures
        if (where.operation and where.operation in p.operations)
        or (where.part and where.part in p.parts)
        or departments & set(p.departments)
    ]
    if not procedures:
        return None
    whose = f"your job's department ({', '.join(where.departments)})" if where.departments else "your job"
    listed = "; ".join(f"{p.title} [{p.id}]" for p in procedures[:JOBS_PROCEDURES_LISTED])
    more = len(procedures) - JOBS_PROCEDURES_LISTED
    return f"The procedures for {whose}: {listed}{f'; and {more} more' if more > 0 else ''}."


def _miss(index: ProcedureIndex, task: str, asked: Asked, where: Where, *, task_asked: bool) -> str:
    """Why nothing answers a question searched for: the plant's procedures of the task asked, or the machine none
    names; asked from a job, that job's procedures too (`_jobs_procedures`), in place of the plant's of the task."""
    yours = _jobs_procedures(index, where)
    if task_asked:
        return _no_task_procedure(index, task, asked, yours)
    then = f"{yours} {ASK_INSTEAD}" if yours else ASK_INSTEAD
    if machines := _unknown_machines(index, task, index.procedures):
        return f"No procedure I have covers this: none of them names {machines}. {then}"
    return f"No procedure I have covers this. {then}"


def answer(index: ProcedureIndex, question: str, where: Where = Where()) -> Answer:
    """The answer to an operator's question from the index's procedures: the safety topic's procedure when
    the question asks about it; then the procedure for the task it asks for (`intents`); then the first
    scope of `where` (operation, part, department, plant) whose best procedure is relevant. A question for one value
    gets the steps that give it."""
    if asks_to_bypass(question):
        return bypass_answer(index, question, where)
    tools_match = TOOLS_QUESTION.match(question)
    task = tools_match.group("task") if tools_match else question
    asked = index.intents.asked(task)
    together = "alarm" not in asked.tasks  # "the robot is stuck in an alarm" is no jam
    found: tuple[Scope, Hit] | None = None
    searched = False
    if safety := index.safety_first(task, together):  # never shadowed by the operation's procedures
        found, searched = ("plant", safety), True
    # an alarm is answered from an alarm response or not at all (the start-up's heater zones do not answer
    # "the press alarmed on a heater zone"); "start" also says when ("at shift start"), so a question for a
    # start-up no start-up covers takes the ordinary path, unless the question names nothing but the task and
    # the plant has several of its procedures (another procedure's words must not pick one: "How do I clean
    # the machine?" is not the CNC daily check). An index without titles knows no task's procedure.
    task_path_only = "alarm" in asked.tasks and index.settings.titles and not tools_match
    if found is None and asked.tasks and not tools_match:
        found = _tasks_procedure(index, task, where, asked)
        task_path_only = task_path_only or (found is None and _of_several(index, task, where, asked))
        searched = searched or task_path_only
    for scope, within in where.scopes(_names_its_machine(index, task)) if found is None and not task_path_only else ():
        hits = index.search(task, k=VALUE_CANDIDATES if asked.quantities else 1, within=within, together=together)
        searched = searched or bool(hits)
        if best := _best(index, task, asked, hits):
            found = (scope, best)
            break
    if where.departments and (other := _other_departments(index, task, where, found and found[1].procedure)):
        return Answer(question, "refused", other, reason="another department's procedure")
    if found is None:
        text = _miss(index, task, asked, where, task_asked=bool(asked.tasks and not tools_match)) if searched else None
        return Answer(
            question,
            "refused",
            text or NO_PROCEDURE,
            reason="no relevant procedure" if searched else "no procedures indexed",
        )
    scope, hit = found
    procedure = hit.procedure
    steps = tuple(
        (Citation(procedure.id, procedure.title, number), step.text)
        for number, step in enumerate(procedure.steps, start=1)
    )
    if tools_match:
        if procedure.tools is None:
            text = f"{procedure.title} [{procedure.id}] gives no list of tools; its steps are the reference."
        elif not procedure.tools:
            text = f"{procedure.title} [{procedure.id}] names no tools."
        else:
            text = f"{procedure.title} [{procedure.id}] names these tools: " + "; ".join(procedure.tools) + "."
        return Answer(question, "tools", text, procedure.id, procedure.title, steps, procedure.tools, scope=scope)
    lines, selected = [f"{procedure.title} [{procedure.id}]:"], None
    if asked.quantities and hit.safety is None:  # a safety procedure is never cut to one step
        subject = frozenset(index.subject(question)) - (asked.consumed - asked.task_words)
        giving, gives = index.intents.value_steps(asked.quantities, [text for _, text in steps], subject)
        if 0 < len(giving) < len(steps):
            steps = tuple(steps[position] for position in giving)
            what = " and ".join(dict.fromkeys(q.name for q in asked.quantities))
            several = "s" if len(giving) > 1 else ""
            which = f"giving the {what}" if gives else f"on it, which give{'' if several else 's'} no {what}"
            selected = f"The step{several} {which} ({len(giving)} of its {len(procedure.steps)} steps)"
            lines = [f"{procedure.title} [{procedure.id}], {selected[0].lower()}{selected[1:]}:"]
    lines += [f"{citation.step}. {text} {citation.label}" for citation, text in steps]
    text = "\n".join(lines)
    return Answer(
        question, "steps", text, procedure.id, procedure.title, steps, procedure.tools, scope=scope, selected=selected
    )
