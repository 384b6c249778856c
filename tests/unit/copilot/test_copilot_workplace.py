"""The departments a job is asked from, read from Plex (its operations' workcenters), and the answer from
them through POST /copilot/ask (ux164 #6: J101132's "what gloves do i need" at QC-02 got the paint booth's
colour change); Plex that cannot tell leaves the plant's procedures answering, as without a job."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.copilot.interactions import Asked, InteractionLog
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor.copilot.store import save_index
from plexlabor.copilot.wiring import Copilot
from plexlabor.copilot.workplace import Routing, Workplaces, operation_departments, routing
from plexlabor.models.organization import Workcenter
from plexlabor.models.production import Job, JobOperation
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.kept import Kept
from plexlabor.plex.jobs import PlexJobs
from tests.unit.approval.approval_fakes import World
from tests.unit.copilot.test_copilot_ask_route import AT, _post
from tests.unit.copilot.test_copilot_paraphrases import sop_procedures
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import OPERATOR

WORKCENTERS = [
    Workcenter(workcenter_id="wc-cnc14", workcenter_code="CNC-14", department_code="MACH"),
    Workcenter(workcenter_id="wc-prs13", workcenter_code="PRS-13", department_code="MOLD"),
    Workcenter(workcenter_id="wc-qc02", workcenter_code="QC-02", department_code="QA"),
    Workcenter(workcenter_id="wc-new", workcenter_code="NEW-01"),  # no department in Plex
]
JOB = Job(id="job-1132", job_no="J101132", part_id="P1", quantity=730, status="InProcess")


def _operation(number: int, workcenter: str, status: str = "Scheduled") -> JobOperation:
    return JobOperation(
        id=f"op-{number}",
        job_id=JOB.id,
        part_id="P1",
        operation_no=number,
        operation_code=str(number),
        workcenter_id=workcenter,
        quantity=730,
        standard_hours=4,
        status=status,  # type: ignore[arg-type]
    )


OPERATIONS = [_operation(10, "wc-cnc14"), _operation(20, "wc-prs13"), _operation(30, "wc-qc02", "InProcess")]
"""J101132's: CNC-14, PRS-13 and, in process, QC-02."""
ROUTING = routing([JOB], WORKCENTERS)


@pytest.mark.parametrize(
    ("operations", "typed", "departments"),
    [
        (OPERATIONS, "20", ("MOLD",)),  # the operation typed, by its number
        (OPERATIONS, None, ("QA",)),  # none typed: the one in process
        (OPERATIONS, "99", ("QA",)),  # one the job does not have: as none typed
        (OPERATIONS[:2], None, ("MACH", "MOLD")),  # none in process: all of them
        ([_operation(10, "wc-new")], None, ()),  # a workcenter with no department
    ],
)
def test_the_departments_are_the_typed_operations_else_those_in_process_else_all(
    operations: list[JobOperation], typed: str | None, departments: tuple[str, ...]
) -> None:
    assert operation_departments(ROUTING, operations, typed) == departments


class PlexRead:
    """Plex's jobs and workcenters, and a job's operations, each read counted; `down` makes them fail."""

    def __init__(self) -> None:
        self.routing_reads, self.operation_reads, self.down = 0, 0, False

    def routing(self) -> Routing:
        self.routing_reads += 1
        if self.down:
            raise TimeoutError("Plex did not answer in 4 s")
        return ROUTING

    def operations(self, job_id: str) -> list[JobOperation]:
        self.operation_reads += 1
        if self.down:
            raise TimeoutError("Plex did not answer in 4 s")
        return [op for op in OPERATIONS if op.job_id == job_id]


def _copilot(plex: PlexRead) -> Copilot:
    store = InMemoryArtifactStore()
    save_index(ProcedureIndex(sop_procedures(), RetrievalSettings(dense_weight=0.0)), store, date(2026, 12, 4), AT)
    workplaces = Workplaces(Kept(plex.routing, "Plex routing"), plex.operations)
    return Copilot(
        store, lexical_only=True, log=InteractionLog(InMemoryAuditStore(), None, lambda: AT), workplaces=workplaces
    )


def _ask(copilot: Copilot, **asked: str) -> dict[str, object]:
    response = _post(copilot, json.dumps(asked))
    assert response["statusCode"] == 200
    answer: dict[str, object] = json.loads(response["body"])
    return answer


def test_a_ppe_question_from_a_job_at_a_quality_seat_is_refused_naming_whose_procedure_would_answer() -> None:
    plex = PlexRead()
    copilot = _copilot(plex)

    answer = _ask(copilot, question="what gloves do i need", job_id="j101132")

    assert answer["kind"] == "refused" and answer["departments"] == ["QA"]
    assert str(answer["text"]).startswith("No procedure for your job's department (QA) covers this.")
    assert copilot.log is not None
    [event] = copilot.log.audit.history("jobs:j101132")  # logged with the departments it was asked from
    assert event.payload["answer"]["departments"] == ["QA"]
    assert (plex.routing_reads, plex.operation_reads) == (1, 1)


def test_the_same_question_at_the_jobs_press_operation_is_answered_from_the_mold_shops_procedures() -> None:
    answer = _ask(
        _copilot(PlexRead()), question="What PPE do I need to change the mold?", job_id="J101132", operation="20"
    )

    assert (answer["kind"], answer["scope"], answer["departments"]) == ("tools", "department", ["MOLD"])
    assert answer["title"] == "Mold change on an injection press"


def test_plex_down_knows_no_department_and_the_plants_procedures_answer_as_without_a_job() -> None:
    plex = PlexRead()
    plex.down = True
    copilot = _copilot(plex)

    answer = _ask(copilot, question="What PPE do I need to change the mold?", job_id="J101132", operation="20")
    again = _ask(copilot, question="What PPE do I need to change the mold?", job_id="J101132", operation="20")

    assert (answer["kind"], answer["scope"], answer["departments"]) == ("tools", "plant", [])
    assert again["departments"] == [] and plex.routing_reads == 1  # Plex is not asked again at once
    assert plex.operation_reads == 0  # nor a job's operations while its jobs cannot be read


def test_a_job_plex_does_not_route_knows_no_department() -> None:
    plex = PlexRead()

    answer = _ask(_copilot(plex), question="What PPE do I need to change the mold?", job_id="J000001")

    assert answer["departments"] == [] and answer["scope"] == "plant" and plex.operation_reads == 0


def test_the_page_says_an_answer_came_from_the_jobs_departments_procedures(lambda_context: Any) -> None:
    world = World()
    answer = _ask(
        _copilot(PlexRead()), question="What PPE do I need to change the mold?", job_id="J101132", operation="20"
    )
    event = InteractionLog(world.audit, None, world.clock).record(
        Asked("What PPE do I need to change the mold?", "E0107", "J101132", "20"), answer
    )

    body = call_web(web_deps(world), "GET", "/copilot", OPERATOR, lambda_context, query={"interaction": event.event_id})

    assert "From the procedures of your job&#39;s department (MOLD)." in body["body"]


def test_a_job_plex_could_not_check_costs_no_second_wait_for_its_department() -> None:
    plex = PlexRead()
    copilot = _copilot(plex)
    copilot.jobs = PlexJobs(Kept(_timing_out, "Plex jobs"))

    answer = _ask(copilot, question="What PPE do I need to change the mold?", job_id="J101132", operation="20")

    assert answer["job_unchecked"] is True and answer["departments"] == []
    assert (plex.routing_reads, plex.operation_reads) == (0, 0)


def _timing_out() -> dict[str, str]:
    raise TimeoutError("Plex did not answer in 4 s")
