"""The learning loop over 8 simulated weeks (issue 15), through the code that runs in Lambda.

Run by `make bench` (never by `make test`). A plant is generated (seed 741, never used while developing the
loop; 200 employees x 12 weeks: 4 weeks of history, then 8 weeks of review). Each week:
1. the validator's engine scores the week's candidates with the scorer in force (the registry's pointer,
   else the packaged model) and with norms from the weeks before only; findings at or above the review
   threshold are sent for review;
2. supervisors decide every finding sent: upheld when the plant's labels say it is an anomaly AND the
   plant's own policy, which the packaged model does not know, agrees (early clock-ins under 25 minutes
   beyond the grace are tolerated; a buddy punch is upheld only with two signals or more), each decision
   replaced by a coin flip with probability 5 %; the decisions are recorded as the approval callback
   records them (`decision_event`) in an in-memory audit table, the findings below the review threshold
   as the validator records them (`logged`);
3. on the week's last moment, scorer_retrain's own run (`plexlabor.learning.service.run`) exports the
   decisions, fits a candidate on top of the model in force, evaluates both on the most recent decisions
   neither trained on, and promotes or shadows it in an in-memory registry.

Per week it prints the precision supervisors observe (upheld among sent, with the noise), the decisions
that rejected (the most load a model could spare without dropping an upheld finding), the recall of
the findings the policy upholds (sent among those, noise-free, over every candidate of the week: also the
ones the model did not send), the review load (findings sent, and what the packaged scorer would have sent
the same week: the weeks' volumes differ by a quarter), the retrain's verdict and the plant's cuts
the scorer in force brings (`plexlabor.learning.cuts`: on a type's magnitude, or its review threshold on the
confidence). And why volumes differ: the week's clock-ins (the activity), the records the generator made
anomalous (its labels) and the findings the policy upholds; from them the least week-4 load that keeps week 1's
recall (a model sending exactly the upheld findings), and the load per 1,000 clock-ins beside the issue's figure; and,
for weeks 1 and 4, how much of what is sent the policy rejects (noise-free) and the precision the 5 % coin then leaves
expected (docs/validation-learning.md, the lead's reading of the targets).
Targets (the issue): by week 4 observed precision >= 0.95, recall not lower than week 1's, load
down >= 30 %. A second run makes week 5 a poisoned week (50 % of decisions by a coin): its candidate must not
be promoted.

Four plants: the generator's default anomalies (`easy`: nearly everything sent is upheld, so the policy
has little to teach); the same plant at `--difficulty realistic` (early clock-ins a few minutes past
the grace, buddy punches with fewer signals; the packaged scorer sends few of them, so again 4-7 % of what
it sends is rejected); that plant whose supervisors also uphold improbable durations only from 2x off the
usual; and the default plant whose supervisors work to a plant that pays to the schedule (`PAY_TO_SCHEDULE`:
about a third of what the packaged scorer sends is rejected, so the load target can be tested).
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction, InMemoryAuditStore
from plexlabor.learning import wiring
from plexlabor.learning.service import RetrainEvent, run
from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.engine import CONFIDENCE, EngineSettings, ValidationEngine, record_times
from plexlabor.validation.exploration import DEFAULT_SHARE, EXPLORATION_KEY, Exploration, propensity
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import ScorerModel
from plexlabor.validation.source import read_plant_data
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.unit.learning.learning_samples import logged

SPEC = PlantSpec(employees=200, weeks=12, seed=741, anomaly_rate=0.08)
REVIEW_WEEKS = 8
NOISE = 0.05
POISONED_WEEK, POISON = 5, 0.5
TOLERATED_EARLY_MIN = 25.0
BUDDY_SIGNALS = 2
TWICE_OFF = math.log(2)  # the third plant's supervisors uphold an improbable duration only from 2x off the usual
WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class Policy:
    """What a plant's supervisors uphold beyond the labels: per type, the magnitude a finding must reach
    (`minimums`: feature, minimum); a type in `never` is not upheld at all."""

    minimums: dict[AnomalyType, tuple[str, float]]
    never: frozenset[AnomalyType] = frozenset()

    def upholds(self, finding: Finding, labels: set[tuple[str, str]]) -> bool:
        """What this plant's supervisors uphold, noise aside."""
        anomaly = AnomalyType(finding.anomaly_type)
        if (finding.record_key, anomaly.value) not in labels or anomaly in self.never:
            return False
        feature, minimum = self.minimums.get(anomaly, ("", 0.0))
        return not feature or (finding.evidence.get("features") or {}).get(feature, 0.0) >= minimum


