"""Copilot ask through its route, warm: `POST /copilot/ask` (copilot_ask's handler, JSON) on a
10,000-passage index stored and loaded as the function loads it, each answer logged (an in-memory audit
table, Plex in dry run), without an LLM.

The passages are the real procedure files' steps (`../shared/benchmarks/procedures/`, repeated past
10,000 as bench_copilot does); their stored vectors are random unit vectors of the encoder's width,
because encoding 10,000 steps takes tens of minutes here and the time of a question does not depend on
the vectors' values (the question itself goes through the real encoder). So this measures speed, not
answers: retrieval quality is bench_copilot's. Run by `make bench`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the function (plexlabor.copilot), before NumPy loads

import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from functions.copilot_ask.handler import handler
from plexlabor.audit import AuditStatus
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.copilot.answers import answer
from plexlabor.copilot.interactions import InteractionLog
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor.copilot.store import save_index
from plexlabor.copilot.wiring import Copilot
from plexlabor.platform.artifacts import LocalFolderArtifactStore
from plexlabor.plex.settings import PlexSettings
from plexlabor.plex.writeback import PlexWriter
from plexlabor_dev.copilot_questions import OUT_OF_SCOPE
from tests.support import FakeLambdaContext, load_event

PROCEDURES = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "procedures"
FILES = ("appliance", "apparel", "vehicle", "skills")
PASSAGES = 10_000
QUESTIONS = 190
TARGET_MS = 300.0
WIDTH = 384
"""all-MiniLM-L6-v2's vector width."""


def _procedures() -> tuple[list[Procedure], list[Procedure]]:
    base: list[Procedure] = []
    for name in FILES:
        with (PROCEDURES / f"{name}.jsonl").open() as lines:
            base += read_procedures(lines, name)
    procedures, copies = list(base), 0
    while sum(len(p.steps) for p in procedures) < PASSAGES:
        original = base[copies % len(base)]
        procedures.append(original.model_copy(update={"id": f"{original.id}-copy{copies}"}))
        copies += 1
    return base, procedures


def _ask(copilot: Copilot, question: str) -> float:
    event = load_event("copilot_ask")
    event["body"] = json.dumps({"question": question[:500], "job_id": "J-4512", "operation": "20"})
    began = time.perf_counter()
    response = handler(event, FakeLambdaContext(), dependencies=copilot)
    elapsed = (time.perf_counter() - began) * 1000
    assert response["statusCode"] == 200, response["body"]
    return elapsed


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Procedure], int]:
    """The 10,000-passage index stored in a folder as copilot_index stores it in S3."""
    from plexlabor.copilot.encoder import load_encoder

    if not PROCEDURES.is_dir():
        pytest.skip(f"no procedure files at {PROCEDURES}")
    encoder = load_encoder()
    base, procedures = _procedures()
    steps = sum(len(p.steps) for p in procedures)
    vectors = np.random.default_rng(12).standard_normal((steps, WIDTH)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    folder = tmp_path_factory.mktemp("copilot-index")
    at = datetime(2026, 12, 4, tzinfo=UTC)
    index = ProcedureIndex(procedures, RetrievalSettings(), encoder, vectors)
    save_index(index, LocalFolderArtifactStore(folder), date(2026, 12, 4), at)
    return folder, base, steps


def test_copilot_ask_p95_through_the_route_on_10000_passages(stored: tuple[Path, list[Procedure], int]) -> None:
    folder, base, steps = stored
    store = LocalFolderArtifactStore(folder)
    at = datetime(2026, 12, 4, tzinfo=UTC)
    audit = InMemoryAuditStore()
    writer = PlexWriter(PlexSettings(api_key="k"))  # dry run, the default
    copilot = Copilot(store, log=InteractionLog(audit, writer, lambda: at))

    first = _ask(copilot, "How do I replace the rear brake pads?")  # reads the index and the encoder
    questions = ([p.title for p in base[::8]] + list(OUT_OF_SCOPE))[:QUESTIONS]
    times, direct = [], []
    for question in questions:  # the route, then the same answer in process, under the same load
        times.append(_ask(copilot, question))
        began = time.perf_counter()
        answer(copilot.index(), question)
        direct.append((time.perf_counter() - began) * 1000)

    p50, p95 = np.percentile(times, [50, 95])
    d50, d95 = np.percentile(direct, [50, 95])
    print(
        f"\ncopilot POST /copilot/ask, warm, no LLM, logged (in-memory audit, Plex dry run): {steps} passages, "
        f"{len(times)} questions: p50 {p50:.0f} ms, p95 {p95:.0f} ms (target {TARGET_MS:.0f} ms: "
        f"{'met' if p95 < TARGET_MS else 'MISSED'}); first question in the process (index and encoder "
        f"loaded) {first / 1000:.1f} s; the same answers in process (answers.answer, no route, no log): "
        f"p50 {d50:.0f} ms, p95 {d95:.0f} ms"
    )
    assert len(audit.by_status(AuditStatus.ANSWERED, limit=1000)) == len(times) + 1  # every interaction logged


COLD = """
import time
started = time.perf_counter()
from functions.copilot_ask.handler import handler
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.copilot.interactions import InteractionLog
from plexlabor.copilot.wiring import Copilot
from plexlabor.platform.artifacts import LocalFolderArtifactStore
from plexlabor.platform.clock import utc_now
from plexlabor.plex.settings import PlexSettings
from plexlabor.plex.writeback import PlexWriter
from tests.support import FakeLambdaContext, load_event
imported = time.perf_counter()
log = InteractionLog(InMemoryAuditStore(), PlexWriter(PlexSettings(api_key="k")), utc_now)
copilot = Copilot(LocalFolderArtifactStore({folder!r}), log=log)
response = handler(load_event("copilot_ask"), FakeLambdaContext(), dependencies=copilot)
assert response["statusCode"] == 200
answered = time.perf_counter()
response = handler(load_event("copilot_ask"), FakeLambdaContext(), dependencies=copilot)
print(f"{{imported - started:.2f}} {{answered - imported:.2f}} {{time.perf_counter() - answered:.3f}}")
"""


def test_copilot_ask_cold_in_a_fresh_process(stored: tuple[Path, list[Procedure], int]) -> None:
    folder, _, steps = stored
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", COLD.format(folder=str(folder))],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        cwd=root,
    )
    imported, first, second = out.stdout.split()[-3:]
    size = sum(f.stat().st_size for f in folder.rglob("*")) / 2**20
    print(
        f"\ncopilot_ask cold, fresh process, {steps}-passage index ({size:.1f} MiB "
        f"stored): imports {imported} s, first question (index read, weights loaded, answered, logged) {first} s, "
        f"second {float(second) * 1000:.0f} ms. Not a Lambda cold start (no init of the runtime or the layer's unzip)."
    )
