"""The item page of a punch finding draws the employee's day from the timeline the finding carries:
a lane per kind, the usual clock-in / clock-out behind the punches, the finding's record marked, and
the same events as a list; the evidence table leaves the timeline (and the model features) out."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms
from plexlabor.webapp.timeline import TIMELINE_KEY, shape_timeline
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import finding_event, open_finding
from tests.unit.validation.plant_builder import PlantBuilder
from tests.unit.webapp.test_web_app_pages import FINDING, SUPERVISOR, _call

TUESDAY = date(2026, 11, 17)
KINDS = ("schedule", "punches", "breaks", "swipes", "sessions", "runs", "labor")


@pytest.fixture(scope="module")
def late_finding() -> Finding:
    """The engine's finding on E1's Tuesday clock-in, 30 min late, routed to review with its day."""
    plant = PlantBuilder(weeks=8).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=30, missed_clock_out=True)
    data = plant.build()
    findings = ValidationEngine().batch(data, compute_norms(data))
    (finding,) = [f for f in findings if f.record_key == day.first_key and f.anomaly_type == AnomalyType.LATE_CLOCK_IN]
    assert finding.route == "review" and TIMELINE_KEY in finding.evidence
    return finding


def _lane(body: str, kind: str) -> str:
    found = re.search(rf'<div class="tl-row tl-{kind}" data-lane="{kind}">(.*?)</ul>', body, re.S)
    assert found, f"no {kind} lane"
    return found.group(1)


def test_the_item_page_draws_the_day_with_a_lane_per_kind_and_the_record_marked(
    late_finding: Finding, lambda_context: Any
) -> None:
    # Given a late clock-in finding (its last entry left open) waiting for the supervisor
    world = World()
    open_finding(world, late_finding)
    # When the supervisor opens it
    response = _call(world, "GET", f"/items/{late_finding.finding_id}", SUPERVISOR, lambda_context=lambda_context)
    # Then the day is drawn, 02:00 to 18:30 plant time, one lane per kind, each bar with its words
    assert response["statusCode"] == 200
    body = response["body"]
    assert "The day: Tue 2026-11-17, 02:00 to 18:30 (EST)" in body
    assert [kind for kind in KINDS if f'data-lane="{kind}"' in body] == list(KINDS)
    assert "Scheduled shift 06:00–14:30" in _lane(body, "schedule")
    punches = _lane(body, "punches")
    assert "Clock-in 06:30, out 10:15 (this finding&#39;s record)" in punches
    assert "Clock-in 10:45, no clock-out" in punches and "tl-open" in punches
    assert "Break 10:15–10:45 (30 min)" in _lane(body, "breaks")
    assert "Badge in 06:24 at B1" in _lane(body, "swipes") and "Badge out 14:35 at B1" in _lane(body, "swipes")
    assert "WC1 login 06:34, logout 10:13" in _lane(body, "sessions")
    assert "WC1 running from 06:39 until 10:08" in _lane(body, "runs")
    assert "Labor at WC1 on job J1 op 10 06:34–10:13" in _lane(body, "labor")  # codes, never Plex ids
    # and the usual clock-in and clock-out are drawn behind the punches
    bands = re.findall(r'<li class="tl-band" style="left:[\d.]+%;width:[\d.]+%" title="([^"]+)"', punches)
    assert bands == [
        "Usual clock-in 05:58 ± 1.1 min (their habit over 40 shifts)",  # the spread pooled with the plant's (fc3a688)
        "Usual clock-out 14:32 ± 1.1 min (their habit over 39 shifts)",
    ]
    assert punches.index("tl-band") < punches.index("tl-bar")
    # and exactly one bar, and one row of the list, is the finding's record: the 06:30 clock-in
    assert body.count('data-record="true"') == 1
    assert re.search(r'class="tl-bar tl-record" data-record="true" style="left:27\.27%;width:22\.73%"', body)
    (row,) = re.findall(r'<tr class="tl-record-row">(.*?)</tr>', body)
    assert "Clock-in 06:30" in row and "<td>06:30</td><td>10:15</td>" in row
    # and the evidence table keeps the numbers but not the timeline or the model features
    evidence = body[body.index("<h2>Evidence</h2>") :]
    assert "Usual offset (minutes)" in evidence
    assert "Timeline" not in evidence and "Features" not in evidence and "2026-11-17T" not in body
    # and nothing is loaded from elsewhere or run in the page
    assert "<script" not in body and "src=" not in body and "http" not in body


def test_a_finding_without_a_timeline_shows_no_day(lambda_context: Any) -> None:
    plain = World()
    finding_event(plain, FINDING, confidence=0.93, severity="high")
    body = _call(plain, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context=lambda_context)["body"]

    assert "The day:" not in body and "tl-row" not in body and "Hours overdue" in body


def test_shaping_places_bars_by_share_of_the_window_and_refuses_what_it_cannot_read(late_finding: Finding) -> None:
    raw = late_finding.evidence[TIMELINE_KEY]
    view = shape_timeline(raw)
    assert view is not None
    # the window is 16.5 h: 06:30 is 4.5 h in; the open entry runs to the window's end
    punches = next(lane for lane in view.lanes if lane.kind == "punches")
    assert [(bar.left, bar.width, bar.open) for bar in punches.bars] == [(27.27, 22.73, False), (53.03, 46.97, True)]
    assert [tick.label for tick in view.ticks][:3] == ["02:00", "04:00", "06:00"] and view.ticks[0].left == 0.0
    swipes = next(lane for lane in view.lanes if lane.kind == "swipes")
    assert all(bar.point and bar.width == 0 for bar in swipes.bars)
    # anything else gives no timeline rather than an error
    assert shape_timeline(None) is None
    assert shape_timeline({**raw, "v": 2}) is None
    assert shape_timeline({**raw, "window": ["nonsense", raw["window"][1]]}) is None
    assert shape_timeline({**raw, "window": [raw["window"][1], raw["window"][0]]}) is None
    assert shape_timeline({**raw, "punches": [{"in": "2026-11-17T06:30:00"}]}) is None  # no offset


def test_a_timeline_kept_before_codes_shows_no_workcenter_id(late_finding: Finding) -> None:
    # Given a timeline recorded before codes were kept: its workcenters only by Plex id
    plex_id = "9474031b-7f26-444b-9828-9fcd59a54a7b"
    raw = late_finding.evidence[TIMELINE_KEY]
    old = {
        **raw,
        **{
            lane: [
                {k: v for k, v in entry.items() if k not in ("workcenter_code", "job_no")} | {"workcenter": plex_id}
                for entry in raw[lane]
            ]
            for lane in ("sessions", "runs", "labor")
        },
    }
    view = shape_timeline(old)
    assert view is not None
    texts = [bar.label + bar.short for lane in view.lanes for bar in lane.bars]
    texts += [row.what for lane in view.lanes for row in lane.rows]
    # Then the bars say "workcenter" rather than show the id
    assert not any(plex_id in text for text in texts)
    assert any(text.startswith("Labor at workcenter 06:34") for text in texts)
