"""A spoken report to text: Amazon Transcribe batch jobs on recordings kept in S3.

`AwsTranscriber.transcribe(audio, media_format)` puts the recording under `incidents/audio/<sha256>.<fmt>`
of the artifacts bucket, starts a batch job named after the recording's hash (the same recording sent
twice is one job: `ConflictException` means it was started before), and polls it until it is done or
`wait_s` has passed. Done: the transcript text (read from the job's output object in the same bucket,
`incidents/transcripts/<job>.json`). Not done in time: `TranscriptionPendingError` (nothing is recorded;
sending the same recording again finds the job, by then usually finished). Failed:
`TranscriptionError` with Transcribe's reason. Tests drive the real boto3 clients through botocore's
Stubber; no test reaches AWS.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from plexlabor.platform.aws import aws_client

AUDIO_PREFIX = "incidents/audio/"
TRANSCRIPT_PREFIX = "incidents/transcripts/"
JOB_PREFIX = "plexlabor-incident-"
"""Every job's name starts with it (the stack grants transcribe:GetTranscriptionJob on these names only)."""
MEDIA_FORMATS = frozenset({"mp3", "mp4", "wav", "flac", "ogg", "amr", "webm", "m4a"})
"""What Transcribe's batch jobs accept (`MediaFormat`)."""
MAX_AUDIO_BYTES = 4 * 1024 * 1024
"""A spoken report of a few minutes; API Gateway's 10 MB limit holds it base64-encoded."""
DEFAULT_WAIT_S = 20.0
"""Within API Gateway's 29 s, with the coding and the audit write after it."""


class TranscriptionError(RuntimeError):
    """The job failed; the message is Transcribe's reason."""


class TranscriptionPendingError(RuntimeError):
    """The job did not finish within the wait; send the same recording again."""


@dataclass
class AwsTranscriber:
    bucket: str
    language_code: str = "en-US"
    wait_s: float = DEFAULT_WAIT_S
    poll_s: float = 2.0
    s3: Any = None
    transcribe_client: Any = None
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.s3 = self.s3 or aws_client("s3")
        self.transcribe_client = self.transcribe_client or aws_client("transcribe")

    def transcribe(self, audio: bytes, media_format: str) -> str:
        """The recording's transcript (module docstring)."""
        digest = hashlib.sha256(audio).hexdigest()[:32]
        job = f"{JOB_PREFIX}{digest}"
        key = f"{AUDIO_PREFIX}{digest}.{media_format}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=audio, ContentType=f"audio/{media_format}")
        try:
            self.transcribe_client.start_transcription_job(
                TranscriptionJobName=job,
                LanguageCode=self.language_code,
                MediaFormat=media_format,
                Media={"MediaFileUri": f"s3://{self.bucket}/{key}"},
                OutputBucketName=self.bucket,
                OutputKey=f"{TRANSCRIPT_PREFIX}{job}.json",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConflictException":
                raise
        deadline = self.monotonic() + self.wait_s
        while True:
            found = self.transcribe_client.get_transcription_job(TranscriptionJobName=job)["TranscriptionJob"]
            status = found["TranscriptionJobStatus"]
            if status == "COMPLETED":
                return self._transcript(job)
            if status == "FAILED":
                raise TranscriptionError(found.get("FailureReason") or "the transcription failed")
            if self.monotonic() + self.poll_s > deadline:
                raise TranscriptionPendingError(f"the transcription {job} is still running")
            self.sleep(self.poll_s)

    def _transcript(self, job: str) -> str:
        body = self.s3.get_object(Bucket=self.bucket, Key=f"{TRANSCRIPT_PREFIX}{job}.json")["Body"].read()
        transcripts = json.loads(body)["results"]["transcripts"]
        return " ".join(t["transcript"] for t in transcripts).strip()
