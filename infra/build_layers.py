"""Build the third-party dependency layers without Docker: `python infra/build_layers.py`.

For each dependency layer, pip installs the pinned requirements for the Lambda platform (not
this machine's) into `build/layers/<layer>/python`:

    pip install --platform manylinux2014_x86_64 [--platform manylinux_2_<n>_x86_64 ...]
        --implementation cp --python-version <3.11|3.12> --only-binary=:all:
        --no-compile --target build/layers/<layer>/python -r layers/deps/<requirements>

then strips tests and caches (keeping `numpy/_core/tests`, which NumPy imports), checks that no
wheel needs a newer glibc than the runtime's OS has, precompiles bytecode when this interpreter
is the target Python, and writes `build/layers/<layer>.manifest.json` (input fingerprint, sizes,
resolved distributions). A layer whose manifest fingerprint matches its inputs is not rebuilt.

This is the only step that needs the network (PyPI). `infra/app.py` calls `ensure_layers()` before
synthesizing, so `make synth` and `cdk deploy` never ship a stale layer; tests never call it (they
synthesize with `plexlabor:placeholderLayers=true`).
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import py_compile
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import from the repo root, not from infra/
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path.insert(0, str(_HERE.parent))

from infra.constants import (
    ARCHITECTURE,
    DEFAULT_BUILD_DIR,
    DEPS_REQUIREMENTS_DIR,
    LAMBDA_UNZIPPED_LIMIT_BYTES,
    RUNTIME_GLIBC,
    LayerName,
    PythonRuntime,
)
from infra.staging import stage_core_layer, tree_size

RECIPE_VERSION = 2
"""Bump when the build recipe changes in a way the fingerprint cannot see (strip rules, flags)."""

KEEP_TEST_DIRS = ("numpy/_core/tests",)
"""Test folders that are imported at run time and must survive stripping."""
STRIP_DIR_NAMES = frozenset({"__pycache__", "tests", "test"})
STRIP_TOP_LEVEL = frozenset({"bin"})  # console scripts with this machine's interpreter path
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


@dataclass(frozen=True)
class DepsLayer:
    """One pip-built dependency layer."""

    layer: LayerName
    requirements: Path
    python: PythonRuntime
    architecture: str = ARCHITECTURE
    no_deps: Path | None = None
    """Requirements installed after `requirements` with `--no-deps --require-hashes`: packages whose
    declared dependencies are not used at run time and would not fit (every line pinned with its sha256)."""

    @property
    def glibc(self) -> tuple[int, int]:
        return RUNTIME_GLIBC[self.python]

    @property
    def platforms(self) -> list[str]:
        return manylinux_platforms(self.glibc, self.architecture)


DEPS_LAYERS: dict[LayerName, DepsLayer] = {
    LayerName.DEPS_LIGHT: DepsLayer(
        LayerName.DEPS_LIGHT, DEPS_REQUIREMENTS_DIR / "requirements.txt", PythonRuntime.PY311
    ),
    LayerName.DEPS_HEAVY: DepsLayer(
        LayerName.DEPS_HEAVY, DEPS_REQUIREMENTS_DIR / "requirements-heavy.txt", PythonRuntime.PY312
    ),
    LayerName.DEPS_COPILOT: DepsLayer(
        LayerName.DEPS_COPILOT,
        DEPS_REQUIREMENTS_DIR / "requirements-copilot.txt",
        PythonRuntime.PY312,
        no_deps=DEPS_REQUIREMENTS_DIR / "requirements-copilot-nodeps.txt",
    ),
}


class LayerBuildError(RuntimeError):
    pass


def manylinux_platforms(glibc: tuple[int, int], architecture: str) -> list[str]:
    """Every manylinux tag a runtime with this glibc accepts, oldest first.

    pip does not expand `--platform` to older glibc tags, so each one is passed explicitly.
    """
    major, minor = glibc
    legacy = [f"{name}_{architecture}" for name, (_, m) in LEGACY_MANYLINUX.items() if m <= minor]
    return legacy + [f"manylinux_{major}_{m}_{architecture}" for m in range(5, minor + 1)]


def read_requirements(path: Path) -> list[str]:
    """Requirement lines of `path`, following `-r` includes, without comments or blanks."""
    lines: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            lines += read_requirements(path.parent / line.split(maxsplit=1)[1])
        else:
            lines.append(line)
    return lines


def fingerprint(spec: DepsLayer) -> str:
    """A hash of everything the built layer depends on."""
    payload = {
        "recipe": RECIPE_VERSION,
        "requirements": read_requirements(spec.requirements),
        "no_deps": read_requirements(spec.no_deps) if spec.no_deps else [],
        "python": spec.python.value,
        "platforms": spec.platforms,
        "keep": KEEP_TEST_DIRS,
        "bytecode": _can_compile_for(spec.python),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def asset_dir(build_dir: Path, layer: LayerName) -> Path:
    """The folder CDK zips for a dependency layer (it contains `python/`)."""
    return build_dir / "layers" / layer.value


def manifest_path(build_dir: Path, layer: LayerName) -> Path:
    return build_dir / "layers" / f"{layer.value}.manifest.json"


def load_manifest(build_dir: Path, layer: LayerName) -> dict | None:
    path = manifest_path(build_dir, layer)
    if not path.is_file() or not (asset_dir(build_dir, layer) / "python").is_dir():
        return None
    return json.loads(path.read_text())


def is_current(spec: DepsLayer, build_dir: Path) -> bool:
    manifest = load_manifest(build_dir, spec.layer)
    return manifest is not None and manifest.get("fingerprint") == fingerprint(spec)


def pip_command(spec: DepsLayer, target: Path, no_deps: bool = False) -> list[str]:
    """pip's command line for the layer's requirements (`no_deps`: its `no_deps` file, hash-checked)."""
    platform_args = [arg for platform in spec.platforms for arg in ("--platform", platform)]
    if no_deps:
        assert spec.no_deps is not None
        requirements = ["--no-deps", "--require-hashes", "-r", str(spec.no_deps)]
    else:
        requirements = ["-r", str(spec.requirements)]
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        *platform_args,
        "--implementation",
        "cp",
        "--python-version",
        spec.python.value,
        "--only-binary=:all:",
        "--target",
        str(target),
        *requirements,
    ]


def strip_tree(site_dir: Path, keep: Iterable[str] = KEEP_TEST_DIRS) -> int:
    """Remove tests, caches and console scripts from an installed tree; return bytes removed."""
    keep_paths = {site_dir / k for k in keep}
    removed = 0
    for name in STRIP_TOP_LEVEL:
        if (site_dir / name).is_dir():
            removed += tree_size(site_dir / name)[0]
            shutil.rmtree(site_dir / name)
    # deepest first, so a kept folder's parent is examined after its children
    for path in sorted(site_dir.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if not path.is_dir() or path.name not in STRIP_DIR_NAMES or path in keep_paths:
            continue
        if any(k.is_relative_to(path) for k in keep_paths):
            continue
        removed += tree_size(path)[0]
        shutil.rmtree(path)
    for pyc in site_dir.rglob("*.py[co]"):
        removed += pyc.stat().st_size
        pyc.unlink()
    return removed


def wheel_glibc(site_dir: Path) -> dict[str, tuple[int, int]]:
    """The glibc each installed binary wheel needs, from its `*.dist-info/WHEEL` tags.

    A wheel tagged for several manylinux levels runs wherever the lowest one does.
    """
    needs: dict[str, tuple[int, int]] = {}
    for wheel_file in site_dir.glob("*.dist-info/WHEEL"):
        levels = []
        for line in wheel_file.read_text().splitlines():
            if not line.startswith("Tag:"):
                continue
            platform = line.split(":", 1)[1].strip().split("-")[-1]
            level = _manylinux_level(platform)
            if level is not None:
                levels.append(level)
        if levels:
            needs[wheel_file.parent.name.removesuffix(".dist-info")] = min(levels)
    return needs


def _manylinux_level(platform: str) -> tuple[int, int] | None:
    for legacy, level in LEGACY_MANYLINUX.items():
        if platform.startswith(legacy + "_"):
            return level
    if platform.startswith("manylinux_"):
        parts = platform.split("_")
        return int(parts[1]), int(parts[2])
    return None


def check_glibc(site_dir: Path, spec: DepsLayer) -> list[str]:
    """Problems: installed wheels that need a newer glibc than the runtime's OS provides."""
    return [
        f"{dist} needs glibc {a}.{b}, python{spec.python.value} on Lambda has {spec.glibc[0]}.{spec.glibc[1]}"
        for dist, (a, b) in sorted(wheel_glibc(site_dir).items())
        if (a, b) > spec.glibc
    ]


