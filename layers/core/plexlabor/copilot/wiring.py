"""The copilot's ask: settings, dependencies built once per environment, and `run(copilot, request)`.

Configuration (environment): where the index is (`ARTIFACTS_BUCKET_NAME`, read under
`copilot/index/`, or `PLEXLABOR_ARTIFACTS_DIR` locally; one of them is required) and, optionally,
`COPILOT_BEDROCK_MODEL_ID` (Bedrock words steps answers; unset: the steps as written). The encoder's
weights come from the installed package; without them the copilot ranks by BM25 alone and logs it.
No Lambda handler, API route or page uses this yet (docs/copilot.md, "What is left").
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.copilot.answers import answer
from plexlabor.copilot.bedrock import BedrockComposer
from plexlabor.copilot.retrieval import ProcedureIndex
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactSettings, ArtifactStore
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.observability import logger
from plexlabor.platform.settings import PerEnvironment


class CopilotSettings(ArtifactSettings):
    bedrock_model_id: str | None = Field(default=None, alias=env.COPILOT_BEDROCK_MODEL_ID)


class AskRequest(BaseModel):
    """An operator's question, with the job and operator it is asked for (kept for the log)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, max_length=500)
    job_id: str | None = Field(default=None, max_length=64)
    operator_id: str | None = Field(default=None, max_length=64)


@dataclass
class Copilot:
    """The index (read from the store on the first question, then kept) and the optional composer."""

    store: ArtifactStore
    composer: BedrockComposer | None = None
    lexical_only: bool = False
    _index: ProcedureIndex | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def index(self) -> ProcedureIndex:
        with self._lock:
            if self._index is None:
                from plexlabor.copilot.encoder import EncoderUnavailable, load_encoder
                from plexlabor.copilot.store import load_index

                encoder = None
                if not self.lexical_only:
                    try:
                        encoder = load_encoder()
                    except EncoderUnavailable as error:
                        logger.warning("copilot ranks by BM25 alone", extra={"reason": str(error)})
                self._index = load_index(self.store, encoder)
            return self._index


def build(settings: CopilotSettings) -> Copilot:
    """The real adapters (the Bedrock client only when a model is configured)."""
    from plexlabor.copilot.store import INDEX_PREFIX
    from plexlabor.platform.aws import aws_client

    store = settings.artifact_store(INDEX_PREFIX)
    if store is None:
        raise ConfigurationError(f"{env.ARTIFACTS_BUCKET_NAME} or {env.ARTIFACTS_DIR} is required (the index)")
    model = settings.bedrock_model_id
    return Copilot(store, BedrockComposer(aws_client("bedrock-runtime"), model) if model else None)


dependencies = PerEnvironment(CopilotSettings, build)
"""The copilot from the environment: built on first use, rebuilt only if a variable it reads changes."""


def run(copilot: Copilot, request: AskRequest) -> dict[str, Any]:
    """The answer as JSON: kind, text, the procedure, the cited steps, the tools, who worded it."""
    reply = answer(copilot.index(), request.question)
    if copilot.composer is not None:
        reply = copilot.composer.compose(reply)
    logger.info(
        "copilot answered",
        extra={"kind": reply.kind, "procedure_id": reply.procedure_id, "job_id": request.job_id},
    )
    return {
        "kind": reply.kind,
        "text": reply.text,
        "procedure_id": reply.procedure_id,
        "title": reply.title,
        "steps": [{**asdict(citation), "label": citation.label, "text": text} for citation, text in reply.steps],
        "tools": None if reply.tools is None else list(reply.tools),
        "worded_by": reply.worded_by,
        "job_id": request.job_id,
    }
