"""The anomaly injectors: the registry covers every type, and each injector makes and labels its anomaly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator import production
from plexlabor_dev.simulator.anomalies import (
    DAY_INJECTORS,
    DAY_TYPE_WEIGHTS,
    EXCESSIVE_WEEKS,
    INJECTORS,
    LABOR_ENTRY_INJECTORS,
    LATE_RENEWAL,
    NO_INJECTION,
    UNATTENDED_RUNS,
    DayInjector,
    LaborDraft,
    labelled_types,
)
from plexlabor_dev.simulator.anomalies.improbable_duration import IMPROBABLE_DURATION
from plexlabor_dev.simulator.anomalies.job_code_mismatch import JOB_CODE_MISMATCH
from plexlabor_dev.simulator.anomalies.missed_break import label_long_entries
from plexlabor_dev.simulator.anomalies.punch_offsets import EARLY_CLOCK_IN, LATE_CLOCK_OUT
from plexlabor_dev.simulator.anomalies.uncertified_operator import UNCERTIFIED_COVER
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.workday import run_day
from plexlabor_dev.simulator.world import Person, ShiftDay


def test_the_registry_covers_every_anomaly_type() -> None:
    assert labelled_types() == set(AnomalyType)
    assert all(injector.labels for injector in INJECTORS), "an injector that labels nothing"


def test_day_injectors_are_distinct_and_share_at_most_every_day() -> None:
    assert len(DAY_TYPE_WEIGHTS) == len(DAY_INJECTORS)
    assert 0 < sum(DAY_TYPE_WEIGHTS.values()) <= 1
    assert NO_INJECTION not in DAY_INJECTORS and not NO_INJECTION.labels


def worked_day(sim: Sim, person: Person, injector: DayInjector) -> ShiftDay:
    """Run one weekday early in the history for `person` with `injector`; return the day."""
    day = sim.start_date + timedelta(days=(7 - sim.start_date.weekday()) % 7 + 1)  # a Tuesday
    start, end = sim.shift_window(day, person.shift)
    shift_day = ShiftDay(person, day, start, end, person.home_wc)
    run_day(sim, injector, shift_day)
    return shift_day


def day_labels(sim: Sim) -> dict[AnomalyType, set[str]]:
    found: dict[AnomalyType, set[str]] = {}
    for label in sim.out.labels:
        found.setdefault(label.anomaly_type, set()).add(label.record_key.split(":")[0])
    return found


@pytest.mark.parametrize("injector", [i for i in DAY_INJECTORS if i is not UNCERTIFIED_COVER], ids=lambda i: i.kind)
def test_each_day_injector_labels_its_type(sim: Sim, machinist: Person, injector: DayInjector) -> None:
    # Given an operator's worked day with the injector
    shift_day = worked_day(sim, machinist, injector)
    # Then the day carries the injector's label, on a time-clock entry (or the badge-in of a day never punched)
    labels = day_labels(sim)
    for anomaly in injector.labels:
        assert anomaly in labels, f"{injector.kind} did not label {anomaly}"
        expected = "badge-swipes" if injector.no_clock_in else "time-clock-entries"
        assert labels[anomaly] == {expected}
    # And labelled entries are among the day's records
    keys = {record_key("time-clock-entries", r["id"]) for r in shift_day.records}
    assert all(label.record_key in keys for label in sim.out.labels if label.record_key.startswith("time-clock"))


def test_a_normal_day_has_two_entries_around_the_break_and_no_day_level_label(sim: Sim, machinist: Person) -> None:
    shift_day = worked_day(sim, machinist, NO_INJECTION)
    assert len(shift_day.records) == 2
    assert shift_day.pairs[0][1] < shift_day.pairs[1][0]
    day_types = set().union(*(i.labels for i in DAY_INJECTORS)) - {AnomalyType.UNCERTIFIED_OPERATOR}
    assert not day_types & day_labels(sim).keys()


def test_uncertified_cover_sends_the_operator_where_they_are_not_qualified(sim: Sim, machinist: Person) -> None:
    # Given a machinist who holds no certification at all
    machinist.certs.clear()
    # When the cover injector chooses the day's workcenter
    shift_day = ShiftDay(machinist, sim.start_date, 0.0, 8 * HOUR, machinist.home_wc)
    UNCERTIFIED_COVER.choose_workcenter(sim, shift_day)
    # Then it is a Machining workcenter the operator is not qualified for
    assert shift_day.workcenter in sim.world.wc_by_dept["MACH"]
    assert not sim.world.qualified(machinist, shift_day.workcenter, shift_day.day)


def test_punch_offsets_go_beyond_grace_and_habit(sim: Sim, machinist: Person) -> None:
    grace = sim.policy.grace_minutes
    for _ in range(50):
        shift_day = ShiftDay(machinist, sim.start_date, 0.0, 8 * HOUR, machinist.home_wc)
        EARLY_CLOCK_IN.shift_offsets(sim, shift_day)
        LATE_CLOCK_OUT.shift_offsets(sim, shift_day)
        assert shift_day.off_in < -grace and shift_day.off_in < machinist.mu_in - 3.5 * machinist.sd_in
        assert shift_day.off_out > grace and shift_day.off_out > machinist.mu_out + 3.5 * machinist.sd_out


def test_missed_break_rule_skips_entries_whose_times_are_corrupt(sim: Sim, machinist: Person) -> None:
    # Given two 7-hour entries, the second a labelled duplicate
    long_entry = {"id": "a", "clockoutTime": "2026-01-01T15:00:00.0000000Z"}
    duplicate = {"id": "b", "clockoutTime": "2026-01-01T15:00:00.0000000Z"}
    shift_day = ShiftDay(machinist, sim.start_date, 0.0, 8 * HOUR, None, pairs=[(0.0, 7 * HOUR), (0.0, 7 * HOUR)])
    shift_day.records = [long_entry, duplicate]
    shift_day.label(duplicate, AnomalyType.DUPLICATE_PUNCH, "injected")
    # When the rule runs
    label_long_entries(sim, shift_day)
    # Then only the measurable entry is labelled a missed break
    missed = [record["id"] for record, anomaly, _ in shift_day.labelled if anomaly == AnomalyType.MISSED_BREAK]
    assert missed == ["a"]


def test_labor_entry_injectors(sim: Sim, machinist: Person) -> None:
    assert [i.anomaly for i in LABOR_ENTRY_INJECTORS] == [
        AnomalyType.IMPROBABLE_DURATION,
        AnomalyType.JOB_CODE_MISMATCH,
    ]
    # Given an operation the operator's workcenter is approved for, and recent jobs elsewhere
    assert machinist.home_wc is not None
    for wc_id in sim.world.workcenters:
        production.new_job(sim, wc_id, sim.as_of)
    op = production.current_op(sim, machinist.home_wc, sim.as_of)
    draft = LaborDraft(machinist, machinist.home_wc, 100.0, 100.0, op)
    # Then an improbable duration reports far from what was produced
    assert IMPROBABLE_DURATION.apply(sim, draft)
    assert not 60 <= draft.reported <= 180
    # And a job-code mismatch charges an operation not approved at the workcenter
    if JOB_CODE_MISMATCH.apply(sim, draft):
        charged = draft.charged
        assert machinist.home_wc not in sim.world.approved_at[(charged.part_id, charged.operation_code)]


def test_excessive_weeks_label_the_first_entry_of_a_week_over_the_limit(sim: Sim) -> None:
    # Given one employee-week over the limit and one under
    world = sim.world
    world.week_hours[("e1", (2026, 40))] = sim.policy.weekly_hours_limit + 1
    world.week_first_tce[("e1", (2026, 40))] = ("2026-09-28T10:00:00.0000000Z", "first")
    world.week_hours[("e2", (2026, 40))] = sim.policy.weekly_hours_limit - 1
    world.week_first_tce[("e2", (2026, 40))] = ("2026-09-28T10:00:00.0000000Z", "other")
    # When the rule runs
    EXCESSIVE_WEEKS.label_weeks(sim)
    # Then only the first is labelled, on its first entry
    assert [(label.record_key, label.employee_id) for label in sim.out.labels] == [("time-clock-entries:first", "e1")]
    assert EXCESSIVE_WEEKS.shift_end(2, 0.0) == 2.5 * HOUR and EXCESSIVE_WEEKS.shift_end(0, 0.0) == 0.0


def test_unattended_runs_are_labelled_on_their_run_start(sim: Sim) -> None:
    # Given a workcenter nobody ever logged in at, and every week drawn
    wc_id = next(iter(sim.world.workcenters))
    sim.scale = 1 / UNATTENDED_RUNS.rate
    UNATTENDED_RUNS.inject(sim, wc_id, [])
    # Then each run is labelled once on its RunStart
    assert sim.out.labels and all(label.anomaly_type == AnomalyType.UNATTENDED_MACHINE for label in sim.out.labels)
    assert sim.out.counts["workcenter-events"] == 2 * len(sim.out.labels)


def test_late_renewals_fall_inside_the_history_only(sim: Sim) -> None:
    sim.scale = 0.25  # half of the renewals late
    inside = sim.start_date + timedelta(days=3)
    late = [LATE_RENEWAL.renewal(sim, inside) for _ in range(200)]
    assert any(late) and not all(late)
    assert all(3 <= (day - inside).days <= 15 for day in late if day)
    assert LATE_RENEWAL.renewal(sim, sim.start_date - timedelta(days=1)) is None
