"""The report form offers a recording only where incident_log transcribes one (`INCIDENT_TRANSCRIBE_LANGUAGE`; ux_s14
#18: an operator who trusted the recording learnt after sending that nothing here transcribes it)."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.platform import env
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incidents import OTHER


@pytest.mark.parametrize("language", [None, "en-US"])
def test_the_form_offers_a_recording_only_where_it_is_transcribed(
    language: str | None, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if language is None:
        monkeypatch.delenv(env.INCIDENT_TRANSCRIBE_LANGUAGE, raising=False)
    else:
        monkeypatch.setenv(env.INCIDENT_TRANSCRIBE_LANGUAGE, language)
    body = str(call_web(web_deps(World()), "GET", "/incidents/new", OTHER, lambda_context)["body"])
    assert ('name="audio"' in body) is (language is not None)
    assert ("Or say it: a recording" in body) is (language is not None)
