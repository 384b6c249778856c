"""The retrieval protocol on a procedure file (known-item retrieval, as in docs/copilot.md).

Index the steps only; ask with each procedure's title, as an operator names the task; the right
procedure's rank gives recall@1/5/10 and MRR. A tie counts against the right procedure (it ranks after
every procedure with the same score), so a blank score never looks like a hit. The tools question
("What tools do I need to <title>?") is answered through the copilot's answer path; it counts as exact
when the list equals the procedure's own list, over the questions whose top procedure is the right one
and whose file gives tool names (None when the file gives none, e.g. lists of single letters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from plexlabor.copilot.answers import answer
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import LEXICAL_ONLY, ProcedureIndex

TOOLS_ASKED = "What tools do I need to {title}?"


@dataclass(frozen=True)
class RetrievalFigures:
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    tools_exact: float | None
    tools_asked: int
    """How many tools questions counted (top procedure right and the file names its tools)."""


@dataclass(frozen=True)
class Evaluation:
    procedures: int
    shipped: RetrievalFigures
    bm25: RetrievalFigures
    encoder: str | None

    def as_json(self) -> dict[str, object]:
        """The CLI's `--json` object: the shipped figures at top level, BM25's under `bm25`."""
        return {
            **asdict(self.shipped),
            "bm25": asdict(self.bm25),
            "procedures": self.procedures,
            "encoder": self.encoder,
        }


def rank_of(scores: np.ndarray, right: int) -> int:
    """1-based rank of `right`, ties counted against it."""
    return int((scores > scores[right]).sum() + (scores == scores[right]).sum())


def figures(index: ProcedureIndex, procedures: Sequence[Procedure], tools: bool = True) -> RetrievalFigures:
    ranks = np.array([rank_of(index.scores(p.title)[0], i) for i, p in enumerate(procedures)])
    exact, asked = 0, 0
    if tools:
        for i, procedure in enumerate(procedures):
            if procedure.tools is None or ranks[i] != 1:
                continue
            reply = answer(index, TOOLS_ASKED.format(title=procedure.title))
            if reply.procedure_id != procedure.id:
                continue
            asked += 1
            exact += reply.tools == procedure.tools
    return RetrievalFigures(
        recall_at_1=float(np.mean(ranks <= 1)),
        recall_at_5=float(np.mean(ranks <= 5)),
        recall_at_10=float(np.mean(ranks <= 10)),
        mrr=float(np.mean(1.0 / ranks)),
        tools_exact=exact / asked if asked else None,
        tools_asked=asked,
    )


def evaluate(procedures: Sequence[Procedure], index: ProcedureIndex) -> Evaluation:
    """The shipped index's figures and plain Okapi BM25's on the same procedures (an index of the steps
    only, `retrieval.PROTOCOL`: the questions are the titles)."""
    if index.settings.titles:
        raise ValueError("the retrieval protocol indexes steps only: build the index with retrieval.PROTOCOL")
    baseline = ProcedureIndex(procedures, LEXICAL_ONLY)
    return Evaluation(
        procedures=len(procedures),
        shipped=figures(index, procedures),
        bm25=figures(baseline, procedures),
        encoder=None if index.encoder is None else index.encoder.name,
    )
