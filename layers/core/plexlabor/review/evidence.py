"""What an item's evidence shows a person deciding it: the facts the decision needs, in words.

The audit keeps every field a producer recorded; the item page shows a supervisor's, planner's or EHS
lead's part of them. Left out (`INTERNAL`): model features and scores, the crew solver's status, proven
gap and objective terms, the plan's figures and swap candidates (the crew board shows those, in words),
an incident model's raw output and the text spans of what was read from a narrative, and what the page
already shows above the evidence (confidence, severity, the day). Put in words (`evidence_words`): why a
seat stays empty, and for an incident, what happened, the body parts, equipment (used and not used, in the incident
page's words: `display.equipment_words`) and protective gear read from the narrative and the codes the model
suggested. A start comes before its end (`reading_order`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plexlabor.approval.display import MODEL_INPUTS, equipment_words, reading_order
from plexlabor.review.items import ReviewItem

INTERNAL = (
    frozenset(
        {
            # scoring: model inputs and internals (the audit keeps them for learning)
            "features",
            "score",  # a cross-training candidate's ranking score: its place ("rank") says the same in words
            "shadow",
            "plant_cut",
            "exploration",  # sent as a random sample of what the scorer stops sending: decided as any item is
            "timeline",
            "confidence",
            "severity",
            "text_says_unhurt",  # in words in an incident's rows ("Why it waits") when true
            # the crew plan: solver internals and objective terms (the crew board shows the plan's figures)
            "solver_status",
            "proven_gap",
            "plan_figures",
            "plan_shifts",
            "plan_day",
            "value",
            "fatigue",
            "changeover",
            "walking",
            "outside_hours",
            "swap_candidates",
            "cause",
            # an incident's model output and extraction spans (its page shows and corrects the codes)
            "auto_coded",
            "coding",
            "codes",
            "extraction",
            "incident",
            "as_of",
            # the pilot scope's hold, if any
            "held",
            "advisory",
        }
    )
    | MODEL_INPUTS
)  # a buddy punch's signals: its note words them
"""Evidence keys a person deciding the item does not read."""

UNSTAFFED_CAUSES = {
    "nobody_qualified": "Nobody holds the skills this work needs (valid that day).",
    "too_few_qualified": "Fewer qualified operators than the crew needs.",
    "qualified_on_leave": "Every qualified operator is on leave or called off.",
    "qualified_unavailable": (
        "The qualified operators are on leave, not scheduled, or kept off by the rest, hours or days-in-a-row rules."
    ),
    "qualified_busy": "Every qualified, available operator is needed elsewhere at the same time.",
    "kept_by_replan": (
        "A qualified operator is free at that time, but the re-plan changed only the seats its event touched: "
        "re-plan the rest of the shift on the crew board to fill it."
    ),
}
"""A short seat's cause (`crew.models.UnstaffedCause`) in words."""


def evidence_words(item: ReviewItem) -> dict[str, Any]:
    """The item's evidence as a person reads it: the internals left out, causes and an incident's
    narrative and findings put in words (keys are the row labels of what was added)."""
    evidence = item.evidence
    shown: dict[str, Any] = {}
    cause = evidence.get("cause")
    if isinstance(cause, str):
        shown["Why it stays empty"] = UNSTAFFED_CAUSES.get(cause, cause.replace("_", " "))
    if item.kind == "incident_coding":
        shown |= _incident(evidence)
    shown |= {key: value for key, value in evidence.items() if key not in INTERNAL and value not in (None, "", [], {})}
    return reading_order(shown)


def _incident(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """What the report says and what was read from it, and the codes the model suggested."""
    report = _mapping(evidence.get("incident"))
    found = _mapping(evidence.get("extraction"))
    rows: dict[str, Any] = {
        "What happened": report.get("narrative"),
        "Injury or near miss": {"injury": "injury", "near_miss": "near miss"}.get(str(report.get("kind"))),
        "When it happened": report.get("occurred_at"),
        "Body parts": [_body_part(part) for part in _mentions(found, "body_parts")],
        "Equipment": equipment_words(found),
        "Protective gear worn": [str(m.get("value")) for m in _mentions(found, "ppe") if m.get("worn", True)],
        "Protective gear not worn": [str(m.get("value")) for m in _mentions(found, "ppe") if not m.get("worn", True)],
        "Why it waits": "Sent as an injury, but the text says nobody was hurt: a near miss?"
        if evidence.get("text_says_unhurt")
        else None,
        "Codes the model suggested": [_code(code) for code in evidence.get("coding") or [] if isinstance(code, Mapping)]
        or "none: the EHS lead codes it on the incident's page",
    }
    return {label: value for label, value in rows.items() if value not in (None, "", [])}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _mentions(found: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    values = found.get(key)
    return [m for m in values if isinstance(m, Mapping)] if isinstance(values, list) else []


def _body_part(part: Mapping[str, Any]) -> str:
    side = part.get("side")
    return f"{side} {part.get('value')}" if side else str(part.get("value"))


def _code(code: Mapping[str, Any]) -> str:
    """ "Event or exposure: 64 Caught in running equipment (62% sure)"."""
    title = f" {code['title']}" if code.get("title") else ""
    sure = f" ({float(code['confidence']):.0%} sure)" if isinstance(code.get("confidence"), int | float) else ""
    return f"{code.get('label') or code.get('field')}: {code.get('code')}{title}{sure}"
