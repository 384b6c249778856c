"""The phased rollout's pilot scope: its settings, and what punch findings become inside and outside it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.norms_refresh import handler as nightly
from functions.punch_validator import handler as validator
from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.intake.approvals import InMemoryApprovalStarter
from plexlabor.intake.idempotency import InMemoryPersistenceLayer
from plexlabor.intake.norms_store import InMemoryNormsStore
from plexlabor.intake.recording import FindingRecorder, PlantPlaces
from plexlabor.intake.wiring import NormsRefreshDependencies
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.pilot import (
    NEVER_HELD,
    PUNCH_FINDING,
    REVIEW_KINDS,
    Hold,
    PilotScope,
    Place,
    parse_codes,
    parse_kinds,
)
from plexlabor.platform.settings import PilotSettings
from plexlabor.validation.data import PlantData
from tests.support import FakeLambdaContext
from tests.unit.intake.intake_samples import PlantSamples, scheduled_event, sqs_event

NOW = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
ALWAYS = " · always for review: crew removal, incident coding"
"""What a scope that holds anything back adds to its description: the kinds it never holds (`NEVER_HELD`)."""


# ---- the settings ----------------------------------------------------------------------------------
def test_unset_the_scope_is_the_whole_plant_every_kind_flagged() -> None:
    scope = PilotSettings.from_env({}).pilot_scope

    assert scope == PilotScope() and scope.plant_wide and not scope.advisory
    assert scope.covers(None, None, None) and all(scope.notifies(kind) for kind in REVIEW_KINDS)
    assert scope.describe() == "Plant-wide · notifying every kind"


def test_the_settings_read_comma_separated_codes_and_the_mode() -> None:
    settings = PilotSettings.from_env(
        {
            "PILOT_DEPARTMENTS": " Molding, ,molding,Paint ",
            "PILOT_WORKCENTERS": "",
            "PILOT_SHIFTS": "1,2",
            "NOTIFY_KINDS": "punch_finding,crew_assignment",
            "ADVISORY_MODE": "true",
        }
    )

    assert settings.pilot_scope == PilotScope(
        departments=("Molding", "Paint"),
        shifts=("1", "2"),
        notify_kinds=(PUNCH_FINDING, "crew_assignment"),
        advisory=True,
    )
    assert settings.pilot_scope.describe() == (
        f"Pilot: departments Molding, Paint; shifts 1, 2 · advisory: findings are recorded, nobody is notified{ALWAYS}"
    )


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("PILOT_DEPARTMENTS", '["Molding"]', "is not a code"),
        ("PILOT_WORKCENTERS", "MLD-01;MLD-02", "is not a code"),
        ("PILOT_SHIFTS", "1,2,", None),  # a trailing comma is only a blank
        ("NOTIFY_KINDS", "punch", "unknown kind 'punch'"),
        ("NOTIFY_KINDS", "Punch_Finding", "unknown kind"),
        ("NOTIFY_KINDS", "punch_finding,crew_removal", "'crew_removal' always goes for review, whatever the pilot"),
        ("NOTIFY_KINDS", "incident_coding", "'incident_coding' always goes for review, whatever the pilot"),
        ("ADVISORY_MODE", "maybe", "valid boolean"),
    ],
)
def test_a_malformed_variable_is_refused_by_its_name(variable: str, value: str, complaint: str | None) -> None:
    if complaint is None:
        PilotSettings.from_env({variable: value})
        return
    with pytest.raises(ConfigurationError) as error:
        PilotSettings.from_env({variable: value})
    assert f"{variable}: " in str(error.value) and complaint in str(error.value)


def test_a_kind_never_held_is_refused_in_the_notify_kinds_and_never_held() -> None:
    """A crew removal always waits for its supervisor (crew.removals): listing it would change nothing."""
    with pytest.raises(ValueError, match="'crew_removal' always goes for review") as error:
        parse_kinds(["crew_removal"])
    assert "leave it out of the kinds that notify" in str(error.value)
    with pytest.raises(ValueError, match="unknown kind") as unknown:
        parse_kinds("punch")
    assert "crew_removal" not in str(unknown.value)  # not offered among the kinds to list
    pilot = PilotScope(departments=("Molding",), notify_kinds=(PUNCH_FINDING,), advisory=True)
    assert pilot.hold("crew_removal", Place("Paint")) is None and pilot.notifies("crew_removal")


@pytest.mark.parametrize("kinds", [["incident_coding"], ["crew_removal", "incident_coding"], "incident_coding"])
def test_leaving_out_the_only_kinds_listed_is_not_offered_as_a_narrower_pilot(kinds: list[str] | str) -> None:
    """review_s17 M3: doing what the refusal said left no kind listed, which notifies every kind; it points to advisory
    mode, which notifies none but the kinds never held."""
    with pytest.raises(ValueError) as error:
        parse_kinds(kinds)
    assert "left out, no kind remains, and no kinds listed means every kind notifies" in str(error.value)
    assert "turn advisory mode on instead (plexlabor:advisoryMode true, ADVISORY_MODE)" in str(error.value)
    advisory = PilotScope(departments=("MOLD",), advisory=True)
    assert [kind for kind in REVIEW_KINDS if advisory.notifies(kind)] == list(NEVER_HELD)
    with pytest.raises(ValueError) as mixed:  # another kind remains: leaving it out is enough
        parse_kinds([PUNCH_FINDING, "incident_coding"])
    assert "leave it out of the kinds that notify" in str(mixed.value) and "advisory" not in str(mixed.value)


def test_every_function_that_starts_approvals_reads_the_pilot() -> None:
    from plexlabor.intake.settings import NormsRefreshSettings, ValidatorSettings

    assert issubclass(ValidatorSettings, PilotSettings) and issubclass(NormsRefreshSettings, PilotSettings)


def test_codes_keep_their_order_and_spelling_and_accept_lists() -> None:
    assert parse_codes(["MLD-01", "Line 2 (north)", "mld-01"]) == ("MLD-01", "Line 2 (north)")
    assert parse_codes(None) == () and parse_codes(" , ") == ()


# ---- covers, notifies, hold ------------------------------------------------------------------------
def test_every_named_dimension_must_match_ignoring_case() -> None:
    scope = PilotScope(departments=("Molding",), shifts=("1", "2"))

    assert scope.covers("MOLDING", "MLD-01", "2")
    assert not scope.covers("Molding", "MLD-01", "3")
    assert not scope.covers("Assembly", None, "1")
    assert not scope.covers("Molding", None, None)  # a shift pilot cannot place an item with no shift
    assert PilotScope(workcenters=("MLD-01",)).covers(None, "mld-01", None)


def test_kinds_notify_unless_advisory_or_not_listed() -> None:
    listed = PilotScope(notify_kinds=(PUNCH_FINDING,))

    assert listed.notifies(PUNCH_FINDING) and not listed.notifies("crew_assignment")
    assert not PilotScope(advisory=True).notifies(PUNCH_FINDING)


def test_the_hold_says_why_outside_first() -> None:
    scope = PilotScope(departments=("Molding",), notify_kinds=("crew_assignment",), advisory=True)

    assert scope.hold(PUNCH_FINDING, Place("Paint")) is Hold.OUTSIDE_PILOT
    assert scope.hold(PUNCH_FINDING, None) is Hold.OUTSIDE_PILOT
    assert scope.hold(PUNCH_FINDING, Place("Molding")) is Hold.ADVISORY_MODE
    flagged = PilotScope(departments=("Molding",), notify_kinds=("crew_assignment",))
    assert flagged.hold(PUNCH_FINDING, Place("Molding")) is Hold.KIND_NOT_NOTIFIED
    assert flagged.hold("crew_assignment", Place("Molding")) is None
    assert Hold.ADVISORY_MODE.payload() == {"held": "advisory_mode", "advisory": True}
    assert Hold.OUTSIDE_PILOT.payload() == {"held": "outside_pilot", "advisory": False}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (PilotScope(), "Plant-wide · notifying every kind"),  # holds nothing back: no exception to name
        (
            PilotScope(workcenters=("MLD-01", "MLD-02")),
            f"Pilot: workcenters MLD-01, MLD-02 · notifying every kind{ALWAYS}",
        ),
        (
            PilotScope(shifts=("2",), notify_kinds=(PUNCH_FINDING,)),
            f"Pilot: shifts 2 · notifying punch_finding only{ALWAYS}",
        ),
        (PilotScope(advisory=True), f"Plant-wide · advisory: findings are recorded, nobody is notified{ALWAYS}"),
    ],
)
def test_the_description_is_one_line(scope: PilotScope, expected: str) -> None:
    assert scope.describe() == expected


# ---- where a finding is ----------------------------------------------------------------------------
def _person(plant_source: Any, employee_id: str | None) -> Any:
    return next(e for e in plant_source.employees() if e.id == employee_id)


def test_a_finding_is_placed_by_its_employee_and_workcenter(plant_source, samples: PlantSamples) -> None:
    (finding,) = samples.review.findings
    person = _person(plant_source, finding.employee_id)
    codes = {w.workcenter_id: w for w in plant_source.workcenters()}
    places = PlantPlaces(plant_source)

    assert places(finding) == Place(
        person.department_code, codes[person.home_workcenter_id].workcenter_code, person.default_shift_code
    )
    # the workcenter in the evidence is where it happened
    other = next(w for w in codes.values() if w.workcenter_id != person.home_workcenter_id)
    moved = finding.model_copy(update={"evidence": {**finding.evidence, "workcenter": other.workcenter_id}})
    assert places(moved).workcenter == other.workcenter_code
    # no employee: the workcenter's department, no shift
    machine = moved.model_copy(update={"employee_id": None})
    assert places(machine) == Place(other.department_code, other.workcenter_code, None)


def test_places_read_reference_data_once_per_max_age(plant_source, samples: PlantSamples) -> None:
    class Counting:
        reads = 0

        def __getattr__(self, name: str) -> Any:
            return getattr(plant_source, name)

        def employees(self) -> list[Any]:
            Counting.reads += 1
            return plant_source.employees()

    now = [0.0]
    places = PlantPlaces(Counting(), max_age_s=60, clock=lambda: now[0])  # type: ignore[arg-type]
    places(samples.review.findings[0])
    places(samples.other_review.findings[0])
    now[0] = 61.0
    places(samples.review.findings[0])
    assert Counting.reads == 2


# ---- recording -------------------------------------------------------------------------------------
def _recorder(audit, approvals, plant_source, scope: PilotScope) -> FindingRecorder:
    return FindingRecorder(
        audit=audit,
        approvals=approvals,
        actor="punch_validator",
        clock=lambda: NOW,
        default_supervisor="SUP-DEFAULT",
        scope=scope,
        places=PlantPlaces(plant_source),
    )


def _data(plant_source, samples: PlantSamples) -> PlantData:
    return PlantData.build({"employees": plant_source.employees()}, samples.timezone, NOW.timestamp())


def _pilot_of(plant_source, samples: PlantSamples, **changes: Any) -> PilotScope:
    """A pilot on the review sample's department and shift."""
    person = _person(plant_source, samples.review.findings[0].employee_id)
    scope = PilotScope(departments=(person.department_code,), shifts=(person.default_shift_code,))
    return dataclasses.replace(scope, **changes)


