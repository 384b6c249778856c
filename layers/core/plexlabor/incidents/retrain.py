"""incident_retrain's run: retrain the OIICS classifier on the EHS lead's corrections; promote the candidate
only when it is not worse than the model in force on the newest corrections it did not train on.

The request is an EventBridge scheduled event (weekly); `detail` may carry `{"promote": false}` (keep the
candidate as a shadow whatever its figures). The run:

1. reads every incident the EHS lead decided (`service.training_reports`: the codes they confirmed or
   corrected), oldest first by the day it happened;
2. with fewer than `min_corrections`, stops: nothing trained or stored;
3. holds out the newest `holdout_share` of them, trains a candidate (`IncidentClassifier.train`: its
   thresholds chosen on its own time-ordered validation split) on the registry's base rows
   (`registry.BASE_ROWS`, the OSHA-layout reports the packaged model learnt from) plus the older
   corrections, and measures it and the model in force (the registry's, else the packaged one) on the
   held-out corrections (`evaluation.evaluate`);
4. the candidate is *not worse* when its event-division accuracy and its accuracy on the share it
   auto-codes are each at least the model in force's (with no model in force, it is not worse);
5. stores it with its card under `models/incidents/<version>/`, records the verdict as a `model` audit
   event (`promoted` or `shadow`, with the figures) and, when promoted, moves `latest.json` to it
   (`registry.promote`): incident_log picks it up within its TTL (`registry.ModelInForce`); otherwise
   `shadow.json` names it. While an admin's rollback holds automatic promotion (`latest.json`'s
   `promotion_held`, the scorer's hold: `platform.modelregistry`), a candidate not worse is kept in shadow
   too, with the reason (`held_reason`); `plexlabor model promote VERSION --of incidents` lifts the hold
   (`learning.manage.put_in_force`, which also rolls back, to the packaged model too).

A candidate identical to a stored version (same bytes) is not stored again. Every run, whatever its outcome,
leaves its record (`platform.retrainruns`: when, outcome, corrections counted, how many needed) as
`models/incidents/runs/last.json`, which the KPI page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict

from plexlabor.audit import AuditStatus, AuditStore, append_once
from plexlabor.incidents.classifier import ClassifierSettings, IncidentClassifier, version_of
from plexlabor.incidents.evaluation import evaluate
from plexlabor.incidents.registry import IncidentModels, model_event
from plexlabor.incidents.registry import promote as promote_in_force
from plexlabor.incidents.reports import parse_coded_reports, time_split, write_coded_reports
from plexlabor.incidents.service import training_reports
from plexlabor.platform.clock import utc_now
from plexlabor.platform.modelregistry import held_reason
from plexlabor.platform.observability import logger
from plexlabor.platform.retrainruns import Outcome, RetrainRun, record_run

ACTOR = "incident_retrain"
GATED = ("event_division_accuracy", "auto_coded_accuracy")
"""The figures a candidate must not lose on the held-out corrections."""


class RetrainDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    promote: bool = True


class IncidentRetrainEvent(EventBridgeModel):
    detail: RetrainDetail = RetrainDetail()


@dataclass(frozen=True)
class RetrainSettings:
    min_corrections: int = 40
    holdout_share: float = 0.25
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)


@dataclass
class RetrainDeps:
    audit: AuditStore
    models: IncidentModels
    packaged: Callable[[], IncidentClassifier | None]
    settings: RetrainSettings = field(default_factory=RetrainSettings)
    clock: Callable[[], datetime] = utc_now


def _verdict(candidate: dict[str, Any], in_force: dict[str, Any] | None) -> tuple[bool, list[str]]:
    """Whether the candidate is not worse, and why not."""
    if in_force is None:
        return True, []
    reasons = [
        f"{name} {candidate[name]:.3f} < {in_force[name]:.3f} of the model in force"
        for name in GATED
        if candidate[name] < in_force[name]
    ]
    return not reasons, reasons


def _record(deps: RetrainDeps, outcome: Outcome, corrections: int, version: str | None = None) -> None:
    """This run's record for the KPI page (`models/incidents/runs/last.json`)."""
    needed = deps.settings.min_corrections
    run = RetrainRun(
        at=deps.clock(), outcome=outcome, counted=corrections, needed=needed, unit="correction", version=version
    )
    record_run(deps.models.store, run)


def run(deps: RetrainDeps, request: IncidentRetrainEvent) -> dict[str, Any]:
    """Retrain, measure, store, and promote or keep as a shadow (module docstring); a summary (figures only)."""
    corrections = training_reports(deps.audit)
    if len(corrections) < deps.settings.min_corrections:
        logger.info("too few corrections to retrain", corrections=len(corrections))
        _record(deps, "too_few", len(corrections))
        return {"trained": False, "corrections": len(corrections), "needed": deps.settings.min_corrections}
    older, held_out = time_split(corrections, deps.settings.holdout_share)
    base_text = deps.models.base_rows()
    base = parse_coded_reports(base_text.splitlines(keepends=True), "base.csv") if base_text else []
    candidate = IncidentClassifier.train([*base, *older], deps.settings.classifier)
    blob = candidate.to_bytes()
    version = version_of(blob)
    summary: dict[str, Any] = {"trained": True, "version": version, "corrections": len(corrections)}
    if deps.models.card(version) is not None:
        logger.info("candidate already stored", version=version)
        _record(deps, "unchanged", len(corrections), version)
        return {**summary, "stored": False}
    in_force_version = deps.models.in_force()
    current = deps.models.model(in_force_version) if in_force_version else deps.packaged()
    figures = evaluate(IncidentClassifier.from_bytes(blob, version), held_out)
    current_figures = evaluate(current, held_out) if current is not None else None
    better, reasons = _verdict(figures, current_figures)
    hold = deps.models.promotion_hold()  # an admin's rollback: a human override the schedule does not undo
    reasons = [*reasons, *([held_reason(hold)] if hold else [])]
    promote = better and request.detail.promote and hold is None
    card = {
        "trained_at": deps.clock().isoformat(),
        "base_reports": len(base),
        "corrections_trained": len(older),
        "held_out": len(held_out),
        "held_out_from": held_out[0].event_date.isoformat(),
        "candidate": figures,
        "in_force": {"version": in_force_version or (current.version if current else None), "figures": current_figures},
        "verdict": "promoted" if promote else "shadow",
        "reasons": reasons or ([] if promote else ["promotion not asked"]),
    }
    deps.models.save(blob, version, card, write_coded_reports(older))
    status = AuditStatus.PROMOTED if promote else AuditStatus.SHADOW
    if promote:
        promote_in_force(deps.models, deps.audit, version, by=ACTOR, at=deps.clock(), card=card)
    else:
        payload = {"card": card, "previous": in_force_version}
        stable_after = deps.models.moved_since()
        event = model_event(status, version, actor=ACTOR, at=deps.clock(), payload=payload, stable_after=stable_after)
        append_once(deps.audit, event)
        deps.models.put_shadow(version, at=deps.clock())
    _record(deps, "promoted" if promote else "shadow", len(corrections), version)
    logger.info("incident model retrained", version=version, verdict=status.value, reasons=reasons)
    gated = {name: figures[name] for name in GATED}
    return {**summary, "stored": True, "verdict": status.value, "reasons": card["reasons"], **gated}
