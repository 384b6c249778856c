"""The preliminary data assessment: counts on a hand-built plant, consistency on the generated one, CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.assessment import AssessmentReport, assess
from plexlabor_dev.cli import main

TZ = ZoneInfo("America/Detroit")
MONDAY = date(2026, 11, 9)
MON, TUE, WED, THU, FRI = (MONDAY + timedelta(days=offset) for offset in range(5))


def at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def plex(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def tce(
    id: str, employee: str, day: date, t_in: str, t_out: str | None, source: str = "Device", by: str | None = None
) -> dict[str, Any]:
    return {
        "id": id,
        "employeeId": employee,
        "clockinTime": plex(at(day, t_in)),
        "clockoutTime": plex(at(day, t_out)) if t_out else None,
        "source": source,
        "createdDate": plex(at(day, t_in)),
        "modifiedBy": by,
    }


def assignment(employee: str, day: date, status: str = "Scheduled") -> dict[str, Any]:
    return {
        "id": f"{employee}-{day}",
        "employeeId": employee,
        "shiftId": "SH1",
        "workDate": day.isoformat(),
        "scheduledStart": plex(at(day, "06:00")),
        "scheduledEnd": plex(at(day, "14:30")),
        "status": status,
    }


def employee(id: str, home: str | None) -> dict[str, Any]:
    return {"id": id, "employeeNo": id, "firstName": "A", "lastName": "B", "homeWorkcenterId": home}


def login(id: str, employee: str, day: date, hhmm: str) -> dict[str, Any]:
    return {
        "id": id,
        "workcenterId": "WC1",
        "eventType": "OperatorLogin",
        "eventTime": plex(at(day, hhmm)),
        "employeeId": employee,
    }


def badge(id: str, employee: str, day: date, hhmm: str, direction: str = "In") -> dict[str, Any]:
    return {
        "id": id,
        "employeeId": employee,
        "deviceId": "DOOR-1",
        "buildingCode": "B1",
        "swipeTime": plex(at(day, hhmm)),
        "direction": direction,
    }


def labor(id: str, day: date, end: str | None) -> dict[str, Any]:
    return {
        "id": id,
        "employeeId": "E1",
        "workcenterId": "WC1",
        "jobId": "J1",
        "jobOperationId": "OP1",
        "startTime": plex(at(day, "06:10")),
        "endTime": plex(at(day, end)) if end else None,
        "quantity": 10,
    }


def cert(id: str, employee: str, skill: str, issued: str, expires: str | None) -> dict[str, Any]:
    return {
        "id": id,
        "employeeId": employee,
        "skillId": skill,
        "level": 2,
        "issuedDate": issued,
        "expiresDate": expires,
    }


def write_meta(plant: PlantFolder) -> None:
    plant.write_meta(
        PlantMeta(
            name="tiny",
            seed=0,
            timezone="America/Detroit",
            start=at(MON, "00:00"),
            end=at(FRI + timedelta(days=1), "00:00"),
            generated_at=at(FRI + timedelta(days=1), "00:00"),
            counts={},
            anomaly_rate=0.0,
            anomaly_counts={},
        )
    )


@pytest.fixture
def tiny(tmp_path: Path) -> PlantFolder:
    """Monday-Friday, extract Saturday 00:00. E1 direct labor, E2 indirect, E3 on leave."""
    plant = PlantFolder(tmp_path / "tiny")
    plant.write_raw("employees", [employee("E1", "WC1"), employee("E2", None), employee("E3", "WC1")])
    plant.write_raw(
        "shift-assignments",
        [assignment("E1", day) for day in (MON, TUE, WED, THU, FRI)]
        + [assignment("E2", MON), assignment("E2", TUE), assignment("E3", MON, status="Leave")],
    )
    plant.write_raw(
        "time-clock-entries",
        [
            tce("a1", "E1", MON, "05:58", "10:15"),
            tce("a2", "E1", MON, "10:45", "14:31"),
            tce("b1", "E1", TUE, "05:59", "10:15"),
            tce("b2", "E1", TUE, "10:45", None),  # open since Tuesday: older than 24 h
            tce("c1", "E1", WED, "06:02", "14:30", source="Manual", by="sup1"),  # edited
            tce("c2", "E1", WED, "06:02", "14:30"),  # same minute: duplicate-looking
            tce("d1", "E1", THU, "06:00", "14:30", by="sup1"),  # edited (modifiedBy set)
            tce("e1", "E2", MON, "06:00", "14:30"),
            tce("e2", "E2", TUE, "06:00", "14:30"),
            tce("e3", "E2", FRI, "20:00", None),  # open, but not for 24 h yet
            tce("x0", "E2", MON - timedelta(days=1), "06:00", "14:30"),  # Sunday: outside the window
        ],
    )
    plant.write_raw(
        "workcenter-events",
        [login("w1", "E1", MON, "06:05"), login("w2", "E1", TUE, "06:04"), login("w3", "E1", THU, "06:03")],
    )
    plant.write_raw(
        "badge-swipes",
        [
            badge("s1", "E1", MON, "05:50"),
            badge("s2", "E1", WED, "05:55"),
            badge("s3", "E1", THU, "05:52"),
            badge("s4", "E2", MON, "05:54"),
            badge("s5", "E2", TUE, "14:40", direction="Out"),  # an Out swipe is no badge-in
        ],
    )
    plant.write_raw(
        "labor-entries",
        [
            labor("l1", MON, "10:00"),
            labor("l2", TUE, None),
            labor("l3", WED, "14:00"),
            labor("l0", MON - timedelta(7), None),
        ],
    )
    plant.write_raw(
        "certifications",
        [
            cert("c-a-old", "E1", "SK-A", "2024-10-01", "2026-10-01"),  # lapsed, then renewed:
            cert("c-a-new", "E1", "SK-A", "2026-10-05", "2026-12-01"),  # expiring within 30 days
            cert("c-b", "E1", "SK-B", "2024-11-01", "2026-11-01"),  # expired
            cert("c-c", "E2", "SK-A", "2024-11-01", None),  # never expires
        ],
    )
    write_meta(plant)
    return plant


def test_tiny_plant_counts(tiny: PlantFolder) -> None:
    # Given the hand-built week / When assessed
    report = assess(tiny)
    # Then every count is the one built in
    assert report.window_start == at(MON, "00:00") and report.window_end == at(FRI + timedelta(days=1), "00:00")
    assert (report.employees, report.employees_with_punches) == (3, 2)
    assert report.time_clock_entries == 10
    assert (report.open_entries, report.open_entries_older_than_24h) == (2, 1)
    assert report.edited_entries == 2 and report.edited_share == pytest.approx(0.2)
    assert report.duplicate_looking_entries == 1
    assert (report.scheduled_shifts, report.worked_shifts, report.shifts_without_entry) == (7, 6, 1)
    assert (report.direct_labor_shifts, report.direct_labor_shifts_with_login) == (4, 3)
    assert report.workcenter_coverage == pytest.approx(0.75)
    assert report.worked_shifts_with_badge_in == 4 and report.badge_coverage == pytest.approx(4 / 6)
    assert (report.labor_entries, report.labor_entries_without_end) == (3, 1)
    assert (report.history_days_median, report.history_days_min, report.employees_short_history) == (5.0, 5, 2)
    assert (report.certifications_expired, report.certifications_expiring_30d) == (1, 1)
    # And the verdict names each gap
    assert report.readiness == "ready with gaps"
    text = " | ".join(report.reasons)
    for expected in ("2 of 2 employees", "75% of direct-labor", "67% of worked shifts", "20.0% of entries"):
        assert expected in text
    assert "1 entries open for more than 24 h" in text and "1 certifications expired" in text


def test_a_window_of_days_is_read_in_plant_local_time(tiny: PlantFolder) -> None:
    # When only Tuesday to Wednesday are assessed
    report = assess(tiny, since=TUE, until=WED)
    # Then the window is local midnight to local midnight, and the counts follow it
    assert report.window_start == at(TUE, "00:00") and report.window_end == at(THU, "00:00")
    assert report.time_clock_entries == 5  # b1, b2, c1, c2, e2
    assert report.scheduled_shifts == 3 and report.shifts_without_entry == 0
    assert report.history_days_min == 2


def test_the_port_path_gives_the_same_numbers(tiny: PlantFolder) -> None:
    # Given the same plant behind the labor-data port (as a Plex client would serve it)
    meta = tiny.meta()
    direct = assess(tiny)
    # When assessed through the port, with the time zone and extract time given
    ported = assess(PlantFolderSource(tiny), meta.start, meta.end, as_of=meta.end, timezone=meta.timezone)
    # Then only the source's name differs
    assert ported.model_dump(exclude={"source"}) == direct.model_dump(exclude={"source"})


def test_a_port_without_a_time_zone_uses_its_buildings(tiny: PlantFolder) -> None:
    tiny.write_raw(
        "buildings",
        [{"buildingCode": "B1", "name": "B1", "siteCode": "S1", "timezone": "America/Detroit",
          "latitude": 42.3, "longitude": -83.0, "geofenceRadiusM": 250}],
    )  # fmt: skip
    report = assess(PlantFolderSource(tiny), MON, FRI, as_of=tiny.meta().end)
    assert report.timezone == "America/Detroit" and report.window_start == at(MON, "00:00")


def test_no_punches_and_no_schedules_is_not_ready(tmp_path: Path) -> None:
    plant = PlantFolder(tmp_path / "empty")
    plant.write_raw("employees", [employee("E1", None)])
    write_meta(plant)
    report = assess(plant)
    assert report.readiness == "not ready"
    assert any("no time-clock entries" in reason for reason in report.reasons)
    assert any("no scheduled shifts" in reason for reason in report.reasons)


def test_an_empty_window_is_an_error(tiny: PlantFolder) -> None:
    with pytest.raises(ValueError, match="empty window"):
        assess(tiny, since=FRI, until=MON)


# ---- progress ---------------------------------------------------------------------------------


def test_each_step_is_told_with_its_count(tiny: PlantFolder) -> None:
    told: list[str] = []
    assess(tiny, on_step=told.append)
    total = int(told[0].rsplit("/", 1)[1].rstrip(")"))
    assert len(told) == total and told[0] == f"employees (1/{total})" and told[-1] == f"done ({total}/{total})"
    assert any(line.startswith("badge swipes from ") for line in told)


# ---- the generated plant ----------------------------------------------------------------------


def _in_window(row_time: str, report: AssessmentReport) -> bool:
    return report.window_start <= datetime.fromisoformat(row_time) < report.window_end


def test_labelled_plant_numbers_agree_with_the_raw_records(labelled_plant: PlantFolder) -> None:
    # Given the generated plant / When assessed
    report = assess(labelled_plant)
    # Then the counts agree with the records in the window
    entries = [r for r in labelled_plant.iter_raw("time-clock-entries") if _in_window(r["clockinTime"], report)]
    assert report.time_clock_entries == len(entries)
    assert report.open_entries == sum(1 for r in entries if r["clockoutTime"] is None)
    edited = sum(1 for r in entries if r["source"] == "Manual" or r.get("modifiedBy"))
    assert report.edited_entries == edited and report.edited_share == pytest.approx(edited / len(entries))
    labour = [r for r in labelled_plant.iter_raw("labor-entries") if _in_window(r["startTime"], report)]
    assert report.labor_entries == len(labour)
    assert report.labor_entries_without_end == sum(1 for r in labour if r.get("endTime") is None)
    duplicates = [label for label in labelled_plant.labels() if label.anomaly_type == "DUPLICATE_PUNCH"]
    assert report.duplicate_looking_entries >= len(duplicates)
    # And the shift counts add up, with shares in range
    assert report.scheduled_shifts == report.worked_shifts + report.shifts_without_entry
    assert report.direct_labor_shifts <= report.worked_shifts
    assert report.workcenter_coverage is not None and 0.8 < report.workcenter_coverage <= 1
    assert report.badge_coverage is not None and 0.8 < report.badge_coverage <= 1
    assert report.history_days_min is not None and report.history_days_min <= report.history_days_median  # type: ignore[operator]
    assert report.employees == len(list(labelled_plant.iter_raw("employees")))
    assert report.readiness in ("ready", "ready with gaps", "not ready") and report.reasons


# ---- CLI --------------------------------------------------------------------------------------


def test_assess_cli_prints_a_report(tiny: PlantFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--plant", str(tiny.path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Data assessment of plant folder {tiny.path}")
    assert "time-clock entries            10" in out
    assert "open (no clock-out)         2 (1 older than 24 h)" in out
    assert "readiness: ready with gaps" in out


def test_assess_cli_json_and_days(tiny: PlantFolder, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["assess", "--plant", str(tiny.path), "--since", "2026-11-10", "--until", "2026-11-11", "--json"])
    assert code == 0
    report = AssessmentReport.model_validate(json.loads(capsys.readouterr().out))
    assert report.time_clock_entries == 5
    # the same window as instants with their zone (the one window parser validate uses too)
    since, until = report.window_start.isoformat(), report.window_end.isoformat()
    assert main(["assess", "--plant", str(tiny.path), "--since", since, "--until", until, "--json"]) == 0
    same = AssessmentReport.model_validate(json.loads(capsys.readouterr().out))
    assert (same.window_start, same.window_end, same.time_clock_entries) == (report.window_start, report.window_end, 5)


def test_assess_cli_names_bad_arguments(tiny: PlantFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--plant", str(tmp_path / "nowhere")]) == 2
    assert "--plant" in capsys.readouterr().err
    assert main(["assess", "--plant", str(tiny.path), "--since", "10/11/2026"]) == 2
    assert "--since" in capsys.readouterr().err


def test_assess_cli_plex_url_needs_an_api_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PLEXLABOR_PLEX_API_KEY", raising=False)
    assert main(["assess", "--plex-url", "http://127.0.0.1:9"]) == 2
    assert "PLEXLABOR_PLEX_API_KEY" in capsys.readouterr().err


def test_assess_cli_plex_url_unreachable_is_a_clean_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given settings for a Plex URL nobody listens on (loopback port 9), without retries
    monkeypatch.setenv("PLEXLABOR_PLEX_API_KEY", "k")
    monkeypatch.setenv("PLEXLABOR_PLEX_DATASOURCE_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PLEXLABOR_PLEX_DATASOURCE_USERNAME", "user")
    monkeypatch.setenv("PLEXLABOR_PLEX_DATASOURCE_PASSWORD", "secret")
    monkeypatch.setenv("PLEXLABOR_PLEX_MAX_RETRIES", "0")
    monkeypatch.setenv("PLEXLABOR_PLEX_RATE_LIMIT_PER_MINUTE", "0")
    # When assessed / Then exit code 1 and a one-line error naming the URL, no traceback
    assert main(["assess", "--plex-url", "http://127.0.0.1:9", "--since", "2026-11-09", "--until", "2026-11-13"]) == 1
    err = capsys.readouterr().err
    assert "--plex-url http://127.0.0.1:9" in err and "Traceback" not in err and "secret" not in err
