"""Local, offline staging of asset folders (no network, no Docker, no CDK import).

CDK zips whatever folder it is given, so each asset gets a folder holding exactly what must ship:

- core layer:  `<build>/layers/core/python/plexlabor/...`   (Lambda puts `/opt/python` on sys.path)
- a function:  `<build>/functions/<name>/functions/__init__.py` + `functions/<name>/...`
  (the handler is `functions.<name>.handler.handler`; no other function's code ships with it)
- placeholder: `<build>/layers/placeholder/<layer>/python/PLACEHOLDER.txt` (tests only)

Staging copies fresh every time (a removed module must not survive in the asset) and leaves out
caches and packaging metadata.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from infra.constants import CORE_PACKAGE_DIR, FUNCTIONS_PACKAGE, LayerName

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.egg-info", ".pytest_cache", ".mypy_cache")


def _fresh_copy(source: Path, destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination, ignore=IGNORED)


def stage_core_layer(build_dir: Path, package_dir: Path = CORE_PACKAGE_DIR) -> Path:
    """Copy the `plexlabor` package into `<build>/layers/core/python/plexlabor`.

    It holds only what runs on Lambda: the simulator, the local runtime, the demo and the command
    line live in the development package `plexlabor_dev` (dev/), which is never staged."""
    if not (package_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"core package not found: {package_dir}/__init__.py")
    asset_dir = build_dir / "layers" / LayerName.CORE.value
    destination = asset_dir / "python" / package_dir.name
    _fresh_copy(package_dir, destination)
    return asset_dir


def handler_path(functions_root: Path, name: str) -> Path:
    """Where the handler of function `name` lives: `<root>/functions/<name>/handler.py`."""
    return functions_root / FUNCTIONS_PACKAGE / name / "handler.py"


def stage_function(functions_root: Path, name: str, build_dir: Path) -> Path:
    """Copy `functions/__init__.py` (if any) and `functions/<name>/` into a per-function asset dir."""
    source = functions_root / FUNCTIONS_PACKAGE
    if not handler_path(functions_root, name).is_file():
        raise FileNotFoundError(f"no handler: {handler_path(functions_root, name)}")
    asset_dir = build_dir / "functions" / name
    if asset_dir.exists():
        shutil.rmtree(asset_dir)
    package = asset_dir / FUNCTIONS_PACKAGE
    _fresh_copy(source / name, package / name)
    if (source / "__init__.py").is_file():
        shutil.copy2(source / "__init__.py", package / "__init__.py")
    return asset_dir


def stage_placeholder_layer(build_dir: Path, layer: LayerName) -> Path:
    """A tiny stand-in for a pip-built dependency layer, so tests synthesize without PyPI."""
    asset_dir = build_dir / "layers" / "placeholder" / layer.value
    python_dir = asset_dir / "python"
    python_dir.mkdir(parents=True, exist_ok=True)
    (python_dir / "PLACEHOLDER.txt").write_text(
        f"Placeholder for the {layer.value} layer, used when synthesizing with "
        "plexlabor:placeholderLayers=true (tests). Not deployable: run `make layers`.\n"
    )
    return asset_dir


def tree_size(path: Path) -> tuple[int, int]:
    """(bytes, files) of every regular file under `path`: the unzipped size Lambda counts."""
    total = count = 0
    for item in path.rglob("*"):
        if item.is_file() and not item.is_symlink():
            total += item.stat().st_size
            count += 1
    return total, count
