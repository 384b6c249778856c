"""The promotion rule: a candidate learnt from decisions goes in force only when it is not worse on the
most recent decisions it did not train on; a poisoned batch of random decisions does not."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction, InMemoryAuditStore
from plexlabor.learning import promotion
from plexlabor.learning.promotion import (
    GateSettings,
    Metrics,
    confidence,
    decide,
    evaluate,
    fit_candidate,
    shadow_live,
    split,
)
from plexlabor.learning.service import undecided_around
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.decisions import approved
from plexlabor.validation.scorer import ScorerModel
from tests.unit.learning.learning_samples import decision_rows, decisions, finding, logged

GATE = GateSettings()


def test_the_split_is_by_time_and_holds_out_the_most_recent() -> None:
    rows = decision_rows(decisions(200, seed=1))
    train, held = split(rows, GATE)
    assert (len(train), len(held)) == (150, 50)
    assert max(r.evidence["decided_at"] for r in train) < min(r.evidence["decided_at"] for r in held)
    small_train, small_held = split(rows[:40], GATE)
    assert (len(small_train), len(small_held)) == (10, 30)  # at least min_holdout held out


def test_precision_and_recall_at_the_review_threshold() -> None:
    metrics = Metrics(decisions=10, upheld=4, flagged=5, upheld_flagged=3)
    assert (metrics.precision, metrics.recall) == (0.6, 0.75)
    assert (Metrics(3, 0, 0, 0).precision, Metrics(3, 0, 0, 0).recall) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("candidate", "incumbent", "promote"),
    [
        (Metrics(100, 50, 50, 50), Metrics(100, 50, 100, 50), True),  # better precision, same recall
        (Metrics(100, 50, 49, 49), Metrics(100, 50, 50, 50), True),  # recall 0.98 vs 1.0: within 0.02
        (Metrics(100, 50, 48, 48), Metrics(100, 50, 50, 50), False),  # recall lower beyond the tolerance
        (Metrics(100, 50, 60, 50), Metrics(100, 50, 50, 50), False),  # precision lower
        (Metrics(20, 10, 10, 10), Metrics(20, 10, 20, 10), False),  # too few held-out decisions
    ],
)
def test_the_gate(candidate: Metrics, incumbent: Metrics, promote: bool) -> None:
    verdict = decide(candidate, incumbent, GATE)
    assert verdict.promote is promote
    assert bool(verdict.reasons) is not promote


def test_a_recall_refusal_says_how_many_upheld_findings_were_dropped_and_how_many_the_tolerance_allows() -> None:
    """On held-out decisions of what the model in force sent, its recall is 1: below 1 / tolerance upheld
    findings (50 at 0.02), the tolerance allows none dropped, and the card says so."""
    incumbent = Metrics(40, 29, 40, 29)
    one_of_29 = decide(Metrics(40, 29, 28, 28), incumbent, GATE)
    assert one_of_29.reasons == (
        "recall of upheld findings 0.966 below the model in force's 1.000 by more than 0.02 "
        "(1 fewer of the 29 upheld findings sent; the tolerance allows 0)",
    )
    two_of_150 = decide(Metrics(160, 150, 148, 148), Metrics(160, 150, 160, 150), GATE)
    assert two_of_150.promote  # 3 allowed
    four_of_150 = decide(Metrics(160, 150, 146, 146), Metrics(160, 150, 160, 150), GATE)
    assert "4 fewer of the 150 upheld findings sent; the tolerance allows 3" in four_of_150.reasons[0]


def test_a_plant_policy_the_packaged_model_does_not_know_is_learnt_and_promoted() -> None:
    packaged = ScorerModel.load()
    train, held = split(decision_rows(decisions(400, seed=7)), GATE)
    candidate = fit_candidate(packaged, train, {"test": True})
    mine, theirs = evaluate(candidate, held), evaluate(packaged, held)
    print(f"\nclean: candidate {mine.to_json()}\n       packaged  {theirs.to_json()}")
    assert theirs.precision < 0.7  # the packaged model sends the plant's tolerated early clock-ins too
    assert mine.precision > 0.95 and mine.recall >= theirs.recall - GATE.tolerance
    assert decide(mine, theirs, GATE, evaluate(packaged, train)).promote
    assert candidate.version != packaged.version
    assert candidate.priors == {**packaged.priors, **candidate.priors}  # rule types keep the model in force's
    assert candidate.families["buddy"] == packaged.families["buddy"]  # no buddy decisions: kept


def test_a_poisoned_batch_of_random_decisions_is_not_promoted() -> None:
    """Older clean decisions, then a large batch decided by a coin, then clean recent ones (held out)."""
    clean = decisions(300, seed=8)
    incumbent = fit_candidate(ScorerModel.load(), decision_rows(clean), {})
    poisoned = decisions(600, seed=9, first=300, random_share=1.0)
    recent = decisions(150, seed=10, first=900)
    train, held = split(decision_rows(clean + poisoned + recent), GATE)
    assert len(held) >= 150 * 0.9 and held[-1].evidence["decided_at"] > train[-1].evidence["decided_at"]
    candidate = fit_candidate(incumbent, train, {})
    mine, theirs = evaluate(candidate, held), evaluate(incumbent, held)
    print(f"\npoisoned: candidate {mine.to_json()}\n          in force  {theirs.to_json()}")
    verdict = decide(mine, theirs, GATE)  # without the agreement check: the recall gate alone refuses it
    assert not verdict.promote, verdict
    assert verdict.reasons
    assert not decide(mine, theirs, GATE, evaluate(incumbent, train)).promote


def test_a_week_half_decided_by_a_coin_is_not_promoted() -> None:
    """The issue's poisoned week (50 % random) is the most recent, so it is also what is held out: the two
    models are compared on noisy labels (either may win by chance); the agreement check refuses it."""
    clean = decisions(400, seed=11)
    incumbent = fit_candidate(ScorerModel.load(), decision_rows(clean), {})
    week = decisions(200, seed=12, first=400, random_share=0.5)
    train, held = split(decision_rows(clean + week), GATE)
    candidate = fit_candidate(incumbent, train, {})
    mine, theirs, before = evaluate(candidate, held), evaluate(incumbent, held), evaluate(incumbent, train)
    print(f"\nhalf-random week: agreement {theirs.agreement:.3f} recent vs {before.agreement:.3f} before")
    verdict = decide(mine, theirs, GATE, before)
    assert not verdict.promote and "agree with the model in force" in verdict.reasons[0]


@pytest.mark.parametrize("share", [0.0, 0.05])
def test_a_clean_or_slightly_noisy_week_still_passes_the_agreement_check(share: float) -> None:
    clean = decisions(400, seed=13)
    incumbent = fit_candidate(ScorerModel.load(), decision_rows(clean), {})
    train, held = split(decision_rows(clean + decisions(200, seed=14, first=400, random_share=share)), GATE)
    candidate = fit_candidate(incumbent, train, {})
    assert decide(evaluate(candidate, held), evaluate(incumbent, held), GATE, evaluate(incumbent, train)).promote


def test_findings_nobody_decided_count_against_a_model_that_would_send_them() -> None:
    """Held-out decisions cover only what the model in force sent: a candidate that routes those exactly as
    the model in force does but would also send the window's undecided findings is charged for each as not
    upheld, and is not promoted for it."""
    missed = AnomalyType.MISSED_PUNCH
    fitted = fit_candidate(ScorerModel.load(), decision_rows(decisions(400, seed=15)), {})
    incumbent = dataclasses.replace(fitted, priors={**fitted.priors, missed.value: 0.5})  # learnt: not sent
    _, held = split(decision_rows(decisions(200, seed=16, first=400)), GATE)
    undecided = [finding(9000 + n, 0.0).model_copy(update={"anomaly_type": missed, "evidence": {}}) for n in range(40)]
    eager = dataclasses.replace(incumbent, priors={**incumbent.priors, missed.value: 0.95})  # sends every one

    mine = evaluate(eager, held, undecided=undecided)
    theirs = evaluate(incumbent, held, undecided=undecided)

    assert evaluate(eager, held) == evaluate(incumbent, held)  # the same on what was decided
    assert decide(evaluate(eager, held), evaluate(incumbent, held), GATE).promote  # so, without them: promoted
    assert (mine.unconfirmed, theirs.unconfirmed) == (40, 0)
    assert mine.precision == mine.upheld_flagged / (mine.flagged + 40) < theirs.precision
    assert not decide(mine, theirs, GATE).promote


def test_findings_the_model_in_force_did_not_send_teach_the_candidate_as_negatives() -> None:
    rows = decision_rows(decisions(300, seed=17))
    not_sent = [finding(8000 + n, beyond=40.0 + n % 6).model_copy(update={"route": "trend"}) for n in range(120)]
    held_by_pilot = [f.model_copy(update={"route": "review"}) for f in not_sent]

    anchored = fit_candidate(ScorerModel.load(), rows, {}, not_sent)
    alone = fit_candidate(ScorerModel.load(), rows, {})
    ignored = fit_candidate(ScorerModel.load(), rows, {}, held_by_pilot)  # the pilot scope's: not negatives

    mean = lambda model: sum(confidence(model, f) for f in not_sent) / len(not_sent)  # noqa: E731
    assert mean(anchored) < mean(alone)
    assert ignored.version == alone.version


def test_the_held_out_windows_undecided_findings_are_read_whole_whatever_came_before() -> None:
    """The status index reads oldest first up to a limit: many older trend findings must not crowd out
    the held-out window's, which the gate charges a candidate for."""
    audit = InMemoryAuditStore()
    start = datetime(2026, 9, 1, tzinfo=UTC)
    cut = start + timedelta(days=30)
    for n in range(12):  # older than the cut, more than the limit
        audit.append(logged(finding(7000 + n, 10.0), start + timedelta(hours=n)))
    recent = [finding(7100 + n, 10.0) for n in range(3)]
    for n, f in enumerate(recent):
        audit.append(logged(f, cut + timedelta(hours=n)))

    before, held_out = undecided_around(audit, start, cut, limit=10)

    assert len(before) == 10 and {f.finding_id for f in held_out} == {f.finding_id for f in recent}


