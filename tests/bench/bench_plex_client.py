"""Throughput of PlexLaborClient against the simulator on 127.0.0.1 (run by `make bench`).

Builds a plant of 5,000 punches (100 employees x 50 days), serves it with a rate limit high enough not
to matter, and reads it back through the client: REST punches (7-day chunks), the modified-date poll,
labor entries, and a dated data source. Prints records/s and calls/s.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from plexlabor.plex import PlantFolderSource, PlexLaborClient
from plexlabor_dev.simulator.sample_plant import DEFAULT_START, write_sample_plant
from plexlabor_dev.simulator.server import SimulatorServer

EMPLOYEES, DAYS = 100, 50
TIME_BUDGET_S = 60.0


def test_bench_plex_client_reads_a_plant_over_http(tmp_path: Path) -> None:
    started = time.perf_counter()
    counts = write_sample_plant(tmp_path, employees=EMPLOYEES, days=DAYS)
    build_s = time.perf_counter() - started
    begin, end = DEFAULT_START, DEFAULT_START + timedelta(days=DAYS + 2)
    folder = PlantFolderSource(tmp_path)
    with SimulatorServer(tmp_path, rate_limit=1_000_000) as sim:
        client = PlexLaborClient(sim.settings(rate_limit_per_minute=0, datasource_row_limit="raise"))
        results = []
        for name, read in (
            ("time-clock-entries", lambda: client.time_clock_entries(begin, end)),
            ("time-clock-entries (modified poll)", lambda: client.time_clock_entries_modified(begin, end)),
            ("labor-entries", lambda: client.labor_entries(begin, end)),
            ("badge-swipes (data source)", lambda: client.badge_swipes(begin, end)),
        ):
            calls_before = len(sim.requests())
            t0 = time.perf_counter()
            read_back = read()
            elapsed = time.perf_counter() - t0
            calls = len(sim.requests()) - calls_before
            results.append((name, len(read_back), calls, elapsed))
            assert time.perf_counter() - started < TIME_BUDGET_S, "benchmark over its time budget"
        t0 = time.perf_counter()
        from_disk = folder.time_clock_entries(begin, end)
        disk_s = time.perf_counter() - t0
    assert results[0][1] == counts["time-clock-entries"] == EMPLOYEES * DAYS == len(from_disk)
    print(f"\nplant: {counts['time-clock-entries']} punches, built in {build_s:.2f} s")
    for name, records, calls, elapsed in results:
        print(
            f"  {name:36s} {records:6d} records in {calls:2d} calls, {elapsed:6.3f} s"
            f" = {records / elapsed:9.0f} records/s, {calls / elapsed:6.1f} calls/s"
        )
    print(f"  {'PlantFolderSource (disk, first read)':36s} {len(from_disk):6d} records, {disk_s:6.3f} s")
