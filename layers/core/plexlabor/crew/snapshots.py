"""What crew_replan keeps of a shift and of a day's suggestions, stored so that a new container starts where
the last one left off.

A warm crew_replan container keeps each shift's problem, compiled, for `replanning.KEPT_FOR` after it read the
shift, and the day's suggestions read whole, then caught up (`suggestions.DayReader`). A new container (Lambda
recycled the old one, a deploy) had none of it: its first message read the shift from Plex, compiled it and
read the day's suggestions whole (about 8 s on the local runtime for a 2,400-person plant's shift, issue 16).
Now every read of a shift (a refresh, or an event that needs the data) stores the shift as the container keeps
it (`StoredShift`: the problem with the events applied, its compiled pairs, when it was read and which events it
accounts for), and every whole read of the day's suggestions stores that read (`DayState`). A new container
takes them only when a warm one would still use them: the shift read less than `KEPT_FOR` ago, the day read
whole less than its reader's refresh ago; then it catches up as a warm container does (the events other
containers applied since, from the audit table; the suggestions new since the read). Anything older, another
code version's, or unreadable is refused and read fresh.

Format: one `.npz` per shift (`<day>/<shift>.npz`: NumPy's own, read with `allow_pickle=False`, so a stored
object can hold numbers and text only, never code): the compiled pairs' arrays as they are, the problem as
its pydantic JSON, the rest as a small JSON document. One JSON document per day (`<day>/suggestions.json`):
the day's crew suggestions with the payload fields crew_replan reads (`SLIM_PAYLOAD`: the crew board's swap
candidates and figures make a suggestion some kilobytes), their closings and the re-plans' applied events.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np
from pydantic import TypeAdapter

from plexlabor.audit.events import AuditEvent
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.pairs import Compiled, JobStats
from plexlabor.crew.removals import SEAT_FIELDS
from plexlabor.crew.suggestions import DayRead, DayState
from plexlabor.platform.artifacts import ArtifactStore

PREFIX = "crew/kept/"
"""The artifacts bucket's prefix crew_replan keeps shifts and days under (`infra.constants.CREW_KEPT_PREFIX`)."""
_PACKAGE = Path(__file__).parent.parent
_IMPORTS = re.compile(r"^\s*(?:from|import)\s+plexlabor((?:\.\w+)*)(?:\s+import\s+(\([^)]*\)|[\w, ]+))?", re.M)


def code_modules(start: Iterable[Path]) -> list[Path]:
    """`start` and every plexlabor module they import, directly or not, from their import lines: the code a stored
    shift depends on (a shift is read through `plex.snapshot`, the models, the plant's clock). Read from the source
    text, not imported (`modulefinder` would analyse NumPy and SciPy too, seconds at a cold start)."""
    found: set[Path] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        if module in found:
            continue
        found.add(module)
        packages = module.relative_to(_PACKAGE).parents  # importing a module runs its packages' __init__ first
        todo.extend(_PACKAGE / package / "__init__.py" for package in packages)
        for match in _IMPORTS.finditer(module.read_text()):
            parts = match[1].split(".")[1:]
            names = [n.strip() for n in (match[2] or "").strip("()").split(",") if n.strip()]
            for path in (parts, *([*parts, name] for name in names)):
                todo.extend(c for c in _source_files(path) if c.is_file())
    return sorted(found)


def _source_files(path: list[str]) -> list[Path]:
    """Where module `plexlabor.<path>` may be: `<path>.py` or `<path>/__init__.py`."""
    package = _PACKAGE.joinpath(*path, "__init__.py")
    return [_PACKAGE.joinpath(*path).with_suffix(".py"), package] if path else [package]


CODE = hashlib.sha256(
    b"".join(module.read_bytes() for module in code_modules(Path(__file__).parent.glob("*.py")))
).hexdigest()[:16]
"""The code a stored shift depends on: every module of the crew package (what builds, compiles, applies events,
stores and plans) and the plexlabor modules they import (`code_modules`; review 123: the crew package's alone
missed `plex.snapshot`, the models and the clock). A shift stored by other code (a deploy) is refused, so a
re-plan never mixes the pairs of one version with the optimizer of another."""
ARRAYS = tuple(
    f.name
    for f in fields(Compiled)
    if f.name not in ("problem", "jobs", "operators", "stats", "change", "held", "elsewhere", "closed")
)
"""The compiled pairs' arrays stored as they are (`change`, `held`, `elsewhere` and `closed` belong to a re-plan,
never kept)."""
SLIM_PAYLOAD = ("kind", *SEAT_FIELDS, "hours", "outside_hours", "removes")
"""What crew_replan reads of a suggestion's payload (`replanning.current_plan`, `recorded`, `commitments`; of a
removal, the assignment it removes: `crew.removals`); a re-plan's fields (`replan_*`) are kept too. A seat keeps
what a removal copies of it (`removals.SEAT_FIELDS` and its hours; review_s13 #7: a removal opened from the
snapshot read "Remove E0042 from None ..." and, without its department, its department's supervisors did not see
it) and what `suggestions.seat_end` reads."""
_EVENTS = TypeAdapter(list[AuditEvent])
_MESSAGES = TypeAdapter(list[ReplanMessage])


