"""The core layer ships only what runs on Lambda: no simulator, local runtime, demo or command line."""

from __future__ import annotations

import re
from pathlib import Path

from infra.staging import stage_core_layer

DEVELOPMENT_ONLY = re.compile(r"^\s*(from|import)\s+(plexlabor_dev|infra|moto|aws_cdk|cdk_nag)\b", re.MULTILINE)


def test_the_staged_core_layer_holds_the_library_and_nothing_of_the_development_package(tmp_path: Path) -> None:
    package = stage_core_layer(tmp_path) / "python" / "plexlabor"
    modules = sorted(package.rglob("*.py"))

    assert (package / "validation" / "engine.py") in modules
    assert (package / "validation" / "scorer_model.json").is_file()
    assert not any(name in {"simulator", "local"} for module in modules for name in module.parts)
    assert not {"cli.py", "demo.py"} & {module.name for module in modules}
    offenders = [str(m.relative_to(package)) for m in modules if DEVELOPMENT_ONLY.search(m.read_text())]
    assert offenders == []
