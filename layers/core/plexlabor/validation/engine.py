"""The validation engine: batch over a plant or a date range, and real time for one record.

Both paths run the same per-employee and per-workcenter checks (`checks/`) on a `PlantData`: the
batch path on the whole plant, the real-time path on the slice of records around one punch. So they
agree whenever the slice holds the neighbourhood the checks look at (the record's week and a day
either side), which `PlantData.slice_for` cuts.

A finding routed to review carries the employee's day (`timeline.build_timeline`) in its evidence
(`evidence["timeline"]`), built from the same data on either path, so the item page never recomputes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from plexlabor.models import LaborEntry, TimeClockEntry, record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import Candidate
from plexlabor.validation.checks.hours import pay_week
from plexlabor.validation.checks.registry import check_employee, check_workcenter
from plexlabor.validation.data import PlantData, collector_skips_what_exists
from plexlabor.validation.exploration import EXPLORATION_KEY, Exploration
from plexlabor.validation.findings import Finding, finding_id_for
from plexlabor.validation.norms import Norms, compute_norms
from plexlabor.validation.policy import PunchPolicy, ValidationPolicy
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from plexlabor.validation.timeline import EVIDENCE_KEY, DayTimeline, build_timeline

DEFAULT_POLICY = ValidationPolicy()


@dataclass(frozen=True)
class EngineSettings:
    """Where findings go: review (a supervisor approves) or trend logging only; and the checks' policy."""

    review_threshold: float = DEFAULT_POLICY.review_threshold
    trend_threshold: float = DEFAULT_POLICY.trend_threshold
    policy: PunchPolicy = field(default_factory=PunchPolicy)

    @classmethod
    def of(cls, policy: ValidationPolicy) -> EngineSettings:
        """The engine's settings from a plant's configured policy (`validation.policy.read_policy`)."""
        return cls(policy.review_threshold, policy.trend_threshold, policy.punch)


class ValidationEngine:
    def __init__(
        self,
        model: ScorerModel | None = None,
        settings: EngineSettings | None = None,
        exploration: Exploration | None = None,
    ) -> None:
        self.model = model or ScorerModel.load()
        self.settings = settings or EngineSettings()
        self.shadow: ScorerModel | None = None
        """A candidate scored beside `model` on every finding (`evidence.shadow`), never routing one."""
        self.exploration = exploration
        """A random share of what `model` stops sending and the exploration's reference sends goes to review
        (`evidence.exploration`, `plexlabor.validation.exploration`); None: none."""

    # ---- batch ----------------------------------------------------------------------------------
    def candidates(
        self,
        data: PlantData,
        norms: Norms,
        employees: Iterable[str] | None = None,
        workcenters: Iterable[str] | None = None,
    ) -> list[Candidate]:
        policy = self.settings.policy
        if employees is None:
            employees = batch_employees(data)
        if workcenters is None:
            workcenters = sorted(data.runs)
        found: list[Candidate] = []
        for employee in employees:
            found.extend(check_employee(data, norms, policy, employee))
        for workcenter in workcenters:
            found.extend(check_workcenter(data, policy, workcenter))
        return found

    def batch(
        self,
        data: PlantData,
        norms: Norms | None = None,
        since: float | None = None,
        until: float | None = None,
        processes: int = 1,
    ) -> list[Finding]:
        """Findings for every record of the plant whose time lies in [since, until]. `processes` 2 (where the
        machine forks): the norms when not given, the checks and the scoring cut into two runs of employees, the
        later one in a forked process (`validation.cores`): the same findings in the same order."""
        with collector_skips_what_exists():
            keep = _within(data, since, until)
            if processes > 1:
                from plexlabor.validation import cores  # POSIX processes: batch only

                if cores.FORKS:
                    return cores.batch_findings(self, data, norms, batch_employees(data), sorted(data.runs), keep)
            norms = norms or compute_norms(data)
            return self.findings(keep(self.candidates(data, norms)), data, norms)

    # ---- real time ------------------------------------------------------------------------------
    def realtime(self, record: TimeClockEntry | LaborEntry, context: PlantData, norms: Norms) -> list[Finding]:
        """Findings about one punch or labor entry, given the records around it (`PlantData.slice_for`)."""
        key = record_key(record.resource, record.id)
        policy = self.settings.policy
        found = check_employee(context, norms, policy, record.employee_id)
        t = _record_time(record)
        shift = context.shift_at(record.employee_id, t)
        week = pay_week(context, policy, t, shift.work_date if shift else None)
        relevant = [
            c
            for c in found
            if c.record_key == key or (c.anomaly == AnomalyType.EXCESSIVE_OVERTIME and c.evidence["week"] == week)
        ]
        return self.findings(relevant, context, norms)

    # ---- scoring --------------------------------------------------------------------------------
    def findings(self, candidates: Iterable[Candidate], data: PlantData, norms: Norms) -> list[Finding]:
        """Score the candidates; keep those at or above the trend threshold, routed by confidence.

        A finding routed to review gets its employee's day (`EVIDENCE_KEY`) from `data` and `norms`. One the
        model does not send that the exploration's reference would is kept whatever its confidence, recorded
        with `evidence.exploration`, and sent for review when drawn, at the reference's confidence (the model's
        is kept in `evidence.exploration.confidence`).
        """
        settings = self.settings
        version = f"{self.model.version}+{norms.version}"
        days: dict[tuple[str, str], DayTimeline | None] = {}
        out = []
        for candidate in candidates:
            confidence = _confidence(self.model, candidate)
            cut = held_back(self.model, candidate.anomaly.value, candidate.features, confidence)  # the plant's cut
            review = confidence >= settings.review_threshold and cut is None
            reference_confidence = None if review else self._eligible(candidate)
            if confidence < settings.trend_threshold and reference_confidence is None:
                continue
            evidence = dict(candidate.evidence)
            if candidate.features:
                evidence["features"] = {k: round(v, 4) for k, v in candidate.features.items()}
            if cut is not None:
                evidence["plant_cut"] = {"feature": cut.feature, "minimum": cut.minimum}
            finding_id = finding_id_for(candidate.record_key, candidate.anomaly)
            shown = confidence
            if reference_confidence is not None and self.exploration is not None:
                review = self.exploration.drawn(finding_id)  # a normal review item when drawn
                evidence[EXPLORATION_KEY] = self.exploration.record(
                    review, confidence, reference_confidence, below_trend=confidence < settings.trend_threshold
                )
                if review:  # shown and ranked as the reference would have sent it, not as a sample
                    shown = reference_confidence
            if self.shadow is not None:
                shadowed = _confidence(self.shadow, candidate)
                evidence["shadow"] = {
                    "model_version": self.shadow.version,
                    "confidence": shadowed,
                    "would_review": shadowed >= settings.review_threshold
                    and held_back(self.shadow, candidate.anomaly.value, candidate.features, shadowed) is None,
                }
            if review and candidate.employee is not None:
                key = (candidate.employee, candidate.record_key)
                if key not in days:
                    days[key] = build_timeline(data, norms, *key)
                if (timeline := days[key]) is not None:
                    evidence[EVIDENCE_KEY] = timeline.to_json()
            out.append(
                Finding(
                    finding_id=finding_id,
                    record_key=candidate.record_key,
                    employee_id=candidate.employee,
                    anomaly_type=candidate.anomaly,
                    confidence=shown,
                    severity=candidate.severity,  # type: ignore[arg-type]
                    note=candidate.note[:300],
                    evidence=evidence,
                    suggested_correction=candidate.correction,
                    model_version=version,
                    route="review" if review else "trend",
                )
            )
        return out

    def _eligible(self, candidate: Candidate) -> float | None:
        """The exploration reference's confidence in a candidate `model` does not send, when the reference would
        send it (eligible); else None."""
        exploration = self.exploration
        if exploration is None or exploration.share <= 0:
            return None
        confidence = _confidence(exploration.reference, candidate)
        sends = confidence >= self.settings.review_threshold and (
            held_back(exploration.reference, candidate.anomaly.value, candidate.features, confidence) is None
        )
        return confidence if sends else None