def test_inside_the_pilot_a_review_finding_opens_an_approval(plant_source, samples, audit, approvals) -> None:
    (finding,) = samples.review.findings
    recorder = _recorder(audit, approvals, plant_source, _pilot_of(plant_source, samples))

    recorded = recorder.record(finding, _data(plant_source, samples))

    (event,) = audit.history(finding.record_key)
    assert event.status is AuditStatus.PENDING_APPROVAL and recorded.approval_started and recorded.held is None
    assert "held" not in event.payload and "advisory" not in event.payload
    assert list(approvals.started) == [finding.finding_id]


def test_outside_the_pilot_a_review_finding_is_trend_data(plant_source, samples, audit, approvals) -> None:
    (finding,) = samples.review.findings
    person = _person(plant_source, finding.employee_id)
    other_shift = next(code for code in ("1", "2", "3") if code != person.default_shift_code)
    recorder = _recorder(audit, approvals, plant_source, _pilot_of(plant_source, samples, shifts=(other_shift,)))

    recorded = recorder.record(finding, _data(plant_source, samples))

    (event,) = audit.history(finding.record_key)
    assert event.status is AuditStatus.LOGGED and event.supervisor_id is None
    assert event.payload["held"] == "outside_pilot" and event.payload["advisory"] is False
    assert event.payload["route"] == "review"  # what the engine decided stays on record
    assert recorded.held is Hold.OUTSIDE_PILOT and not recorded.approval_started and approvals.attempts == 0


