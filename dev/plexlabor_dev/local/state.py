"""The running local runtime's names and endpoints, in a small JSON file at a known path.

`plexlabor local up` writes it when everything is up and removes it on exit, and so does `make demo` for the time
its runtime stays up after the summary (ux_s17 M1); `--local` on the commands
that talk to AWS or Plex (`plexlabor writeback revert --local`) reads it, so they need no other setting:

    {"pid": 4242, "region": "us-east-1", "stage": "local",
     "urls": {"api": ..., "moto": ..., "plex": ..., "app": ..., "login": ...},
     "tables": {"audit": "plexlabor-local-audit", ...}, "queues": {...}, "dlqs": {...}, "secrets": {...},
     "functions": {"plex_writeback": {"AUDIT_TABLE_NAME": ..., ...}, ...}}

The path is `$PLEXLABOR_LOCAL_STATE`, else `$XDG_CACHE_HOME/plexlabor/local-runtime.json` (`~/.cache`).
It holds names, URLs and ARNs, never a secret's value (the secrets live in moto).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_VARIABLE = "PLEXLABOR_LOCAL_STATE"
_NOT_SAVED = ("AWS_", "MOTO_")
"""A function's process-wide AWS settings are not saved: `--local` sets its own, from `urls` and `region`."""


def state_path() -> Path:
    """Where `plexlabor local up` writes its state file."""
    given = os.environ.get(STATE_VARIABLE)
    if given:
        return Path(given)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "plexlabor" / "local-runtime.json"


@dataclass(frozen=True)
class LocalState:
    """What the state file says."""

    pid: int
    region: str
    stage: str
    urls: dict[str, str]
    tables: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    dlqs: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    functions: dict[str, dict[str, str]] = field(default_factory=dict)

    def environment(self, function: str) -> dict[str, str]:
        """What `function` sees in the runtime, plus the settings that send AWS calls to its moto server
        (moto takes any credentials: fake ones, so no developer's real ones are used)."""
        if function not in self.functions:
            raise ValueError(
                f"--local: the local runtime has no function {function} (it has {', '.join(sorted(self.functions))})"
            )
        return {
            **self.functions[function],
            "AWS_ENDPOINT_URL": self.urls["moto"],
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }


def describe_runtime(runtime: Any, plex_url: str, pid: int | None = None) -> LocalState:
    """The state of a started `LocalRuntime` (and the simulator's URL)."""
    resources = runtime.resources
    return LocalState(
        pid=os.getpid() if pid is None else pid,
        region=runtime.region,
        stage=runtime.stage,
        urls={**runtime.urls(), "plex": plex_url},
        tables={
            "audit": resources.audit_table,
            "state": resources.state_table,
            "idempotency": resources.idempotency_table,
        },
        queues={str(getattr(k, "value", k)): v for k, v in resources.queue_urls.items()},
        dlqs={str(getattr(k, "value", k)): v for k, v in resources.dlq_urls.items()},
        secrets={str(getattr(k, "value", k)): v for k, v in resources.secret_arns.items()},
        functions={
            name: {k: v for k, v in runtime.environment_for(name).items() if not k.startswith(_NOT_SAVED)}
            for name in sorted(runtime.functions)
        },
    )


def write_state(state: LocalState, path: Path | None = None) -> Path:
    """Write the state file (readable by its owner only); return its path."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(state.__dict__, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.chmod(0o600)
    os.replace(partial, path)
    return path


def remove_state(path: Path, pid: int | None = None) -> None:
    """Remove the state file if it is still this process's (another `local up` may have replaced it)."""
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == (os.getpid() if pid is None else pid):
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True


def read_state(path: Path | None = None) -> LocalState:
    """The running local runtime's state; a clear error when none runs."""
    path = path or state_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"--local: no local runtime is running ({path} is missing); start one with `plexlabor local up` "
            "(or `make demo`, while it stays up)"
        )
    try:
        data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        state = LocalState(**data)
    except (ValueError, TypeError) as error:
        raise ValueError(f"--local: {path} is not a local runtime state file ({error})") from None
    if not _alive(state.pid):
        raise FileNotFoundError(
            f"--local: the local runtime that wrote {path} (pid {state.pid}) is not running; "
            "start one with `plexlabor local up`"
        )
    return state


def command_environment(function: str) -> dict[str, str | None]:
    """What a command run with `--local` sets (None: unsets): `function`'s variables in the running
    runtime, its moto endpoint, region and fake credentials, and no AWS profile or file of the user's."""
    return {
        **read_state().environment(function),
        "AWS_PROFILE": None,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
