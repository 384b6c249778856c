"""scorer_retrain's run: export decisions, retrain, evaluate against the model in force, promote or shadow.

The request is an EventBridge scheduled event (weekly by default); `detail` may carry
`{"promote": false}` (store the candidate as a shadow whatever its metrics). The run:

1. reads the `approved` and `rejected` events of the last `lookback_days` from the audit table and
   exports the punch findings' decisions as pseudonymised rows of this plant
   (`plexlabor.validation.decisions`; the salt is the plant's, made once, kept under
   `models/scorer-salt/`, which the validator cannot read);
2. splits them by time (`promotion.split`), learns the plant's cuts per finding type (on its magnitude, or
   a review threshold on the confidence) on the older ones
   and checks them on the newest (`cuts.learn_cuts`), fits the candidate on the older ones on top of the model
   in force (the registry's pointer, else the packaged model), evaluates both on the held-out recent ones
   and on the findings of that window nobody decided (`undecided_since`: what a model would send
   there counts as not upheld), not counting as recall lost the upheld findings of types the plant's
   decisions reject (`promotion.rarely_upheld`: decision noise), its recall checked on the training decisions
   too and against what the models in force since the first one already gave up (the card's `recall_kept`,
   read back from the model in force's card), and refused if it stops sending any of that window's undecided
   findings the model in force sends of a type the plant's decisions uphold as often as not
   (`promotion.undecided_dropped`); a refused candidate is tried again as
   the model in force with the candidate's routing of only the types the newest decisions show better
   and neither window worse (`promotion.adoptable_types`, `promotion.by_type`), then, if its cuts are new,
   as the model in force with those cuts (`promotion.with_cuts`); the refused one's metrics go in the card,
   each type's adoption counts too (`by_type`); the decisions of findings sent as exploration weigh the inverse
   of their propensity, and a model that does not send such findings of a type its supervisors uphold
   (`promotion.explored_dropped`) is refused, each model tried (the candidate, the fallbacks, the model in force)
   then with that type routed as the packaged scorer routes it (`promotion.restored`);
3. stores the candidate (its cuts inside) with its card (training window, counts, metrics of both, each
   type's cut or why none, code version, verdict)
   and its training rows under `models/scorer/<version>/`;
4. records the verdict as a `model` audit event (`promoted` or `shadow`, with the reasons), then, when
   promoted, points `models/scorer/latest.json` at it, else `shadow.json`: validators pick either up
   within their TTL (a shadow is scored on every live finding, recorded with it, never used to route).
   While an admin's rollback holds automatic promotion (`latest.json`'s `promotion_held`, lifted by
   `plexlabor model promote`), the candidate is kept in shadow whatever the gate says, with that reason.

Too few decisions: nothing is trained or stored. A candidate identical to the model in force: nothing
new is stored. Every run, whatever its outcome, leaves its record (`platform.retrainruns`: when, outcome,
decisions counted, how many needed) as `models/scorer/runs/last.json`, which the KPI page shows.
The summary holds versions, counts and metrics only (no ids of people).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from importlib import metadata, resources
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.publish import append_once
from plexlabor.audit.store import AuditStore
from plexlabor.learning.cuts import cuts_json, learn_cuts
from plexlabor.learning.events import model_event
from plexlabor.learning.promotion import (
    GateSettings,
    Metrics,
    TypeWindow,
    Verdict,
    adoptable_types,
    by_type,
    decide,
    evaluate,
    explored_dropped,
    fit_candidate,
    rarely_upheld,
    recall_kept,
    restored,
    shadow_live,
    split,
    types_dropped,
    undecided_dropped,
    with_cuts,
)
from plexlabor.learning.wiring import Dependencies
from plexlabor.platform.artifacts import ArtifactStore
from plexlabor.platform.modelregistry import held_reason
from plexlabor.platform.observability import logger, metrics
from plexlabor.platform.retrainruns import Outcome, RetrainRun, record_run
from plexlabor.validation.decisions import approved, by_plant, decided_at, export_rows, rows_jsonl
from plexlabor.validation.exploration import propensity
from plexlabor.validation.findings import Finding
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import ScorerModel

SALT_BYTES = 32
CODE_MODULES = (
    ("plexlabor.validation", "training.py"),
    ("plexlabor.validation", "scorer.py"),
    ("plexlabor.validation", "decisions.py"),
    ("plexlabor.learning", "promotion.py"),
    ("plexlabor.learning", "cuts.py"),
)


class RetrainDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    promote: bool = True


class RetrainEvent(EventBridgeModel):
    detail: RetrainDetail = RetrainDetail()


def code_version() -> str:
    """The package version and a digest of the code that trains and gates a model."""
    try:
        version = metadata.version("plexlabor")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for package, name in CODE_MODULES:
        digest.update(resources.files(package).joinpath(name).read_bytes())
    return f"plexlabor-{version}+{digest.hexdigest()[:12]}"


def plant_salt(salts: ArtifactStore, plant: str) -> bytes:
    """The plant's pseudonymisation salt: made once (random), kept apart from the registry, never in a row."""
    key = f"{plant}.key"
    salt = salts.get(key)
    if not salt:
        salt = secrets.token_bytes(SALT_BYTES)
        salts.put(key, salt)
    return salt


