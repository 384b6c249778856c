"""The batch on two cores: a plant folder read by kind of record in two processes, then the norms, the checks and
the scoring cut into two runs of employees (docs/validation.md section 4).

A forked process sees the parent's memory as it was at the fork without its being pickled; only what it sends
travels back, pickled through a pipe (`Link`: on the way, and its result). `concurrent.futures.ProcessPoolExecutor`
pickles each task's arguments (for the checks, the whole plant), so a task is run in a `multiprocessing` process
of the fork context with a pipe, as `Forked`. Where fork is not available (not POSIX) the task runs in this
process when its result is asked, and the batch runs in one process. Used by `plexlabor validate --processes 2`
(the plant IT's machine) and the throughput bench.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import datetime
from itertools import accumulate, starmap
from multiprocessing.connection import Connection
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from plexlabor.models import PLANT_MODELS
from plexlabor.plant import BadRecord, BadRecordError
from plexlabor.plex.plain import PlainRows
from plexlabor.plex.snapshot import Window, Windowed, collector_paused, read_snapshot
from plexlabor.validation.checks.registry import check_workcenter
from plexlabor.validation.clocks import ClockOffsets
from plexlabor.validation.data import PlantData, Transactions, read_transactions
from plexlabor.validation.norms import Habits, Norms, normed_employees, personal_habits, plant_norms
from plexlabor.validation.source import REFERENCE, plant_windows

if TYPE_CHECKING:
    from plexlabor.plex.folder import PlantFolderSource
    from plexlabor.validation.engine import ValidationEngine
    from plexlabor.validation.findings import Finding

T = TypeVar("T")

READ_THERE = ("workcenter-events", "badge-swipes")
"""The kinds of transaction the forked process reads: less than half of a plant folder's read, as it also pickles
them and this process then unpickles them and indexes the plant (seed-201 bench plant, CPU s: workcenter events
0.78 and badge swipes 0.40 there, and pickling them about 0.2; here the reference data 0.11, the schedule 0.22,
punches 0.73, labor entries 0.66 and downtime 0.05). With the schedule there too, this process waited 0.4-0.5 s
for the other's records; without, 0.13 (docs/validation.md section 4)."""

CHECKED_HERE = 0.52
"""The share of the employees' records (punches, labor entries, badge swipes) whose norms are made and which are
checked and scored in this process, with the workcenters; the forked one does the rest and measures the clocks, then
pickles its findings and ends. Chosen by wall time (bench, alternated, docs/validation.md section 4): 0.50 and 0.52
alike, 0.48 and 0.56 0.1-0.2 s slower."""


class WorkerError(RuntimeError):
    """The other process failed or ended without a result; the message holds its traceback."""


FORKS = "fork" in multiprocessing.get_all_start_methods()
"""Whether this machine forks processes (POSIX): without, `Forked` runs its task in this process."""


class Link:
    """The forked process's end of its pipe to this one: what it `send`s, `Forked.receive` here gets; what
    `Forked.send` here sends, its `receive` gets."""

    def __init__(self, connection: Connection | None) -> None:
        self._connection = connection

    def send(self, value: Any) -> None:
        self._pipe().send((_SENT, value))

    def receive(self) -> Any:
        return self._pipe().recv()

    def _pipe(self) -> Connection:
        if self._connection is None:
            raise WorkerError("no other process to exchange with: this machine cannot fork")
        return self._connection


_SENT, _DONE, _FAILED = "sent", "done", "failed"
"""What the forked process's messages are: a value sent on the way, its result, or its failure's traceback."""