def test_in_advisory_mode_a_review_finding_is_recorded_and_nobody_is_notified(
    plant_source, samples, audit, approvals
) -> None:
    (finding,) = samples.review.findings
    supervisor = _person(plant_source, finding.employee_id).supervisor_id
    recorder = _recorder(audit, approvals, plant_source, _pilot_of(plant_source, samples, advisory=True))

    recorded = recorder.record(finding, _data(plant_source, samples))

    (event,) = audit.history(finding.record_key)
    assert event.status is AuditStatus.LOGGED
    assert event.payload["advisory"] is True and event.payload["held"] == "advisory_mode"
    assert event.supervisor_id == supervisor  # whom it would have gone to: the KPIs can count it
    assert recorded.held is Hold.ADVISORY_MODE and approvals.attempts == 0


def test_a_kind_that_does_not_notify_is_advisory(plant_source, samples, audit, approvals) -> None:
    (finding,) = samples.review.findings
    scope = PilotScope(notify_kinds=("crew_assignment",))
    recorder = FindingRecorder(
        audit=audit, approvals=approvals, actor="punch_validator", clock=lambda: NOW, scope=scope
    )

    recorded = recorder.record(finding, _data(plant_source, samples))

    (event,) = audit.history(finding.record_key)
    assert event.status is AuditStatus.LOGGED and event.payload["held"] == "kind_not_notified"
    assert recorded.held is Hold.KIND_NOT_NOTIFIED and approvals.attempts == 0


