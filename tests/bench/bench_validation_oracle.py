"""How well could anyone tell the early/late punch types from normal days at `realistic`? An oracle bound.

Run by `make bench` (never by `make test`). On development plants only (seeds 2001-2002 at `realistic`,
200 employees x 12 weeks, anomaly rate 0.05: the plants the engine's early/late work was developed on; the
evaluation seeds are never generated here), the generator's worked shift-days are captured as they are
drawn (`workday.run_day`): each person's true habit (mean and spread of arrival and leave), the offsets
punched and which day-level anomaly, if any, was injected. The **oracle** knows what the engine can only
estimate: the true habit, the generator's anomaly offsets (`anomalies.punch_offsets.BEYOND`: past the habit
by max(2 sd, 4 min) plus U(0, 10) min, or past the grace by U(1, 10) min, whichever is further) and its
normal offsets (the habit plus a normal draw clipped at 2.5 sd); it ranks every worked shift-day by the
likelihood ratio of its punched offset (both densities exact, the punch's seconds U(0, 59 s) included) and
takes the best threshold. Its F1 against the true labels (label noise undone) is the most any detector of
punch times alone can reach on this generator; it is printed beside the engine's on the same plants.

Then, for each type, where the engine loses against the oracle: labelled days with no candidate at all
(and which gate of `checks.offsets` dropped them), candidates under review confidence, and false findings.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from plexlabor.models import TimeClockEntry, record_key
from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor_dev.commands.validation import EVALUATION_SEEDS, TRAINING_SEEDS
from plexlabor_dev.simulator import workday
from plexlabor_dev.simulator.anomalies.punch_offsets import BEYOND
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.normals import HABIT_DRIFT

EMPLOYEES, WEEKS, ANOMALY_RATE = 200, 12, 0.05
DEVELOPMENT_SEEDS = (2001, 2002)
HELD_OUT = (1101, 1102, 1103, 1104, 1201, 1202)
"""The other validation benches' evaluation seeds: never generated here."""
SECONDS = 59 / 60  # a punch's seconds past its minute, U(0, 59 s)
CLIP = 2.5  # normal offsets: habit + N(0, 1) clipped at this many sd (`workday._habitual`)
OFFSET_TYPES = {
    A.EARLY_CLOCK_IN: ("in", -1),
    A.LATE_CLOCK_IN: ("in", 1),
    A.EARLY_CLOCK_OUT: ("out", -1),
    A.LATE_CLOCK_OUT: ("out", 1),
}


@dataclass(frozen=True)
class Day:
    """A worked shift-day as the generator drew it (offsets in minutes from the shift's edges)."""

    person: str
    kind: str  # the injected day-level anomaly, "NONE" for a normal day
    habit: dict[str, tuple[float, float]]  # edge -> (mean, sd)
    offset: dict[str, float]  # edge -> punched offset
    first_key: str | None
    last_key: str | None


@contextmanager
def captured_days() -> Iterator[list[Day]]:
    """Every shift-day `workday.run_day` draws while the context is open (the generator is not changed)."""
    days: list[Day] = []
    original = workday.run_day

    def run_day(sim, injector, shift_day):  # type: ignore[no-untyped-def]
        original(sim, injector, shift_day)
        person, records = shift_day.person, shift_day.records
        if not shift_day.pairs or not records:
            return
        days.append(
            Day(
                person.id,
                injector.kind,
                {
                    "in": (HABIT_DRIFT.arrival(person, shift_day.day), person.sd_in),
                    "out": (person.mu_out, person.sd_out),
                },
                {
                    "in": (shift_day.pairs[0][0] - shift_day.start) / 60,
                    "out": (shift_day.pairs[-1][1] - shift_day.end) / 60,
                },
                record_key(TimeClockEntry.resource, records[0]["id"]),
                record_key(TimeClockEntry.resource, records[-1]["id"]),
            )
        )

    workday.run_day = run_day
    try:
        yield days
    finally:
        workday.run_day = original


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _uniform_cdf(x: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (x - low) / (high - low)))