class Forked(Generic[T]):
    """`task` run in a forked process from now on, given its `Link` to this one; `result()` waits for its value
    or raises its failure. Where fork is not available (not POSIX) the task runs here when its result is asked,
    with no other process to exchange with (`FORKS`).

    The process sees this one's memory as at the fork (copied page by page as either side writes to it); its
    collector keeps what it was given out of its walks (`gc.freeze`), so its walks do not copy those pages."""

    def __init__(self, task: Callable[[Link], T]) -> None:
        self._task: Callable[[Link], T] | None = task
        self._process: multiprocessing.process.BaseProcess | None = None
        if not FORKS:
            return
        context = multiprocessing.get_context("fork")
        self._connection, there = context.Pipe()
        self._process = context.Process(target=_run, args=(task, there), daemon=True)
        self._process.start()
        there.close()
        self._task = None

    def send(self, value: Any) -> None:
        """`value` to the other process's `Link.receive`. It waits while the pipe is full (a few hundred kB)
        until the other process reads: send when it is waiting for the value."""
        self._live().send(value)

    def receive(self) -> Any:
        """The next value the other process sent (`Link.send`)."""
        kind, value = self._next()
        if kind != _SENT:
            raise WorkerError("the other process ended without sending a value")
        return value

    def result(self) -> T:
        if self._task is not None:
            return self._task(Link(None))
        kind, value = self._next()
        if kind != _DONE:
            raise WorkerError("the other process sent a value where its result was awaited")
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """End the process if it still runs (after a failure here) and wait for it."""
        if self._process is not None:
            self._connection.close()
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()

    def _live(self) -> Connection:
        if self._process is None:
            raise WorkerError("no other process to exchange with: this machine cannot fork")
        return self._connection

    def _next(self) -> tuple[str, Any]:
        connection, process = self._live(), self._process
        assert process is not None
        try:
            kind, value = connection.recv()
        except EOFError:
            process.join()
            raise WorkerError(f"the other process ended without a result (exit code {process.exitcode})") from None
        if kind == _FAILED:
            raise WorkerError(f"the other process failed:\n{value}")
        return kind, value


@contextmanager
def forked(task: Callable[[Link], T]) -> Iterator[Forked[T]]:
    """`Forked(task)`, ended on the way out."""
    other = Forked(task)
    try:
        yield other
    finally:
        other.close()


def _run(task: Callable[[Link], Any], connection: Connection) -> None:
    gc.freeze()
    try:
        outcome: tuple[str, Any] = (_DONE, task(Link(connection)))
    except BaseException:  # whatever it was, the parent raises it with this traceback
        outcome = (_FAILED, traceback.format_exc())
    connection.send(outcome)
    connection.close()


# ---- reading -------------------------------------------------------------------------------------------------
Records = dict[str, tuple[type | None, list[tuple[Any, ...]]]]
"""Records per `Transactions` field, as tuples of their fields with the class that makes them again (None: the
field holds tuples already)."""


def read_plant_folder(
    source: PlantFolderSource, begin: datetime, end: datetime, timezone: str | None = None
) -> PlantData:
    """`validation.source.read_plant_data` of a plant folder, its kinds of transaction read in two processes:
    `READ_THERE` in a forked one, which sends their records back as tuples, the rest and the reference data here.
    The same `PlantData`; the same bad records skipped (`source.skipped`, in the same order) or the same one
    raised (the first kind's, in the order of `plant_windows`)."""
    as_of = end.timestamp()
    windows = plant_windows(begin, end)
    there = {kind: window for kind, window in windows.items() if kind in READ_THERE}
    with forked(lambda _: _read_there(source, there, as_of)) as other, collector_paused():
        reference = read_snapshot(source, reference=REFERENCE, timezone=timezone)
        rows: dict[str, Any] = dict(reference.rows())
        before = len(source.skipped)
        skipped, failures = _read_kinds(source, {k: w for k, w in windows.items() if k not in there}, rows)
        here = read_transactions(rows, as_of)
        records, skipped_there, failures_there = other.result()
        skipped |= skipped_there
        failures |= failures_there
        if failures:
            raise BadRecordError(next(failures[kind] for kind in windows if kind in failures))
        source.skipped[before:] = [bad for kind in windows for bad in skipped.get(kind, ())]
        return PlantData.build(rows, reference.timezone, as_of, _joined(here, records))


def _read_kinds(
    source: PlantFolderSource, windows: dict[Windowed, Window], rows: dict[str, Any]
) -> tuple[dict[str, list[BadRecord]], dict[str, BadRecord]]:
    """Each kind's plain rows into `rows`; the bad records skipped per kind, and the one that stopped the read (not
    skipped) by its kind."""
    skipped: dict[str, list[BadRecord]] = {}
    for kind, window in windows.items():
        already = len(source.skipped)
        try:
            rows[kind] = PlainRows(source.plain_window(PLANT_MODELS[kind], *window))
        except BadRecordError as error:  # sent as its record: the error's own type does not survive pickling
            return skipped, {kind: error.bad}
        skipped[kind] = source.skipped[already:]
    return skipped, {}


