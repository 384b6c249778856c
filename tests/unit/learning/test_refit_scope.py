"""A candidate refits only what the plant's decisions can move: not a family they uphold as far as decision
noise allows (its one coin-rejected decision would set a rare signal's weight), nor an early/late type decided
both ways too few times for a model of its own (its line then comes from the type's cut, once there is one),
nor a rule type's prior on a handful of decisions."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction
from plexlabor.learning.promotion import MIN_OWN_MODEL_DECISIONS, fit_candidate, sends
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.decisions import WORK_DAY_KEY, approved
from plexlabor.validation.findings import Finding
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from tests.unit.learning.learning_samples import START, decision_rows, decisions, finding

PACKAGED = ScorerModel.load()
FROM_40 = MagnitudeCut("beyond_grace_min", 40.0, decisions=25, below=12, upheld_below=0)
SIGNALS = ("badge_elsewhere", "device_unusual", "no_badge_in", "no_workcenter_login", "read_beside_another")


def _buddy(n: int, on: set[str], upheld: bool | None, employee: str = "E-100", day: date | None = None) -> Finding:
    """A buddy punch of `employee` with the signals `on` (decided `upheld`, or None: a trend finding nobody
    decided), on the work `day` its review timeline names (none: a finding without one)."""
    features = {name: float(name in on) for name in SIGNALS}
    features |= {"biometric_low": 0.0, "geofence_ratio": 0.0, "mobile": 0.0, "signal_count": float(len(on))}
    evidence: dict[str, Any] = {"features": features}
    if day is not None:
        evidence["timeline"] = {"day": day.isoformat()}
    base = finding(n, 0.0, employee, AnomalyType.BUDDY_PUNCH).model_copy(
        update={"evidence": evidence, "route": "review" if upheld is not None else "trend"}
    )
    if upheld is None:
        return base
    action = ApprovalAction.APPROVE if upheld else ApprovalAction.REJECT
    decision = Decision(action=action, reason=None, supervisor_id="SUP-1")
    return decision_rows([decision_event(base, decision, START + timedelta(hours=n), None)])[0]


def _buddy_plant(seed: int) -> tuple[list[Finding], list[Finding]]:
    """42 buddy punches of 2-4 signals all upheld but one, which the coin rejected and which carries the signal
    few others have (`read_beside_another`); 200 single-signal ones nobody decided."""
    rng = random.Random(seed)
    common = SIGNALS[:4]
    rows = [_buddy(i, set(rng.sample(common, rng.randint(2, 4))), True) for i in range(41)]
    rows.append(_buddy(41, {"no_badge_in", "read_beside_another"}, False))
    trend = [_buddy(1000 + i, {rng.choice(common)}, None) for i in range(200)]
    return rows, trend


def test_a_family_the_plant_upholds_but_for_the_coin_keeps_the_model_in_force() -> None:
    rows, trend = _buddy_plant(seed=51)
    candidate = fit_candidate(PACKAGED, rows, {}, trend)
    assert candidate.families["buddy"] == PACKAGED.families["buddy"]
    # the buddy punches with that rare signal and two more are still sent, as the model in force sends them
    upheld_with_it = _buddy(2000, {"badge_elsewhere", "no_badge_in", "read_beside_another"}, True)
    assert sends(PACKAGED, upheld_with_it, 0.7) and sends(candidate, upheld_with_it, 0.7)


def _buddy_days(
    days: int, rejected: int, punches: int, seed: int, dated: bool = False
) -> tuple[list[Finding], list[Finding]]:
    """`days` buddy punches of 3-4 signals, each a person's day found on each of its `punches` (one finding per
    punch, the day's features; `dated`: the rows name the work day), every finding decided: the last `rejected`
    days rejected, the others upheld; 200 single-signal ones nobody decided."""
    rng = random.Random(seed)
    rows = [
        _buddy(
            day * punches + punch,
            on,
            day < days - rejected,
            employee=f"E-{day:03d}",
            day=START.date() + timedelta(days=day) if dated else None,
        )
        for day in range(days)
        for on in [set(rng.sample(SIGNALS, rng.randint(3, 4)))]
        for punch in range(punches)
    ]
    trend = [_buddy(5000 + i, {rng.choice(SIGNALS[:4])}, None) for i in range(200)]
    return rows, trend


@pytest.mark.parametrize("dated", [False, True], ids=["rows-without-work-day", "rows-with-work-day"])
def test_a_buddy_punch_found_on_each_punch_of_the_day_is_one_decision_of_the_day(dated: bool) -> None:
    # two rejected days of ten, each day two findings decided alike: 4 of 20 rejected decisions (p 0.016 against
    # the 5 % noise) but 2 of 10 days (p 0.086): within noise, so the model in force's family stays
    rows, trend = _buddy_days(days=10, rejected=2, punches=2, seed=53, dated=dated)
    assert len(rows) == 20 and sum(not approved(row) for row in rows) == 4
    assert fit_candidate(PACKAGED, rows, {}, trend).families["buddy"] == PACKAGED.families["buddy"]
    # four rejected days of twenty, one finding each, are beyond noise: the family is refit on them
    distinct, trend = _buddy_days(days=20, rejected=4, punches=1, seed=53, dated=dated)
    assert fit_candidate(PACKAGED, distinct, {}, trend).families["buddy"] != PACKAGED.families["buddy"]


def test_a_person_rejected_on_many_days_with_one_signal_pattern_is_a_rejection_each_day() -> None:
    # E1's identity signals are flagged on six work days, both punches of each, and the plant rejects every
    # one (the check's systematic false alarm on a person); thirty others' buddy days are upheld. One verdict
    # per day: 6 rejected of 36 (p 0.008 against the 5 % noise), beyond noise: the family is refit. Keyed by the
    # features without the day, E1's six days were one piece of evidence (1 of 31, p 0.80): settled as noise.
    rng = random.Random(54)
    first = START.date()
    rejected = [
        _buddy(
            day * 2 + punch,
            {"device_unusual", "no_badge_in", "no_workcenter_login"},
            False,
            "E1",
            first + timedelta(days=day),
        )
        for day in range(6)
        for punch in range(2)
    ]
    upheld = [
        _buddy(100 + person * 2 + punch, on, True, f"E-{person:03d}", first + timedelta(days=person % 7))
        for person in range(30)
        for on in [set(rng.sample(SIGNALS, rng.randint(3, 4)))]
        for punch in range(2)
    ]
    assert {row.evidence[WORK_DAY_KEY] for row in rejected} == {
        (first + timedelta(days=d)).isoformat() for d in range(6)
    }
    trend = [_buddy(5000 + i, {rng.choice(SIGNALS[:4])}, None) for i in range(200)]
    assert fit_candidate(PACKAGED, rejected + upheld, {}, trend).families["buddy"] != PACKAGED.families["buddy"]
    # two of those rejected days among the thirty upheld (2 of 32): still the coin, the model in force's stays
    assert fit_candidate(PACKAGED, rejected[:4] + upheld, {}, trend).families["buddy"] == PACKAGED.families["buddy"]


def test_a_type_decided_both_ways_a_few_times_keeps_the_model_in_forces_model_of_it_behind_its_cut() -> None:
    few = decision_rows(decisions(MIN_OWN_MODEL_DECISIONS - 15, seed=52))  # upheld from 40 min, rejected below
    cuts = {"EARLY_CLOCK_IN": FROM_40}
    thin = fit_candidate(PACKAGED, few, {}, cuts=cuts)
    assert "offset" in thin.families and thin.families["offset"] != PACKAGED.families["offset"]  # the family moves
    assert thin.families["offset:EARLY_CLOCK_IN"] == PACKAGED.families["offset:EARLY_CLOCK_IN"]
    assert sends(thin, finding(3000, 41.0), 0.7) and not sends(thin, finding(3001, 30.0), 0.7)
    # no cut draws its line: still the model in force's (a dozen decisions place no eight-coefficient line)
    uncut = fit_candidate(PACKAGED, few, {})
    assert uncut.families["offset:EARLY_CLOCK_IN"] == PACKAGED.families["offset:EARLY_CLOCK_IN"]
    assert sends(uncut, finding(3002, 30.0), 0.7)  # what its supervisors reject is still sent, until a cut
    # from enough decisions: its own model
    enough = decision_rows(decisions(MIN_OWN_MODEL_DECISIONS + 20, seed=52))
    own = fit_candidate(PACKAGED, enough, {}, cuts=cuts)
    assert own.families["offset:EARLY_CLOCK_IN"] != PACKAGED.families["offset:EARLY_CLOCK_IN"]
