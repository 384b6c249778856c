"""incident_log's spoken reports in the stack: `INCIDENT_TRANSCRIBE_LANGUAGE` from
`plexlabor:incidentTranscribeLanguage`, Amazon Transcribe granted as tightly as it allows, and the
recordings and transcripts under their prefixes of the artifacts bucket. The requests the real
`AwsTranscriber` makes are checked against the grants."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from infra.config import ConfigError, DeployConfig
from infra.function_specs import FUNCTION_SPECS, Need
from infra.nag import flatten_reference
from infra.testing import ConfigValues, Synthesized, actions, resources
from infra.wiring import resolve_environment
from plexlabor.incidents.transcribe import AUDIO_PREFIX, DEFAULT_WAIT_S, TRANSCRIPT_PREFIX, AwsTranscriber
from plexlabor.platform import env

INCIDENT_LOG = next(spec for spec in FUNCTION_SPECS if spec.name == "incident_log")


def _statements(synthesized: Synthesized, action: str) -> list[dict[str, Any]]:
    return [s for s in synthesized.function_statements("incident_log") if action in actions(s)]


def _objects(synthesized: Synthesized, action: str) -> list[str]:
    return [flatten_reference(r) for s in _statements(synthesized, action) for r in resources(s)]


class _FakeS3:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:
        self.objects[Key] = Body

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        return {"Body": _Body(self.objects[Key])}


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self) -> bytes:
        return self.data


class _FakeTranscribe:
    """Writes the transcript where the job asked, as Transcribe does, and reports the job done."""

    def __init__(self, s3: _FakeS3) -> None:
        self.s3 = s3
        self.started: dict[str, Any] = {}
        self.asked: list[str] = []

    def start_transcription_job(self, **request: Any) -> None:
        self.started = request
        body = json.dumps({"results": {"transcripts": [{"transcript": "slipped on oil at press 4"}]}})
        self.s3.objects[request["OutputKey"]] = body.encode()

    def get_transcription_job(self, *, TranscriptionJobName: str) -> dict[str, Any]:
        self.asked.append(TranscriptionJobName)
        return {"TranscriptionJob": {"TranscriptionJobStatus": "COMPLETED"}}


def test_only_incident_log_may_use_transcribe(synthesized: Synthesized) -> None:
    users = {
        name
        for name in synthesized.stack.functions.functions
        if any(a.startswith("transcribe:") for s in synthesized.function_statements(name) for a in actions(s))
    }
    assert users == {"incident_log"}
    assert [spec.name for spec in FUNCTION_SPECS if Need.TRANSCRIBE in spec.needs] == ["incident_log"]


def test_jobs_start_only_with_the_transcript_going_to_the_bucket_under_its_prefix(synthesized: Synthesized) -> None:
    [start] = _statements(synthesized, "transcribe:StartTranscriptionJob")
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)

    assert actions(start) == {"transcribe:StartTranscriptionJob"}
    assert start["Resource"] == "*"  # the action has no resource type
    assert start["Condition"] == {
        "StringEquals": {"transcribe:OutputBucketName": {"Ref": bucket}},
        "StringLike": {"transcribe:OutputKey": f"{TRANSCRIPT_PREFIX}*"},
    }


def test_the_transcribers_requests_fall_within_the_grants(synthesized: Synthesized) -> None:
    """AwsTranscriber's job name, output location and objects, against what incident_log's role allows."""
    s3 = _FakeS3()
    service = _FakeTranscribe(s3)
    transcriber = AwsTranscriber("artifacts", "en-US", s3=s3, transcribe_client=service, sleep=lambda _: None)

    assert transcriber.transcribe(b"RIFF....WAVE", "wav") == "slipped on oil at press 4"

    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    [jobs] = _objects(synthesized, "transcribe:GetTranscriptionJob")
    region, names = jobs.split("transcription-job/")
    assert region == "arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:"
    assert names != "*" and service.asked
    assert all(fnmatchcase(name, names) for name in [service.started["TranscriptionJobName"], *service.asked])
    assert fnmatchcase(service.started["OutputKey"], f"{TRANSCRIPT_PREFIX}*")
    recording, transcript = sorted(s3.objects, key=lambda key: not key.startswith(AUDIO_PREFIX))
    assert service.started["Media"]["MediaFileUri"] == f"s3://artifacts/{recording}"
    for action in ("s3:PutObject", "s3:GetObject"):  # Transcribe reads and writes with the caller's permissions
        granted = _objects(synthesized, action)
        assert any(fnmatchcase(f"<{bucket}.Arn>/{recording}", pattern) for pattern in granted), action
        assert any(fnmatchcase(f"<{bucket}.Arn>/{transcript}", pattern) for pattern in granted), action


def test_the_recordings_and_transcripts_are_read_and_written_under_their_prefixes_only(
    synthesized: Synthesized,
) -> None:
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    spoken = {f"<{bucket}.Arn>/{AUDIO_PREFIX}*", f"<{bucket}.Arn>/{TRANSCRIPT_PREFIX}*"}

    assert set(_objects(synthesized, "s3:PutObject")) == spoken  # nothing else is written
    assert spoken <= set(_objects(synthesized, "s3:GetObject"))
    assert not any("s3:DeleteObject" in actions(s) for s in synthesized.function_statements("incident_log"))


def test_the_wildcards_are_acknowledged_with_reasons_on_their_own_policy(synthesized: Synthesized) -> None:
    [policy] = [
        policy
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if any(
            a.startswith("transcribe:") for s in policy["Properties"]["PolicyDocument"]["Statement"] for a in actions(s)
        )
    ]
    rules = {r["id"]: r["reason"] for r in policy["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    [jobs] = _objects(synthesized, "transcribe:GetTranscriptionJob")

    assert set(rules) == {"AwsSolutions-IAM5[Resource::*]", f"AwsSolutions-IAM5[Resource::{jobs}]"}
    assert "no resource type" in rules["AwsSolutions-IAM5[Resource::*]"]


def test_the_language_is_given_when_configured_and_optional() -> None:
    configured = resolve_environment(INCIDENT_LOG, ConfigValues(DeployConfig(incident_transcribe_language="de-DE")))
    unset = resolve_environment(INCIDENT_LOG, ConfigValues(DeployConfig()))

    assert configured[env.INCIDENT_TRANSCRIBE_LANGUAGE] == "de-DE"
    assert env.INCIDENT_TRANSCRIBE_LANGUAGE not in unset  # recordings are refused, typed reports work


def test_the_stack_gives_incident_log_the_configured_language(synthesized: Synthesized) -> None:
    variables = synthesized.function("incident_log")["Properties"]["Environment"]["Variables"]

    assert variables[env.INCIDENT_TRANSCRIBE_LANGUAGE] == "en-US"  # infra.testing.CONFIGURED


@pytest.mark.parametrize("language", ["english", "en_US", "EN-us", "en-US; rm"])
def test_a_malformed_language_is_refused_naming_the_setting(language: str) -> None:
    with pytest.raises(ConfigError, match="plexlabor:incidentTranscribeLanguage"):
        DeployConfig(incident_transcribe_language=language)


def test_incident_log_outlives_the_transcription_wait_within_api_gateways_limit() -> None:
    assert DEFAULT_WAIT_S < INCIDENT_LOG.timeout_s <= 29


def test_the_web_app_knows_the_language_to_offer_a_recording_and_may_not_transcribe() -> None:
    # ux_s14 #18: the web app's report form offered a recording where nothing transcribes it
    web_app = next(spec for spec in FUNCTION_SPECS if spec.name == "web_app")
    configured = resolve_environment(web_app, ConfigValues(DeployConfig(incident_transcribe_language="de-DE")))
    unset = resolve_environment(web_app, ConfigValues(DeployConfig()))
    assert configured[env.INCIDENT_TRANSCRIBE_LANGUAGE] == "de-DE"
    assert env.INCIDENT_TRANSCRIBE_LANGUAGE not in unset
    assert Need.TRANSCRIBE not in web_app.needs  # no transcribe:* grant (test_only_incident_log_may_use_transcribe)
