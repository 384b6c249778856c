"""Same seeds give the same plants: the generator's output is pinned where nothing was meant to change.

(Two generations of one spec being byte-identical is `test_generator.py`'s first test.)

The digests below were recorded from the generator before it was split into parts (one class of
1,250 lines); the split kept every random draw in its order. A change that is meant to alter the
plants (a new pattern, a new draw, another default) updates them: run this test, check that the
files named are the ones the change should touch, and paste the digests it prints.

The true operator effects (issue 14) changed only what they write: scrap quantities (the scrap factor
replaced `2 - efficiency`), the reasons of the stops operators cause, plant.json's counts, and two
new files (nonconformances, operator-effects.jsonl); their draws come from a stream of their own.
Labor allocation's truth (issue 14) changed only labels.jsonl: a JOB_CODE_MISMATCH label's detail names
the operation really worked (`worked <id>`, was `injected`).
Indirect labor entries (issue 14) changed only what they write: plant.json's counts and two new files
(indirect-labor-entries, indirect-time.jsonl); their draws come from a stream of their own.
Job operations' actual times and LABOR_OUTSIDE_OPERATION (issue 11) changed job-operations (actualStart,
actualEnd, status), the charged job operation of the entries it labels (labor-entries, and the scrap and
nonconformances charged with them), an entry kept charged after its last piece and so the operator's next
entries, downtime and new jobs' due dates (no draw of the main stream moved: every id is the same),
labels.jsonl and plant.json. Buddy punches at a colleague's clock and badge reads waiting their turn at a
clock changed time-clock entries' clock-in (by seconds), device and biometric score. All draw from streams
of their own.
Jobs written with the status their operations left them in (`Complete` when all are, `InProcess` when one
has started, as Plex derives it; the generator never closed a job) changed only jobs.jsonl's statuses: the
jobs are written at the end, in the order made, with the same fields, and no draw moved.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PINNED_SPEC = PlantSpec(employees=30, weeks=2, seed=42, anomaly_rate=0.5)
"""Small (0.2 s) and busy enough that every injector and label rule acts at least once."""

PINNED_DIGESTS = {
    "approved-workcenters.jsonl": "383b0fadb220ac2938373dc78bda2b475d5c3730d04bfa36af2053473fd3a892",
    "badge-swipes.jsonl": "72d87b36bc3bfe50974c6ddc5fcb9ff8426296129311f3892c750304b5750019",
    "buildings.jsonl": "0375b4e0bc06f32e3600e4a29253d537255ff7e2abc7d01bfbbccd6434ed2cec",
    "certifications.jsonl": "20aa1d649c0ff18fabcc3a72b56dde1372f0793d6f0549e1b40bb322bf5c0c43",
    "clock-devices.jsonl": "3c6e7bab3000f8e3ae5960c1866c74d3f2247ca5f577fa6a34b464c08f7ab560",
    "downtime-entries.jsonl": "a66d6b3df72a4ae45cbd21ec178a9d6f17488e67f85dbfee24c72cb64d07af88",
    "employees.jsonl": "191ac0503583212aecc1cadcfd5a5d08707ba23495dc0694c066a89ea360be77",
    "indirect-labor-entries.jsonl": "e307e93742f02f62335bc10346c0b22e7615708f1ade534516a97d1b633ddc2d",
    "indirect-time.jsonl": "cfbe767d95bad6c7752ce46e033173d78f5df5deae3680faec0b516e44a9014a",
    "job-operations.jsonl": "f9434a7fc2ab24999456215c8814ad8aee82bff777ce4d4add3e30674c9f4070",
    "jobs.jsonl": "0efbbd1458bcf6dcf14f010b6ba1554930d3edb0e884e1895a3271e803f8586e",
    "labels.jsonl": "05a9f99f8f7a3cd4a4a74cdc1106492e140918360e496b0e29ec69332ccfc584",
    "labor-entries.jsonl": "e201e196f4808bff7509058211bb5a68c0121ec5f83415277c770550c873a9f0",
    "nonconformances.jsonl": "07b3b9707c9a9798781ef34aecf88268e11cb908c10d628e55618fc2e23c16bb",
    "operator-effects.jsonl": "1afb1fbbb8b369335d0f72a29e2cf8698c0946da9f0ad60bc03c29fe038f41a4",
    "plant.json": "b1eeac4baf54353a15ebc6d45b626c55ba8317b000f5d9760b053843ae878747",
    "scrap-entries.jsonl": "68a81d78a60e0db6680bc6adb158507ccf245a1ceb1552adfa20d07d7caa8ef7",
    "shift-assignments.jsonl": "0512338071a8f097864b565ddcf3551818f7f64a53506e3d2b1ae8d38bd6a9e0",
    "shifts.jsonl": "d852fc7486d789e14ed5385538e741e939e56e29ea550f7a966840fa9503a08f",
    "skills.jsonl": "0a1d1bab719efa607de74283ff785e737c4b0a40cf1b2fd60341241c110e023a",
    "time-clock-entries.jsonl": "061a58dd048945ad175d9441547886e898b2091d3cfde978186f3288685db8fa",
    "user-accounts.jsonl": "a2e76cc57c5442aa5d9bd12b5a75aa52227e4785b340ddd9ec19c5c9fc5ab8e6",
    "workcenter-events.jsonl": "1908134755412ed1980081639350ba1db44058363000ca88e27a5f33b9d13605",
    "workcenter-requirements.jsonl": "f0aec9a6484e1d20d39c365a8db83e55a9486a2f38d6f25b2a802f880966dac3",
    "workcenters.jsonl": "5b1fee3127741f07d3e537ff9222f90ad49e193f6537be83be13348dcdfac83c",
}


def digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_pinned_spec_gives_the_recorded_plant(tmp_path: Path) -> None:
    # Given the pinned spec, generated now
    generate_plant(PINNED_SPEC, tmp_path)
    found = digests(tmp_path)
    # Then every file is byte-identical to the recorded plant
    changed = sorted(
        name for name in found.keys() | PINNED_DIGESTS.keys() if found.get(name) != PINNED_DIGESTS.get(name)
    )
    assert not changed, f"plant changed in {changed}; if meant, PINNED_DIGESTS = {json.dumps(found, indent=4)}"
