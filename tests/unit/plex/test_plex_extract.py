"""A snapshot packed for later (the backfill's slice extracts) reads back as the same snapshot, or not at all."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest

from plexlabor.plant import PlantFolder
from plexlabor.plex.extract import ExtractError, pack_snapshot, unpack_snapshot
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.snapshot import PlexSnapshot
from plexlabor.validation.source import read_plant_snapshot


@pytest.fixture(scope="module")
def snapshot(labelled_plant: PlantFolder) -> PlexSnapshot:
    meta = labelled_plant.meta()
    return read_plant_snapshot(PlantFolderSource(labelled_plant), meta.end - timedelta(weeks=3), meta.end)


def test_a_packed_snapshot_reads_back_equal_record_for_record(snapshot: PlexSnapshot) -> None:
    rows = snapshot.rows()
    assert all(rows[kind] for kind in ("time-clock-entries", "labor-entries", "workcenter-events", "employees"))
    assert not rows["scrap-entries"]  # a kind not read stays empty
    body = pack_snapshot(snapshot)
    back = unpack_snapshot(body)
    assert back == snapshot and back.windows == snapshot.windows and back.timezone == snapshot.timezone
    assert len(body) < sum(len(r.model_dump_json()) for rs in rows.values() for r in rs) / 4  # compressed


def test_what_is_not_a_packed_snapshot_is_refused(snapshot: PlexSnapshot) -> None:
    body = gzip.decompress(pack_snapshot(snapshot))
    with pytest.raises(ExtractError, match="not a packed snapshot"):
        unpack_snapshot(b"not gzip")
    with pytest.raises(ExtractError, match="format"):
        unpack_snapshot(gzip.compress(b'{"format": "other"}\n[]'))
    with pytest.raises(ExtractError, match="truncated"):
        unpack_snapshot(gzip.compress(body.rsplit(b"\n", 1)[0]))


def test_a_record_that_does_not_parse_is_named_with_its_field(snapshot: PlexSnapshot) -> None:
    header, *arrays = gzip.decompress(pack_snapshot(snapshot)).split(b"\n")
    kinds = [kind for kind, rows in snapshot.rows().items() if rows]
    at = kinds.index("time-clock-entries")
    arrays[at] = arrays[at].replace(b'"clockinTime":"', b'"clockinTime":"x', 1)
    with pytest.raises(ValueError, match="clockinTime"):
        unpack_snapshot(gzip.compress(b"\n".join([header, *arrays])))
