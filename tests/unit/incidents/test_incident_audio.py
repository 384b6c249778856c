"""Spoken reports (issue 13, section 1): Amazon Transcribe batch jobs through the real boto3 clients
(botocore's Stubber: no request leaves the process), and POST /incidents with a recording, as JSON and
as the web app's multipart form; what is refused, and why."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from functions.incident_log.handler import handler
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.service import IncidentDeps, opening
from plexlabor.incidents.transcribe import AwsTranscriber, TranscriptionError, TranscriptionPendingError
from tests.support import FakeLambdaContext, load_event
from tests.unit.incidents.test_incident_handler import _post

AUDIO = b"RIFF\x00\x00\x00\x00WAVEfmt fake recording \xff\xfe"
SPOKEN = "He caught his left hand in the press brake at press four and was not wearing gloves."
JOB = "plexlabor-incident-" + hashlib.sha256(AUDIO).hexdigest()[:32]
RECORDING_PART = (
    b'Content-Disposition: form-data; name="audio"; filename="report.m4a"\r\nContent-Type: audio/mp4\r\n\r\n' + AUDIO
)
"""The form's recording field, as a browser sends a phone's m4a recording."""


def _clients() -> tuple[Any, Any]:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    return session.client("s3"), session.client("transcribe")


def _job(status: str, reason: str | None = None) -> dict[str, Any]:
    job: dict[str, Any] = {"TranscriptionJobName": JOB, "TranscriptionJobStatus": status}
    return {"TranscriptionJob": {**job, **({"FailureReason": reason} if reason else {})}}


def _transcriber(s3: Any, transcribe: Any, wait_s: float = 10.0) -> tuple[AwsTranscriber, list[float]]:
    slept: list[float] = []
    clock = iter(float(n) for n in range(1000))
    transcriber = AwsTranscriber(
        "artifacts",
        wait_s=wait_s,
        poll_s=2.0,
        s3=s3,
        transcribe_client=transcribe,
        sleep=slept.append,
        monotonic=lambda: next(clock),
    )
    return transcriber, slept


def _put_and_start(s3: Stubber, transcribe: Stubber, conflict: bool = False) -> None:
    key = f"incidents/audio/{JOB.removeprefix('plexlabor-incident-')}.wav"
    s3.add_response("put_object", {}, {"Bucket": "artifacts", "Key": key, "Body": AUDIO, "ContentType": "audio/wav"})
    start = {
        "TranscriptionJobName": JOB,
        "LanguageCode": "en-US",
        "MediaFormat": "wav",
        "Media": {"MediaFileUri": f"s3://artifacts/{key}"},
        "OutputBucketName": "artifacts",
        "OutputKey": f"incidents/transcripts/{JOB}.json",
    }
    if conflict:
        transcribe.add_client_error("start_transcription_job", "ConflictException", expected_params=start)
    else:
        transcribe.add_response("start_transcription_job", {}, start)


def _transcript(s3: Stubber) -> None:
    body = json.dumps({"results": {"transcripts": [{"transcript": SPOKEN}]}}).encode()
    s3.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(body), len(body))},
        {"Bucket": "artifacts", "Key": f"incidents/transcripts/{JOB}.json"},
    )


def test_a_recording_is_stored_transcribed_and_read_back() -> None:
    s3, transcribe = _clients()
    with Stubber(s3) as s3_stub, Stubber(transcribe) as job_stub:
        _put_and_start(s3_stub, job_stub)
        job_stub.add_response("get_transcription_job", _job("IN_PROGRESS"), {"TranscriptionJobName": JOB})
        job_stub.add_response("get_transcription_job", _job("COMPLETED"), {"TranscriptionJobName": JOB})
        _transcript(s3_stub)
        transcriber, slept = _transcriber(s3, transcribe)
        assert transcriber.transcribe(AUDIO, "wav") == SPOKEN and slept == [2.0]
        s3_stub.assert_no_pending_responses()
        job_stub.assert_no_pending_responses()


def test_the_same_recording_again_finds_its_job_and_a_slow_or_failed_one_is_said() -> None:
    s3, transcribe = _clients()
    with Stubber(s3) as s3_stub, Stubber(transcribe) as job_stub:
        _put_and_start(s3_stub, job_stub, conflict=True)  # started by the first attempt
        for _ in range(4):  # polled at 1, 2, 3 and 4 s of a 5 s wait
            job_stub.add_response("get_transcription_job", _job("IN_PROGRESS"), {"TranscriptionJobName": ANY})
        transcriber, slept = _transcriber(s3, transcribe, wait_s=5.0)
        with pytest.raises(TranscriptionPendingError):
            transcriber.transcribe(AUDIO, "wav")
        assert slept == [2.0, 2.0, 2.0]
    s3, transcribe = _clients()
    with Stubber(s3) as s3_stub, Stubber(transcribe) as job_stub:
        _put_and_start(s3_stub, job_stub)
        job_stub.add_response(
            "get_transcription_job", _job("FAILED", "unsupported sample rate"), {"TranscriptionJobName": JOB}
        )
        with pytest.raises(TranscriptionError, match="unsupported sample rate"):
            _transcriber(s3, transcribe)[0].transcribe(AUDIO, "wav")


@pytest.fixture
def heard() -> list[tuple[bytes, str]]:
    return []


def _deps(heard: list[tuple[bytes, str]], transcript: str | Exception = SPOKEN) -> IncidentDeps:
    def transcribe(audio: bytes, media_format: str) -> str:
        heard.append((audio, media_format))
        if isinstance(transcript, Exception):
            raise transcript
        return transcript

    return IncidentDeps(
        InMemoryAuditStore(), None, clock=lambda: datetime(2026, 12, 4, 15, tzinfo=UTC), transcribe=transcribe
    )


def test_a_json_report_with_a_recording_is_coded_from_the_typed_line_and_the_transcript(
    heard: list[tuple[bytes, str]],
) -> None:
    deps = _deps(heard)
    body = {
        "narrative": "Hand injury at press 4.",
        "audio_base64": base64.b64encode(AUDIO).decode(),
        "audio_format": "WAV",
    }
    response = _post(deps, json.dumps(body))
    assert response["statusCode"] == 201 and heard == [(AUDIO, "wav")]
    logged = json.loads(response["body"])
    event = opening(deps.audit, logged["incident_id"])
    assert event is not None and event.payload["incident"]["narrative"] == f"Hand injury at press 4. {SPOKEN}"
    assert [p["value"] for p in logged["extraction"]["ppe"]] == ["gloves"]  # read from the spoken part


def test_the_form_sends_a_recording_as_multipart(heard: list[tuple[bytes, str]]) -> None:
    parts = [
        b'Content-Disposition: form-data; name="narrative"\r\n\r\nHand injury at press 4.',
        b'Content-Disposition: form-data; name="kind"\r\n\r\nnear_miss',
        b'Content-Disposition: form-data; name="workcenter_code"\r\n\r\n',
        RECORDING_PART,
    ]
    deps = _deps(heard)
    response = _post_form(deps, parts)
    assert response["statusCode"] == 303 and heard == [(AUDIO, "m4a")]
    incident_id = response["multiValueHeaders"]["Location"][0].split("?")[0].rsplit("/", 1)[1]
    event = opening(deps.audit, incident_id)
    assert event is not None and event.payload["incident"]["kind"] == "near_miss"
    assert event.payload["incident"]["workcenter_code"] is None and SPOKEN in event.payload["incident"]["narrative"]


def _post_form(deps: IncidentDeps, parts: list[bytes]) -> dict[str, Any]:
    """The form's fields as a multipart body, sent as API Gateway sends one (a binary media type): base64-encoded."""
    boundary = "----plexlabor"
    raw = (
        b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
        + f"--{boundary}--\r\n".encode()
    )
    event = load_event("incident_log")
    content_type = f"multipart/form-data; boundary={boundary}"
    event["headers"] = {**event["headers"], "Content-Type": content_type, "Sec-Fetch-Site": "same-origin"}
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    return handler(event, FakeLambdaContext(), dependencies=deps)