def test_a_shadow_candidates_live_routing_is_measured_on_the_findings_it_scored() -> None:
    # Given decided findings, some scored live by the shadow scorer-ssss (and one by an older shadow)
    rows = decision_rows(decisions(40, seed=9))
    scored = []
    for n, row in enumerate(rows):
        if n % 4 == 3:
            scored.append(row)
            continue
        version = "scorer-old0" if n == 0 else "scorer-ssss"
        shadow = {
            "model_version": version,
            "confidence": 0.5,
            "would_review": row.evidence["features"]["beyond_grace_min"] >= 40,
        }
        scored.append(row.model_copy(update={"evidence": {**row.evidence, "shadow": shadow}}))
    # When its live routing is measured
    live = shadow_live(scored, "scorer-ssss")
    # Then only its own scores count, and a decision it would not have sent is review work spared
    mine = [r for r in scored if (r.evidence.get("shadow") or {}).get("model_version") == "scorer-ssss"]
    assert live is not None and live.decisions == len(mine) == 29
    assert live.flagged == sum(r.evidence["shadow"]["would_review"] for r in mine) < live.decisions
    assert live.upheld_flagged == sum(r.evidence["shadow"]["would_review"] and approved(r) for r in mine)
    assert shadow_live(scored, "scorer-none") is None