ISSUE_POLICY = Policy(
    {
        AnomalyType.EARLY_CLOCK_IN: ("beyond_grace_min", TOLERATED_EARLY_MIN),
        AnomalyType.BUDDY_PUNCH: ("signal_count", BUDDY_SIGNALS),
    }
)
DURATIONS_POLICY = Policy({**ISSUE_POLICY.minimums, AnomalyType.IMPROBABLE_DURATION: ("abs_log_deviation", TWICE_OFF)})
PAY_TO_SCHEDULE = Policy(
    {
        AnomalyType.EARLY_CLOCK_IN: ("beyond_grace_min", 45.0),
        AnomalyType.LATE_CLOCK_OUT: ("beyond_grace_min", 45.0),
        AnomalyType.BUDDY_PUNCH: ("signal_count", BUDDY_SIGNALS),
    },
    frozenset(
        {
            AnomalyType.LATE_CLOCK_IN,
            AnomalyType.EARLY_CLOCK_OUT,
            AnomalyType.JOB_CODE_MISMATCH,
            AnomalyType.MISSED_BREAK,
        }
    ),
)
"""The fourth plant's supervisors (chosen on development seed 99 from what the packaged scorer sends there, before
any run of the loop on it): the plant pays to the schedule (punches rounded to the shift's edges, overtime only
when approved beforehand), lateness and leaving early are counted by its attendance-points system, not in
timecard review, labor is costed to the workcenter, and breaks are paid whether taken or not. So a timecard
reviewer upholds an early clock-in or a late clock-out only from 45 minutes beyond the grace (shorter ones are
unpaid time at the plant), no late clock-in or early clock-out, no job-code mismatch, no missed break, and a buddy
punch only with two signals. On seed 99's first two weeks (default anomalies) that rejects about a third of what the
packaged scorer sends (10 of 16 early clock-ins, 7 of 11 late clock-outs, all 18 late clock-ins, 10 early
clock-outs, 32 job-code mismatches and 11 missed breaks: 88 of 267), so the load target can be tested."""


@dataclass(frozen=True)
class Week:
    number: int
    model: str
    sent: int
    observed_precision: float
    recall: float
    verdict: str
    rejected: int
    cuts: str
    packaged_sent: int
    """What the packaged scorer would have sent the same week: the load without the loop."""
    punches: int
    """Clock-ins of the week (the activity: employees x days worked)."""
    anomalies: int
    """Records the generator made anomalous that week (its labels)."""
    upheld: int
    """Findings of the week the plant's policy upholds (noise-free), sent or not."""
    upheld_sent: int
    """Of those, sent for review: what is sent less these is what the policy rejects (noise-free)."""
    packaged_recall: float
    """The recall of what the policy upholds the packaged scorer would have had the same week: what the
    week's findings allow without the loop (it differs from week to week with the findings themselves)."""
    not_sent: str
    """The upheld findings the model in force did not send, by type and why: 'below' the review threshold or
    'cut' by the plant's cut, and how many of them the packaged scorer sends."""
    eligible: int
    """Findings the model in force did not send and the packaged scorer would (what exploration draws from)."""
    explored: int
    """Of those sent, the ones sent as exploration (a random share of what the model in force stops sending
    and the packaged scorer sends): part of the load, the precision and the recall above."""
    explored_upheld: int
    """Of those, upheld by the supervisors (the noise included)."""
    restored: str
    """The types whose routing the retrain restored to the packaged scorer's from the exploration sample."""


@dataclass
class Plant:
    engine: ValidationEngine
    data: object
    labels: set[tuple[str, str]]
    start: datetime
    policy: Policy = ISSUE_POLICY


