"""`json_array`: JSON lines joined into one JSON array for a single parse, the bytes the reader always parsed."""

from __future__ import annotations

import pytest
from pydantic_core import from_json

from plexlabor.plex.folder import json_array


@pytest.mark.parametrize(
    "lines",
    [[], [b'{"id":"A"}'], [b'{"id":"A"}', b'{"id":"B"}'], [b'{"id":"A"}', b"1", b'"x"', b'{"id":"B","n":2.5}']],
)
def test_json_array_is_the_lines_joined_in_brackets(lines: list[bytes]) -> None:
    given = list(lines)
    joined = json_array(lines)
    assert joined == b"[" + b",".join(lines) + b"]"
    assert from_json(joined) == [from_json(line) for line in lines]
    assert lines == given  # the caller's lines are not changed (they are read again for bad records)
