"""copilot_index: the plant's procedure file becomes the stored index copilot_ask reads; built again only
when the file changes (or when forced); a bad file leaves the index in force."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from functions.copilot_index.handler import handler
from plexlabor.copilot.indexing import PROCEDURES_KEY, PROCESS_KEY, IndexDeps
from plexlabor.copilot.parameters import OperationProcess, ProcessData
from plexlabor.copilot.procedures import ProcedureFileError
from plexlabor.copilot.store import load_stored
from plexlabor.copilot.wiring import AskRequest, Copilot, run
from plexlabor.platform.artifacts import ArtifactError, InMemoryArtifactStore
from tests.support import FakeLambdaContext, load_event
from tests.unit.copilot.copilot_world import lines


def _deps() -> IndexDeps:
    procedures = InMemoryArtifactStore()
    procedures.put(PROCEDURES_KEY, "\n".join(lines()).encode())
    return IndexDeps(procedures, InMemoryArtifactStore(), lambda: datetime(2026, 12, 4, 6, tzinfo=UTC), True)


def _run(deps: IndexDeps, **detail: Any) -> dict[str, Any]:
    event = load_event("copilot_index")
    event["detail"] = detail
    return handler(event, FakeLambdaContext(), dependencies=deps)


def test_the_index_built_from_the_procedure_file_is_the_one_the_ask_function_reads() -> None:
    deps = _deps()

    summary = _run(deps)

    assert summary["built"] is True and (summary["procedures"], summary["steps"]) == (4, 9)
    assert summary["key"].startswith("2026-12-04-060000") and summary["encoder"] is None
    answer = run(Copilot(deps.index, lexical_only=True), AskRequest(question="How do I clean the coolant tank?"))
    assert answer["procedure_id"] == "2" and [s["label"] for s in answer["steps"]] == ["[2#1]", "[2#2]", "[2#3]"]


def test_an_unchanged_file_is_not_built_again_unless_forced_and_a_changed_one_is() -> None:
    deps = _deps()
    first = _run(deps)

    assert _run(deps) == {"built": False, "source_sha256": first["source_sha256"]}
    assert _run(deps, force=True)["built"] is True
    deps.procedures.put(PROCEDURES_KEY, "\n".join(lines()[:2]).encode())
    changed = _run(deps)
    assert changed["built"] is True and changed["procedures"] == 2


def test_a_bad_line_stops_the_run_naming_it_and_the_index_in_force_stays() -> None:
    deps = _deps()
    _run(deps)
    deps.procedures.put(PROCEDURES_KEY, ("\n".join(lines()) + '\n{"guide_id": 9, "title": "x"}').encode())

    with pytest.raises(ProcedureFileError, match="line 5"):
        _run(deps)

    answer = run(Copilot(deps.index, lexical_only=True), AskRequest(question="How do I clean the coolant tank?"))
    assert answer["procedure_id"] == "2"


def test_no_procedure_file_says_where_to_put_it() -> None:
    deps = IndexDeps(InMemoryArtifactStore(), InMemoryArtifactStore(), lexical_only=True)

    with pytest.raises(ArtifactError, match=r"copilot/procedures/procedures\.jsonl"):
        _run(deps)


def test_the_process_data_beside_the_procedures_is_stored_with_the_index_and_counts_as_a_change() -> None:
    deps = _deps()
    first = _run(deps)
    process = ProcessData(
        operations={"20": OperationProcess(limits={"temp": (200.0, 240.0)})}, lots={"L1": {"mfi": 9.0}}
    )
    deps.procedures.put(PROCESS_KEY, process.model_dump_json().encode())

    summary = _run(deps)

    assert summary["built"] is True and summary["source_sha256"] != first["source_sha256"]
    assert (summary["operations"], summary["lots"]) == (1, 1)
    assert load_stored(deps.index, None)[1] == process
