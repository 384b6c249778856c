"""A report sent from "Correct this report" names the report it corrects (the form's `correct`, review_s16 #4): that
report is replaced whatever its text, time and age, where a match of the same text and time (`same_report`, kept for
the JSON API) found nothing: a time with seconds, a narrative whose line endings the browser's textarea changed, a
report older than `RESEND_WINDOW`. Someone else's report, or one closed already, is refused and nothing recorded."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.incidents.service import (
    RESEND_WINDOW,
    IncidentDeps,
    IncidentReport,
    correct_codes,
    log_incident,
    opening,
    read_codes,
    replacement,
)
from plexlabor.incidents.withdrawal import withdraw
from tests.unit.incidents.test_incident_handler import FORM, NARRATIVE, SAME_SITE, _post, deps
from tests.unit.incidents.test_incident_service import CODE_FORM

__all__ = ["deps"]  # the handler tests' fixture: a trained model, the clock at 2026-12-04 15:00 UTC

TWO_LINES = "A pallet slid off the forks at the dock.\nIt missed the operator's foot by an inch; nobody hurt."


def _json(deps: IncidentDeps, **report: Any) -> str:
    """A report sent through the JSON API by E0001 (the event's signed-in person): its id."""
    response = _post(deps, json.dumps(report))
    assert response["statusCode"] == 201, response["body"]
    return str(json.loads(response["body"])["incident_id"])


def _form(deps: IncidentDeps, **fields: str) -> dict[str, Any]:
    return _post(deps, urlencode(fields), FORM, **SAME_SITE)


def _sent(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 303, response["body"]
    return str(response["multiValueHeaders"]["Location"][0].split("?")[0].rsplit("/", 1)[1])


def _long_ago(deps: IncidentDeps) -> str:
    """E0001's injury report of 2026-10-01 08:00, sent that day: older than RESEND_WINDOW by the handler's clock."""
    then = datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert deps.clock() - then > RESEND_WINDOW
    early = replace(deps, clock=lambda: then)
    report = IncidentReport(narrative=NARRATIVE, kind="injury", occurred_at=datetime(2026, 10, 1, 8, tzinfo=UTC))
    return log_incident(early, report, "E0001").incident_id


@pytest.mark.parametrize(
    ("first", "form"),
    [
        pytest.param(  # the API's time had seconds; the form's time input sends the minute
            {"narrative": NARRATIVE, "kind": "injury", "occurred_at": "2026-12-04T10:15:30"},
            {"narrative": NARRATIVE, "occurred_at": "2026-12-04T10:15"},
            id="seconds",
        ),
        pytest.param(  # the API's narrative had a newline; the browser's textarea sends it as CRLF
            {"narrative": TWO_LINES, "kind": "injury", "occurred_at": "2026-12-04T10:15"},
            {"narrative": TWO_LINES.replace("\n", "\r\n"), "occurred_at": "2026-12-04T10:15"},
            id="crlf",
        ),
        pytest.param(None, {"narrative": NARRATIVE, "occurred_at": "2026-10-01T08:00"}, id="older-than-30-days"),
    ],
)
def test_the_form_correcting_a_named_report_replaces_it(
    deps: IncidentDeps, first: dict[str, str] | None, form: dict[str, str]
) -> None:
    # Given E0001's report, which a resend of the form's text and time does not match (review_s16 #4)
    earlier = _json(deps, **first) if first is not None else _long_ago(deps)
    # When they correct it from its page: the form as sent, now a near miss, naming it
    second = _sent(_form(deps, **form, kind="near_miss", correct=earlier))
    # Then the new report replaces it: the first is closed as replaced by it, and the new one names it
    closing = replacement(deps.audit, earlier)
    assert closing is not None and closing.payload["superseded_by"] == second != earlier
    recorded = opening(deps.audit, second)
    assert recorded is not None and recorded.payload["replaces"] == [earlier]
    assert recorded.payload["incident"]["kind"] == "near_miss"


def test_a_correction_of_someone_elses_report_is_refused_naming_why(deps: IncidentDeps) -> None:
    # Given E0002's report
    theirs = log_incident(deps, IncidentReport(narrative=NARRATIVE, kind="injury"), "E0002").incident_id
    # When E0001 sends the form naming it as the report they correct
    response = _form(deps, narrative=NARRATIVE, kind="near_miss", correct=theirs)
    # Then it is a 403 saying why, on the form again (what was typed kept, correcting nothing), nothing recorded
    body = response["body"]
    assert response["statusCode"] == 403
    assert "was sent by someone else, and only the person who sent a report can correct it" in body
    assert 'name="correct"' not in body and f">{NARRATIVE}</textarea>" in body
    assert replacement(deps.audit, theirs) is None
    assert [e.actor for e in deps.audit.by_status(AuditStatus.LOGGED)] == ["E0002"]
    # and a report that does not exist is a 404 naming it
    missing = _form(deps, narrative=NARRATIVE, kind="near_miss", correct="inc-nosuchreport")
    assert missing["statusCode"] == 404 and "There is no report inc-nosuchreport to correct." in missing["body"]


def test_a_correction_of_a_withdrawn_report_is_refused_and_the_form_records_it_when_sent_again(
    deps: IncidentDeps,
) -> None:
    # Given E0001's report, withdrawn by them
    earlier = _json(deps, narrative=NARRATIVE, kind="injury", occurred_at="2026-12-04T10:15:30")
    found = opening(deps.audit, earlier)
    assert found is not None
    withdraw(deps.audit, found, by="E0001", role="reporter", reason="Sent by mistake", at=deps.clock())
    # When a correction of it comes (a page opened before)
    refused = _form(deps, narrative=NARRATIVE, kind="near_miss", occurred_at="2026-12-04T10:15", correct=earlier)
    # Then it is a 409 saying what closed it, nothing recorded, and the form again without the report it corrected
    body = refused["body"].replace("&#39;", "'")
    assert refused["statusCode"] == 409 and "the report you are correcting was withdrawn by its reporter" in body
    assert "Sent by mistake" in body and 'name="correct"' not in body
    # so sent again, it is a report of its own
    again = _sent(_form(deps, narrative=NARRATIVE, kind="near_miss", occurred_at="2026-12-04T10:15"))
    recorded = opening(deps.audit, again)
    assert recorded is not None and recorded.payload["replaces"] == []


def test_a_correction_of_a_decided_report_asks_the_ehs_lead_to_correct_it(deps: IncidentDeps) -> None:
    # Given E0001's report (its time with seconds) the EHS lead confirmed: it stands as decided (ux_s13 #16)
    earlier = _json(deps, narrative=NARRATIVE, kind="injury", occurred_at="2026-12-04T10:15:30")
    found = opening(deps.audit, earlier)
    assert found is not None
    correct_codes(deps.audit, found, read_codes(CODE_FORM), "S0001", deps.clock() + timedelta(seconds=1))
    # When E0001 corrects it from its page
    second = _sent(_form(deps, narrative=NARRATIVE, kind="near_miss", occurred_at="2026-12-04T10:15", correct=earlier))
    # Then the new report asks the EHS lead to correct it and replaces nothing
    recorded = opening(deps.audit, second)
    assert recorded is not None
    assert recorded.payload["asks_to_correct"] == [earlier] and recorded.payload["replaces"] == []
    assert replacement(deps.audit, earlier) is None


def test_the_json_api_takes_no_correct_field_and_keeps_matching_text_and_time(deps: IncidentDeps) -> None:
    earlier = _json(deps, narrative=NARRATIVE, kind="injury", occurred_at="2026-12-04T10:15")
    named = _post(deps, json.dumps({"narrative": NARRATIVE, "kind": "near_miss", "correct": earlier}))
    assert named["statusCode"] == 400 and replacement(deps.audit, earlier) is None
    resent = _post(deps, json.dumps({"narrative": NARRATIVE, "kind": "near_miss", "occurred_at": "2026-12-04T10:15"}))
    assert resent["statusCode"] == 201 and json.loads(resent["body"])["replaces"] == [earlier]


def test_a_refused_correction_form_still_corrects_the_report_when_sent_again(deps: IncidentDeps) -> None:
    earlier = _json(deps, narrative=NARRATIVE, kind="injury", occurred_at="2026-12-04T10:15:30")
    # When the correction comes with a time in the future / Then the form again names it, still correcting the report
    refused = _form(deps, narrative=NARRATIVE, kind="near_miss", occurred_at="2026-12-04T18:00", correct=earlier)
    assert refused["statusCode"] == 400 and "When: the time is in the future" in refused["body"]
    assert f'<input type="hidden" name="correct" value="{earlier}">' in refused["body"]
    assert "Correcting your report" in refused["body"]
