"""The EHS lead's digest counts exactly the waiting incidents its "In all … wait" link lists: one period, the incident
list's longest to today in plant-local days, read from local midnight by both (review180 #6: the digest read 366 days
back to the hour, up to a day before the list's first day)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from plexlabor.incidents.waiting import IncidentWaitlist
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CUT, NEAR, _log
from tests.unit.webapp.viewers import EHS

APP = "https://app.example/prod"


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 5, 15, 0, tzinfo=UTC),  # 10:00 in Detroit, the same day as in UTC
        datetime(2026, 12, 6, 3, 0, tzinfo=UTC),  # 22:00 in Detroit on the 5th, the 6th in UTC
    ],
)
def test_the_digest_counts_exactly_the_incidents_its_link_lists(now: datetime, lambda_context: Any) -> None:
    # Given a report sent late on 2025-12-04 (plant time), the day before the list's longest period to 2026-12-05,
    # and one sent just after the period's first midnight, both waiting for the EHS lead
    world = World()
    world.clock.now = datetime(2025, 12, 4, 23, 0, tzinfo=ZONE)
    before = _log(world, CUT, sure=False, workcenter_code="PRESS4")
    world.clock.now = datetime(2025, 12, 5, 0, 5, tzinfo=ZONE)
    inside = _log(world, NEAR, sure=False, kind="near_miss")
    # When the digest is made on 2026-12-05 (plant time), and the EHS lead opens its "In all ... wait" link
    world.clock.now = now
    waitlist = IncidentWaitlist(world.audit, APP, ZONE)
    counted = {waiting.incident_id for waiting in waitlist.waiting(now)}
    link = urlsplit(waitlist.list_url("waiting", now))
    query = dict(parse_qsl(link.query))
    response = call_web(web_deps(world), "GET", "/incidents", EHS, lambda_context, query=query)
    assert response["statusCode"] == 200 and query["from"] == "2025-12-05" and query["to"] == "2026-12-05"
    table = response["body"].split('id="incident-list"')[1].split("</table>")[0]
    listed = set(re.findall(r'href="/dev/incidents/(inc-[0-9a-f]{20})"', table))
    # Then the digest counts what the list shows: the report of the period's first day, not the one of the day before
    assert counted == listed == {inside}, f"digest {sorted(counted)}, list {sorted(listed)}, before {before}"