def export(deps: Dependencies) -> list[Finding]:
    """This plant's decisions of the lookback window, as training rows, oldest first."""
    since = deps.clock() - timedelta(days=deps.lookback_days)
    events: list[AuditEvent] = []
    for status in (AuditStatus.APPROVED, AuditStatus.REJECTED):
        events.extend(deps.audit.by_status(status, since=since, limit=deps.max_decisions))
    rows = export_rows(events, deps.plant, plant_salt(deps.salts, deps.plant))
    return by_plant(rows).get(deps.plant, [])


UNDECIDED_LEAD = timedelta(days=1)
"""Undecided findings recorded this long before the first held-out decision belong to its window (a finding is
decided within the approval wait, hours after it was recorded)."""


def undecided_since(audit: AuditStore, since: datetime, limit: int) -> list[tuple[datetime, Finding]]:
    """The punch findings recorded `logged` since `since` (trend-routed, or held by the pilot scope), with
    when: nobody decided them. The candidate learns from the training window's trend ones as negatives
    (`promotion.fit_candidate`) and is charged for the held-out window's it would send
    (`promotion.evaluate`). Read for their features only, never stored."""
    fields = Finding.model_fields.keys()
    return [
        (event.occurred_at, Finding.model_validate({k: v for k, v in event.payload.items() if k in fields}))
        for event in audit.by_status(AuditStatus.LOGGED, since=since, limit=limit)
        if event.event_type is AuditEventType.FINDING
    ]


def undecided_around(
    audit: AuditStore, since: datetime, cut: datetime, limit: int
) -> tuple[list[Finding], list[Finding]]:
    """The undecided findings of the training window [since, cut) and of the held-out window (from `cut`).
    Two reads: the status index gives the oldest first up to `limit`, so one read from `since` could stop
    before the held-out window, which the gate must see whole."""
    before = [finding for at, finding in undecided_since(audit, since, limit) if at < cut]
    return before, [finding for _, finding in undecided_since(audit, cut, limit)]


def _window(rows: list[Finding]) -> dict[str, Any]:
    return {"from": decided_at(rows[0]).isoformat(), "to": decided_at(rows[-1]).isoformat()} if rows else {}


def _counts(rows: list[Finding]) -> dict[str, int]:
    upheld = sum(approved(row) for row in rows)
    return {"decisions": len(rows), "approved": upheld, "rejected": len(rows) - upheld}


def _incumbent(registry: ModelRegistry) -> ScorerModel:
    version = registry.in_force()
    model = registry.model(version) if version else None
    return model or ScorerModel.load()


def _recall_kept(registry: ModelRegistry) -> float:
    """The recall of upheld findings the model in force kept of the first model's (its card's `recall_kept`; 1
    for the packaged model, or a card from before it was recorded)."""
    version = registry.in_force()
    card = registry.card(version) if version else None
    return float((card or {}).get("recall_kept", 1.0))


def _record(deps: Dependencies, outcome: Outcome, decisions: int, version: str | None = None) -> None:
    """This run's record for the KPI page (`models/scorer/runs/last.json`)."""
    needed = deps.gate.min_training + deps.gate.min_holdout
    run = RetrainRun(
        at=deps.clock(), outcome=outcome, counted=decisions, needed=needed, unit="decision", version=version
    )
    record_run(deps.registry.store, run)