@pytest.mark.parametrize(
    ("transcript", "body", "status", "problem"),
    [
        (SPOKEN, {"audio_base64": "%%%", "audio_format": "wav"}, 400, "audio_base64"),
        (
            SPOKEN,
            {"audio_base64": base64.b64encode(AUDIO).decode(), "audio_format": "aiff"},
            400,
            "a recording as one of",
        ),
        (
            TranscriptionPendingError("running"),
            {"audio_base64": base64.b64encode(AUDIO).decode(), "audio_format": "wav"},
            503,
            "send the report again",
        ),
        (
            TranscriptionError("no speech"),
            {"audio_base64": base64.b64encode(AUDIO).decode(), "audio_format": "wav"},
            400,
            "not transcribed: no speech",
        ),
    ],
)
def test_a_recording_that_cannot_be_heard_is_refused_and_nothing_recorded(
    heard: list[tuple[bytes, str]], transcript: Any, body: dict[str, str], status: int, problem: str
) -> None:
    deps = _deps(heard, transcript)
    response = _post(deps, json.dumps({"narrative": "Hand injury at press 4.", **body}))
    assert response["statusCode"] == status and problem in response["body"]
    assert (
        deps.audit.by_status(__import__("plexlabor.audit", fromlist=["AuditStatus"]).AuditStatus.PENDING_APPROVAL) == []
    )


