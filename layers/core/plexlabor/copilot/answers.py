"""Answers from retrieved procedures only: numbered steps that cite their passages, the tools a procedure
names, or a plain "no procedure covers this". Nothing here writes a step, a tool or a parameter that
is not in the procedure retrieved; wording by a language model (`copilot.bedrock`) starts from this.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import Hit, ProcedureIndex

TOOLS_QUESTION = re.compile(
    r"^\s*(?:what|which)\s+(?:tools?|ppe|equipment)(?:\s*(?:and|or|/|,)\s*(?:tools?|ppe|equipment))*"
    r"\s+(?:do|does|will|would|should|must)\s+(?:i|we|you|one|an? \w+)\s+(?:need|use|bring|wear)\s+"
    r"(?:to|for)\s+(?P<task>.+?)[\s?.!]*$",
    re.IGNORECASE,
)
""""What tools (and PPE) do I need to <task>?" and its close variants; the task is what is retrieved."""

Kind = Literal["steps", "tools", "refused"]
Scope = Literal["operation", "part", "plant"]


@dataclass(frozen=True)
class Where:
    """Where the operator is: the procedures for their operation are looked at first, then their part's,
    then the plant's (every procedure)."""

    operation: str | None = None
    part: str | None = None

    def scopes(self) -> list[tuple[Scope, Callable[[Procedure], bool] | None]]:
        operation, part = self.operation, self.part
        scopes: list[tuple[Scope, Callable[[Procedure], bool] | None]] = []
        if operation:
            scopes.append(("operation", lambda procedure: operation in procedure.operations))
        if part:
            scopes.append(("part", lambda procedure: part in procedure.parts))
        return [*scopes, ("plant", None)]


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

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(citation for citation, _ in self.steps)


NO_PROCEDURE = "No procedure I have covers this. Ask your supervisor or the process engineer; I will not guess."
SETTINGS_WITHOUT_PROCEDURE = (
    "No procedure I have covers this question, so there are no steps to follow. The settings below are not "
    "from a procedure: they come from the past runs that went well on the most similar lots, inside the SOP's "
    "limits. For anything else, ask your supervisor or the process engineer."
)


def with_settings(reply: Answer) -> Answer:
    """A refusal beside suggested settings says it is about procedures only (it does not refuse the settings)."""
    return replace(reply, text=SETTINGS_WITHOUT_PROCEDURE) if reply.kind == "refused" else reply


def relevant(index: ProcedureIndex, hit: Hit) -> bool:
    """The hit is close enough to answer from: enough of the question's words are in the procedure, or
    the question names the safety topic the procedure is for."""
    return hit.safety is not None or hit.coverage >= index.settings.min_coverage


def answer(index: ProcedureIndex, question: str, where: Where = Where()) -> Answer:
    """The answer to an operator's question from the index's procedures: the first scope of `where`
    (operation, part, plant) whose best procedure is relevant answers."""
    tools_match = TOOLS_QUESTION.match(question)
    task = tools_match.group("task") if tools_match else question
    found: tuple[Scope, Hit] | None = None
    searched = False
    if safety := index.safety_first(task):  # never shadowed by the operation's procedures that refer to it
        found, searched = ("plant", safety), True
    for scope, within in where.scopes() if found is None else ():
        hits = index.search(task, k=1, within=within)
        searched = searched or bool(hits)
        if hits and relevant(index, hits[0]):
            found = (scope, hits[0])
            break
    if found is None:
        return Answer(
            question,
            "refused",
            NO_PROCEDURE,
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
    lines = [f"{procedure.title} [{procedure.id}]:"]
    lines += [f"{citation.step}. {text} {citation.label}" for citation, text in steps]
    text = "\n".join(lines)
    return Answer(question, "steps", text, procedure.id, procedure.title, steps, procedure.tools, scope=scope)
