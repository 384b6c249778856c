from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexlabor_dev.cli import main
from tests.unit.copilot.copilot_world import lines


def _file(tmp_path: Path, rows: list[str] | None = None) -> str:
    path = tmp_path / "sops.jsonl"
    path.write_text("\n".join(rows or lines()) + "\n")
    return str(path)


def test_eval_json_holds_the_issues_keys_for_the_copilot_and_for_bm25(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["copilot", "eval", "--procedures", _file(tmp_path), "--json", "--lexical"])

    result = json.loads(capsys.readouterr().out)
    keys = {"recall_at_1", "recall_at_5", "recall_at_10", "mrr", "tools_exact"}
    assert code == 0
    assert keys <= set(result) and keys <= set(result["bm25"])
    assert all(0.0 <= result[k] <= 1.0 for k in keys)
    assert result["procedures"] == 4 and result["encoder"] is None
    assert result["out_of_scope_refused"] == 1.0


def test_eval_prints_a_table_and_says_when_tools_cannot_be_measured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only_letters = [json.dumps({**json.loads(line), "tools": ["a", "b"]}) for line in lines()]

    assert main(["copilot", "eval", "--procedures", _file(tmp_path, only_letters), "--lexical"]) == 0

    out = capsys.readouterr().out
    assert "R@5" in out and "bm25" in out
    assert "tools: the file gives no tool names" in out


def test_a_bad_procedure_file_is_named_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["copilot", "eval", "--procedures", _file(tmp_path, [lines()[0], "{oops"]), "--lexical"])

    assert code == 2
    assert "sops.jsonl, line 2: not JSON" in capsys.readouterr().err


def test_ask_answers_with_cited_steps_or_refuses_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path)

    assert main(["copilot", "ask", "--procedures", path, "--lexical", "How do I replace the spindle belt?"]) == 0
    assert "1. Lock out the mill" in capsys.readouterr().out
    assert main(["copilot", "ask", "--procedures", path, "--lexical", "How do I request vacation?"]) == 1
    assert "No procedure I have covers this" in capsys.readouterr().out


def test_a_stored_index_answers_like_the_file_it_was_built_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, out = _file(tmp_path), str(tmp_path / "bucket")
    question = "How do I clean the coolant tank?"

    assert main(["copilot", "index", "--procedures", path, "--out", out, "--lexical", "--quiet"]) == 0
    assert "4 procedures, 9 steps" in capsys.readouterr().out
    assert main(["copilot", "ask", "--index-dir", out, "--lexical", question]) == 0
    from_index = capsys.readouterr().out
    assert main(["copilot", "ask", "--procedures", path, "--lexical", question]) == 0
    assert from_index == capsys.readouterr().out
    assert main(["copilot", "ask", "--index-dir", str(tmp_path / "empty"), "--lexical", question]) == 2
    assert "no copilot index stored yet" in capsys.readouterr().err
