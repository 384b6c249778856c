"""Whether a question asks to leave out a step or a safeguard, and what it would leave out, in its own words.

A question of this kind is recognised by its form, not by what it names: a person who would skip, bypass,
override, defeat, disable, omit, ignore, forgo, leave off, jumper out or go / do without something ("Can I skip the
torque tool check?", "Is it ok to bypass the interlock", "What about skipping the leak check?"); "not" with a verb
in a question asking for leave ("Can I not wear safety glasses", "Is it ok if I don't do the torque check");
the thing as the subject of a passive ("Can the torque tool check be skipped?") or called optional ("Is the
first-article inspection optional?"). What is left out is the noun phrase after the verb, up to a clause's end
("if I'm late", "when I clear the jam", "on the press", "today"), a verb that only carries it ("doing", "wearing")
left out. A how-to question ("How do I skip a block in the program?") and a verb that also names ordinary work
("turn off", "get around", "tape over", "tie back", "without": "How do I turn off the press?") count only when what
is left out names a safeguard (`SAFEGUARDS`: "How do I bypass the interlock?", "Can I run the press without the
guard?").

Not understood (English grammar for a few forms, not understanding): "Do I have to do the torque check?" (a
question whether it is required, answered with the procedure's steps, not as a bypass), "What if I don't do the
check?", a thing named before the verb outside the passive ("The torque check, can I skip it?"), and any other
wording of leaving something out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plexlabor.copilot.kit import asks_for_tools
from plexlabor.copilot.vocabulary import alike

_VERB_FORMS = {
    # a person's verb (base and -ing forms) and its passive participle
    r"skip(?:ping)?": r"skipped",
    r"bypass(?:ing)?": r"bypassed",
    r"overrid(?:e|ing)": r"overridden",
    r"defeat(?:ing)?": r"defeated",
    r"disabl(?:e|ing)": r"disabled",
    r"omit(?:ting)?": r"omitted",
    r"ignor(?:e|ing)": r"ignored",
    r"fore?go(?:ing)?": r"fore?gone",
    r"jumper(?:ing)?\s+out": r"jumpered\s+out",
    r"leav(?:e|ing)\s+(?:off|out)": r"left\s+(?:off|out)",
    r"(?:go|going|do|doing|work|working)\s+without": r"done\s+without",
    r"dispens(?:e|ing)\s+with": r"dispensed\s+with",
}
"""Verbs that leave something out, whatever it is."""
_ORDINARY_FORMS = {
    r"(?:turn|switch)(?:ing)?\s+off": r"(?:turned|switched)\s+off",
    r"get(?:ting)?\s+around": r"gotten\s+around",
    r"tap(?:e|ing)\s+(?:over|down)": r"taped\s+(?:over|down)",
    r"t(?:ie|ying)\s+(?:down|back)": r"tied\s+(?:down|back)",
}
"""Verbs that also name ordinary work: they leave out only a safeguard ("turn off the light curtain", not "turn off
the press"; "get around the interlock", not "get around the line to the dock"; "tape over the sensor", "tie back the
two-hand control", not "tie back my hair")."""
_VERBS = rf"(?P<leave>{'|'.join(_VERB_FORMS)})|(?P<ordinary>{'|'.join(_ORDINARY_FORMS)})"
LEAVING = re.compile(
    rf"\b(?:{'|'.join([*_VERB_FORMS, *_VERB_FORMS.values(), *_ORDINARY_FORMS, *_ORDINARY_FORMS.values()])}"
    r"|without|optional|not|don['\u2019]?t)\b",
    re.IGNORECASE,
)
"""The words that ask to leave something out: left out of the question when the procedure requiring it is sought."""
_PARTICIPLES = rf"(?P<leave>{'|'.join(_VERB_FORMS.values())})|(?P<ordinary>{'|'.join(_ORDINARY_FORMS.values())})"

SAFEGUARDS = re.compile(
    r"\b(?:safety|guards?|guarding|interlocks?|light\s+curtains?|e-?stops?|emergency\s+stops?|lock\s*-?\s*outs?"
    r"|tag\s*-?\s*outs?|checks?|checking|inspections?|inspecting|ppe|glasses|goggles|gloves|face\s+shields?"
    r"|harness|respirators?|ear\s*plugs|hearing\s+protection|safety\s+shoes|gates?|fences?|two-hand|sensors?)\b",
    re.IGNORECASE,
)
"""What keeps people safe, as an operator names it: a safety check or inspection, a guard or interlock, a lockout,
protective equipment."""

_PERSON = (
    r"\b(?:i|we|you|one|they|he|she|someone|anyone|to|me|us|let['\u2019]?s|about|of)"
    r"(?:['\u2019](?:ll|d|m|re)|\s+(?:will|would|am|are))?\s+"
    r"(?:(?:just|simply|quickly|safely|also|really|still|ever|please|maybe|sometimes|now|then|always|once)\s+){0,2}"
)
"""Who leaves it out: a person, "to" ("is it ok to skip"), or "about" / "of" before an -ing form ("what about
skipping")."""
_ACTIVE = re.compile(rf"{_PERSON}(?:{_VERBS})\b\s*", re.IGNORECASE)
_WITHOUT = re.compile(r"\bwithout\s+", re.IGNORECASE)
"""Doing the work without it ("Can I run the press without the guard?", "without locking out"): a safeguard only,
and not another task done to one ("without removing the guard")."""
_LEAVE = (
    r"\b(?:(?:can|could|may|might|shall)\s+(?:i|we|you|one)|ok(?:ay)?|fine|alright|all\s+right|allowed|acceptable"
    r"|safe|possible|permitted)"
)
"""A question asking for leave: "can I", "is it ok", "are we allowed"."""
_NEGATED = re.compile(
    rf"{_LEAVE}\s+(?:for\s+(?:me|us|you)\s+)?(?:if\s+(?:i|we|you)\s+)?(?:just\s+)?(?:to\s+)?"
    r"(?:not|don['\u2019]?t|do\s+not|didn['\u2019]?t|did\s+not|never)\s+(?:to\s+)?(?:just\s+)?(?=\w)",
    re.IGNORECASE,
)
"""Leave not to do it: "can I not wear", "is it ok to not do", "is it fine if we don't wear" (any step after a verb
that only carries it, `_CARRIERS`; after another verb a safeguard only: "not lock out the press", not "not start the
press until the heaters are warm")."""
_PASSIVE = re.compile(
    rf"\b(?:(?:can|could|may|might|shall|should)\s+(?P<thing>.+?)\s+be|{_LEAVE}\s+if\s+(?P<subject>.+?)\s+(?:is|are|gets?))"
    rf"\s+(?:just\s+)?(?:{_PARTICIPLES})\b",
    re.IGNORECASE,
)
"""It, left out by whoever: "Can the torque tool check be skipped?", "Is it ok if the guard check is skipped?"."""
_OPTIONAL = re.compile(r"\b(?:is|are)\s+(?P<thing>(?!it\b)[\w\s'/-]+?)\s+(?:really\s+|just\s+)?optional\b", re.I)

_CARRIERS = re.compile(
    r"^(?:(?:do|doing|wear|wearing|use|using|put\s+on|putting\s+on|perform|performing|carry\s+out"
    r"|carrying\s+out|follow|following|bother\s+with|bothering\s+with|have|having)\s+)+",
    re.IGNORECASE,
)
"""Verbs that only carry what is left out ("skip doing the torque check", "not wear safety glasses")."""
_PHRASE_END = re.compile(
    r"[.?!;,:]|\s(?:if|on|for|to|with|by|using|instead|when|while|because|since|as|and|so|or|at|in|before|after"
    r"|until|today|tonight|tomorrow|now|again|just|once|this\s+(?:time|once|shift|morning|week)|every|each)\b",
    re.IGNORECASE,
)
"""Where what is left out ends: a clause or a place, a time, a means or a reason ("the check | if I'm late", "the
interlock | with a jumper")."""
_ARTICLES = re.compile(r"^(?:(?:the|a|an|my|this|that|our|these|those|your|his|her|their|its|any)\s+)+", re.I)
_HOW = re.compile(r"^\W*(?:how|why|where)\b", re.IGNORECASE)
"""A question for a way or a reason ("How do I skip a block in the program?", "Why can I not start the press?"); a
question for the tools to do it is one for the means (`kit.asks_for_tools`: "What tools do I need to bypass the heater
unit of a dishwasher?", a MyFixit guide's title)."""


@dataclass(frozen=True)
class LeftOut:
    """What a question would leave out."""

    thing: str
    """In the question's words, without article or carrier: "torque tool check", "safety glasses"."""
    safeguard: bool
    """It names a safeguard (`SAFEGUARDS`): a safety check, inspection, test or calibration (`vocabulary.ALIKE`), a
    guard, a lockout, protective equipment."""

    @property
    def shown(self) -> str:
        """As an answer names it: "safety" dropped before two or more words ("the safety guard check" is a guard
        check), with its article ("a guard check", "an interlock", "safety glasses")."""
        words = self.thing.split()
        shown = " ".join(words[1:] if len(words) > 2 and words[0].lower() == "safety" else words)
        if shown.endswith("s") or shown.lower().endswith("ing"):
            return shown
        return ("an " if shown[0].lower() in "aeiou" else "a ") + shown


def _phrase(text: str) -> str:
    """The noun phrase `text` starts with: up to a clause's end, its article and carrying verb left out."""
    text = " " + _CARRIERS.sub("", text.strip())
    end = _PHRASE_END.search(text)
    return _ARTICLES.sub("", (text[: end.start()] if end else text).strip()).strip(" '\"")


def _found(thing: str, *, safeguard_only: bool) -> LeftOut | None:
    safeguard = bool(SAFEGUARDS.search(alike(thing)))  # a test or a calibration is a check
    if not re.search(r"\w\w", thing) or (safeguard_only and not safeguard):
        return None
    return LeftOut(thing, safeguard)


def left_out(question: str) -> LeftOut | None:
    """What the question asks to leave out (module docstring), or None when it asks no such thing."""
    how = bool(_HOW.match(question)) or asks_for_tools(question)
    for active in _ACTIVE.finditer(question):
        if found := _found(_phrase(question[active.end() :]), safeguard_only=how or bool(active.group("ordinary"))):
            return found
    for without in _WITHOUT.finditer(question):
        thing = _phrase(question[without.end() :])
        task = thing.partition(" ")[0].lower().endswith("ing") and not SAFEGUARDS.match(alike(thing))
        if not task and (found := _found(thing, safeguard_only=True)):
            return found
    for negated in _NEGATED.finditer(question) if not how else ():
        rest = question[negated.end() :]  # "not start the press until ..." is no step left out; "not lock out" is
        if found := _found(_phrase(rest), safeguard_only=not _CARRIERS.match(rest)):
            return found
    for passive in _PASSIVE.finditer(question):
        subject = _phrase(passive.group("thing") or passive.group("subject"))
        if found := _found(subject, safeguard_only=how or bool(passive.group("ordinary"))):
            return found
    if optional := _OPTIONAL.search(question):
        return _found(_phrase(optional.group("thing")), safeguard_only=how)
    return None
