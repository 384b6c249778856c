"""The artifact store port: files a scheduled job leaves in the artifacts bucket for others to read.

A store is rooted at one key prefix of the bucket (the prefix a function is granted, e.g.
`reports/skills/`); keys are relative to it and may not escape it (`check_key`). Implementations:
`InMemoryArtifactStore` (tests), `LocalFolderArtifactStore` (a folder standing for the prefix: the
CLI, tests) and `S3ArtifactStore` (`plexlabor.platform.s3artifacts`, the only one that talks to AWS).
One contract test runs against all three (`tests/integration/platform/test_artifact_store_contract.py`).

Shared by the capabilities below `webapp` (import-linter keeps `skills` and `forecast` from importing
each other): skills_daily's reports (`reports/skills/`), forecast_nightly's runs (`models/forecast/`,
`forecast.artifacts`) and the scorer's models all go through it.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar, Protocol, Self, TypeVar, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from plexlabor.platform import env
from plexlabor.platform.clock import day_before
from plexlabor.platform.settings import EnvSettings


class ArtifactError(Exception):
    """An artifact could not be stored or read, or a key or file is malformed; the message says which."""


@runtime_checkable
class ArtifactStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Store `data` under `key` (relative to the store's prefix), replacing what was there."""
        ...

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None when nothing is stored there."""
        ...


def check_key(key: str) -> str:
    """`key` when it stays under the prefix (no empty, `.` or `..` part, not absolute), else ArtifactError."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ArtifactError(f"bad artifact key {key!r}")
    return key


class LocalFolderArtifactStore:
    """Files under a folder (the folder plays the role of the bucket prefix); a put replaces atomically."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self.root / check_key(key)
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)

    def get(self, key: str) -> bytes | None:
        path = self.root / check_key(key)
        return path.read_bytes() if path.is_file() else None


class InMemoryArtifactStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.content_types: dict[str, str] = {}

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.objects[check_key(key)] = bytes(data)
        self.content_types[key] = content_type

    def get(self, key: str) -> bytes | None:
        return self.objects.get(check_key(key))


class ArtifactSettings(EnvSettings):
    """Where a function's artifacts are: `ARTIFACTS_BUCKET_NAME` (S3, what the stack gives a function
    granted a prefix of the bucket) or `PLEXLABOR_ARTIFACTS_DIR` (a folder); neither: none."""

    artifacts_bucket_name: str | None = Field(default=None, alias=env.ARTIFACTS_BUCKET_NAME)
    artifacts_dir: str | None = Field(default=None, alias=env.ARTIFACTS_DIR)

    def artifact_store(self, prefix: str) -> ArtifactStore | None:
        """The store rooted at `prefix` of the bucket (or of the folder), or None when neither is set."""
        if self.artifacts_bucket_name:
            from plexlabor.platform.s3artifacts import S3ArtifactStore

            return S3ArtifactStore(self.artifacts_bucket_name, prefix)
        if self.artifacts_dir:
            return LocalFolderArtifactStore(Path(self.artifacts_dir) / check_key(prefix.rstrip("/")))
        return None


class RequiredArtifactSettings(ArtifactSettings):
    """`ArtifactSettings` of a function that exists to store artifacts: a bucket or a folder is required."""

    @model_validator(mode="after")
    def _somewhere_to_store(self) -> Self:
        if not self.artifacts_bucket_name and not self.artifacts_dir:
            raise ValueError(f"set {env.ARTIFACTS_BUCKET_NAME} (S3) or {env.ARTIFACTS_DIR} (a folder)")
        return self

    def required_store(self, prefix: str) -> ArtifactStore:
        """`artifact_store(prefix)`, never None: these settings are refused without a bucket or a folder."""
        store = self.artifact_store(prefix)
        assert store is not None
        return store


# ---- one report a day, and the pointer to the newest ---------------------------------------------------

LATEST = "latest.json"
"""The pointer to a store's newest report."""
REPORT_CONTENT_TYPE = "application/json"


