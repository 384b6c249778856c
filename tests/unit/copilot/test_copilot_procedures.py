from __future__ import annotations

import json

import pytest

from plexlabor.copilot.procedures import ProcedureFileError, read_procedures
from tests.unit.copilot.copilot_world import GUIDES, lines


def test_procedures_read_with_their_steps_in_order_and_their_tools() -> None:
    procedures = read_procedures(lines())

    assert [p.id for p in procedures] == ["1", "2", "3", "4"]
    assert [s.order for s in procedures[1].steps] == [0, 1, 2]
    assert procedures[1].steps[0].text.startswith("Put on nitrile gloves")
    assert procedures[0].tools == ("Hex key 5 mm", "Safety glasses")
    assert procedures[2].tools == ()


def test_a_tool_list_of_single_letters_is_not_taken_for_tool_names() -> None:
    assert read_procedures(lines())[3].tools is None


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 2: not JSON"),
        (json.dumps({**GUIDES[0], "guide_id": 9, "steps": []}), "line 2: steps:"),
        (json.dumps({**GUIDES[0], "guide_id": 9, "title": ""}), "line 2: title:"),
        (json.dumps(GUIDES[0]), "line 2: guide_id: 1 appears twice"),
    ],
)
def test_a_bad_line_is_refused_by_number_and_field(bad_line: str, message: str) -> None:
    with pytest.raises(ProcedureFileError, match=message):
        read_procedures([lines()[0], bad_line], source="sops.jsonl")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ProcedureFileError, match="no procedures"):
        read_procedures(["", "  "])
