"""JSON lines as the generator writes them: one compact object a line. Used for the plant's resource files
(`writer.PlantWriter`) and for the truth files beside them (operator effects, indirect time, hard normal
patterns, label noise: what the generator did, which tests and benches read back)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def dumps(row: dict[str, Any]) -> str:
    """One line: the object's compact JSON and a newline."""
    return json.dumps(row, separators=(",", ":")) + "\n"


def write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write `rows` to `path`, one a line (the file is replaced)."""
    with path.open("w", encoding="utf-8") as out:
        out.writelines(dumps(row) for row in rows)


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The objects of a file `write_lines` wrote; none when it is absent (the generator had nothing to record)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
