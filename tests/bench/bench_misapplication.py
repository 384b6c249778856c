"""Which (shift, workcenter, job code) combinations get misapplied next week, on held-out weeks.

Run by `make bench` (never by `make test`). Plants `PlantSpec(employees=200, weeks=10, seed=s,
misapplication_hotspots=0.1)` for s in 821-822 (development used seed 5), and the same seeds without
hotspots (a control: misapplied job codes drawn uniformly, nothing to predict). For each of the last
three weeks W: `allocation.misapplication` ranks the combinations from weeks W-6..W-1 (labor entries
and the finding rule; no supervisor decisions on a plant folder); in W, scored against the generator's
labels (a labelled JOB_CODE_MISMATCH entry counted at the combination of the operation really worked):

- precision@10: the share of the 10 top combinations active in W that had a misapplied entry in W,
  against the base rate (the share of all combinations active in W that had one);
- the misapplied share of entries in the top 10 against the plant's.
Nothing is asserted: the figures are printed as measured.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from plexlabor.allocation.misapplication import Combination, predict, read_trials
from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

SEEDS = (821, 822)
EMPLOYEES, WEEKS, TRAIN_WEEKS, HELD_OUT_WEEKS, TOP = 200, 10, 6, 3, 10


def _truth(folder: PlantFolder, begin: datetime, end: datetime) -> tuple[Counter[Combination], Counter[Combination]]:
    """Entries and misapplied entries per true combination, in [begin, end)."""
    source = PlantFolderSource(folder)
    worked = {
        label.record_key.split(":", 1)[1]: (label.detail or "").removeprefix("worked ")
        for label in folder.labels()
        if label.anomaly_type == AnomalyType.JOB_CODE_MISMATCH
    }
    operations = {op.id: op for op in source.job_operations()}
    shift = {e.id: e.default_shift_code for e in source.employees()}
    entries: Counter[Combination] = Counter()
    bad: Counter[Combination] = Counter()
    for entry in source.labor_entries(begin, end):
        op = operations.get(worked.get(entry.id, entry.job_operation_id))
        if entry.end_time is None or op is None or not shift.get(entry.employee_id):
            continue
        combination = Combination(str(shift[entry.employee_id]), entry.workcenter_id, op.part_id, op.operation_code)
        entries[combination] += 1
        bad[combination] += entry.id in worked
    return entries, bad


def _held_out(folder: PlantFolder) -> list[tuple[float, float, float, float]]:
    source = PlantFolderSource(folder)
    end = folder.meta().end
    rows = []
    for k in range(HELD_OUT_WEEKS, 0, -1):
        week_end = end - timedelta(weeks=k - 1)
        week_start = week_end - timedelta(weeks=1)
        trials = read_trials(source, week_start - timedelta(weeks=TRAIN_WEEKS), week_start)
        ranked = predict([(t.combination, t.misapplied) for t in trials], top=10_000)
        entries, bad = _truth(folder, week_start, week_end)
        active = [g for g in ranked if Combination(g.shift, g.workcenter_id, g.part_id, g.operation_code) in entries]
        chosen = [Combination(g.shift, g.workcenter_id, g.part_id, g.operation_code) for g in active[:TOP]]
        precision = sum(bad[c] > 0 for c in chosen) / len(chosen)
        base = sum(bad[c] > 0 for c in entries) / len(entries)
        top_rate = sum(bad[c] for c in chosen) / sum(entries[c] for c in chosen)
        plant_rate = sum(bad.values()) / sum(entries.values())
        rows.append((precision, base, top_rate, plant_rate))
    return rows


def test_misapplication_benchmark(tmp_path: Path) -> None:
    for hotspots in (0.1, 0.0):
        for seed in SEEDS:
            path = tmp_path / f"plant-{seed}-{hotspots}"
            spec = PlantSpec(employees=EMPLOYEES, weeks=WEEKS, seed=seed, misapplication_hotspots=hotspots)
            generate_plant(spec, path)
            for week, (precision, base, top_rate, plant_rate) in enumerate(_held_out(PlantFolder(path)), 1):
                print(
                    f"\nhotspots {hotspots}, seed {seed}, held-out week {week}: precision@{TOP} {precision:.0%} "
                    f"vs base rate {base:.1%}; misapplied share of entries in the top {TOP} {top_rate:.1%} "
                    f"vs plant {plant_rate:.1%}"
                )
