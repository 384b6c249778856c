from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from plexlabor.copilot.answers import answer
from plexlabor.copilot.encoder import load_encoder
from plexlabor.copilot.evaluation import evaluate, figures, rank_of
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import LEXICAL_ONLY, PROTOCOL, ProcedureIndex, RetrievalSettings
from tests.unit.copilot.copilot_world import procedures, write_tiny_encoder

LEXICAL = RetrievalSettings(dense_weight=0.0)


def test_bm25_finds_the_procedure_by_what_its_steps_say_not_its_title() -> None:
    index = ProcedureIndex(procedures(), LEXICAL)

    assert index.search("sludge in the coolant sump")[0].procedure.id == "2"
    # The title's words alone ("spindle belt") are in procedure 1's steps too; "Replacing" is not.
    assert index.search("Replacing the spindle belt")[0].procedure.id == "1"


def test_stems_meet_other_forms_of_a_word_and_plain_bm25_does_not() -> None:
    stemmed, plain = ProcedureIndex(procedures(), LEXICAL), ProcedureIndex(procedures(), LEXICAL_ONLY)

    assert stemmed.lexical_scores("tensioning")[0] > 0  # "tension" in procedure 1
    assert not plain.lexical_scores("tensioning").any()


def test_the_cited_step_is_the_one_that_matches_the_question() -> None:
    hit = ProcedureIndex(procedures(), LEXICAL).search("remove the belt guard screws")[0]

    assert (hit.procedure.id, hit.best_step) == ("1", 1)


def test_coverage_is_the_share_of_question_words_in_title_or_steps() -> None:
    index = ProcedureIndex(procedures(), LEXICAL)

    assert index.coverage("spindle belt", 0) == 1.0
    assert index.coverage("forklift brake spindle", 0) == pytest.approx(1 / 3)


def test_a_tie_counts_against_the_right_procedure() -> None:
    assert rank_of(np.array([0.0, 0.0, 0.0]), 0) == 3
    assert rank_of(np.array([0.5, 0.9, 0.1]), 0) == 2


def test_figures_on_a_file_the_index_answers_perfectly() -> None:
    procs = procedures()
    index = ProcedureIndex(procs, LEXICAL)

    result = figures(index, procs)

    ranks = [rank_of(index.scores(p.title)[0], i) for i, p in enumerate(procs)]
    assert result.recall_at_1 == np.mean(np.array(ranks) == 1)
    assert result.mrr == pytest.approx(np.mean(1 / np.array(ranks)))
    # Procedures 1 and 2 name tools; 3 names none (an empty list counts); 4's list is letters (not counted).
    assert result.tools_asked == sum(1 for i, p in enumerate(procs) if p.tools is not None and ranks[i] == 1)
    assert result.tools_exact == 1.0


def test_evaluate_reports_plain_bm25_beside_the_shipped_index() -> None:
    procs = procedures()

    result = evaluate(procs, ProcedureIndex(procs, replace(PROTOCOL, dense_weight=0.0))).as_json()

    keys = {"recall_at_1", "recall_at_5", "recall_at_10", "mrr", "tools_exact"}
    assert keys <= set(result)
    assert isinstance(result["bm25"], dict)
    assert keys <= set(result["bm25"])


def test_the_protocol_refuses_an_index_that_holds_the_titles_it_asks() -> None:
    procs = procedures()

    with pytest.raises(ValueError, match="steps only"):
        evaluate(procs, ProcedureIndex(procs, LEXICAL))


def test_a_plants_title_ranks_its_procedure_when_its_steps_never_name_the_machine() -> None:
    # Given a procedure whose title names the machine and whose steps never do, beside one whose steps
    # share the question's other word
    lathe = Procedure.model_validate(
        {"guide_id": "L", "title": "Tool change on the lathe", "steps": [{"order": 1, "text": "Fit the new insert."}]}
    )
    torque = Procedure.model_validate(
        {"guide_id": "T", "title": "Torque check", "steps": [{"order": 1, "text": "Check the tool five times."}]}
    )
    question = "How do I change a tool on the lathe?"

    # Then the shipped index ranks the lathe's first; the benchmark's steps-only one ranks the other first
    assert ProcedureIndex([lathe, torque], LEXICAL).search(question)[0].procedure.id == "L"
    assert ProcedureIndex([lathe, torque], replace(PROTOCOL, dense_weight=0.0)).search(question)[0].procedure.id == "T"


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_encoder(write_tiny_encoder(tmp_path_factory.mktemp("encoder")))


