"""`plexlabor` installed without the checkout (no `infra` to import): its help and the commands that do not need
`infra` work; only `dlq`, which reads the work queues' names from `infra.constants`, needs the checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PLEXLABOR_WITHOUT_INFRA = """
import sys


class NoInfra:
    '''As in an install without the checkout: `infra` cannot be imported, wherever the path points.'''

    def find_spec(self, name, path=None, target=None):
        if name == "infra" or name.startswith("infra."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoInfra())
from plexlabor_dev.cli import main

sys.exit(main(sys.argv[1:]))
"""


def _plexlabor(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    run = [sys.executable, "-c", PLEXLABOR_WITHOUT_INFRA, *argv]
    return subprocess.run(run, capture_output=True, text=True, timeout=120, cwd=cwd)


def test_the_help_needs_no_infra(tmp_path: Path) -> None:
    shown = _plexlabor(tmp_path, "--help")
    assert shown.returncode == 0, shown.stderr
    assert "plant" in shown.stdout and "dlq" in shown.stdout


def test_a_command_that_needs_no_infra_runs_without_it(tmp_path: Path) -> None:
    plant = tmp_path / "plant"
    made = _plexlabor(tmp_path, "plant", "generate", "--out", str(plant), "--employees", "20", "--weeks", "1")
    assert made.returncode == 0, made.stderr
    assert any(plant.iterdir())


def test_dlq_is_the_command_that_reads_infra(tmp_path: Path) -> None:
    """The blocking above is real: the dlq command's help reads the queue names from `infra`."""
    refused = _plexlabor(tmp_path, "dlq", "list", "--help")
    assert refused.returncode != 0 and "No module named 'infra" in refused.stderr