def _plant(path: Path, spec: PlantSpec) -> Plant:
    generate_plant(spec, path)
    folder = PlantFolder(path)
    meta = folder.meta()
    data = read_plant_data(PlantFolderSource(folder), meta.start, meta.end, meta.timezone)
    labels = {(label.record_key, AnomalyType(label.anomaly_type).value) for label in folder.labels()}
    engine = ValidationEngine(settings=EngineSettings(trend_threshold=0.0), exploration=Exploration(DEFAULT_SHARE))
    return Plant(engine, data, labels, meta.end - REVIEW_WEEKS * WEEK)


def _simulate(plant: Plant, share_random: Callable[[int], float], seed: int) -> list[Week]:
    rng = random.Random(seed)
    audit, registry = InMemoryAuditStore(), ModelRegistry(InMemoryArtifactStore())
    times = record_times(plant.data)  # type: ignore[arg-type]
    packaged = ValidationEngine(ScorerModel.load(), plant.engine.settings)
    weeks = []
    punch_times = [p.t_in for punches in plant.data.punches.values() for p in punches]  # type: ignore[attr-defined]
    for number in range(1, REVIEW_WEEKS + 1):
        begin, end = plant.start + (number - 1) * WEEK, plant.start + number * WEEK
        version = registry.in_force()
        plant.engine.model = (registry.model(version) if version else None) or ScorerModel.load()
        norms = compute_norms(plant.data, until=begin.timestamp())  # type: ignore[arg-type]
        candidates = [
            c
            for c in plant.engine.candidates(plant.data, norms)  # type: ignore[arg-type]
            if begin.timestamp() <= times.get(c.record_key, 0.0) < end.timestamp()
        ]
        findings = plant.engine.findings(candidates, plant.data, norms)  # type: ignore[arg-type]
        sent = [f for f in findings if f.route == "review"]
        packaged_review = {
            f.finding_id
            for f in packaged.findings(candidates, plant.data, norms)  # type: ignore[arg-type]
            if f.route == "review"
        }
        for i, finding in enumerate(f for f in findings if f.route == "trend"):  # as the validator records them
            audit.append(logged(finding, begin + timedelta(minutes=i % 10_000)))
        upheld = {f.finding_id for f in findings if plant.policy.upholds(f, plant.labels)}
        verdicts = []
        explored = [propensity(f.evidence) < 1 for f in sent]
        for i, finding in enumerate(sent):
            verdict = finding.finding_id in upheld
            if rng.random() < share_random(number):
                verdict = rng.random() < 0.5
            action = ApprovalAction.APPROVE if verdict else ApprovalAction.REJECT
            decision = Decision(action=action, reason=None if verdict else "not how we work", supervisor_id="S-1")
            audit.append(decision_event(finding, decision, begin + timedelta(minutes=10 * (i + 1)), None))
            verdicts.append(verdict)

        def just_before(at: datetime = end) -> datetime:  # bound now: `end` moves on with the loop
            return at - timedelta(seconds=1)

        deps = wiring.Dependencies(audit, registry, plant="bench", clock=just_before)
        summary = run(deps, RetrainEvent.model_validate(_tick(end)))
        weeks.append(
            Week(
                number,
                plant.engine.model.version,
                len(sent),
                sum(verdicts) / len(sent) if sent else 0.0,
                len(upheld & {f.finding_id for f in sent}) / len(upheld) if upheld else 0.0,
                str(summary.get("status")),
                len(verdicts) - sum(verdicts),
                _cuts(plant.engine.model),
                len(packaged_review),
                sum(begin.timestamp() <= t < end.timestamp() for t in punch_times),
                sum(begin.timestamp() <= times.get(key, 0.0) < end.timestamp() for key, _ in plant.labels),
                len(upheld),
                len(upheld & {f.finding_id for f in sent}),
                len(upheld & packaged_review) / len(upheld) if upheld else 0.0,
                _not_sent([f for f in findings if f.finding_id in upheld and f.route != "review"], packaged_review),
                sum(EXPLORATION_KEY in f.evidence for f in findings),
                sum(explored),
                sum(v for v, e in zip(verdicts, explored, strict=True) if e),
                _restored(registry),
            )
        )
    return weeks