def normal_cdf(x: float, mean: float, sd: float) -> float:
    """The habitual offset before its seconds: mean + sd * N(0, 1) clipped at +- CLIP."""
    if x < mean - CLIP * sd:
        return 0.0
    if x >= mean + CLIP * sd:
        return 1.0
    return _phi((x - mean) / sd)


def anomaly_cdf(x: float, mean: float, sd: float, sign: int, grace: float, difficulty: str = "realistic") -> float:
    """The injected offset before its seconds (`punch_offsets.PunchOffset.shift_offsets`): past the habit or
    past the grace, whichever is further."""
    beyond = BEYOND[difficulty]  # type: ignore[index]
    assert beyond.past_habit is not None
    step = max(beyond.habit_sds * sd, beyond.habit_floor)
    if sign > 0:
        habit = _uniform_cdf(x - mean - step, *beyond.past_habit)
        past_grace = _uniform_cdf(x - grace, *beyond.past_grace)
        return habit * past_grace
    habit = 1 - _uniform_cdf(mean - step - x, *beyond.past_habit)
    past_grace = 1 - _uniform_cdf(-grace - x, *beyond.past_grace)
    return 1 - (1 - habit) * (1 - past_grace)


def _density(cdf: Callable[[float], float], x: float) -> float:
    """The density of a punched offset: the drawn offset plus U(0, SECONDS)."""
    return (cdf(x) - cdf(x - SECONDS)) / SECONDS


def log_likelihood_ratio(day: Day, anomaly: A, grace: float) -> float:
    edge, sign = OFFSET_TYPES[anomaly]
    mean, sd = day.habit[edge]
    x = day.offset[edge]
    injected = _density(lambda v: anomaly_cdf(v, mean, sd, sign, grace), x)
    normal = _density(lambda v: normal_cdf(v, mean, sd), x)
    if injected <= 0:
        return -math.inf
    return math.inf if normal <= 0 else math.log(injected / normal)


def best_f1(scored: list[tuple[float, bool]]) -> tuple[float, float, float, float]:
    """(F1, precision, recall, threshold) at the threshold on the score that gives the highest F1."""
    positives = sum(positive for _, positive in scored)
    best = (0.0, 0.0, 0.0, math.inf)
    ordered = sorted(scored, key=lambda item: -item[0])
    true = flagged = 0
    for index, (score, positive) in enumerate(ordered):
        true, flagged = true + positive, flagged + 1
        if index + 1 < len(ordered) and ordered[index + 1][0] == score:
            continue  # a threshold cannot split equal scores
        precision, recall = true / flagged, true / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if true else 0.0
        if f1 > best[0]:
            best = (f1, precision, recall, score)
    return best


def _f1(true: int, flagged: int, support: int) -> tuple[float, float, float]:
    precision = true / flagged if flagged else 0.0
    recall = true / support if support else 0.0
    return (2 * precision * recall / (precision + recall) if true else 0.0), precision, recall


