"""What the kept store's code version (`crew.snapshots.CODE`) covers (review 123's suspicion): every plexlabor
module the re-plan path loads, not the crew package's alone, so a deploy that changes how a shift is read (say
`plex.snapshot`, the models, the plant's clock) refuses the shifts the old code stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from plexlabor.crew import snapshots

LOADED = """
import sys
import plexlabor.crew.build, plexlabor.crew.pairs, plexlabor.crew.replan, plexlabor.crew.replanning
import plexlabor.crew.optimizer, plexlabor.crew.snapshots, plexlabor.crew.wiring
for name, module in sorted(sys.modules.items()):
    if name.startswith("plexlabor") and getattr(module, "__file__", None):
        print(module.__file__)
"""


def test_the_code_version_covers_every_plexlabor_module_the_re_plan_path_loads() -> None:
    # Given the plexlabor modules a fresh interpreter loads for crew_replan's work (build, compile, re-plan, store)
    loaded = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, timeout=120)
    modules = {Path(line).resolve() for line in loaded.stdout.split()}
    assert {"snapshot.py", "clock.py", "pairs.py"} <= {m.name for m in modules}
    # Then the code version hashes each of them
    covered = {m.resolve() for m in snapshots.code_modules(Path(snapshots.__file__).parent.glob("*.py"))}
    assert modules <= covered, sorted(str(m) for m in modules - covered)