def _read_there(
    source: PlantFolderSource, windows: dict[Windowed, Window], as_of: float
) -> tuple[Records, dict[str, list[BadRecord]], dict[str, BadRecord]]:
    """In the forked process: the records of `windows`' kinds, the bad records skipped and the one that stopped
    the read (`_read_kinds`)."""
    rows: dict[str, Any] = {}
    records: Records = {}
    with collector_paused():  # and its tuples: on the way out it moves the parent's frozen objects to the oldest
        skipped, failures = _read_kinds(source, windows, rows)  # generation, whose next walk would copy their pages
        read = read_transactions(rows, as_of)
        for name in _FIELDS:
            values = getattr(read, name)
            if values and not isinstance(values[0], tuple):  # a slotted record: its fields, made again there
                records[name] = (type(values[0]), list(map(attrgetter(*type(values[0]).__slots__), values)))
            elif values:
                records[name] = (None, values)
    return records, skipped, failures


_FIELDS = tuple(f.name for f in fields(Transactions))


def _joined(here: Transactions, there: Records) -> Transactions:
    """`here` with the kinds read there (each kind is read by one process), their records made again."""
    made: dict[str, Any] = {name: list(starmap(cls, rows)) if cls else rows for name, (cls, rows) in there.items()}
    return replace(here, **made)


# ---- norms, checks and scoring ------------------------------------------------------------------------------
def batch_findings(
    engine: ValidationEngine,
    data: PlantData,
    norms: Norms | None,
    employees: list[str],
    workcenters: list[str],
    keep: Callable[[list[Any]], list[Any]],
) -> list[Finding]:
    """`engine.findings` of `keep(engine.candidates(...))` over the employees and workcenters, in two processes
    (`FORKS`): the employees cut into two runs by their records (punches, labor entries, badge swipes;
    `CHECKED_HERE`), the later run checked and scored in a forked process, the first run and the workcenters
    here. Every finding is the same as in one process and in the same order: candidates are made per employee,
    then per workcenter, and scored one by one.

    `norms` None: the plant's norms (`compute_norms`) made on the way. The forked process measures the clocks
    (`ClockOffsets.measure`) while this one makes the workcenters' candidates (no norms in them); each makes its
    run's people's habits (`personal_habits`); this one gathers them (`plant_norms`: the spread prior and the
    groups are the whole plant's) and sends the norms there as they are stored. The same norms as in one
    process."""
    weights = [
        len(data.punches.get(e, ())) + len(data.labor.get(e, ())) + len(data.swipes.get(e, ())) for e in employees
    ]
    here = sum(weights) * CHECKED_HERE
    cut = next((i for i, total in enumerate(accumulate(weights)) if total >= here), len(employees))
    first, later = employees[:cut], employees[cut:]
    given = norms
    until = data.as_of
    normed = normed_employees(data)

    def habits(people: list[str], clocks: ClockOffsets) -> dict[str, Habits]:
        return personal_habits(data, until, clocks, [e for e in people if e in normed])

    def check(candidates: list[Any], known: Norms) -> list[Finding]:
        return engine.findings(keep(candidates), data, known)

    def there(link: Link) -> list[Finding]:
        if given is None:
            clocks = ClockOffsets.measure(data, until)
            link.send(clocks)
            link.send(habits(later, clocks))
        known = given or Norms.from_json(link.receive())
        return check(engine.candidates(data, known, later, []), known)

    with forked(there) as other:
        policy = engine.settings.policy  # the workcenters' candidates, as `engine.candidates` makes them
        machines = [found for machine in workcenters for found in check_workcenter(data, policy, machine)]
        if norms is None:
            clocks = other.receive()
            norms = plant_norms(data, until, clocks, habits(first, clocks) | other.receive())
            other.send(norms.to_json())  # as they are stored: plain values, pickled faster than the records
        found = check(engine.candidates(data, norms, first, []), norms)
        found_machines = check(machines, norms)
        return found + other.result() + found_machines