def test_oracle_bound_and_where_the_engine_loses(tmp_path: Path) -> None:
    assert not {*DEVELOPMENT_SEEDS} & {*TRAINING_SEEDS, *EVALUATION_SEEDS, *HELD_OUT}
    engine = ValidationEngine()
    review = engine.settings.review_threshold
    days: list[Day] = []
    candidates, findings = [], []
    for seed in DEVELOPMENT_SEEDS:
        path = tmp_path / f"realistic-{seed}"
        spec = PlantSpec(employees=EMPLOYEES, weeks=WEEKS, seed=seed, anomaly_rate=ANOMALY_RATE, difficulty="realistic")
        with captured_days() as drawn:
            generate_plant(spec, path)
        folder = PlantFolder(path)
        data = PlantData.from_folder(folder)
        written = {punch.key for punches in data.punches.values() for punch in punches}
        days.extend(d for d in drawn if d.first_key in written and d.last_key in written)
        norms = compute_norms(data)
        found = engine.candidates(data, norms)
        candidates.extend(found)
        findings.extend(engine.findings(found, data, norms))
    grace = spec.policy.grace_minutes
    print(
        f"\n\nOracle bound at 'realistic', development seeds {list(DEVELOPMENT_SEEDS)} ({EMPLOYEES} x {WEEKS} weeks,"
        f" rate {ANOMALY_RATE}), {len(days):,} worked shift-days; F1 against the true labels"
    )
    print(f"{'type':16} {'labels':>6} | {'oracle F1':>9} {'P':>6} {'R':>6} | {'engine F1':>9} {'P':>6} {'R':>6}")
    confidence = {(f.record_key, f.anomaly_type): f.confidence for f in findings}
    for anomaly, (edge, _) in OFFSET_TYPES.items():
        # a clock-out while still logged in at a running machine is its own type, told apart by that login (as
        # the engine does), not by the punch: those days are left out of the clock-out ranking
        judged = [d for d in days if edge == "in" or d.kind != A.EARLY_CLOCK_OUT_ACTIVE_JOB.value]
        scored = [(log_likelihood_ratio(d, anomaly, grace), d.kind == anomaly.value) for d in judged]
        # the oracle's model of the injector covers every offset it injected (fails if the generator changes)
        assert all(score > -math.inf for score, positive in scored if positive), anomaly
        f1, precision, recall, _ = best_f1(scored)
        support = sum(positive for _, positive in scored)
        key_of = {(d.first_key if edge == "in" else d.last_key): d for d in days}
        reviewed = [k for (k, t), c in confidence.items() if t == anomaly and c >= review and k in key_of]
        true = sum(key_of[k].kind == anomaly.value for k in reviewed)
        ours = _f1(true, len(reviewed), support)
        print(
            f"{anomaly.value:16} {support:6d} | {f1:9.3f} {precision:6.3f} {recall:6.3f} | "
            f"{ours[0]:9.3f} {ours[1]:6.3f} {ours[2]:6.3f}"
        )
        _where_the_engine_loses(anomaly, days, key_of, candidates, confidence, review, grace)


def _where_the_engine_loses(anomaly, days, key_of, candidates, confidence, review, grace) -> None:  # type: ignore[no-untyped-def]
    """Of the labelled days: no candidate, a candidate under review, found; of the reviewed normal days: what
    the oracle makes of them. By the true standardised deviation (punched offset - true habit) / true sd."""
    edge, sign = OFFSET_TYPES[anomaly]
    keys = {c.record_key for c in candidates if c.anomaly == anomaly}
    outcome: dict[str, Counter[str]] = defaultdict(Counter)
    for d in days:
        if d.kind != anomaly.value:
            continue
        key = d.first_key if edge == "in" else d.last_key
        mean, sd = d.habit[edge]
        z = sign * (d.offset[edge] - mean) / sd
        band = "z<2.5" if z < 2.5 else "z 2.5-3.5" if z < 3.5 else "z>=3.5"
        oracle = "certain" if math.isinf(log_likelihood_ratio(d, anomaly, grace)) else "overlap"
        if key not in keys:
            outcome[f"{band} ({oracle})"]["no candidate"] += 1
        elif confidence.get((key, anomaly), 0.0) < review:
            outcome[f"{band} ({oracle})"]["under review"] += 1
        else:
            outcome[f"{band} ({oracle})"]["found"] += 1
    for band, counts in sorted(outcome.items()):
        print(f"    labelled, {band:22}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    false: Counter[str] = Counter()
    for (key, found_type), value in confidence.items():
        if found_type != anomaly or value < review or key not in key_of or key_of[key].kind == anomaly.value:
            continue
        d = key_of[key]
        mean, sd = d.habit[edge]
        z = sign * (d.offset[edge] - mean) / sd
        false[f"{d.kind} day, true z {'<2.5' if z < 2.5 else '>=2.5'}"] += 1
    if false:
        print("    false at review: " + ", ".join(f"{k} {v}" for k, v in sorted(false.items())))