@dataclass(frozen=True)
class StoredShift:
    """A shift as a container kept it: read at `read_at` (the dependencies' clock), `problem` with `events`
    applied, compiled, and every event it accounts for (`seen`: the applied ones and the call-offs found void
    at its read because the operator clocked in)."""

    read_at: datetime
    problem: CrewProblem
    compiled: Compiled
    events: tuple[ReplanMessage, ...]
    seen: tuple[ReplanMessage, ...]


class Refused(Exception):
    """Nothing stored that may be taken; the message says why (nothing stored, another code version's,
    unreadable)."""


class KeptStore:
    """Shifts and days' suggestions in the artifact store (`PREFIX`). A read raises `Refused` for what it
    cannot trust, whatever a stored object holds."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def save_shift(self, day: date, shift: str, kept: StoredShift) -> int:
        """Stores the shift; the bytes written."""
        compiled = kept.compiled
        meta = {
            "code": CODE,
            "read_at": kept.read_at.isoformat(),
            "events": _messages(kept.events),
            "seen": _messages(kept.seen),
            "stats": [[s.skill_ok, s.lapsed, dict(s.turned_away), s.missing] for s in compiled.stats],
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            meta=_text(json.dumps(meta)),
            problem=_text(kept.problem.model_dump_json()),
            **{name: getattr(compiled, name) for name in ARRAYS},
        )
        data = buffer.getvalue()
        self.store.put(_shift_key(day, shift), data)
        return len(data)

    def load_shift(self, day: date, shift: str) -> StoredShift:
        """The shift as stored; `Refused`: nothing stored, another code version's, or unreadable."""
        data = self.store.get(_shift_key(day, shift))
        if data is None:
            raise Refused("nothing stored")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as stored:
                meta = json.loads(bytes(stored["meta"]))
                if meta.get("code") != CODE:
                    raise Refused("stored by another code version")
                problem = CrewProblem.model_validate_json(bytes(stored["problem"]))
                arrays = {name: stored[name] for name in ARRAYS}
            if problem.day != day or shift not in problem.shift_codes:
                raise Refused("another shift's")
            stats = [JobStats(a, b, Counter(c), list(d)) for a, b, c, d in meta["stats"]]
            compiled = Compiled(
                problem=problem,
                jobs=sorted(problem.jobs, key=lambda job: (job.start, job.key)),  # as `compile_problem` orders
                operators=sorted(problem.operators, key=lambda op: op.employee_id),
                stats=stats,
                **arrays,
            )
            if len(stats) != len(compiled.jobs) or len(compiled.available) != len(compiled.operators):
                raise Refused("its pairs do not match its problem")
            events = tuple(_MESSAGES.validate_python(meta["events"]))
            seen = tuple(_MESSAGES.validate_python(meta["seen"]))
            return StoredShift(datetime.fromisoformat(meta["read_at"]), problem, compiled, events, seen)
        except (ValueError, KeyError, TypeError, OSError, EOFError, BadZipFile) as error:  # broken: read fresh
            raise Refused(f"unreadable ({type(error).__name__})") from error

    def save_day(self, day: date, state: DayState) -> int:
        """Stores a day's whole read and what was caught up since (slim payloads); the bytes written."""
        document = {
            "code": CODE,
            "since": state.since.isoformat(),
            "full_at": state.full_at.isoformat(),
            "openings": [_slim(e) for e in state.read.openings],
            "closed": [_slim(e) for e in state.read.closed.values()],
            "applied": [_slim(e) for e in state.read.applied],
            "removals": [_slim(e) for e in state.read.removals],
            "removal_writes": [e.model_dump(mode="json") for e in state.read.removal_writes],  # a few: kept whole
        }
        data = json.dumps(document).encode()
        self.store.put(_day_key(day), data, "application/json")
        return len(data)

    def load_day(self, day: date) -> DayState:
        """The day's read as stored; `Refused`: nothing stored, another code version's, or unreadable."""
        data = self.store.get(_day_key(day))
        if data is None:
            raise Refused("nothing stored")
        try:
            document = json.loads(data)
            if document.get("code") != CODE:
                raise Refused("stored by another code version")
            closed = _EVENTS.validate_python(document["closed"])
            read = DayRead(
                _EVENTS.validate_python(document["openings"]),
                {e.finding_id: e for e in closed if e.finding_id},
                _EVENTS.validate_python(document["applied"]),
                removals=_EVENTS.validate_python(document["removals"]),
                removal_writes=_EVENTS.validate_python(document["removal_writes"]),
            )
            since, full_at = (datetime.fromisoformat(document[k]) for k in ("since", "full_at"))
            return DayState(since, full_at, read)
        except (ValueError, KeyError, TypeError) as error:
            raise Refused(f"unreadable ({type(error).__name__})") from error


def _shift_key(day: date, shift: str) -> str:
    return f"{day.isoformat()}/shift-{shift}.npz"


def _day_key(day: date) -> str:
    return f"{day.isoformat()}/suggestions.json"


def _text(text: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _messages(messages: tuple[ReplanMessage, ...]) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json", by_alias=True) for m in messages]


def _slim(event: AuditEvent) -> dict[str, Any]:
    payload = {k: v for k, v in event.payload.items() if k in SLIM_PAYLOAD or k.startswith("replan_")}
    return event.model_copy(update={"payload": payload}).model_dump(mode="json")
