"""The gate on the newest findings nobody decided: a candidate that stops sending undecided findings the model in
force sends, of a type the plant's decisions uphold, is refused; of a type they reject, it is not (issue 15: the
realistic plant's week-3 refit left upheld buddy punches unsent that no decided finding showed it dropping)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from plexlabor.learning.promotion import GateSettings, decide, evaluate, sends, types_dropped, undecided_dropped
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.decisions import approved
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from tests.unit.learning.learning_samples import START, decision_rows, event, finding

GATE = GateSettings()
PACKAGED = ScorerModel.load()
LATE_OUT = AnomalyType.LATE_CLOCK_OUT
CANDIDATE = replace(PACKAGED, cuts={LATE_OUT.value: MagnitudeCut("beyond_grace_min", 40.0, 5, 3, 0)})
"""Holds back late clock-outs under 40 min beyond the grace; every decided one lies above it."""


def _decided(late_clock_outs_upheld: list[bool]) -> list:
    """150 upheld early clock-ins, then late clock-outs of 60-70 min beyond the grace decided as given."""
    early = [event(n, 50.0 + n % 30, True, START + timedelta(hours=n)) for n in range(150)]
    late = [
        event(200 + i, 60.0 + i, upheld, START + timedelta(hours=200 + i), anomaly=LATE_OUT)
        for i, upheld in enumerate(late_clock_outs_upheld)
    ]
    return decision_rows([*early, *late])


UNDECIDED = [finding(300 + i, 30.0 + i, anomaly=LATE_OUT) for i in range(4)]
"""Late clock-outs of 30-33 min the model in force sends that nobody decided (e.g. held by the pilot scope)."""


def test_a_candidate_that_stops_sending_undecided_findings_of_a_type_supervisors_uphold_is_refused() -> None:
    rows = _decided([True] * 9 + [False])
    assert all(sends(PACKAGED, row, GATE.review_threshold) for row in UNDECIDED)
    assert not any(sends(CANDIDATE, row, GATE.review_threshold) for row in UNDECIDED)
    mine, theirs = evaluate(CANDIDATE, rows), evaluate(PACKAGED, rows)
    dropped = {"held_out": types_dropped(CANDIDATE, PACKAGED, rows, GATE)}
    assert decide(mine, theirs, GATE, dropped=dropped).promote  # no decided finding shows the drop

    not_decided = undecided_dropped(CANDIDATE, PACKAGED, UNDECIDED, rows, GATE)
    assert not_decided == {LATE_OUT.value: (4, 10 / 12)}
    verdict = decide(mine, theirs, GATE, dropped=dropped, not_decided=not_decided)
    assert not verdict.promote
    assert verdict.reasons == (
        "of the newest findings nobody decided, LATE_CLOCK_OUT: it stops sending 4 the model in force sends, of a "
        "type the plant's decisions uphold 0.83 of the time (Laplace estimate)",
    )


def test_a_candidate_that_stops_sending_undecided_findings_of_a_type_supervisors_reject_is_promoted() -> None:
    rows = _decided([True] + [False] * 9)
    not_decided = undecided_dropped(CANDIDATE, PACKAGED, UNDECIDED, rows, GATE)
    assert not_decided == {}  # 2 / 12 upheld: the plant rejects them
    verdict = decide(evaluate(CANDIDATE, rows), evaluate(PACKAGED, rows), GATE, not_decided=not_decided)
    assert verdict.promote


def test_a_type_nobody_decided_counts_as_upheld_as_often_as_not() -> None:
    rows = _decided([])
    assert undecided_dropped(CANDIDATE, PACKAGED, UNDECIDED, rows, GATE) == {LATE_OUT.value: (4, 0.5)}


def test_a_cut_below_which_the_plant_rejected_is_not_refused_for_the_undecided_findings_below_it() -> None:
    """Late clock-outs upheld from 60 min, rejected at 31-39 min: the cut at 40 drops the rejected decided ones,
    so the undecided ones below it are taken for alike, though the type is upheld more often than not."""
    rejected_below = [
        event(400 + i, 31.0 + i, False, START + timedelta(hours=400 + i), anomaly=LATE_OUT) for i in range(4)
    ]
    rows = [*_decided([True] * 9), *decision_rows(rejected_below)]
    late = [approved(row) for row in rows if row.anomaly_type is LATE_OUT]
    assert sum(late) / len(late) > 0.5  # 9 upheld of 13
    assert types_dropped(CANDIDATE, PACKAGED, rows, GATE) == {}
    assert undecided_dropped(CANDIDATE, PACKAGED, UNDECIDED, rows, GATE) == {}  # 1 / 6: alike are rejected
