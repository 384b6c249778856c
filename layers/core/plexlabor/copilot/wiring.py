"""The copilot's ask: settings, dependencies built once per environment, `run` and `ask`.

Configuration (environment): where the index is (`ARTIFACTS_BUCKET_NAME`, read under
`copilot/index/`, or `PLEXLABOR_ARTIFACTS_DIR` locally; one of them is required), optionally
`COPILOT_BEDROCK_MODEL_ID` (Bedrock words steps answers; unset: the steps as written), and where
interactions are logged: `AUDIT_TABLE_NAME` (unset: nothing is logged, as in the CLI) and Plex
(`PLEX_API_KEY_SECRET_ARN` or `PLEXLABOR_PLEX_BASE_URL`, in `PLEXLABOR_PLEX_WRITE_MODE`, `dry_run` by
default; unset: the audit only). The encoder's weights come from the installed package; without them the
copilot ranks by BM25 alone and logs it. `copilot_ask` (`plexlabor.copilot.api`) serves `ask`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from plexlabor.plex.client import PlexLaborClient

from plexlabor.copilot import PLEX_ID, PLEX_ID_RULE
from plexlabor.copilot.answers import Where, answer, with_settings
from plexlabor.copilot.bedrock import BedrockComposer
from plexlabor.copilot.interactions import Asked, InteractionLog
from plexlabor.copilot.parameters import ProcessData, suggestion_for
from plexlabor.copilot.retrieval import ProcedureIndex
from plexlabor.copilot.workplace import Routing, Workplaces, routing
from plexlabor.models.production import JobOperation
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactSettings, ArtifactStore
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.kept import Kept
from plexlabor.platform.observability import logger
from plexlabor.platform.settings import PerEnvironment, PlexConnectionSettings
from plexlabor.platform.text import ReadableText
from plexlabor.plex.jobs import PlexJobs, job_spellings

_PLEX_ID = re.compile(PLEX_ID)


def _plex_name(value: str) -> str:
    if not _PLEX_ID.fullmatch(value):
        raise PydanticCustomError("plex_name", PLEX_ID_RULE)
    return value


PlexName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_plex_name),
    WithJsonSchema({"type": "string", "maxLength": 64, "pattern": PLEX_ID}),
]
"""A Plex name (`PLEX_ID`), refused in words (`PLEX_ID_RULE`) rather than as the pattern."""


class CopilotSettings(ArtifactSettings, PlexConnectionSettings):
    bedrock_model_id: str | None = Field(default=None, alias=env.COPILOT_BEDROCK_MODEL_ID)
    audit_table_name: str | None = Field(default=None, alias=env.AUDIT_TABLE_NAME)


class AskRequest(BaseModel):
    """An operator's question, with the job (work order), operation and material lot it is asked at.
    Who asks is the signed-in person (`ask`), never a field of the request."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    question: ReadableText = Field(min_length=3, max_length=500, description="The operator's question, in words")
    job_id: PlexName | None = Field(default=None, description="The current job (work order)")
    operation: PlexName | None = Field(default=None, description="Its current operation")
    part: PlexName | None = Field(default=None, description="The part it makes")
    lot_id: PlexName | None = Field(default=None, description="The material lot in use")


