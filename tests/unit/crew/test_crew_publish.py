"""publish_plan: recommendations in the audit table, keyed to the job operation, recorded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.crew.optimizer import MODEL_VERSION, solve
from plexlabor.crew.publish import publish_plan
from plexlabor.platform.pilot import PilotScope
from plexlabor.review.items import item_from_event
from plexlabor.review.queue import Role, Viewer
from tests.unit.crew.crew_builder import WELD, job, operator, place, problem

NOW = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
CNC04, CNC05 = place("CNC-04"), place("CNC-05", x=20)


def _plan():  # type: ignore[no-untyped-def]
    # E1 is planned at CNC-04 and gets it; E2 is planned nowhere and gets CNC-05; the weld job stays empty
    return solve(
        problem(
            [job("A", CNC04), job("B", CNC05), job("C", place("WLD-01"), requirements=(WELD,))],
            [operator("E1", planned=CNC04, efficiency={"CNC-04": 1.2}), operator("E2")],
        ),
        5,
    )


def test_each_assignment_and_each_short_segment_is_one_recommendation() -> None:
    plan = _plan()
    store = InMemoryAuditStore()
    result = publish_plan(plan, store, NOW)
    assert (result.published, result.already_published, result.invalid) == (3, 0, 0)
    assert dict(result.by_status) == {"logged": 1, "pending_approval": 2}

    [confirm] = store.history("job-operations:OP-A")
    assert confirm.event_type is AuditEventType.RECOMMENDATION and confirm.status is AuditStatus.LOGGED
    assert confirm.employee_id == "E1" and confirm.supervisor_id == "SUP-1"
    assert confirm.model_version == MODEL_VERSION and confirm.finding_id == confirm.event_id
    assert confirm.payload["kind"] == "crew_assignment" and not confirm.payload["changes_current_plan"]
    assert "certified L3 CNC_LATHE on CNC-04 (no expiry)" in confirm.payload["reasons"]

    [change] = store.history("job-operations:OP-B")
    assert change.status is AuditStatus.PENDING_APPROVAL and change.payload["changes_current_plan"]

    [short] = store.history("job-operations:OP-C")
    assert short.status is AuditStatus.PENDING_APPROVAL and short.employee_id is None
    assert short.payload["cause"] == "nobody_qualified" and "WELD_MIG L1" in short.payload["note"]
    # its end, as an assignment's, so the review sweep expires it when its time is over (review 155 R5)
    start, end = (datetime.fromisoformat(short.payload[key]) for key in ("start", "end"))
    assert end - start == timedelta(hours=short.payload["hours"]) and end > start


def test_a_recommendation_names_the_job_operation_by_job_number_and_operation_code() -> None:
    store = InMemoryAuditStore()
    publish_plan(_plan(), store, NOW)
    [change] = store.history("job-operations:OP-B")
    assert (change.payload["job_no"], change.payload["operation_code"]) == ("J-B", "10")
    assert change.payload["note"].startswith("Suggest E2 on CNC-05 for job J-B operation 10 (8.0 h, shift 1)")
    [short] = store.history("job-operations:OP-C")
    assert short.payload["note"].startswith("1 seat at WLD-01 for job J-C operation 10, shift 1, stays empty")
    assert "OP-" not in change.payload["note"] + short.payload["note"]  # never the job operation's Plex id


def test_a_rerun_records_nothing_twice() -> None:
    plan = _plan()
    store = InMemoryAuditStore()
    publish_plan(plan, store, NOW)
    again = publish_plan(plan, store, NOW)
    assert (again.published, again.already_published) == (0, 3)


def test_approval_modes_and_ids_the_table_refuses() -> None:
    plan = _plan()
    every = publish_plan(plan, InMemoryAuditStore(), NOW, approval="all")
    assert dict(every.by_status) == {"pending_approval": 3}
    none = publish_plan(plan, InMemoryAuditStore(), NOW, approval="none")
    assert dict(none.by_status) == {"logged": 3}
    bad = solve(problem([job("A", CNC04)], [operator("name@example.com")]), 5)
    result = publish_plan(bad, InMemoryAuditStore(), NOW)
    assert (result.published, result.invalid) == (0, 1)


def test_the_pilot_scope_holds_back_what_would_wait_for_approval() -> None:
    """Outside the pilot, in advisory mode, or for a kind that does not notify: logged, flagged as held."""
    plan = _plan()
    departments = {"WC-CNC-04": "MACH", "WC-CNC-05": "MACH", "WC-WLD-01": "WELD"}

    def statuses(scope: PilotScope) -> dict[str, tuple[str, object, object]]:
        store = InMemoryAuditStore()
        publish_plan(plan, store, NOW, approval="all", scope=scope, departments=departments)
        events = [e for key in ("OP-A", "OP-B", "OP-C") for e in store.history(f"job-operations:{key}")]
        return {e.record_key[-1]: (e.status.value, e.payload.get("held"), e.payload.get("advisory")) for e in events}

    pending = ("pending_approval", None, None)
    assert statuses(PilotScope(departments=("MACH",))) == {
        "A": pending,
        "B": pending,
        "C": ("logged", "outside_pilot", False),
    }
    assert statuses(PilotScope(workcenters=("CNC-05",), shifts=("1",)))["B"] == pending
    assert statuses(PilotScope(shifts=("2",)))["B"] == ("logged", "outside_pilot", False)
    assert set(statuses(PilotScope(advisory=True)).values()) == {("logged", "advisory_mode", True)}
    only_short = statuses(PilotScope(notify_kinds=("crew_unstaffed",)))
    assert only_short["C"] == pending and only_short["A"] == ("logged", "kind_not_notified", True)


def test_what_the_approval_mode_logs_anyway_carries_no_hold() -> None:
    store = InMemoryAuditStore()
    publish_plan(_plan(), store, NOW, approval="none", scope=PilotScope(advisory=True))
    assert all("held" not in e.payload for e in store.by_status(AuditStatus.LOGGED))


def test_a_suggestion_names_its_workcenters_department_so_that_departments_supervisors_see_it() -> None:
    store = InMemoryAuditStore()
    publish_plan(_plan(), store, NOW, departments={"WC-CNC-05": "MACH", "WC-WLD-01": None})
    [change] = store.history("job-operations:OP-B")
    [short] = store.history("job-operations:OP-C")
    assert change.payload["department"] == "MACH" and "department" not in short.payload  # unknown: left out
    item = item_from_event(change)
    assert item is not None and item.department == "MACH"
    mach = Viewer("SUP-9", frozenset({Role.SUPERVISOR}), departments=frozenset({"MACH"}))
    assert mach.may_see(item) and item.supervisor_id != "SUP-9"  # about their department, not routed to them
