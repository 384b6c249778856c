"""Skills benchmark: coverage and compliance for a 5,000-employee plant over 14 days, and recall.

Run by `make bench` (never by `make test`). Generates `PlantSpec(employees=5000, weeks=4, seed=401)`
(not timed), then times reading the folder plus coverage and compliance (target < 30 s), and, apart,
cross-training and the full report. Recall: every certification that blocks scheduled work, with the
truth computed from the raw rows by the unit test's own simple code (target 1.0).
"""

from __future__ import annotations

import time
from pathlib import Path

from plexlabor.skills.certs import CertIndex, Qualification
from plexlabor.skills.compliance import compute_compliance
from plexlabor.skills.coverage import compute_coverage
from plexlabor.skills.data import load_from_folder
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.training import recommend_training
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.unit.skills.test_skills_generated_plant import blocked_truth, found_blocks

SPEC = PlantSpec(employees=5000, weeks=4, seed=401)
TARGET_S = 30.0


def test_skills_benchmark(tmp_path: Path) -> None:
    started = time.perf_counter()
    generate_plant(SPEC, tmp_path)
    generated = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    data = load_from_folder(tmp_path)
    loaded = time.perf_counter() - started
    index = CertIndex(data.certifications)
    qualification = Qualification(data)
    coverage = compute_coverage(data, qualification)
    covered = time.perf_counter() - started
    compliance = compute_compliance(data, index, qualification, coverage)
    checked, checked_cpu = time.perf_counter() - started, time.process_time() - cpu
    training = recommend_training(data, index, qualification, coverage)
    trained = time.perf_counter() - started

    started = time.perf_counter()
    report = assess_skills(data)
    full = time.perf_counter() - started

    truth, culprit = blocked_truth(tmp_path)
    found, certs = found_blocks(report)
    recall = len(truth & found) / len(truth) if truth else 1.0
    gaps = coverage.gaps()
    print()
    print(f"plant: {SPEC.employees} employees, {SPEC.weeks} weeks, seed {SPEC.seed} (generated in {generated:.1f} s)")
    print(
        f"snapshot: {len(data.planned)} planned shifts, {len(data.operations)} scheduled operations, "
        f"{len(data.work)} labor entries and logins, {len(data.certifications)} certifications"
    )
    print(
        f"time: read {loaded:.1f} s + coverage {covered - loaded:.1f} s + compliance {checked - covered:.1f} s "
        f"= {checked:.1f} s (target < {TARGET_S:.0f} s; {checked_cpu:.1f} s of CPU); "
        f"cross-training {trained - checked:.1f} s; full report from the snapshot {full:.1f} s"
    )
    at_risk, after_cover = sum(g.hours_at_risk for g in gaps), sum(g.hours_after_cover for g in gaps)
    print(
        f"coverage: {len(coverage.instances)} workcenter shifts with work, {len(gaps)} gaps, "
        f"{at_risk:,.0f} h at risk, {after_cover:,.0f} h after cover"
    )
    fullest = max(coverage.instances.values(), key=lambda i: i.hours / (i.needed * i.seat_hours))
    beyond = [i.hours_beyond_seats for i in coverage.instances.values() if i.hours_beyond_seats > 0.005]
    top = report.bottlenecks[0]
    print(
        f"seats: the fullest workcenter shift holds {fullest.hours:.1f} h of its {fullest.needed} x "
        f"{fullest.seat_hours:.1f} h; {sum(beyond):,.0f} h scheduled beyond the seats in {len(beyond)} workcenter "
        f"shifts; top bottleneck {top.workcenter_code} {top.hours_at_risk_after_cover:,.1f} h after cover"
    )
    print(
        f"compliance: expiring {report.totals.expiring} ({report.totals.expiring_blocking} blocking), "
        f"lapsed {len(compliance.lapsed)} ({report.totals.lapsed_blocking} blocking), "
        f"used while lapsed {len(compliance.lapse_uses)}, uncertified use {len(compliance.uncertified_uses)}; "
        f"cross-training for {len(training)} workcenters"
    )
    print(
        f"recall: {len(truth & found)}/{len(truth)} blocked planned shifts = {recall:.3f} (target 1.0); "
        f"{len(set(culprit.values()))} certifications; {len(found - truth)} reported that are not blocked"
    )
    assert truth and recall == 1.0 and found == truth and certs == culprit
    assert checked < TARGET_S, f"coverage + compliance took {checked:.1f} s (target < {TARGET_S:.0f} s)"
