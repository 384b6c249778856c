"""Answers from retrieved procedures only: numbered steps that cite their passages, the tools a procedure
names, or a plain "no procedure covers this". Nothing here writes a step, a tool or a parameter that
is not in the procedure retrieved; wording by a language model (`copilot.bedrock`) starts from this.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from plexlabor.copilot.bypass import LEAVING, LeftOut, left_out
from plexlabor.copilot.intents import Asked
from plexlabor.copilot.kit import tools_task
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import Hit, ProcedureIndex

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


BYPASS_CANDIDATES = 5
"""A question to leave something out looks at this many procedures of each scope that name it."""
BYPASS_COVERAGE = 0.5
"""Of the procedures naming what a question would leave out, one holding half the question's words (the thing's,
the machine's, the task's; "if I'm late" is the other half) is cited before the others."""
BYPASS_RULE = (
    "No. A safety check, guard or lockout and the protective equipment a procedure names are never skipped or "
    "bypassed, not even when you are late or the job is urgent."
)
STEP_RULE = (
    "No. A step a procedure requires is not skipped or left out, not even when you are late or the job is urgent."
)
"""The "no" to leaving out a step that names no safeguard ("chocking the trailer"); `BYPASS_RULE` for a safeguard."""
GENERIC = "safety check"
"""Words of what is left out that name nothing of their own (with the words `vocabulary.ALIKE` reads as "check"):
"the safety guard check" is required where a guard is named, not by a CNC machine's daily check of way oil and
coolant (ux_s16 verify A); a bare "safety check" must be named by one step or title whole."""


@dataclass(frozen=True)
class Requiring:
    """How a procedure requires what a question would leave out."""

    steps: tuple[int, ...]
    """Positions of the steps naming it (all of them when the title names it)."""
    held: float
    """The largest share of its words one text holds (its title, a step, a tool): 1 for "verify the torque wrench
    calibration" asked as "the torque tool check" (`vocabulary.ALIKE`), 2 of 3 for a tool change's "the torque on
    the tool card"."""
    tools: tuple[str, ...] = ()
    """The tools and protective equipment naming it, when no step does ("Safety glasses")."""
    titled: bool = False
    """The procedure's title names it: the procedure is the thing ("Torque tool check at an assembly station")."""


def requiring(
    index: ProcedureIndex, procedure: Procedure, thing: frozenset[str], distinctive: frozenset[str]
) -> Requiring | None:
    """Whether `procedure` names `thing` (the words of what a question would leave out, `ProcedureIndex.alike_words`):
    its title holds every word of it that names something (`distinctive`: not `GENERIC`): all its steps; else its
    title and steps together hold them: the steps holding most of `thing` (one such word at least); else a tool holds
    them. Only generic words ("safety check"): the title or a step holds all of them."""
    words = index.procedure_words(procedure)
    every = tuple(range(len(procedure.steps)))
    if not distinctive:
        if thing <= words.title:
            return Requiring(every, 1.0, titled=True)
        whole = tuple(position for position, step in enumerate(words.steps) if thing <= step)
        return Requiring(whole, 1.0) if whole else None
    if distinctive <= words.title:
        return Requiring(every, 1.0, titled=True)
    if distinctive <= words.title.union(*words.steps):
        held = [len(thing & step) if distinctive & step else 0 for step in words.steps]
        most = max(held)
        return Requiring(tuple(position for position, count in enumerate(held) if count == most), most / len(thing))
    naming = [
        (tool, len(thing & named))
        for tool, named in zip(procedure.tools or (), words.tools, strict=True)
        if distinctive <= named
    ]
    if not naming:
        return None
    return Requiring((), max(count for _, count in naming) / len(thing), tuple(tool for tool, _ in naming))


def bypass_answer(index: ProcedureIndex, question: str, found: LeftOut, where: Where) -> Answer:
    """ "No; ask your supervisor" to a question asking to leave out a step or a safeguard (`found`, `bypass.left_out`;
    ux_s16 #7: "Can I skip the safety guard check if I'm late?" was "Nothing relevant found"), citing the procedure
    that requires it (`requiring`) and quoting its steps that name it. Of the procedures of `where`'s scopes (then of
    any department, saying whose): one holding half the question's words (the words `vocabulary.ALIKE` holds alike
    read as one) before one that does not; then one whose title names it; then the one with a step (or tool) holding
    most of it; ties by scope, then by the question's ranking. No procedure naming
    it: said in so many words, after the "no" for a safeguard ("No procedure I have describes a guard check; ask
    your supervisor."), without a "no" for anything else (nothing says it is required). Never a procedure's steps
    for doing without it."""
    thing = index.alike_words(found.thing)
    distinctive = thing - index.alike_words(GENERIC)
    subject = LEAVING.sub(" ", question)
    asked = index.alike_words(subject)
    no = f"{BYPASS_RULE if found.safeguard else STEP_RULE} Ask your supervisor."
    named = {
        index.position(procedure): required
        for procedure in index.procedures
        if (required := requiring(index, procedure, thing, distinctive)) is not None
    }

    def covering(procedure: Procedure) -> bool:
        words = index.procedure_words(procedure)
        held = asked & words.title.union(*words.steps, *words.tools)
        return bool(asked) and len(held) / len(asked) >= BYPASS_COVERAGE

    candidates: dict[int, tuple[tuple[bool, bool, float, int, int], Scope, Hit, Requiring]] = {}
    scopes = where.scopes(_names_its_machine(index, question))
    if scopes[-1][1] is not None:  # then any department's, saying whose
        scopes.append(("plant", None))
    for order, (scope, within) in enumerate(scopes):

        def names_it(procedure: Procedure, within: Callable[[Procedure], bool] | None = within) -> bool:
            return index.position(procedure) in named and (within is None or within(procedure))

        for rank, hit in enumerate(index.search(subject, k=BYPASS_CANDIDATES, within=names_it)):
            position = index.position(hit.procedure)
            key = (not covering(hit.procedure), not named[position].titled, -named[position].held, order, rank)
            candidates.setdefault(position, (key, scope, hit, named[position]))
    if not candidates:
        if found.safeguard:
            text = f"{BYPASS_RULE} No procedure I have describes {found.shown}; ask your supervisor."
        else:
            text = (
                f"No procedure I have describes {found.shown}, so none says whether it may be left out. {ASK_INSTEAD}"
            )
        return Answer(question, "safety", text, reason="safety bypass")
    _, scope, hit, required = min(candidates.values(), key=lambda candidate: candidate[0])
    procedure = hit.procedure
    steps = tuple(
        (Citation(procedure.id, procedure.title, position + 1), procedure.steps[position].text)
        for position in required.steps
    )
    whose = "" if where.ours(procedure) else f", a procedure for {', '.join(procedure.departments)},"
    text = f"{no} {procedure.title} [{procedure.id}]{whose} requires it:"
    if not steps:
        text += f" it lists {'; '.join(required.tools)} among its tools and protective equipment."
    return Answer(
        question, "safety", text, procedure.id, procedure.title, steps, procedure.tools, "safety bypass", scope=scope
    )


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
    if (leaving := left_out(question)) is not None:
        return bypass_answer(index, question, leaving, where)
    tools_asked = tools_task(question)  # "What tools are needed for a mold change?": the task alone is retrieved
    for_tools = tools_asked is not None
    task = tools_asked if tools_asked is not None else question
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
    task_path_only = "alarm" in asked.tasks and index.settings.titles and not for_tools
    if found is None and asked.tasks and not for_tools:
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
        text = _miss(index, task, asked, where, task_asked=bool(asked.tasks and not for_tools)) if searched else None
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
    if for_tools:
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
