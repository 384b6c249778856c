"""Exploration: a small random sample of what the scorer in force stops sending, sent for review all the same.

The learning loop's decisions cover only what the model in force sent, so nothing a supervisor decided says
whether the findings it stopped sending (a plant's cut, a refit family that scores a type lower) were right to
stop: a refit promoted on decisions of last week's findings can leave this week's upheld findings unsent, and no
gate on decisions sees it (issue 15, the bench's realistic plant). So a finding the model in force routes to
trend that the `reference` model (the packaged scorer: what the plant had before the loop) would send is
*eligible*, and `share` of the eligible ones, drawn at random, go to review as a normal item: shown and ranked at
the reference's confidence, as the reference would have sent it (the model in force's, below the review threshold,
would tell a supervisor it is a sample and sink it to the queue's bottom). Each eligible finding records
`evidence.exploration` (`propensity`: the share, `drawn`, `reference`: the reference's version, `confidence`: the
model in force's, `reference_confidence`, `below_trend`: whether the model in force would not have kept it at all),
and a drawn one's decision carries it into the training rows, where the promotion gate weighs it by the inverse of
its propensity (`plexlabor.learning.promotion`): 1 drawn finding stands for 1 / share eligible ones.

The draw is a hash of the finding id (a hash itself of the record and the type), not a random generator: the same
finding is drawn or not on every path that scores it (real time, the nightly sweep, a retry), independently of its
features and of how a supervisor will decide it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from plexlabor.validation.scorer import ScorerModel

EXPLORATION_KEY = "exploration"
DEFAULT_SHARE = 0.0
"""Off by default since the closing review s15 (docs/validation-learning.md step 8), whose two defects are mended since:
a drawn item shows and ranks at the reference's confidence, and an eligible finding only its eligibility keeps is
none of the KPIs' suggestions nor a negative of the refit. SCORER_EXPLORATION_SHARE=0.05 turns it on."""
DRAW_SPACE = 2**64


@dataclass(frozen=True)
class Exploration:
    share: float = DEFAULT_SHARE
    """The probability an eligible finding is sent for review (its propensity); 0: no exploration."""
    reference: ScorerModel = field(default_factory=ScorerModel.load)
    """The model whose routing marks what the model in force stops sending: the packaged scorer."""

    def drawn(self, finding_id: str) -> bool:
        """Whether the eligible finding `finding_id` is sent: a uniform draw from the hash of its id."""
        draw = int.from_bytes(hashlib.sha256(f"exploration|{finding_id}".encode()).digest()[:8], "big")
        return draw < self.share * DRAW_SPACE

    def record(self, drawn: bool, confidence: float, reference_confidence: float, below_trend: bool) -> dict[str, Any]:
        """The finding's `evidence.exploration`: `confidence` is the model in force's (a drawn finding itself
        carries `reference_confidence`), `below_trend` that the model in force scores it under the trend threshold,
        so that only its eligibility keeps it."""
        return {
            "propensity": self.share,
            "drawn": drawn,
            "reference": self.reference.version,
            "confidence": confidence,
            "reference_confidence": reference_confidence,
            "below_trend": below_trend,
        }


def propensity(evidence: dict[str, Any]) -> float:
    """The probability a decided finding was sent for review: its exploration's share when it was drawn (the
    model in force did not send it), else 1."""
    explored = evidence.get(EXPLORATION_KEY)
    if isinstance(explored, dict) and explored.get("drawn"):
        share = explored.get("propensity")
        if isinstance(share, int | float) and 0 < share <= 1:
            return float(share)
    return 1.0


def eligible_not_drawn(evidence: dict[str, Any]) -> bool:
    """Whether an undecided finding was eligible for exploration and not drawn: the drawn ones of its kind stand
    for it, so the gate does not charge it as an unconfirmed review."""
    explored = evidence.get(EXPLORATION_KEY)
    return isinstance(explored, dict) and not explored.get("drawn")


def kept_only_as_eligible(evidence: dict[str, Any]) -> bool:
    """Whether a finding is recorded only because it was eligible and not drawn: the model in force scores it under
    the trend threshold, so without exploration it would not be recorded at all. It is none of the model's
    suggestions (the KPIs) nor an example of what the model did not send (the refit's negatives); the gate still
    reads it (`eligible_not_drawn`)."""
    return eligible_not_drawn(evidence) and bool(evidence[EXPLORATION_KEY].get("below_trend"))


def recorded_only_as_eligible(payload: dict[str, Any]) -> bool:
    """`kept_only_as_eligible` of a recorded finding's payload (its evidence): what reads findings back from the
    audit (the KPIs, the allocation's trend log) leaves such a finding out."""
    evidence = payload.get("evidence")
    return isinstance(evidence, dict) and kept_only_as_eligible(evidence)
