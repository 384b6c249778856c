"""An operation the job does not have in Plex is refused 400 naming the field and the job's operations, nothing
answered or logged (ux_s14 #4: "abc" and "99" were logged to J100043's Plex record; only the job was checked); while
Plex cannot read the job's operations the operation is taken as typed, as the job is."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from plexlabor.copilot.wiring import Copilot
from tests.unit.copilot.test_copilot_ask_route import FORM, _post
from tests.unit.copilot.test_copilot_jobs import SAME_SITE
from tests.unit.copilot.test_copilot_workplace import PlexRead, _copilot

QUESTION = "What PPE do I need to change the mold?"


def _logged(copilot: Copilot) -> list[object]:
    assert copilot.log is not None
    return list(copilot.log.audit.history("jobs:J101132"))


@pytest.mark.parametrize("operation", ["abc", "99"])
def test_an_operation_the_job_does_not_have_is_refused_naming_the_field(operation: str) -> None:
    copilot = _copilot(PlexRead())
    asked = {"question": QUESTION, "job_id": "J101132", "operation": operation}

    response = _post(copilot, json.dumps(asked))

    said = f"job J101132 has no operation {operation} in Plex: its operations are 10, 20, 30"
    assert response["statusCode"] == 400, response["body"]
    assert json.loads(response["body"])["errors"] == [{"field": "operation", "problem": said}]
    page = _post(copilot, urlencode(asked), FORM, **SAME_SITE)
    assert page["statusCode"] == 400 and f"<li>Operation: {said}</li>" in page["body"]
    assert f"operation={operation}" in page["body"]  # the link back keeps what was typed
    assert _logged(copilot) == []


@pytest.mark.parametrize("operation", ["20", " 20 "])
def test_an_operation_the_job_has_is_answered(operation: str) -> None:
    copilot = _copilot(PlexRead())

    response = _post(copilot, json.dumps({"question": QUESTION, "job_id": "J101132", "operation": operation}))

    assert response["statusCode"] == 200 and json.loads(response["body"])["departments"] == ["MOLD"]


def test_an_operation_is_taken_as_typed_while_plex_cannot_read_the_jobs_operations() -> None:
    plex = PlexRead()
    plex.down = True
    copilot = _copilot(plex)

    response = _post(copilot, json.dumps({"question": QUESTION, "job_id": "J101132", "operation": "abc"}))

    assert response["statusCode"] == 200 and json.loads(response["body"])["departments"] == []