def test_the_shadow_score_a_finding_carried_reaches_its_training_row() -> None:
    shadow = {"model_version": "scorer-ssss", "confidence": 0.31, "would_review": False}
    base = finding(1, 30.0)
    scored = base.model_copy(update={"evidence": {**base.evidence, "shadow": shadow}})
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    decided = decision_event(scored, Decision(action=ApprovalAction.APPROVE, supervisor_id="SUP-1"), at, None)
    [row] = decision_rows([decided])
    assert row.evidence["shadow"] == shadow
    plain = decision_event(base, Decision(action=ApprovalAction.APPROVE, supervisor_id="SUP-1"), at, None)
    other = decision_event(finding(2, 30.0), Decision(action=ApprovalAction.APPROVE, supervisor_id="SUP-1"), at, None)
    broken = other.model_copy(update={"payload": {**other.payload, "shadow": {"confidence": 2}}})
    rows = decision_rows([plain, broken])
    assert len(rows) == 2 and all("shadow" not in row.evidence for row in rows)


def test_a_precision_a_hair_below_is_shown_with_the_decimals_that_tell_it_apart() -> None:
    assert promotion._told_apart(0.97312, 0.97349) == ("0.9731", "0.9735")
    assert promotion._told_apart(0.88, 0.92) == ("0.880", "0.920")