CONFIDENCE = "confidence"
"""The feature a plant's learned review threshold on a type cuts on (`plexlabor.learning.cuts`): the model's
confidence, as if the finding had measured it."""


def held_back(
    model: ScorerModel, anomaly_type: str, features: Mapping[str, float], confidence: float
) -> MagnitudeCut | None:
    """The plant's cut that keeps a finding from review, if any: on its magnitude, or on the model's
    `confidence` in it (a threshold above the review threshold, learned for the type)."""
    if anomaly_type not in model.cuts:  # most types of most plants: no copy of the features per candidate
        return None
    return model.below_cut(anomaly_type, {**features, CONFIDENCE: confidence})


def _confidence(model: ScorerModel, candidate: Candidate) -> float:
    """The model's confidence in a candidate, inside the candidate's own floor and ceiling."""
    return round(min(candidate.ceiling, max(candidate.floor, model.confidence(candidate))), 4)


def _record_time(record: TimeClockEntry | LaborEntry) -> float:
    if isinstance(record, TimeClockEntry):
        return record.clockin_time.timestamp()
    return record.start_time.timestamp()


def batch_employees(data: PlantData) -> list[str]:
    """Everyone with a punch, a labor entry or a badge swipe, in the order the batch checks them."""
    return sorted(set(data.punches) | set(data.labor) | set(data.swipes))


def _within(data: PlantData, since: float | None, until: float | None) -> Callable[[list[Candidate]], list[Candidate]]:
    """A filter keeping the candidates on records whose time lies in [since, until] (all when both are None)."""
    if since is None and until is None:
        return lambda found: found
    times = record_times(data)
    low, high = since or float("-inf"), until or float("inf")
    return lambda found: [c for c in found if low <= times.get(c.record_key, low) <= high]


def record_times(data: PlantData) -> dict[str, float]:
    """When each record happened, for date-range filtering."""
    times: dict[str, float] = {}
    for punches in data.punches.values():
        times.update((p.key, p.t_in) for p in punches)
    for entries in data.labor.values():
        times.update((e.key, e.start) for e in entries)
    for swipes in data.swipes.values():
        times.update((s.key, s.t) for s in swipes)
    for runs in data.runs.values():
        times.update((start.key, start.t) for start, _ in runs)
    return times
