"""Whether spoken incident reports are transcribed here: `INCIDENT_TRANSCRIBE_LANGUAGE` (incident_log transcribes a
recording with it, `wiring.transcriber`; the web app's report form offers a recording only then, ux_s14 #18)."""

from __future__ import annotations

from pydantic import Field

from plexlabor.platform import env
from plexlabor.platform.settings import EnvSettings


class SpokenReportSettings(EnvSettings):
    transcribe_language: str | None = Field(default=None, alias=env.INCIDENT_TRANSCRIBE_LANGUAGE)
    """The Amazon Transcribe language of spoken reports (`en-US`); None: recordings are not transcribed."""