def _restored(registry: ModelRegistry) -> str:
    """The types the model in force after the retrain routes as the packaged scorer does, from the exploration."""
    version = registry.in_force()
    model = registry.model(version) if version else None
    return ",".join(model.trained_on.get("restored_types", []) if model else []) or "-"


def _not_sent(missed: list[Finding], packaged_review: set[str]) -> str:
    """The upheld findings not sent, e.g. 'EARLY_CLOCK_IN below 2 (packaged sends 2), OUT_BEFORE_IN below 6 (6)'."""
    counts = Counter(
        (f.anomaly_type.value, "cut" if f.evidence.get("plant_cut") else "below", f.finding_id in packaged_review)
        for f in missed
    )
    kinds = sorted({(anomaly, why) for anomaly, why, _ in counts})
    return ", ".join(
        f"{anomaly} {why} {counts[anomaly, why, True] + counts[anomaly, why, False]} "
        f"(packaged sends {counts[anomaly, why, True]})"
        for anomaly, why in kinds
    )


def _cuts(model: ScorerModel) -> str:
    """The plant's cuts the model in force brings, e.g. 'EARLY_CLOCK_IN<24.5' or, a type's learned review
    threshold, 'BUDDY_PUNCH confidence<0.82'."""
    return (
        ", ".join(
            f"{name}{' confidence' if cut.feature == CONFIDENCE else ''}<{cut.minimum:g}"
            for name, cut in sorted(model.cuts.items())
        )
        or "-"
    )


