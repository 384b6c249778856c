"""Copilot benchmark: the retrieval protocol on the real procedures, beside plain Okapi BM25; the tools
question; out-of-scope refusals; ask latency on a 10,000-passage index; the encoder's cold load.

Run by `make bench` (which installs the encoder's weights, `make copilot-model`). The procedure files
are `../shared/benchmarks/procedures/*.jsonl` (MyFixit guides, CC BY-NC-SA: read there, never copied
here); without them the protocol part is skipped. Every file runs with the same shipped settings
(`RetrievalSettings()`), chosen on vehicle.jsonl alone. Each figure is what `plexlabor copilot eval
--procedures FILE` prints (the same `evaluate_file`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from plexlabor.copilot.answers import answer
from plexlabor.copilot.encoder import SentenceEncoder, load_encoder
from plexlabor.copilot.evaluation import RetrievalFigures
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.copilot.retrieval import PROTOCOL, ProcedureIndex, RetrievalSettings
from plexlabor_dev.commands.copilot import FileEvaluation, evaluate_file
from plexlabor_dev.copilot_questions import OUT_OF_SCOPE

PROCEDURES = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "procedures"
FILES = ("appliance", "apparel", "vehicle", "skills")
PASSAGES = 10_000
LATENCY_TARGET_MS = 300.0


class MemoEncoder:
    """The shipped encoder with each text encoded once across the files (the 10,000-passage index reuses
    the files' passages)."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder, self.name = encoder, encoder.name
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if new:
            self.memo.update(zip(new, self.encoder.encode(new, batch_size), strict=True))
        return np.stack([self.memo[t] for t in texts])


def _targets(result: FileEvaluation) -> str:
    shipped, bm25 = result.evaluation.shipped, result.evaluation.bm25
    recall_target = 0.97 if bm25.recall_at_5 > 0.82 else bm25.recall_at_5 + 0.15
    mrr_target = 1.25 * bm25.mrr
    met = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    return (
        f"R@5 target {recall_target:.3f} {met(shipped.recall_at_5 >= recall_target)}; "
        f"MRR target {mrr_target:.3f} {met(shipped.mrr >= mrr_target)}"
        + (" (above 1: unreachable)" if mrr_target > 1 else "")
    )


def _row(name: str, row: RetrievalFigures) -> str:
    values = [getattr(row, k) for k in ("recall_at_1", "recall_at_5", "recall_at_10", "mrr")]
    tools = row.tools_exact
    return f"  {name:8}" + "".join(f"{v:7.3f}" for v in values) + f"{'n/a' if tools is None else f'{tools:.3f}':>7}"


@pytest.fixture(scope="module")
def encoder() -> MemoEncoder:
    return MemoEncoder(load_encoder())


def _read(name: str) -> list[Procedure]:
    with (PROCEDURES / f"{name}.jsonl").open() as lines:
        return read_procedures(lines, name)


@pytest.mark.skipif(not PROCEDURES.is_dir(), reason=f"no procedure files at {PROCEDURES}")
def test_copilot_retrieval_on_real_procedures(encoder: MemoEncoder) -> None:
    print(f"\ncopilot retrieval (steps-only index, title as the question; settings {PROTOCOL})")
    for name in FILES:
        started = time.perf_counter()
        result = evaluate_file(str(PROCEDURES / f"{name}.jsonl"), encoder=encoder)  # type: ignore[arg-type]
        print(f"{name}: {result.evaluation.procedures} guides, {time.perf_counter() - started:.0f} s")
        print(f"  {'':8}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}{'tools':>7}")
        print(_row("copilot", result.evaluation.shipped))
        print(_row("bm25", result.evaluation.bm25))
        print(f"  {_targets(result)}")
        print(
            f"  out-of-scope refused {result.out_of_scope_refused:.3f} of {result.out_of_scope_asked}"
            f" (target 0.95); own titles answered {result.titles_answered:.3f},"
            f" from the right procedure {result.titles_answered_right:.3f}"
        )
        assert result.evaluation.shipped.recall_at_10 >= result.evaluation.shipped.recall_at_5


@pytest.mark.skipif(not PROCEDURES.is_dir(), reason=f"no procedure files at {PROCEDURES}")
def test_copilot_ask_latency_on_10000_passages(encoder: MemoEncoder) -> None:
    procedures = [p for name in FILES for p in _read(name)]
    base, copies = list(procedures), 0
    while sum(len(p.steps) for p in procedures) < PASSAGES:
        original = base[copies % len(base)]
        procedures.append(original.model_copy(update={"id": f"{original.id}-copy{copies}"}))
        copies += 1
    passages = sum(len(p.steps) for p in procedures)
    started = time.perf_counter()
    index = ProcedureIndex(procedures, RetrievalSettings(), encoder)  # type: ignore[arg-type]
    built = time.perf_counter() - started
    questions = [p.title for p in base[::8]][:150] + list(OUT_OF_SCOPE)
    answer(index, questions[0])
    times = []
    for question in questions:
        began = time.perf_counter()
        answer(index, question)
        times.append((time.perf_counter() - began) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    print(
        f"\ncopilot ask, warm, no LLM: {passages} passages ({len(procedures)} procedures, {copies} repeated), "
        f"{len(times)} questions: p50 {p50:.0f} ms, p95 {p95:.0f} ms (target {LATENCY_TARGET_MS:.0f} ms: "
        f"{'met' if p95 < LATENCY_TARGET_MS else 'MISSED'}); index built in {built:.1f} s with the passages "
        "already encoded"
    )
    assert len(times) == len(questions)


def test_copilot_encoder_cold_load_and_size() -> None:
    code = (
        "import time; t=time.perf_counter(); from plexlabor.copilot.encoder import load_encoder; "
        "e=load_encoder(); l=time.perf_counter(); e.encode(['What tools do I need to replace the belt?']); "
        "print(f'{l-t:.2f} {time.perf_counter()-l:.2f}')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    load_s, first_s = out.stdout.split()[-2:]
    import importlib.util

    sizes = {}
    for module in ("numpy", "bm25s", "Stemmer", "tokenizers", "safetensors", "huggingface_hub", "all_minilm_l6_v2"):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        root = Path(spec.origin).parent if Path(spec.origin).name == "__init__.py" else Path(spec.origin)
        files = root.rglob("*") if root.is_dir() else [root]
        sizes[module] = sum(f.stat().st_size for f in files if f.is_file()) / 2**20
    print(
        f"\ncopilot encoder: import + load {load_s} s, first question {first_s} s (fresh process); installed "
        + ", ".join(f"{m} {s:.1f}" for m, s in sizes.items())
        + f" MiB; total {sum(sizes.values()):.1f} MiB (Lambda: 250 MiB unzipped with layers)"
    )


def test_copilot_on_paraphrases_of_the_plants_sops() -> None:
    """The simulator's SOPs (product settings: titles and tools indexed) asked in operators' words: the
    asserted set and the held-out one (`plexlabor_dev.copilot_questions`), BM25 alone and with the encoder."""
    from plexlabor_dev.copilot_questions import (
        NOT_COVERED,
        NOT_COVERED_HELD_OUT,
        SOP_PARAPHRASES,
        SOP_PARAPHRASES_HELD_OUT,
    )
    from tests.unit.copilot.test_copilot_paraphrases import HAZARDOUS_ENERGY, LOCKOUT_TITLE, NEAR_MISSES, sop_procedures

    print("\ncopilot on paraphrases of the simulator's SOPs")
    for name, encoder in (("bm25", None), ("encoder", load_encoder())):
        settings = RetrievalSettings() if encoder else RetrievalSettings(dense_weight=0.0)
        index = ProcedureIndex(sop_procedures(), settings, encoder)
        for label, paraphrases, refused in (
            ("asserted", SOP_PARAPHRASES, NOT_COVERED),
            ("held out", SOP_PARAPHRASES_HELD_OUT, NOT_COVERED_HELD_OUT),
        ):
            asked = [(title, question) for title, questions in paraphrases.items() for question in questions]
            first = sum(index.search(question, k=1)[0].procedure.title == title for title, question in asked)
            replies = [(answer(index, question), title) for title, question in asked]
            right = sum(reply.title == title for reply, title in replies)
            wrong = sum(reply.kind != "refused" and reply.title != title for reply, title in replies)
            kept_out = sum(answer(index, question).kind == "refused" for question in refused)
            print(
                f"  {name:7} {label}: {len(asked)} paraphrases: ranked first {first}, answered from the right SOP "
                f"{right}, from a wrong one {wrong}; not covered refused {kept_out} of {len(refused)}"
            )
            assert right + wrong <= len(asked)
        routed = sum(answer(index, question).title == LOCKOUT_TITLE for question in HAZARDOUS_ENERGY)
        near_replies = {question: answer(index, question) for question in NEAR_MISSES}
        kept_apart = sum(reply.title != LOCKOUT_TITLE for reply in near_replies.values())
        own = sum(near_replies[question].title in {title, None} for question, title in NEAR_MISSES.items())
        print(
            f"  {name:7} hazardous energy without the topic's name: lockout for {routed} of {len(HAZARDOUS_ENERGY)};"
            f" near misses not lockout {kept_apart} of {len(NEAR_MISSES)}, own SOP or refused {own}"
        )


def test_copilot_on_starting_alarms_lockout_and_values() -> None:
    """The intent sets of tests/unit/copilot/intent_questions.py (set A, written before the routing; set B,
    written after set A's first run and run once at the end), BM25 alone and with the encoder."""
    from tests.unit.copilot.intent_questions import ALARM_CHECK, LOCKOUT_CHECK, START_UP_CHECK, VALUE_CHECK
    from tests.unit.copilot.test_copilot_intents import SET_A, intent_figures, plant_procedures, simulator_procedures

    print("\ncopilot on starting the machine, alarms, lockout and values (right of asked)")
    for name, encoder in (("bm25", None), ("encoder", load_encoder())):
        settings = RetrievalSettings() if encoder else RetrievalSettings(dense_weight=0.0)
        plant = ProcedureIndex(plant_procedures(), settings, encoder)
        simulator = ProcedureIndex(simulator_procedures(), settings, encoder)
        for label, sets in (("A", SET_A), ("B", (START_UP_CHECK, ALARM_CHECK, LOCKOUT_CHECK, VALUE_CHECK))):
            found = intent_figures(plant, simulator, sets)
            print(f"  {name:7} set {label}: " + ", ".join(f"{k} {r} of {n}" for k, (r, n) in found.items()))
            assert all(r <= n for r, n in found.values())


def test_copilot_on_the_tasks_procedures_are_titled_for() -> None:
    """The held-out set of tests/unit/copilot/task_questions.py (shutdown, changeover, cleaning, purge,
    inspection, lock removal, times; written and committed before the routing, run once at the end), BM25
    alone and with the encoder."""
    from tests.unit.copilot.test_copilot_intents import simulator_procedures
    from tests.unit.copilot.test_copilot_tasks import task_figures, task_plant

    print("\ncopilot on the tasks procedures are titled for (right of asked)")
    for name, encoder in (("bm25", None), ("encoder", load_encoder())):
        settings = RetrievalSettings() if encoder else RetrievalSettings(dense_weight=0.0)
        plant = ProcedureIndex(task_plant(), settings, encoder)
        simulator = ProcedureIndex(simulator_procedures(), settings, encoder)
        found = task_figures(plant, simulator)
        print(f"  {name:7} " + ", ".join(f"{k} {r} of {n}" for k, (r, n) in found.items()))
        assert all(r <= n for r, n in found.values())


SKIP_QUESTIONS_HELD_OUT: tuple[tuple[str, str | None], ...] = (
    ("Is it alright to skip the torque tool check on nights?", "Torque tool check at an assembly station"),
    ("Could we bypass the torque check for one shift?", "Torque tool check at an assembly station"),
    ("Can I forgo the first-article inspection on a rerun?", "First-article inspection"),
    ("Am I allowed to skip the dock lock when it's one pallet?", "Loading a trailer"),
    ("Can the voltage test be left out if the breaker is off?", "Lockout/tagout before reaching into a machine"),
    ("Can I leave the gloves off in the paint booth?", "Colour change in a paint booth"),
    ("Is the daily CNC check optional on Saturdays?", "Daily check of a CNC machine"),
    ("Can I not bother with the leak check after a mold change?", "Mold change on an injection press"),
    ("Is it ok to run the weld cell without the welding helmet?", "Contact tip and nozzle change on a MIG torch"),
    ("Can we ignore the colour standard comparison today?", "Colour change in a paint booth"),
    ("Can I skip scanning the pallet labels?", "Loading a trailer"),
    ("Do I really have to measure every dimension, or can I skip some?", "First-article inspection"),
    ("Can I override the mold protection?", None),
    ("Can I disable the emergency stop while I jog the robot?", None),
)
"""Questions to leave out a step or a safeguard, with the simulator's SOP that requires it (None: none names it, and the
answer must say so), written after helper-296's change and run once; not used to develop it."""
NOT_SKIP_QUESTIONS_HELD_OUT = (
    "How do I skip a tool in the turret?",
    "What is the torque tool check for?",
    "Which step of the mold change can be done while the mold cools?",
    "Do I check the torque tool before or after lunch?",
    "How do I switch off the paint booth at the end of the shift?",
    "Who do I tell if the torque tool fails its check?",
)
"""Near misses: questions about a check or a stop that ask to leave nothing out (no "no" may answer them)."""


def test_copilot_on_questions_to_skip_a_step() -> None:
    """`SKIP_QUESTIONS_HELD_OUT` and `NOT_SKIP_QUESTIONS_HELD_OUT` on the simulator's SOPs (no job), BM25 alone."""
    from tests.unit.copilot.test_copilot_paraphrases import sop_procedures

    index = ProcedureIndex(sop_procedures(), RetrievalSettings(dense_weight=0.0))
    right, missed = 0, []
    for question, title in SKIP_QUESTIONS_HELD_OUT:
        reply = answer(index, question)
        if title is None:
            ok = reply.kind == "safety" and reply.procedure_id is None and "No procedure I have describes" in reply.text
        else:
            ok = reply.kind == "safety" and reply.title == title and reply.text.startswith("No.")
        right += ok
        missed += [] if ok else [f"{question!r}: {reply.kind} {reply.title}"]
    kept = sum(answer(index, question).kind != "safety" for question in NOT_SKIP_QUESTIONS_HELD_OUT)
    print(
        f"\ncopilot on questions to skip a step (held out, no job): answered no with the requiring SOP, or that none "
        f"names it, {right} of {len(SKIP_QUESTIONS_HELD_OUT)}; near misses not answered as a bypass {kept} of "
        f"{len(NOT_SKIP_QUESTIONS_HELD_OUT)}"
    )
    for line in missed:
        print(f"  missed: {line}")
    assert right <= len(SKIP_QUESTIONS_HELD_OUT)