def _can_compile_for(python: PythonRuntime) -> bool:
    return f"{sys.version_info.major}.{sys.version_info.minor}" == python.value


def compile_bytecode(site_dir: Path, python: PythonRuntime) -> bool:
    """Precompile `.pyc` (unchecked-hash: valid whatever the file times in the zip) if possible.

    Lambda's /opt is read-only, so without shipped bytecode every cold start compiles every
    imported module again. Only this interpreter's version can be compiled for.
    """
    if not _can_compile_for(python):
        return False
    compileall.compile_dir(
        site_dir,
        quiet=2,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return True


def distributions(site_dir: Path) -> dict[str, str]:
    found = {}
    for info in sorted(site_dir.glob("*.dist-info")):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[name] = version
    return found


def build_layer(
    spec: DepsLayer,
    build_dir: Path,
    *,
    run: Callable[..., subprocess.CompletedProcess] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """pip-install, strip, check and measure one layer; write and return its manifest."""
    run = run or subprocess.run
    started = time.monotonic()
    final = asset_dir(build_dir, spec.layer)
    staging = final.with_name(f".{spec.layer.value}.tmp")
    manifest_path(build_dir, spec.layer).unlink(missing_ok=True)  # no manifest = not built
    if staging.exists():
        shutil.rmtree(staging)
    site_dir = staging / "python"
    site_dir.mkdir(parents=True)
    try:
        log(f"[layers] {spec.layer.value}: pip install for python{spec.python.value} {spec.architecture}")
        for no_deps in (False, True) if spec.no_deps else (False,):
            result = run(pip_command(spec, site_dir, no_deps), check=False)
            if result.returncode != 0:
                raise LayerBuildError(f"pip failed for {spec.layer.value} (exit {result.returncode})")
        installed_bytes = tree_size(site_dir)[0]
        stripped_bytes = strip_tree(site_dir)
        problems = check_glibc(site_dir, spec)
        if problems:
            raise LayerBuildError(f"{spec.layer.value} would not load on Lambda: " + "; ".join(problems))
        compiled = compile_bytecode(site_dir, spec.python)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    size_bytes, file_count = tree_size(staging)
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    manifest = {
        "layer": spec.layer.value,
        "fingerprint": fingerprint(spec),
        "python": spec.python.value,
        "architecture": spec.architecture,
        "platforms": spec.platforms,
        "requirements": spec.requirements.name,
        "installed_bytes": installed_bytes,
        "stripped_bytes": stripped_bytes,
        "bytecode_compiled": compiled,
        "size_bytes": size_bytes,
        "file_count": file_count,
        "distributions": distributions(final / "python"),
        "build_seconds": round(time.monotonic() - started, 1),
    }
    manifest_path(build_dir, spec.layer).write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"[layers] {spec.layer.value}: {_mb(size_bytes)} unzipped, {file_count} files")
    return manifest


def ensure_layers(
    build_dir: Path = DEFAULT_BUILD_DIR,
    layers: Sequence[LayerName] = tuple(DEPS_LAYERS),
    *,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> dict[LayerName, dict]:
    """Build each layer whose manifest is missing or stale; return every layer's manifest."""
    manifests: dict[LayerName, dict] = {}
    for layer in layers:
        spec = DEPS_LAYERS[layer]
        current = None if force or not is_current(spec, build_dir) else load_manifest(build_dir, layer)
        if current is not None:
            log(f"[layers] {layer.value}: up to date")
            manifests[layer] = current
        else:
            manifests[layer] = build_layer(spec, build_dir, log=log)
    return manifests


def size_report(build_dir: Path, manifests: dict[LayerName, dict]) -> str:
    """Unzipped sizes per layer and per function flavour against Lambda's 250 MB limit."""
    core_bytes, _ = tree_size(stage_core_layer(build_dir))
    lines = [f"core layer: {_mb(core_bytes)}"]
    for layer, manifest in manifests.items():
        total = core_bytes + manifest["size_bytes"]
        lines.append(
            f"{layer.value}: {_mb(manifest['size_bytes'])} (pip {_mb(manifest['installed_bytes'])}, "
            f"stripped {_mb(manifest['stripped_bytes'])}, bytecode {manifest['bytecode_compiled']}); "
            f"core + {layer.value} = {_mb(total)}, "
            f"{_mb(LAMBDA_UNZIPPED_LIMIT_BYTES - total)} left for function code of the 250 MB limit"
        )
    return "\n".join(lines)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--layer", choices=[layer.value for layer in DEPS_LAYERS], action="append")
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--check", action="store_true", help="exit 1 if a layer is missing or stale")
    args = parser.parse_args(argv)
    layers = [LayerName(value) for value in args.layer] if args.layer else list(DEPS_LAYERS)
    if args.check:
        stale = [layer.value for layer in layers if not is_current(DEPS_LAYERS[layer], args.build_dir)]
        print("stale: " + ", ".join(stale) if stale else "all layers up to date")
        return 1 if stale else 0
    try:
        manifests = ensure_layers(args.build_dir, layers, force=args.force)
    except LayerBuildError as error:
        print(f"[layers] error: {error}", file=sys.stderr)
        return 1
    print(size_report(args.build_dir, manifests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