class ReportPointer(BaseModel):
    """`latest.json`: which report is the newest, and how to check it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    key: str
    sha256: str
    bytes: int
    generated_at: datetime
    schema_version: int = 1


def store_report(
    store: ArtifactStore, key: str, body: bytes, as_of: date, generated_at: datetime, schema_version: int = 1
) -> ReportPointer:
    """Write a report, then point `latest.json` at it (written last, so a reader never sees a pointer to a
    half-written report); the pointer written."""
    store.put(key, body, REPORT_CONTENT_TYPE)
    pointer = ReportPointer(
        as_of=as_of,
        key=key,
        sha256=hashlib.sha256(body).hexdigest(),
        bytes=len(body),
        generated_at=generated_at,
        schema_version=schema_version,
    )
    store.put(LATEST, pointer.model_dump_json().encode(), REPORT_CONTENT_TYPE)
    return pointer


def store_day_report(
    store: ArtifactStore, report: BaseModel, as_of: date, generated_at: datetime, schema_version: int
) -> ReportPointer:
    """`store_report` of a day's pydantic report under `<as_of>.json` (a re-run the same day replaces it)."""
    body = report.model_dump_json().encode()
    return store_report(store, f"{as_of.isoformat()}.json", body, as_of, generated_at, schema_version)


class WeeksReport(BaseModel):
    """A nightly report over the `weeks` weeks that end on the plant-local day `as_of` (a subclass gives
    `schema_version` its own default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int
    generated_at: datetime
    as_of: date
    """The last plant-local day of the window."""
    weeks: int = Field(ge=1)


class WeeksDetail(BaseModel):
    """A scheduled event's `detail` asking for a `WeeksReport` (analytics_nightly, incident_trends): the plant-local
    day it ends on and how many weeks it spans, each optional (the run's defaults: the day before the event, the
    function's setting); a subclass sets `max_weeks`, the longest window its run reads."""

    model_config = ConfigDict(extra="forbid")
    max_weeks: ClassVar[int]

    as_of: date | None = None
    weeks: int | None = Field(default=None, ge=1)

    @field_validator("weeks")
    @classmethod
    def _within_max_weeks(cls, weeks: int | None) -> int | None:
        if weeks is not None and weeks > cls.max_weeks:
            raise ValueError(f"at most {cls.max_weeks} weeks")
        return weeks

    def asked(self, sent_at: datetime, zone: ZoneInfo, default_weeks: int) -> tuple[date, int]:
        """The day the report ends on and its weeks: those asked, else the last plant-local day before `sent_at` (the
        event's time; `clock.day_before`) and `default_weeks`."""
        return self.as_of or day_before(sent_at, zone), self.weeks or default_weeks


def store_weeks_report(store: ArtifactStore, report: WeeksReport) -> ReportPointer:
    """Write the report under its day, then point `latest.json` at it; the pointer written."""
    return store_day_report(store, report, report.as_of, report.generated_at, report.schema_version)


def read_pointer(store: ArtifactStore, what: str = "report") -> ReportPointer | None:
    """The newest report's pointer, or None when no report was stored yet."""
    raw = store.get(LATEST)
    if raw is None:
        return None
    try:
        return ReportPointer.model_validate_json(raw)
    except ValidationError:
        raise ArtifactError(f"{LATEST} is not a {what} pointer") from None


def read_pointed(store: ArtifactStore, key: str, sha256: str | None) -> bytes:
    """The bytes under `key`, which `latest.json` points at, checked against `sha256` when there is one."""
    raw = store.get(key)
    if raw is None:
        raise ArtifactError(f"{key} is missing although {LATEST} points at it")
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise ArtifactError(f"{key} does not match the sha256 in {LATEST} (being replaced?)")
    return raw


def read_checked(store: ArtifactStore, pointer: ReportPointer) -> bytes:
    """The bytes of the report a pointer names, checked against its sha256 (not parsed)."""
    return read_pointed(store, pointer.key, pointer.sha256)


ReportT = TypeVar("ReportT", bound=BaseModel)


def read_model(store: ArtifactStore, pointer: ReportPointer, model: type[ReportT], what: str) -> ReportT:
    """The report a pointer names, checked against its sha256 and validated whole as `model`; an
    `ArtifactError` saying it is not `what` (e.g. "a scores report") otherwise."""
    raw = read_checked(store, pointer)
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise ArtifactError(f"{pointer.key} is not {what}: {error.error_count()} problem(s)") from None