def test_encoder_vectors_are_unit_length_and_do_not_depend_on_their_batch(tiny_encoder) -> None:  # type: ignore[no-untyped-def]
    short, long = "remove the belt", "pump the coolant out of the sump into the waste drum then vacuum chips"

    alone = tiny_encoder.encode([short])
    together = tiny_encoder.encode([long, short], batch_size=2)

    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding the short text to the long one's length must not change it (the attention mask works).
    assert np.allclose(alone[0], together[1], atol=1e-5)
    assert not np.allclose(together[0], together[1], atol=1e-2)


def test_encoder_reads_a_zip_like_the_packaged_one(tmp_path: Path, tiny_encoder) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    folder = write_tiny_encoder(tmp_path / "model")
    with zipfile.ZipFile(tmp_path / "model.zip", "w") as archive:
        for name in ("model.safetensors", "tokenizer.json", "config.json"):
            archive.write(folder / name, name)

    from_zip = load_encoder(tmp_path / "model.zip").encode(["lock out the mill"])

    assert np.allclose(from_zip, tiny_encoder.encode(["lock out the mill"]))


def test_with_an_encoder_the_fused_score_ranks_and_cites_the_closest_step(tiny_encoder) -> None:  # type: ignore[no-untyped-def]
    index = ProcedureIndex(procedures(), RetrievalSettings(), tiny_encoder)

    hits = index.search("Vacuum chips and sludge from the tank floor, then refill with fresh coolant mix.", k=4)

    assert hits[0].procedure.id == "2"
    assert hits[0].best_step == 2
    assert hits[0].similarity is not None and hits[0].similarity > 0.99
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_answers_come_from_the_index_with_the_encoder_too(tiny_encoder) -> None:  # type: ignore[no-untyped-def]
    index = ProcedureIndex(procedures(), RetrievalSettings(), tiny_encoder)

    tools = answer(index, "What tools do I need for cleaning the coolant tank?").tools
    assert tools == ("Wet vacuum", "Nitrile gloves")
    assert answer(index, "What is the capital of Australia?").kind == "refused"


def test_a_stored_index_answers_as_the_built_one_without_encoding_the_steps_again(tiny_encoder) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, date, datetime

    from plexlabor.copilot.store import load_index, save_index
    from plexlabor.platform.artifacts import InMemoryArtifactStore

    built = ProcedureIndex(procedures(), RetrievalSettings(), tiny_encoder)
    store = InMemoryArtifactStore()
    save_index(built, store, date(2026, 12, 4), datetime(2026, 12, 4, 3, tzinfo=UTC))

    class CountingEncoder:
        name, dimension, calls = tiny_encoder.name, tiny_encoder.dimension, 0

        def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
            CountingEncoder.calls += len(texts)
            return tiny_encoder.encode(texts, batch_size)

    loaded = load_index(store, CountingEncoder())  # type: ignore[arg-type]

    question = "sludge in the coolant tank"
    assert [h.procedure.id for h in loaded.search(question, 4)] == [h.procedure.id for h in built.search(question, 4)]
    assert CountingEncoder.calls == 1  # the question only
    assert loaded.procedures == built.procedures


def test_a_stored_index_is_refused_to_another_encoder(tmp_path: Path, tiny_encoder) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, date, datetime

    from plexlabor.copilot.store import load_index, save_index
    from plexlabor.platform.artifacts import ArtifactError, InMemoryArtifactStore

    store = InMemoryArtifactStore()
    with pytest.raises(ArtifactError, match="no copilot index stored yet"):
        load_index(store, tiny_encoder)
    save_index(
        ProcedureIndex(procedures(), RetrievalSettings(), tiny_encoder),
        store,
        date(2026, 12, 4),
        datetime(2026, 12, 4, 3, tzinfo=UTC),
    )
    other = load_encoder(write_tiny_encoder(tmp_path / "other-model", seed=8))

    with pytest.raises(ArtifactError, match="rebuild it"):
        load_index(store, other)
    assert load_index(store, None).search("coolant sump", 1)[0].procedure.id == "2"