def test_advisory_needs_no_supervisor(plant_source, samples, audit, approvals) -> None:
    """An advisory finding about someone nobody can approve is recorded (nothing would be sent)."""
    (finding,) = samples.review.findings
    data = PlantData.build({"employees": []}, samples.timezone, NOW.timestamp())
    recorder = FindingRecorder(
        audit=audit, approvals=approvals, actor="punch_validator", clock=lambda: NOW, scope=PilotScope(advisory=True)
    )

    recorded = recorder.record(finding, data)

    assert recorded.supervisor_id is None and audit.history(finding.record_key)[0].payload["advisory"] is True


def test_a_trend_finding_is_logged_without_a_hold_anywhere(plant_source, samples, audit, approvals) -> None:
    finding = samples.review.findings[0].model_copy(update={"route": "trend"})
    recorder = _recorder(audit, approvals, plant_source, PilotScope(departments=("NOWHERE",), advisory=True))

    recorded = recorder.record(finding, _data(plant_source, samples))

    (event,) = audit.history(finding.record_key)
    assert event.status is AuditStatus.LOGGED and "held" not in event.payload and recorded.held is None


def test_a_scope_change_never_reroutes_a_finding_already_recorded(plant_source, samples, audit, approvals) -> None:
    # Given a finding recorded in advisory mode
    (finding,) = samples.review.findings
    data = _data(plant_source, samples)
    _recorder(audit, approvals, plant_source, PilotScope(advisory=True)).record(finding, data)
    # When advisory mode is switched off and the sweep finds it again
    again = _recorder(audit, approvals, plant_source, PilotScope()).record(finding, data)
    # Then it stays advisory: one logged event, no approval
    assert not again.new and not again.approval_started and approvals.attempts == 0
    assert [e.status for e in audit.history(finding.record_key)] == [AuditStatus.LOGGED]


