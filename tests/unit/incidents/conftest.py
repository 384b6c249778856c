"""A small coded-report fixture built here (the OSHA file is not in the repository): narratives from
templates per OIICS event group, with words that tell the groups apart and words that do not."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from plexlabor.audit import AuditStore
from plexlabor.incidents.classifier import ClassifierSettings, IncidentClassifier
from plexlabor.incidents.reports import CodedReport, parse_coded_reports
from plexlabor.incidents.service import superseding_event

COLUMNS = [
    "id",
    "event_date",
    "naics",
    "narrative",
    "event_code",
    "event_title",
    "event_division",
    "event_division_title",
    "event_group",
    "event_group_title",
    "nature_code",
    "nature_title",
    "nature_division",
    "nature_division_title",
    "part_code",
    "part_title",
    "source_code",
    "source_title",
    "hospitalized",
    "amputation",
]

# (event code, division title, group title, nature code, part code, source code, templates)
GROUPS = (
    (
        "4331",
        "Falls, slips, trips",
        "Falls to lower level",
        "111",
        "513",
        "6621",
        (
            "An employee fell {n} feet from a ladder while {task} and fractured his {part}.",
            "A worker fell from the roof edge while {task}; he broke his {part}.",
        ),
    ),
    (
        "4210",
        "Falls, slips, trips",
        "Falls on same level",
        "111",
        "412",
        "6620",
        (
            "An employee slipped on a wet floor while {task} and fell, fracturing her {part}.",
            "A worker tripped over a hose on the floor while {task} and broke his {part}.",
        ),
    ),
    (
        "6210",
        "Contact with objects and equipment",
        "Struck by object or equipment",
        "111",
        "111",
        "4200",
        (
            "A falling pipe struck the employee on the {part} while {task}.",
            "An employee was struck by a swinging load from the crane while {task}, injuring his {part}.",
        ),
    ),
    (
        "6420",
        "Contact with objects and equipment",
        "Caught in or compressed by equipment or objects",
        "131",
        "4420",
        "3400",
        (
            "An employee's {part} was caught in the rollers of a conveyor while {task}; a fingertip was amputated.",
            "While {task}, the operator's {part} was pulled into the press and caught, amputating a finger.",
        ),
    ),
    (
        "5310",
        "Exposure to harmful substances or environments",
        "Exposure to temperature extremes",
        "153",
        "410",
        "1300",
        (
            "An employee was splashed with hot caustic solution while {task} and suffered burns to his {part}.",
            "A worker received chemical burns to the {part} from acid while {task}.",
        ),
    ),
)
TASKS = (
    "cleaning the line",
    "changing over the tooling",
    "loading parts",
    "working the second shift",
    "moving material",
    "inspecting the cell",
)
PARTS = ("left hand", "right arm", "leg", "head", "shoulder", "wrist")
DIVISION_TITLES_OF_NATURE = {"1": "Traumatic injuries and disorders"}
CONFIRMED_CODES = {
    "event_division": "6",
    "event_group": "64",
    "nature_division": "1",
    "part_division": "4",
    "source_division": "3",
}
"""The codes the EHS lead confirms in these tests: caught in equipment, a traumatic injury to the upper
extremities, by machinery (as `correct_codes` takes them)."""


def _row(index: int, day: date, rng: random.Random) -> dict[str, str]:
    code, division_title, group_title, nature, part, source, templates = GROUPS[index % len(GROUPS)]
    text = rng.choice(templates).format(n=rng.randint(4, 20), task=rng.choice(TASKS), part=rng.choice(PARTS))
    return {
        "id": str(2015010000 + index),
        "event_date": day.isoformat(),
        "naics": "332710",
        "narrative": text,
        "event_code": code,
        "event_title": group_title,
        "event_division": code[0],
        "event_division_title": division_title,
        "event_group": code[:2],
        "event_group_title": group_title,
        "nature_code": nature,
        "nature_title": "",
        "nature_division": nature[0],
        "nature_division_title": DIVISION_TITLES_OF_NATURE[nature[0]],
        "part_code": part,
        "part_title": "",
        "source_code": source,
        "source_title": "",
        "hospitalized": "1.00",
        "amputation": "0.00",
    }


def coded_rows(count: int, seed: int = 3, start: date = date(2015, 1, 1)) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [_row(index, start + timedelta(days=index // 3), rng) for index in range(count)]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def as_reports(rows: list[dict[str, str]]) -> list[CodedReport]:
    path = Path("fixture.csv")
    lines = [",".join(COLUMNS)] + [",".join(f'"{row[c]}"' for c in COLUMNS) for row in rows]
    return parse_coded_reports(lines, str(path))


@pytest.fixture(scope="session")
def fixture_reports() -> list[CodedReport]:
    return as_reports(coded_rows(200))


@pytest.fixture(scope="session")
def trained(fixture_reports: list[CodedReport]) -> IncidentClassifier:
    return IncidentClassifier.train(fixture_reports, ClassifierSettings(calibration_folds=3))


def close_as_before_ux_s13_16(
    audit: AuditStore, earlier_id: str, replacement_id: str, reporter: str, at: datetime
) -> None:
    """`service.close_replaced` as it was until 2026-12-06, when a resend replaced a report the EHS lead had decided
    too (ux_s13 #16; now it asks her to correct it): for the records made so, which stay and are still read."""
    closing = superseding_event(earlier_id, replacement_id, reporter, at)
    audit.append(closing.model_copy(update={"event_id": f"before-{earlier_id}"}))


def nothing_in_the_way_before_ux_s13_16(audit: AuditStore, earlier_id: str, replacement_id: str) -> None:
    """`service.in_the_way` as a resend read it until 2026-12-06 (with `close_as_before_ux_s13_16`): a decision did not
    keep a report from being replaced."""
