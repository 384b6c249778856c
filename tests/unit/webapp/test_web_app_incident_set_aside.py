"""ux164 #8: a near miss the EHS lead rejected in the queue as a duplicate still counted in the trends, with no way to
take it out. A rejection in the queue says the codes were wrong (the report still counts, uncoded); the EHS lead sets
a report aside on its page as not an incident or a duplicate of another report here, which leaves it out of the trends
and the training rows. And a confirmation and a withdrawal recorded at the same moment: one holds, the other is a 409
with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.events import stable_event_id
from plexlabor.incidents.nightly import recorded_incidents
from plexlabor.incidents.service import opening, training_reports
from plexlabor.incidents.withdrawal import WITHDRAWN, withdraw
from plexlabor.review.kpis import compute_kpis
from tests.unit.approval.approval_fakes import World
from tests.unit.incidents.test_incident_withdrawal_race import Racing
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CONFIRM, CUT, NEAR, _get, _log, _rows
from tests.unit.webapp.test_web_app_incident_withdraw import _page, _post
from tests.unit.webapp.viewers import EHS, OPERATOR

PHONED = "A forklift reversed past a walker at PRS-04 without its horn: the walker stepped back in time."


@pytest.fixture
def world() -> World:
    return World(audit=Racing())


def _counted(world: World) -> list[str]:
    """The kinds of the incidents the trends count, newest window of 30 days."""
    return sorted(f.kind for f in recorded_incidents(world.audit, world.clock() - timedelta(days=30), ZoneInfo("UTC")))


def test_a_near_miss_rejected_as_a_duplicate_still_counts_until_the_ehs_lead_sets_it_aside(
    world: World, lambda_context: Any
) -> None:
    # Given the same near miss reported twice here (the second by another operator), the model not sure of either
    kept = _log(world, PHONED, sure=False, kind="near_miss", by="E0001")
    twice = _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    # When the EHS lead rejects the second's codes in the queue as a duplicate (what ux164 did)
    form = {"action": "reject", "reason": "duplicate of a phone report"}
    assert call_web(web_deps(world), "POST", f"/items/{twice}", EHS, lambda_context, form=form)["statusCode"] == 303
    # Then it still counts (uncoded), and its page says so and offers to set it aside
    assert _counted(world) == ["near_miss", "near_miss"]
    page = _page(world, twice, EHS, lambda_context)
    assert "the report still counts in the incident trends, uncoded" in page and 'id="set-aside"' in page
    # When she sets it aside as a duplicate of the other report, pasting its address
    done = _post(
        world, twice, EHS, lambda_context, withdraw="1", ground="duplicate",
        duplicate_of=f"https://plexlabor.example/dev/incidents/{kept}", reason="the same forklift, reported twice",
    )  # fmt: skip
    assert done["statusCode"] == 303 and done["multiValueHeaders"]["Location"] == [
        f"/dev/incidents/{twice}?saved=set_aside"
    ]
    # Then one near miss counts, the closing names the ground and the report it repeats, and the pages say so
    assert _counted(world) == ["near_miss"]
    [closing] = [e for e in world.audit.for_finding(twice) if e.event_type is AuditEventType.EXPIRED]
    assert closing.payload[WITHDRAWN] == {
        "by": "ehs", "reason": "the same forklift, reported twice", "ground": "duplicate", "duplicate_of": kept
    }  # fmt: skip
    page = _page(world, twice, EHS, lambda_context)
    assert f'A duplicate of <a href="/dev/incidents/{kept}">' in page and ", said the EHS lead at " in page
    assert 'id="set-aside"' not in page and "Save the codes" not in page
    [row] = [r for r in _rows(str(_get(world, EHS, lambda_context)["body"])) if twice in r]
    assert f"A duplicate of {kept}, said the EHS lead at " in row and 'data-standing="retracted"' in row
    # and a second setting aside, or codes posted from the page opened before, are refused with the reason
    again = _post(world, twice, EHS, lambda_context, withdraw="1", ground="not_incident", reason="again")
    assert again["statusCode"] == 409 and "set aside" in again["body"]
    refused = _post(world, twice, EHS, lambda_context, **CONFIRM)
    assert refused["statusCode"] == 409 and "this report was set aside (A duplicate of" in refused["body"]


def test_a_confirmed_report_is_set_aside_as_not_an_incident_and_leaves_the_training_rows(
    world: World, lambda_context: Any
) -> None:
    drill = _log(world, CUT, sure=False, workcenter_code="PRESS4")
    assert _post(world, drill, EHS, lambda_context, **CONFIRM)["statusCode"] == 303
    _written(world, drill, sent=False)  # a dry run: nothing of it in Plex
    assert [row.report_id for row in training_reports(world.audit)] == [drill]
    done = _post(world, drill, EHS, lambda_context, withdraw="1", ground="not_incident", reason="a first-aid drill")
    assert done["statusCode"] == 303
    assert training_reports(world.audit) == [] and _counted(world) == []
    assert "Not an incident, said the EHS lead at " in _page(world, drill, EHS, lambda_context)


def test_near_miss_a_report_plex_holds_is_not_set_aside_until_withdrawn_there(
    world: World, lambda_context: Any
) -> None:
    written = _log(world, CUT, sure=False, workcenter_code="PRESS4")
    assert _post(world, written, EHS, lambda_context, **CONFIRM)["statusCode"] == 303
    on_its_way = _post(world, written, EHS, lambda_context, withdraw="1", ground="not_incident", reason="a drill")
    assert on_its_way["statusCode"] == 409 and "on its way to Plex" in on_its_way["body"]
    _written(world, written, sent=True)
    assert 'id="set-aside"' not in _page(world, written, EHS, lambda_context)
    refused = _post(world, written, EHS, lambda_context, withdraw="1", ground="not_incident", reason="a drill")
    assert refused["statusCode"] == 409 and "Plex holds it: withdraw the record in Plex first" in refused["body"]
    assert _counted(world) == ["injury"]


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"ground": "duplicate", "duplicate_of": "the phone one"}, "Duplicate of: give the id of the report"),
        ({"ground": "duplicate", "duplicate_of": "inc-00000000000000000000", "reason": "twice"}, "no such report here"),
        ({"ground": "lost"}, "What it is: choose"),
        ({"ground": "not_incident"}, "Why: say why"),
    ],
)
def test_near_miss_a_setting_aside_without_what_it_needs_is_a_400_naming_the_field(
    world: World, lambda_context: Any, form: dict[str, str], problem: str
) -> None:
    report = _log(world, NEAR, sure=False, kind="near_miss")
    refused = _post(world, report, EHS, lambda_context, withdraw="1", **{"reason": "", **form})
    assert refused["statusCode"] == 400 and problem in refused["body"]
    assert _counted(world) == ["near_miss"]


def test_near_miss_its_reporter_cannot_set_a_report_aside(world: World, lambda_context: Any) -> None:
    mine = _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    assert 'id="set-aside"' not in _page(world, mine, OPERATOR, lambda_context)
    refused = _post(world, mine, OPERATOR, lambda_context, withdraw="1", ground="not_incident", reason="nothing")
    assert refused["statusCode"] == 403 and _counted(world) == ["near_miss"]


def test_a_confirmation_that_meets_a_withdrawal_recorded_meanwhile_is_a_409_naming_it(
    world: World, lambda_context: Any
) -> None:
    report = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4")
    found = opening(world.audit, report)
    assert found is not None and isinstance(world.audit, Racing)
    world.audit.rival = lambda: withdraw(
        world.audit, found, by="E0107", role="reporter", reason="sent twice", at=world.clock()
    )
    response = _post(world, report, EHS, lambda_context, **CONFIRM)
    assert response["statusCode"] == 409
    assert "this report was withdrawn by its reporter at " in response["body"] and "sent twice" in response["body"]
    assert not [e for e in world.audit.for_finding(report) if e.event_type is AuditEventType.DECISION]
    assert world.writebacks.sent == []


def test_a_withdrawal_that_meets_a_confirmation_recorded_meanwhile_is_a_409_naming_it(
    world: World, lambda_context: Any
) -> None:
    report = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4")
    assert isinstance(world.audit, Racing)
    world.audit.rival = lambda: _post(world, report, EHS, lambda_context, **CONFIRM)
    response = _post(world, report, OPERATOR, lambda_context, withdraw="1", reason="sent twice")
    assert response["statusCode"] == 409
    assert "Not withdrawn: The EHS lead decided it already" in response["body"]
    assert not [e for e in world.audit.for_finding(report) if e.event_type is AuditEventType.EXPIRED]


def _written(world: World, incident_id: str, *, sent: bool) -> None:
    """plex_writeback's record of the newest decision's write (`sent` False: a dry run)."""
    found = opening(world.audit, incident_id)
    assert found is not None
    world.clock.advance(minutes=1)
    world.audit.append(
        AuditEvent(
            record_key=found.record_key,
            event_id=stable_event_id(incident_id, "writeback-test", str(sent)),
            event_type=AuditEventType.WRITEBACK,
            status=AuditStatus.WRITTEN,
            occurred_at=world.clock(),
            actor="plex_writeback",
            finding_id=incident_id,
            payload={"sent": sent, "custom_object": True},
            previous_values={},
        )
    )


def test_the_reporter_of_a_duplicate_is_not_shown_the_other_persons_report(world: World, lambda_context: Any) -> None:
    # review_s13 #2: E0107's page named E0999's report (who, when, what, where) and linked it
    other = _log(world, PHONED, sure=False, kind="near_miss", by="E0999", workcenter_code="PRS-04")
    mine = _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    done = _post(world, mine, EHS, lambda_context, withdraw="1", ground="duplicate", duplicate_of=other, reason="same")
    assert done["statusCode"] == 303
    # Then its reporter reads only that it repeats another report, on the page and in the list
    shown = _page(world, mine, OPERATOR, lambda_context).split('id="withdrawn"')[1].split("</p>")[0]
    assert "A duplicate of another report here, the one counted, said the EHS lead at " in shown
    assert "E0999" not in shown and "PRS-04" not in shown and other not in shown and "href" not in shown
    (row,) = _rows(_get(world, OPERATOR, lambda_context, status="withdrawn")["body"])
    assert "A duplicate of another report here, the one counted, said the EHS lead" in row and other not in row
    # while the EHS lead is shown the report, linked
    lead = _page(world, mine, EHS, lambda_context).split('id="withdrawn"')[1].split("</p>")[0]
    assert f'A duplicate of <a href="/dev/incidents/{other}">E0999&#39;s report of ' in lead and "PRS-04" in lead


def test_a_reporter_of_both_reports_is_shown_the_one_counted(world: World, lambda_context: Any) -> None:
    kept = _log(world, PHONED, sure=False, kind="near_miss", by="E0107", workcenter_code="PRS-04")
    twice = _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    done = _post(world, twice, EHS, lambda_context, withdraw="1", ground="duplicate", duplicate_of=kept, reason="same")
    assert done["statusCode"] == 303
    shown = _page(world, twice, OPERATOR, lambda_context).split('id="withdrawn"')[1].split("</p>")[0]
    assert f'A duplicate of <a href="/dev/incidents/{kept}">your report of ' in shown


def test_the_kpis_withdrawn_column_counts_reporters_withdrawals_and_the_ehs_leads_set_asides(
    world: World, lambda_context: Any
) -> None:
    # review_s13 #9: docs/web-app.md said "incident reports their reporter withdrew"; the column counts both closings
    # made before a decision, as the docs now say
    drill = _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    mistake = _log(world, PHONED, sure=False, kind="near_miss", by="E0107")
    assert (
        _post(world, drill, EHS, lambda_context, withdraw="1", ground="not_incident", reason="a drill")["statusCode"]
        == 303
    )
    assert _post(world, mistake, OPERATOR, lambda_context, withdraw="1", reason="sent twice")["statusCode"] == 303
    rows = [row for row in compute_kpis(world.audit, clock=world.clock).by_kind if row.kind == "incident_coding"]
    assert sum(row.withdrawn for row in rows) == 2 and sum(row.expired for row in rows) == 0