def test_a_finding_recorded_for_review_gets_its_approval_even_in_advisory_mode_later(
    plant_source, samples, audit
) -> None:
    # Given a finding recorded for review whose approval start was lost (the first attempt died)
    (finding,) = samples.review.findings
    data = _data(plant_source, samples)

    class Lost(InMemoryApprovalStarter):
        def start(self, request: Any) -> bool:
            raise ConnectionError("Step Functions unavailable")

    with pytest.raises(ConnectionError):
        _recorder(audit, Lost(), plant_source, PilotScope()).record(finding, data)
    # When it is redelivered after advisory mode was switched on
    approvals = InMemoryApprovalStarter()
    again = _recorder(audit, approvals, plant_source, PilotScope(advisory=True)).record(finding, data)
    # Then the recorded status wins: the approval is started, as the audit trail says
    assert again.approval_started and list(approvals.started) == [finding.finding_id]


def test_a_pilot_naming_places_needs_the_plants_places(audit, approvals) -> None:
    with pytest.raises(ConfigurationError, match="places"):
        FindingRecorder(audit=audit, approvals=approvals, actor="x", clock=lambda: NOW, scope=PilotScope(shifts=("1",)))


# ---- the two callers -------------------------------------------------------------------------------
def test_the_validator_in_advisory_mode_records_and_starts_nothing(plant_source, samples: PlantSamples) -> None:
    audit, approvals = InMemoryAuditStore(), InMemoryApprovalStarter()
    deps = validator.Dependencies(
        source=plant_source,
        timezone=samples.timezone,
        recorder=_recorder(audit, approvals, plant_source, _pilot_of(plant_source, samples, advisory=True)),
        load_norms=InMemoryNormsStore().latest,
        persistence=InMemoryPersistenceLayer(),
        clock=lambda: NOW,
    )
    bodies = [samples.review.message().model_dump_json(), samples.other_review.message().model_dump_json()]

    response = validator.handler(sqs_event(bodies), FakeLambdaContext(), dependencies=deps)

    assert response == {"batchItemFailures": []} and approvals.attempts == 0
    assert audit.by_status(AuditStatus.PENDING_APPROVAL) == []
    held = {e.record_key: e.payload.get("held") for e in audit.by_status(AuditStatus.LOGGED)}
    assert held[samples.review.key] == "advisory_mode"


def test_the_sweep_counts_what_the_pilot_held_back(plant_source, audit, approvals) -> None:
    meta = plant_source.plant.meta()
    recorder = _recorder(audit, approvals, plant_source, PilotScope(departments=("NOWHERE",)))
    deps = NormsRefreshDependencies(
        source=plant_source,
        timezone=meta.timezone,
        norms_store=InMemoryNormsStore(),
        recorder=recorder,
        sweep_window=timedelta(days=2),
        clock=lambda: meta.end,
    )

    summary = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]

    assert summary["approvals_started"] == 0 and approvals.attempts == 0
    logged = audit.by_status(AuditStatus.LOGGED, limit=10_000)
    review = [e for e in logged if e.payload.get("route") == "review"]
    assert review and summary["held"] == {"outside_pilot": len(review)}
