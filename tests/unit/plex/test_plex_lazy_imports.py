"""The Plex package loads a module only when one of its names is used: the real-time handlers' cold
imports carry no HTTP client (they load it when a Plex source is built), no write-back and no numeric stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NOT_ON_THE_COLD_PATH = {
    "requests",
    "plexlabor.plex.client",
    "plexlabor.plex.transport",
    "plexlabor.plex.writeback",
    "plexlabor.plex.folder",
    "plexlabor.plant",
    "numpy",
    "scipy",
    "sklearn",
}


def _loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after `statement` (no AWS or plexlabor variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PLEXLABOR_", "POWERTOOLS_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "layers" / "core")])
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, cwd=ROOT, env=env
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("function", ["punch_validator", "punch_poller", "punch_webhook"])
def test_a_real_time_handler_imports_without_the_http_client(function: str) -> None:
    loaded = _loaded_after(f"import functions.{function}.handler")
    assert "plexlabor.intake" in loaded  # it did import its capability
    assert loaded & NOT_ON_THE_COLD_PATH == set()


def test_a_name_of_the_package_loads_its_module_on_first_use() -> None:
    assert not {"plexlabor.plex.client", "plexlabor.plex.errors"} & _loaded_after("import plexlabor.plex")
    loaded = _loaded_after(
        "from plexlabor.plex import PlexLaborClient, PlexError\n"
        "from plexlabor.plex.client import PlexLaborClient as Client\n"
        "assert PlexLaborClient is Client and issubclass(PlexError, Exception)"
    )
    assert {"plexlabor.plex.client", "plexlabor.plex.errors"} <= loaded


def test_an_unknown_name_is_an_attribute_error() -> None:
    import plexlabor.plex

    with pytest.raises(AttributeError, match="no attribute 'PlexNothing'"):
        _ = plexlabor.plex.PlexNothing  # type: ignore[attr-defined]
