"""A time without a zone is refused with a clear error at every way in, never read as UTC (issue 11 §3).

The models every record is read through (`models.types.UtcDatetime`), the webhook's body, a plant
folder's records (the batch commands skip and name them) and the engine's own parse. The CLI's window
flags are `commands.moment_flag`'s (tests/unit/cli).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from functions.punch_webhook import handler as webhook
from plexlabor.intake.queue import InMemoryPunchQueue
from plexlabor.models import TimeClockEntry
from plexlabor.models.base import PlexDataError
from plexlabor.models.types import NaiveTimeError, parse_plex_datetime
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.records import epoch
from plexlabor.validation.source import read_plant_data
from plexlabor.webhooks import sign
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.support import FakeLambdaContext, load_event
from tests.unit.intake.intake_samples import WEBHOOK_SECRET, WEBHOOK_SIGNED_AT

ZONED = "2026-03-02T05:52:00.0000000Z"
ZONELESS = "2026-03-02T05:52:00"


def test_the_models_refuse_a_time_without_a_zone_naming_the_field() -> None:
    row = {"id": "T1", "employeeId": "E1", "clockinTime": ZONED, "clockoutTime": ZONELESS}
    with pytest.raises(PlexDataError) as refused:
        TimeClockEntry.from_plex(row)
    assert refused.value.field == "clockoutTime" and "time without a zone: 2026-03-02T05:52:00" in str(refused.value)
    # near miss: the same instant with its zone, in Plex's form or with an offset, is read as that instant
    with_offset = TimeClockEntry.from_plex(dict(row, clockoutTime="2026-03-02T00:52:00-05:00"))
    assert with_offset.clockout_time == TimeClockEntry.from_plex(dict(row, clockoutTime=ZONED)).clockout_time
    assert with_offset.clockout_time is not None and with_offset.clockout_time.isoformat().endswith("+00:00")


def test_parsing_a_plex_date_refuses_one_without_a_zone() -> None:
    with pytest.raises(NaiveTimeError, match="end in Z"):
        parse_plex_datetime(ZONELESS)
    with pytest.raises(NaiveTimeError):
        parse_plex_datetime(datetime(2026, 3, 2, 5, 52))
    assert parse_plex_datetime(ZONED) == datetime.fromisoformat("2026-03-02T05:52:00+00:00")


def test_the_engine_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="without a zone"):
        epoch(ZONELESS)
    assert epoch(ZONED) == datetime.fromisoformat("2026-03-02T05:52:00+00:00").timestamp()


def test_the_webhook_answers_400_naming_a_time_without_a_zone() -> None:
    queue = InMemoryPunchQueue()
    deps = webhook.Dependencies(
        queue=queue, hmac_secret=lambda: WEBHOOK_SECRET, replay_window_s=300, clock=lambda: WEBHOOK_SIGNED_AT + 30
    )

    def post(clockin: str) -> tuple[int, dict[str, Any]]:
        event = load_event("punch_webhook")
        raw = json.dumps({"id": "T1", "employeeId": "E1", "clockinTime": clockin})
        event["body"] = raw
        event["headers"].update(sign(raw.encode(), WEBHOOK_SECRET, WEBHOOK_SIGNED_AT))
        response = webhook.handler(event, FakeLambdaContext(), dependencies=deps)
        return response["statusCode"], json.loads(response["body"])

    status, answer = post(ZONELESS)
    assert status == 400 and queue.messages == []
    (error,) = answer["errors"]
    assert error["field"] == "clockinTime" and "time without a zone" in error["problem"], answer
    status, _ = post(ZONED)  # near miss: with its zone it is accepted
    assert status == 202 and len(queue.messages) == 1


def test_a_folder_record_without_a_zone_is_skipped_and_named_and_the_rest_is_read(tmp_path: Path) -> None:
    generate_plant(PlantSpec(employees=8, weeks=1, seed=3), tmp_path)
    path = tmp_path / "time-clock-entries.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["clockinTime"] = record["clockinTime"].removesuffix("Z")
    lines[2] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = PlantFolder(tmp_path)
    meta = folder.meta()
    source = PlantFolderSource(folder, skip_bad_records=True)
    data = read_plant_data(source, meta.start, meta.end, meta.timezone)
    (bad,) = source.skipped
    assert (bad.line, bad.record_id) == (3, record["id"])
    assert "clockinTime" in str(bad) and "time without a zone" in str(bad)
    assert sum(len(punches) for punches in data.punches.values()) == len(lines) - 1