def _tick(at: datetime) -> dict[str, object]:
    return {
        "version": "0",
        "id": f"bench-{at:%Y%m%d}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.astimezone(UTC).isoformat(),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }


def _print(title: str, weeks: list[Week]) -> None:
    print(f"\n{title}")
    print(
        f"{'week':>4} {'punches':>7} {'anomalies':>9} {'upheld':>6} {'scorer in force':<18} {'sent':>5}"
        f" {'(packaged)':>10} {'rejected':>8} {'precision seen':>15} {'recall upheld':>14}  retrain   cuts in force"
    )
    for w in weeks:
        print(
            f"{w.number:>4} {w.punches:>7} {w.anomalies:>9} {w.upheld:>6} {w.model:<18} {w.sent:>5}"
            f" {w.packaged_sent:>10} {w.rejected:>8} {w.observed_precision:>15.3f} {w.recall:>14.3f}"
            f"  {w.verdict:<9} {w.cuts}"
        )
    for w in weeks:
        print(
            f"  week {w.number}: eligible for exploration {w.eligible}, sent {w.explored} ({w.explored_upheld} "
            f"upheld); precision seen without them {_without_explored(w):.3f}; types the retrain's model in force "
            f"restored: {w.restored}"
        )
    for w in weeks:
        print(
            f"  week {w.number}: packaged scorer's recall the same week {w.packaged_recall:.3f}; upheld not sent: "
            f"{w.not_sent or '-'}"
        )


def _without_explored(w: Week) -> float:
    """The precision supervisors would have seen without the exploration sample."""
    sent = w.sent - w.explored
    return (w.observed_precision * w.sent - w.explored_upheld) / sent if sent else 0.0


def _change(drop: float) -> str:
    return f"{abs(drop):.0%} {'lower' if drop >= 0 else 'higher'}"


def _measure(title: str, plant: Plant, poison: bool) -> None:
    clean = _simulate(plant, lambda week: NOISE, seed=1)
    _print(f"{title}: 8 weeks, {NOISE:.0%} noise", clean)
    first, fourth = clean[0], clean[3]
    load_drop = 1 - fourth.sent / first.sent if first.sent else 0.0
    met = {
        "precision >= 0.95 by week 4": fourth.observed_precision >= 0.95,
        "recall not lower than week 1": fourth.recall >= first.recall,
        "load down >= 30 %": load_drop >= 0.30,
    }
    if poison:
        poisoned = _simulate(plant, lambda week: POISON if week == POISONED_WEEK else NOISE, seed=1)
        _print(f"{title}: the same with week {POISONED_WEEK} decided {POISON:.0%} by a coin", poisoned)
        met[f"week {POISONED_WEEK} poisoned: not promoted"] = poisoned[POISONED_WEEK - 1].verdict != "promoted"
    print(
        f"\nweek 1 -> week 4: precision seen {first.observed_precision:.3f} -> {fourth.observed_precision:.3f}, "
        f"recall {first.recall:.3f} -> {fourth.recall:.3f} (the packaged scorer's the same weeks "
        f"{first.packaged_recall:.3f} -> {fourth.packaged_recall:.3f}), load {first.sent} -> {fourth.sent} "
        f"({_change(load_drop)}; against what the packaged scorer sends the same week, {fourth.packaged_sent}: "
        f"{_change(1 - fourth.sent / fourth.packaged_sent if fourth.packaged_sent else 0.0)})"
    )
    print(
        f"  week 1: {first.rejected} of the {first.sent} sent rejected: the most review load a model could spare "
        f"without dropping an upheld finding is {first.rejected / first.sent if first.sent else 0.0:.0%}"
    )
    # a coin decides NOISE of the decisions: what the policy upholds is seen upheld 1 - NOISE / 2 of the time, what it
    # rejects NOISE / 2 of the time; so precision seen >= 0.95 needs the policy to reject at most 2.6 % of the sent
    for w in (first, fourth):
        rejected = (w.sent - w.upheld_sent) / w.sent if w.sent else 0.0
        print(
            f"  week {w.number}: the policy rejects {w.sent - w.upheld_sent} of the {w.sent} sent ({rejected:.1%}, "
            f"noise-free): precision seen {1 - NOISE / 2 - (1 - NOISE) * rejected:.3f} expected with the coin"
        )
    least = math.ceil(first.recall * fourth.upheld - 1e-9)  # a model sending only upheld findings, week 1's recall
    print(
        f"  week 4: {fourth.upheld} findings the policy upholds (week 1: {first.upheld}; anomalies made "
        f"{first.anomalies} -> {fourth.anomalies}, punches {first.punches} -> {fourth.punches}): the least load "
        f"keeping week 1's recall is {least}, {_change(1 - least / first.sent if first.sent else 0.0)} than week 1's"
    )
    print(
        f"  per 1,000 punches: {1000 * first.sent / first.punches:.1f} -> {1000 * fourth.sent / fourth.punches:.1f} "
        f"({_change(1 - fourth.sent * first.punches / (first.sent * fourth.punches))}); the target is judged on the "
        "issue's figure above"
    )
    for name, ok in met.items():
        print(f"  {name}: {'met' if ok else 'MISSED'}")
    assert all(w.sent > 0 for w in clean)


def measure_plants(tmp_path: Path, spec: PlantSpec) -> None:
    """The four plants of `spec`'s seed (the bench's; a development seed when changing the learner)."""
    easy = _plant(tmp_path / "easy", spec)
    _measure(f"seed {spec.seed}, default anomalies", easy, poison=True)
    plant = _plant(tmp_path / "realistic", dataclasses.replace(spec, difficulty="realistic"))
    _measure(f"seed {spec.seed}, --difficulty realistic", plant, poison=True)
    stricter = dataclasses.replace(plant, policy=DURATIONS_POLICY)
    _measure(f"seed {spec.seed}, --difficulty realistic, durations upheld from 2x off", stricter, poison=True)
    paid = dataclasses.replace(easy, policy=PAY_TO_SCHEDULE)
    _measure(f"seed {spec.seed}, default anomalies, a plant that pays to the schedule", paid, poison=True)


def test_eight_weeks_of_decisions_retrain_the_scorer(tmp_path: Path) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    measure_plants(tmp_path, SPEC)
    load = Path("/proc/loadavg").read_text(encoding="ascii").strip()
    print(f"({time.perf_counter() - started:.0f} s, CPU {time.process_time() - cpu:.0f} s; load {load})")
