"""Whether a question asks for the tools or the protective equipment (PPE) of a task, and which task, by its form.

The forms (English grammar for a few question shapes, not a list of sentences), each with the task that is retrieved:
- the kit asked for with a verb of needing: "What tools do I need to change the mold?", "Which PPE should we wear for
  the colour change?", "What equipment does the mold change need?";
- the kit and a participle of needing: "Which tools are needed to change the mold?", "What PPE is required for the
  colour change?";
- the kit alone before the task: "Tools for a mold change?", "What tools for a mold change?", "PPE needed for the
  booth", "Which PPE in the booth?" (not a clause: "Equipment on the press is broken");
- what a person wears, which asks for protective equipment: "What should I wear in the paint booth?", "Do we have to
  wear the respirator in the booth?" (the thing worn is retrieved with the place), "Is it required to wear gloves for
  the mold change?" (not "is it ok to wear ...": leave is not a requirement).
"Wear" as a noun or with a particle ("tool wear", "wear out the tip") is no such question.

Written here as regular expressions, as `bypass` reads its forms: no parser is in the ask function's package (a
dependency parser such as spaCy would add its model beside the encoder's for a handful of question shapes).
"""

from __future__ import annotations

import re

_KIT = r"(?:(?:safety|protective|personal\s+protective)\s+)?(?:tools?|ppe|equipment|gear|clothing)"
_KITS = rf"{_KIT}(?:\s*(?:and|or|/|,|&)\s*{_KIT})*"
_WHAT = r"(?:what|which)(?:\s+(?:kinds?|sorts?|types?)\s+of)?"
_FOR = r"(?:to|for|in|on|at|during|when|while|before)"
"""What ties the kit to its task: "to change the mold", "for a mold change", "in the booth", "when purging"."""
_NEEDED = r"(?:needed|required|necessary|used|worn|recommended|mandatory)"
_WHO = r"(?:i|we|you|one|they|an?\s+\w+|the\s+\w+)"
_WEAR = r"(?:be\s+)?wear(?:ing)?(?!\s+(?:out|down|off|away)\b)"
_END = r"[\s?.!]*$"
_NO_CLAUSE = r"(?!.*\b(?:is|are|was|were|isn't|aren't|wasn't|weren't|won't|doesn't|don't|broke|broken|missing)\b)"
"""The kit alone before its task names a task, not a clause about it ("Equipment on the press is broken", "What tools
in the crib are missing?")."""
_FORMS = tuple(
    re.compile(form, re.IGNORECASE)
    for form in (
        rf"^\s*{_WHAT}\s+{_KITS}\s+(?:do|does|will|would|should|must|shall|can|could)\s+{_WHO}\s+"
        rf"(?:(?:need|have|got)\s+to\s+)?(?:need|use|bring|wear|take|get|put\s+on)\s+{_FOR}\s+(?P<task>.+?){_END}",
        rf"^\s*{_WHAT}\s+{_KITS}\s+(?:is|are|(?:will|would|should|must)\s+be|(?:has|have)\s+to\s+be)\s+(?:\w+\s+)?"
        rf"{_NEEDED}\s+{_FOR}\s+(?P<task>.+?){_END}",
        rf"^\s*{_WHAT}\s+{_KITS}\s+(?:{_NEEDED}\s+)?{_FOR}\s+{_NO_CLAUSE}(?P<task>.+?){_END}",
        rf"^\s*(?:the\s+)?{_KITS}\s+(?:{_NEEDED}\s+)?(?:to|for)\s+{_NO_CLAUSE}(?P<task>.+?){_END}",
        rf"^\s*{_WHAT}\s+{_KITS}\s+(?:do|does)\s+(?P<task>.+?)\s+(?:need|use|require|call\s+for){_END}",
        rf"^\s*what\s+(?:do|does|should|must|will|would|shall)\s+{_WHO}\s+(?:(?:need|have|got)\s+to\s+)?{_WEAR}\s+"
        rf"{_FOR}\s+(?P<task>.+?){_END}",
        rf"^\s*what\s+(?:is|has\s+to\s+be|must\s+be|should\s+be|needs\s+to\s+be)\s+worn\s+{_FOR}\s+(?P<task>.+?){_END}",
    )
)
_MUST_WEAR = re.compile(
    r"^\s*(?:do|does|should|must|shall|will|would|have|has|need|needs|am|are|is)\s+(?P<between>(?:[\w']+\s+){0,6}?)"
    rf"(?:to|i|we|you|they|one|operators?|everyone)\s+(?:always\s+|really\s+|still\s+|also\s+)?{_WEAR}\s+"
    rf"(?P<task>.+?){_END}",
    re.IGNORECASE,
)
"""Whether one must wear something: "Do we have to wear the respirator in the booth?"."""
_LEAVE = re.compile(r"\b(?:ok|okay|fine|alright|allowed|safe|possible|permitted|can|could|may)\b", re.IGNORECASE)
"""Asking leave to wear something is no question for what a procedure requires ("Is it ok to wear gloves ...")."""


def tools_task(question: str) -> str | None:
    """The task whose tools or protective equipment the question asks for (module docstring), or None."""
    for form in _FORMS:
        if asked := form.match(question):
            return asked.group("task")
    if (worn := _MUST_WEAR.match(question)) and not _LEAVE.search(worn.group("between")):
        return worn.group("task")
    return None


def asks_for_tools(question: str) -> bool:
    """Whether the question asks for the tools or protective equipment of a task (`tools_task`)."""
    return tools_task(question) is not None