@dataclass
class Copilot:
    """The index (read from the store on the first question, then kept) and the optional composer."""

    store: ArtifactStore
    composer: BedrockComposer | None = None
    lexical_only: bool = False
    log: InteractionLog | None = None
    """Where each interaction is logged (`ask`); None: nowhere (the CLI)."""
    jobs: PlexJobs | None = None
    """The jobs a question may be logged to (`ask`); None: any (no Plex to read them from)."""
    workplaces: Workplaces | None = None
    """The departments a job is asked from (`ask`); None: none known (no Plex to read them from)."""
    _index: ProcedureIndex | None = field(default=None, init=False, repr=False)
    _process: ProcessData = field(default_factory=ProcessData, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def index(self) -> ProcedureIndex:
        with self._lock:
            if self._index is None:
                from plexlabor.copilot.encoder import EncoderUnavailable, load_encoder
                from plexlabor.copilot.store import load_stored

                encoder = None
                if not self.lexical_only:
                    try:
                        encoder = load_encoder()
                    except EncoderUnavailable as error:
                        logger.warning("copilot ranks by BM25 alone", extra={"reason": str(error)})
                self._index, self._process = load_stored(self.store, encoder)
            return self._index

    def process(self) -> ProcessData:
        """The plant's process data stored with the index (read with it)."""
        self.index()
        return self._process


def build(settings: CopilotSettings) -> Copilot:
    """The real adapters (the Bedrock client only when a model is configured)."""
    from plexlabor.copilot import INDEX_PREFIX
    from plexlabor.platform.aws import aws_client

    store = settings.artifact_store(INDEX_PREFIX)
    if store is None:
        raise ConfigurationError(f"{env.ARTIFACTS_BUCKET_NAME} or {env.ARTIFACTS_DIR} is required (the index)")
    model = settings.bedrock_model_id
    composer = BedrockComposer(aws_client("bedrock-runtime"), model) if model else None
    return Copilot(
        store, composer, log=interaction_log(settings), jobs=plex_jobs(settings), workplaces=plex_workplaces(settings)
    )


def given_plex(settings: CopilotSettings) -> bool:
    """Whether the function was given Plex (its secret or its base URL)."""
    return bool(settings.plex_api_key_secret_arn) or env.PLEX_BASE_URL in settings.plex_env


def plex_jobs(settings: CopilotSettings) -> PlexJobs | None:
    """Plex's jobs, read with the short limits of a read a person waits on (`plex.settings.INTERACTIVE_LIMITS`:
    a slow Plex costs one short wait), when the function was given Plex."""
    from plexlabor.approval.wiring import plex_settings

    if not given_plex(settings):
        return None

    def read() -> dict[str, str]:
        from plexlabor.plex.client import PlexLaborClient

        with PlexLaborClient(plex_settings(settings).interactive()) as client:
            return job_spellings(client.jobs())

    return PlexJobs(Kept(read, "Plex jobs for the copilot"))


def plex_workplaces(settings: CopilotSettings) -> Workplaces | None:
    """The departments of a job's operation from Plex (its jobs and workcenters kept, a job's operations read
    when asked from), with the short limits of a read a person waits on, when the function was given Plex."""
    from plexlabor.approval.wiring import plex_settings

    if not given_plex(settings):
        return None

    def client() -> PlexLaborClient:
        from plexlabor.plex.client import PlexLaborClient

        return PlexLaborClient(plex_settings(settings).interactive())

    def read() -> Routing:
        with client() as plex:
            return routing(plex.jobs(), plex.workcenters())

    def operations(job_id: str) -> list[JobOperation]:
        with client() as plex:
            return plex.job_operations_of([job_id])

    return Workplaces(Kept(read, "Plex jobs and workcenters for the copilot"), operations)


def interaction_log(settings: CopilotSettings) -> InteractionLog | None:
    """The audit table, and Plex's writer when the function was given Plex; None without an audit table."""
    if not settings.audit_table_name:
        return None
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.platform.aws import read_secret
    from plexlabor.platform.clock import utc_now
    from plexlabor.plex.sources import plex_settings_from
    from plexlabor.plex.writeback import PlexWriter

    writer = PlexWriter(plex_settings_from(settings, read_secret)) if given_plex(settings) else None
    return InteractionLog(DynamoDbAuditStore(settings.audit_table_name), writer, utc_now)


dependencies = PerEnvironment(CopilotSettings, build)
"""The copilot from the environment: built on first use, rebuilt only if a variable it reads changes."""


def run(
    copilot: Copilot,
    request: AskRequest,
    departments: tuple[str, ...] = (),
    time_left: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """The answer as JSON: kind, text, the procedure, the cited steps, the tools, who worded it (`departments`:
    of the job's operation, whose procedures are looked at before the plant's; `time_left`: the invocation's
    seconds left, which the wording must leave room in)."""
    reply = answer(copilot.index(), request.question, Where(request.operation, request.part, departments))
    if copilot.composer is not None:
        reply = copilot.composer.compose(reply, time_left)
    parameters = (
        suggestion_for(copilot.process(), request.operation, request.lot_id)
        if request.operation and request.lot_id
        else None
    )
    if parameters is not None and parameters["reason"] is None:
        reply = with_settings(reply)
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
        "scope": reply.scope,
        "selected": reply.selected,
        "job_id": request.job_id,
        "departments": list(departments),
        "parameters": parameters,
    }


def ask(
    copilot: Copilot, request: AskRequest, operator_id: str, time_left: Callable[[], float] | None = None
) -> dict[str, Any]:
    """`run`, logged (`copilot.interactions`): the answer with its `interaction_id` and what Plex was sent.
    UnknownJobError (nothing answered or logged) when the question names a job Plex does not have; a job that
    could not be checked (Plex's jobs unreadable) is taken as typed and the answer says so (`job_unchecked`)."""
    unchecked = False
    if request.job_id and copilot.jobs is not None:
        job = copilot.jobs.check(request.job_id)
        request, unchecked = request.model_copy(update={"job_id": job.job}), not job.checked
    departments = (  # not while Plex could not tell the job (one short wait is enough)
        copilot.workplaces.departments(request.job_id, request.operation)
        if request.job_id and copilot.workplaces is not None and not unchecked
        else ()
    )
    answer = {**run(copilot, request, departments, time_left), "job_unchecked": unchecked}
    if copilot.log is None:
        return {**answer, "interaction_id": None, "plex": None}
    asked = Asked(request.question, operator_id, request.job_id, request.operation, request.lot_id, request.part)
    event = copilot.log.record(asked, answer)
    logger.info("copilot interaction logged", extra={"interaction_id": event.event_id, "cited": event.payload["cited"]})
    return {**answer, "interaction_id": event.event_id, "plex": event.payload["plex"]}
