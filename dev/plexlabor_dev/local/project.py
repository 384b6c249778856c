"""Where the project checkout is, and the infrastructure's own names and specs.

The local runtime builds its resources and environments from `infra.constants` and
`infra.function_specs` (pure data, no CDK import), so it cannot drift from what CDK deploys. Those
modules and the `functions` package live at the root of the checkout, not in the `plexlabor`
package: `repo_root()` finds the checkout (the `PLEXLABOR_REPO_ROOT` variable, else the folder
above `layers/core/plexlabor`, else the current directory) and puts it on `sys.path`.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

ENV_REPO_ROOT = "PLEXLABOR_REPO_ROOT"
_MARKER = Path("infra") / "function_specs.py"


def _candidates() -> list[Path]:
    found: list[Path] = []
    configured = os.environ.get(ENV_REPO_ROOT)
    if configured:
        found.append(Path(configured))
    package_dir = Path(__file__).resolve().parents[1]  # .../dev/plexlabor_dev
    found.append(package_dir.parents[1])  # the checkout, when installed editable from it
    found.append(Path.cwd())
    return found


@lru_cache(maxsize=1)
def repo_root() -> Path:
    """The checkout holding `infra/` and `functions/`; it is put first on `sys.path` once."""
    for candidate in _candidates():
        if (candidate / _MARKER).is_file():
            root = candidate.resolve()
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
            return root
    raise RuntimeError(
        f"cannot find the plexlabor checkout (a folder with {_MARKER}); run from the repository root "
        f"or set {ENV_REPO_ROOT}"
    )


def approval_definition_path() -> Path:
    """The approval state machine's ASL file, the one CDK reads (`infra.constants.APPROVAL_DEFINITION`)."""
    repo_root()
    from infra.constants import APPROVAL_DEFINITION

    return APPROVAL_DEFINITION