def run(deps: Dependencies, request: RetrainEvent) -> dict[str, Any]:
    """Retrain once; the JSON-safe summary."""
    gate: GateSettings = deps.gate
    rows = export(deps)
    summary: dict[str, Any] = {"plant": deps.plant, "decisions": len(rows)}
    if len(rows) < gate.min_training + gate.min_holdout:
        logger.info("too few decisions to retrain the scorer", **summary)
        _record(deps, "too_few", len(rows))
        return {**summary, "status": "too_few_decisions"}
    train, held = split(rows, gate)
    incumbent = _incumbent(deps.registry)
    shadowed = deps.registry.shadow()
    live = shadow_live(rows, shadowed) if shadowed else None
    if live is not None:
        summary["shadow_live"] = {"version": shadowed, **live.to_json()}
    trained_on = {
        "plant": deps.plant,
        "window": _window(train),
        "counts": _counts(train),
        "base": incumbent.version,
        "code_version": code_version(),
    }
    not_decided_before, not_decided_recently = undecided_around(
        deps.audit, decided_at(train[0]) - UNDECIDED_LEAD, decided_at(held[0]) - UNDECIDED_LEAD, deps.max_decisions
    )
    cuts, cut_notes = learn_cuts(incumbent, train, held, deps.cuts, gate)
    candidate = fit_candidate(incumbent, train, trained_on, not_decided_before, cuts, gate)
    if candidate.version == incumbent.version:
        _record(deps, "unchanged", len(rows), candidate.version)
        return {**summary, "status": "unchanged", "version": candidate.version}
    noise = rarely_upheld(train, held, gate)  # their upheld findings: taken for decision noise by the recall gate
    kept = _recall_kept(deps.registry)
    packaged = ScorerModel.load()  # what the exploration samples against (punch_validator's reference)

    def judge(model: ScorerModel, settled: frozenset[str] = frozenset()) -> tuple[Metrics, Metrics, Verdict]:
        """(the model's metrics, the model in force's, the verdict) on the windows without the `settled` types,
        whose routing the exploration sample settled (`restored`)."""
        held_, train_, recent = (
            [f for f in found if f.anomaly_type.value not in settled] for found in (held, train, not_decided_recently)
        )
        mine = evaluate(model, held_, gate.review_threshold, recent, noise)
        theirs = evaluate(incumbent, held_, gate.review_threshold, recent, noise)
        # the agreement check needs a model in force fitted to this plant's decisions, not the packaged one
        before = evaluate(incumbent, train_, gate.review_threshold) if deps.registry.in_force() else None
        on_training = (
            evaluate(model, train_, gate.review_threshold, noise_types=noise),
            evaluate(incumbent, train_, gate.review_threshold, noise_types=noise),
        )
        dropped = {
            "held_out": types_dropped(model, incumbent, held_, gate),
            "training": types_dropped(model, incumbent, train_, gate),
        }
        verdict = decide(
            mine,
            theirs,
            gate,
            before,
            on_training,
            kept,
            dropped,
            undecided_dropped(model, incumbent, recent, rows, gate),
            explored_dropped(model, rows, gate),
        )
        return mine, theirs, verdict

    mine, theirs, verdict = judge(candidate)
    refused: dict[str, Any] | None = None
    type_notes = adoptable_types(
        candidate, incumbent, TypeWindow(train, not_decided_before), TypeWindow(held, not_decided_recently), gate, noise
    )
    adopted = [anomaly for anomaly, note in type_notes.items() if note["adopted"]]
    tried = []  # tried in order when the whole candidate is refused, on the same gate
    if not verdict.promote:
        tried.append(candidate)  # with the types its exploration sample settles restored, if any
        if adopted:  # the types the newest decisions show better, alone
            tried.append(by_type(incumbent, candidate, adopted, held, trained_on))
        if cuts != incumbent.cuts:  # the cuts alone
            tried.append(with_cuts(incumbent, cuts, trained_on))
        tried.append(incumbent)  # with the types its exploration sample settles restored, if any
    for base in tried:
        settled = frozenset(explored_dropped(base, rows, gate))
        fallback = restored(base, packaged, sorted(settled), rows, trained_on) if settled else base
        if fallback.version in (candidate.version, incumbent.version):
            continue
        fallback_metrics, fallback_theirs, fallback_verdict = judge(fallback, settled)
        if fallback_verdict.promote:
            refused = {"version": candidate.version, "metrics": mine.to_json(), "reasons": list(verdict.reasons)}
            candidate, mine, theirs, verdict = fallback, fallback_metrics, fallback_theirs, fallback_verdict
            break
    hold = deps.registry.promotion_hold()  # an admin's rollback: a human override the schedule does not undo
    promote = verdict.promote and request.detail.promote and hold is None
    reasons = [*verdict.reasons, *([held_reason(hold)] if hold else [])]
    reasons = reasons or ([] if promote else ["promotion not asked for (detail.promote false)"])
    now = deps.clock()
    card = {
        "created_at": now.isoformat(),
        "code_version": trained_on["code_version"],
        "plant": deps.plant,
        "training_window": trained_on["window"],
        "holdout_window": _window(held),
        "counts": {"training": _counts(train), "holdout": _counts(held)},
        "metrics": {
            "candidate": mine.to_json(),
            "in_force": theirs.to_json(),
            "in_force_on_training": (
                evaluate(incumbent, train, gate.review_threshold).to_json() if deps.registry.in_force() else None
            ),
            "shadow_live": summary.get("shadow_live"),
            "refitted_refused": refused,
        },
        "in_force_version": incumbent.version,
        "recall_kept": round(recall_kept(mine, theirs, kept), 4),
        "cuts": cut_notes,
        "by_type": type_notes,
        "rarely_upheld": sorted(noise),
        "undecided_dropped": {
            anomaly: {"count": n, "upheld_share": round(share, 4)}
            for anomaly, (n, share) in undecided_dropped(candidate, incumbent, not_decided_recently, rows, gate).items()
        },
        "exploration": {
            "restored_types": candidate.trained_on.get("restored_types", []),
            "decided": sum(propensity(row.evidence) < 1 for row in rows),
            "upheld": sum(propensity(row.evidence) < 1 and approved(row) for row in rows),
        },
        "gate": {
            "review_threshold": gate.review_threshold,
            "recall_tolerance": gate.tolerance,
            "max_agreement_drop": gate.max_agreement_drop,
            "noise_share": gate.noise_share,
            "noise_min_decisions": gate.noise_min_decisions,
            "noise_significance": gate.noise_significance,
            "cut_min_decisions": deps.cuts.min_decisions,
            "cut_min_below": deps.cuts.min_below,
            "cut_miss_cost": deps.cuts.miss_cost,
            "threshold_precision": deps.cuts.threshold_precision,
        },
        "status": "promoted" if promote else "shadow",
        "reasons": reasons,
    }
    moved_since = str((deps.registry.pointer() or {}).get("since", ""))  # read before this run moves it
    deps.registry.save(candidate, card, rows_jsonl(train))
    status = AuditStatus.PROMOTED if promote else AuditStatus.SHADOW
    payload = {k: card[k] for k in ("metrics", "in_force_version", "status", "reasons", "counts", "code_version")}
    payload["cuts"] = cuts_json(candidate)
    append_once(
        deps.audit,
        model_event(
            status, candidate.version, actor=deps.actor, occurred_at=now, payload=payload, stable_after=moved_since
        ),
    )
    if promote:
        deps.registry.put_in_force(candidate.version, by=deps.actor, at=now)
    else:  # scored beside the model in force on live findings from now on (punch_validator)
        deps.registry.put_shadow(candidate.version, at=now)
    _record(deps, "promoted" if promote else "shadow", len(rows), candidate.version)
    metrics.add_metric(name="ScorerPromoted" if promote else "ScorerShadowed", unit=MetricUnit.Count, value=1)
    logger.info("scorer retrained", version=candidate.version, status=card["status"], reasons=reasons)
    return {
        **summary,
        "status": card["status"],
        "version": candidate.version,
        "in_force_version": incumbent.version,
        "metrics": card["metrics"],
        "cuts": payload["cuts"],
        "reasons": reasons,
    }
