"""The recall gate per finding type: a candidate that stops sending upheld findings of one type is refused,
though the other types' upheld findings keep its overall recall within the tolerance (issue 15: the realistic
plant's week-3 refit that left upheld buddy punches unsent)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from plexlabor.learning.promotion import GateSettings, decide, evaluate, sends, types_dropped
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from tests.unit.learning.learning_samples import START, decision_rows, event

GATE = GateSettings()
PACKAGED = ScorerModel.load()
LATE_OUT = AnomalyType.LATE_CLOCK_OUT


def _rows(late_clock_outs: list[tuple[float, bool]]) -> list:
    """150 upheld early clock-ins of 50-80 min, then the given late clock-outs (minutes beyond, upheld)."""
    early = [event(n, 50.0 + n % 30, True, START + timedelta(hours=n)) for n in range(150)]
    late = [
        event(200 + i, beyond, upheld, START + timedelta(hours=200 + i), anomaly=LATE_OUT)
        for i, (beyond, upheld) in enumerate(late_clock_outs)
    ]
    return decision_rows([*early, *late])


def _cut_late_clock_outs_below(minimum: float) -> ScorerModel:
    return replace(PACKAGED, cuts={LATE_OUT.value: MagnitudeCut("beyond_grace_min", minimum, 5, 3, 0)})


def test_a_candidate_that_stops_sending_three_upheld_late_clock_outs_of_five_is_refused() -> None:
    rows = _rows([(30.0, True), (32.0, True), (34.0, True), (60.0, True), (70.0, True)])
    assert all(sends(PACKAGED, row, GATE.review_threshold) for row in rows)
    candidate = _cut_late_clock_outs_below(40.0)
    mine, theirs = evaluate(candidate, rows), evaluate(PACKAGED, rows)
    assert (theirs.upheld_flagged - mine.upheld_flagged, mine.upheld) == (3, 155)  # 3 of 155: the tolerance allows 3
    assert decide(mine, theirs, GATE).promote  # the recall gate of all types together does not see it
    dropped = types_dropped(candidate, PACKAGED, rows, GATE)
    assert dropped == {LATE_OUT.value: (3, 3)}
    verdict = decide(mine, theirs, GATE, dropped={"held_out": dropped})
    assert not verdict.promote
    assert verdict.reasons == (
        "on the held-out decisions, LATE_CLOCK_OUT: 3 upheld of the 3 it stops sending, more than decision noise "
        "explains",
    )


def test_a_cut_that_holds_back_rejected_findings_and_one_a_coin_upheld_is_not_refused() -> None:
    rows = _rows([(5.0, False), (10.0, False), (15.0, True), (20.0, False), (25.0, False), (60.0, True)])
    assert types_dropped(_cut_late_clock_outs_below(40.0), PACKAGED, rows, GATE) == {}
