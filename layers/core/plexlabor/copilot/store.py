"""The copilot's index as one artifact: built by a batch job, read by the ask function.

One `.npz` file under `copilot/index/` of the artifacts bucket (or a folder standing for it), pointed
at by `latest.json` with its sha256 (`plexlabor.platform.artifacts`): the procedures as JSON, the steps'
vectors as float16 (the encoder is the slow part; BM25 is rebuilt from the procedures on load, under a
second for 10,000 steps), and a manifest (settings, encoder, counts). A reader whose encoder differs
from the one that built the vectors is refused rather than mixing two vector spaces.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from datetime import date, datetime

import numpy as np

from plexlabor.copilot.encoder import SentenceEncoder
from plexlabor.copilot.parameters import ProcessData
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, read_checked, read_pointer, store_report

SCHEMA_VERSION = 1


def save_index(
    index: ProcedureIndex,
    store: ArtifactStore,
    as_of: date,
    generated_at: datetime,
    source_sha256: str | None = None,
    process: ProcessData | None = None,
) -> str:
    """Store the index (then its pointer); the key written. `source_sha256`: the files it was built from
    (copilot_index builds again only when that changes); `process`: the plant's process data, kept with it."""
    manifest = {
        "source_sha256": source_sha256,
        "settings": asdict(index.settings),
        "encoder": None if index.encoder is None else index.encoder.name,
        "procedures": len(index.procedures),
        "steps": sum(len(p.steps) for p in index.procedures),
    }
    procedures = json.dumps([p.model_dump(mode="json") for p in index.procedures]).encode()
    vectors = index.step_vectors if index.step_vectors is not None else np.zeros((0, 0), np.float32)
    body = io.BytesIO()
    np.savez(
        body,
        manifest=np.frombuffer(json.dumps(manifest).encode(), np.uint8),
        procedures=np.frombuffer(procedures, np.uint8),
        vectors=vectors.astype(np.float16),
        process=np.frombuffer((process or ProcessData()).model_dump_json().encode(), np.uint8),
    )
    key = f"{as_of.isoformat()}-{generated_at.strftime('%H%M%S')}.npz"
    store_report(store, key, body.getvalue(), as_of, generated_at, SCHEMA_VERSION)
    return key


def _newest(store: ArtifactStore) -> bytes:
    pointer = read_pointer(store, "copilot index")
    if pointer is None:
        raise ArtifactError("no copilot index stored yet (copilot/index/latest.json)")
    return read_checked(store, pointer)


def stored_source(store: ArtifactStore) -> str | None:
    """The sha256 of the procedure file the newest index was built from (None: no index, or not recorded)."""
    if read_pointer(store, "copilot index") is None:
        return None
    with np.load(io.BytesIO(_newest(store))) as archive:
        source: str | None = json.loads(archive["manifest"].tobytes()).get("source_sha256")
    return source


def load_index(store: ArtifactStore, encoder: SentenceEncoder | None) -> ProcedureIndex:
    """The newest stored index, with `encoder` for questions (None: lexical only)."""
    return load_stored(store, encoder)[0]


def load_stored(store: ArtifactStore, encoder: SentenceEncoder | None) -> tuple[ProcedureIndex, ProcessData]:
    """The newest stored index and the process data stored with it (empty for an index stored without)."""
    with np.load(io.BytesIO(_newest(store))) as archive:
        manifest = json.loads(archive["manifest"].tobytes())
        procedures = [Procedure.model_validate(p) for p in json.loads(archive["procedures"].tobytes())]
        vectors = archive["vectors"]
        process = (
            ProcessData.model_validate_json(archive["process"].tobytes()) if "process" in archive else ProcessData()
        )
    settings = RetrievalSettings(**manifest["settings"])
    if encoder is not None and manifest["encoder"] != encoder.name:
        raise ArtifactError(f"the index was encoded by {manifest['encoder']!r}, not by {encoder.name!r}: rebuild it")
    if encoder is None:
        settings = RetrievalSettings(**{**manifest["settings"], "dense_weight": 0.0})
    return ProcedureIndex(procedures, settings, encoder, vectors if encoder is not None else None), process
