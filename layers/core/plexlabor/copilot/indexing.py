"""copilot_index: the plant's procedure file -> the copilot's stored index (`copilot.store`), on a schedule.

The plant keeps its procedures (SOPs) as one JSON-lines file, `copilot/procedures/procedures.jsonl` of
the artifacts bucket (`PLEXLABOR_ARTIFACTS_DIR/copilot/procedures/` locally), in the format
`copilot.procedures` reads. Each run reads it, and when its sha256 is the one the newest index was built
from, stops there (encoding is the slow part of a build); otherwise it encodes every step with the
packaged sentence encoder (BM25 alone when the encoder is not installed, logged), stores the index under
`copilot/index/` and moves `latest.json`. copilot_ask reads the new index when its container next starts
(a warm container keeps the one it read).

A bad line of the file stops the run with its line number and field; the index in force stays. The
event's `detail` may hold `{"force": true}` (rebuild even when the file is unchanged). The summary
returned holds counts and keys only.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict

from plexlabor.copilot import INDEX_PREFIX, PROCEDURES_KEY, PROCEDURES_PREFIX, PROCESS_KEY
from plexlabor.copilot.parameters import ProcessData
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, RequiredArtifactSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.observability import logger
from plexlabor.platform.settings import PerEnvironment

if TYPE_CHECKING:
    from plexlabor.copilot.encoder import SentenceEncoder
    from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings


class IndexDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force: bool = False


class CopilotIndexEvent(EventBridgeModel):
    detail: IndexDetail = IndexDetail()


@dataclass
class IndexDeps:
    procedures: ArtifactStore
    """Rooted at `copilot/procedures/`."""
    index: ArtifactStore
    """Rooted at `copilot/index/`."""
    clock: Callable[[], datetime] = utc_now
    lexical_only: bool = False


def build(settings: RequiredArtifactSettings) -> IndexDeps:
    procedures, index = settings.artifact_store(PROCEDURES_PREFIX), settings.artifact_store(INDEX_PREFIX)
    assert procedures is not None and index is not None  # RequiredArtifactSettings: a bucket or a folder
    return IndexDeps(procedures, index)


dependencies = PerEnvironment(RequiredArtifactSettings, build)
"""The stores from the environment: built on first use, rebuilt only if a variable it reads changes."""


def run(deps: IndexDeps, request: CopilotIndexEvent) -> dict[str, Any]:
    """Build and store the index when the procedure file changed (or `force`); the summary."""
    from plexlabor.copilot.store import save_index, stored_source

    source = deps.procedures.get(PROCEDURES_KEY)
    if source is None:
        raise ArtifactError(f"no procedure file at {PROCEDURES_PREFIX}{PROCEDURES_KEY}: upload the plant's SOPs there")
    process_source = deps.procedures.get(PROCESS_KEY)
    digest = hashlib.sha256(source + b"\0" + (process_source or b"")).hexdigest()
    if not request.detail.force and stored_source(deps.index) == digest:
        logger.info("copilot index already built from this procedure file", extra={"source_sha256": digest})
        return {"built": False, "source_sha256": digest}
    started = time.perf_counter()
    procedures = read_procedures(source.decode("utf-8").splitlines(), source=PROCEDURES_KEY)
    process = ProcessData.model_validate_json(process_source) if process_source else ProcessData()
    index = shipped_index(procedures, deps.lexical_only)
    now = deps.clock()
    key = save_index(index, deps.index, now.date(), now, source_sha256=digest, process=process)
    summary = {
        "built": True,
        "key": key,
        "source_sha256": digest,
        "procedures": len(procedures),
        "steps": sum(len(p.steps) for p in procedures),
        "operations": len(process.operations),
        "lots": len(process.lots),
        "encoder": None if index.encoder is None else index.encoder.name,
        "seconds": round(time.perf_counter() - started, 1),
    }
    logger.info("copilot index built", extra=summary)
    return summary


def shipped_index(
    procedures: list[Procedure],
    lexical: bool = False,
    encoder: SentenceEncoder | None = None,
    lexical_because: Callable[[str], None] | None = None,
    settings: RetrievalSettings | None = None,
) -> ProcedureIndex:
    """The shipped settings' index of `procedures` (or `settings`: the benchmark's `PROTOCOL`): with
    `encoder`, else the packaged one, else (not installed: `lexical_because` is told why, by default the
    log) BM25 alone; `lexical`: BM25 alone."""
    from plexlabor.copilot.encoder import EncoderUnavailable, load_encoder
    from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings

    if not lexical and encoder is None:
        try:
            encoder = load_encoder()
        except EncoderUnavailable as error:
            if lexical_because is None:
                logger.warning("copilot index built for BM25 alone", extra={"reason": str(error)})
            else:
                lexical_because(str(error))
    return ProcedureIndex(procedures, settings or RetrievalSettings(), None if lexical else encoder)
