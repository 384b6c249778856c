"""Run a batch's independent parts on several cores: `fork_map`.

A batch over a plant holds its records in memory once; a forked process sees them without copying or
pickling them, and only its result travels back (pickled, through a pipe). `concurrent.futures` would
pickle each task's arguments, the whole plant, so this forks by hand. Fork is POSIX-only (Linux here and
on Lambda); where fork is not available the tasks run one after another.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerError(RuntimeError):
    """A task failed (or its process died) in a forked process; the message holds its traceback. A task's
    own exception is raised instead, from this, when it survives pickling (one whose arguments are not
    its constructor's, such as `BadRecordError`, does not: its message is in the traceback here)."""


def fork_map(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Each task's result, in task order: the first task runs here, every other in a forked process
    at the same time. A task that raises (here or there) raises here; the other processes are ended."""
    if len(tasks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [task() for task in tasks]
    context = multiprocessing.get_context("fork")
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        for task in tasks[1:]:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_run, args=(task, send), daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
        results = [tasks[0]()]
        for process, pipe in children:
            results.append(_result(process, pipe))
        return results
    finally:
        for process, pipe in children:
            pipe.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _run(task: Callable[[], Any], send: Connection) -> None:
    gc.freeze()  # the parent's objects: not walked again by this process's collector (nor copied for it)
    try:
        outcome: tuple[bool, Any] = (True, task())
    except BaseException as error:  # whatever it was, the parent raises it with this traceback
        outcome = (False, (error if _survives_pickling(error) else None, traceback.format_exc()))
    send.send(outcome)
    send.close()


def _result(child: multiprocessing.process.BaseProcess, receive: Connection) -> Any:
    try:
        ok, value = receive.recv()
    except EOFError:
        child.join()
        raise WorkerError(f"a worker process ended without a result (exit code {child.exitcode})") from None
    if not ok:
        error, text = value
        failure = WorkerError(f"a worker process failed:\n{text}")
        if error is None:
            raise failure
        raise error from failure
    return value


def _survives_pickling(error: BaseException) -> bool:
    try:
        return type(pickle.loads(pickle.dumps(error))) is type(error)
    except Exception:  # an exception that cannot be rebuilt from its arguments travels as text
        return False