def test_without_transcription_configured_the_typed_text_is_recorded_and_the_recording_said_unused() -> None:
    """ux119 #8: a typed report with a recording was refused; now the text is kept and the answer says so."""
    deps = IncidentDeps(InMemoryAuditStore(), None)
    audio = {"audio_base64": base64.b64encode(AUDIO).decode(), "audio_format": "wav"}
    response = _post(deps, json.dumps({"narrative": "Hand injury at press 4.", **audio}))
    assert response["statusCode"] == 201
    logged = json.loads(response["body"])
    assert logged["recording_unused"] is True
    event = opening(deps.audit, logged["incident_id"])
    assert event is not None and event.payload["incident"]["narrative"] == "Hand injury at press 4."
    # without typed text there is nothing to record: the recording is named
    refused = _post(deps, json.dumps({"narrative": "", **audio}))
    assert refused["statusCode"] == 400
    assert {"field": "audio", "problem": "no transcription is configured here: type the report"} in json.loads(
        refused["body"]
    )["errors"]


def test_without_transcription_the_form_goes_to_the_incident_saying_the_recording_was_not_used() -> None:
    narrative = b'Content-Disposition: form-data; name="narrative"\r\n\r\nHand injury at press 4.'
    parts = [narrative, b'Content-Disposition: form-data; name="kind"\r\n\r\ninjury', RECORDING_PART]
    deps = IncidentDeps(InMemoryAuditStore(), None)
    response = _post_form(deps, parts)
    assert response["statusCode"] == 303
    [location] = response["multiValueHeaders"]["Location"]
    path, query = location.split("?")
    assert query == "reported=1&recording=unused" and opening(deps.audit, path.rsplit("/", 1)[1]) is not None


@pytest.mark.parametrize("transcribed", [False, True])
def test_a_refused_form_offers_a_recording_only_where_it_is_transcribed(
    heard: list[tuple[bytes, str]], transcribed: bool
) -> None:
    # ux_s14 #18: the form offered a recording that this deployment could not use; the operator learnt it after sending
    deps = _deps(heard) if transcribed else IncidentDeps(InMemoryAuditStore(), None)
    response = _post_form(deps, [b'Content-Disposition: form-data; name="narrative"\r\n\r\nHand injury at press 4.'])
    assert response["statusCode"] == 400  # no kind chosen: the form again
    assert ('name="audio"' in str(response["body"])) is transcribed
