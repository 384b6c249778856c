"""The Docker-free layer build, offline: pip is replaced by a fake that writes a wheel-like tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.build_layers import (
    DEPS_LAYERS,
    DepsLayer,
    LayerBuildError,
    build_layer,
    check_glibc,
    ensure_layers,
    fingerprint,
    is_current,
    manifest_path,
    manylinux_platforms,
    pip_command,
    read_requirements,
    strip_tree,
    wheel_glibc,
)
from infra.constants import LayerName, PythonRuntime


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _dist_info(site: Path, dist: str, *tags: str) -> None:
    _write(site / f"{dist}.dist-info" / "WHEEL", "Wheel-Version: 1.0\n" + "".join(f"Tag: {t}\n" for t in tags))


def _spec(tmp_path: Path, python: PythonRuntime = PythonRuntime.PY311) -> DepsLayer:
    requirements = _write(tmp_path / "req" / "requirements.txt", "# comment\nfakepkg==1.0  # pinned\n")
    return DepsLayer(LayerName.DEPS_LIGHT, requirements, python)


def _fake_pip(*, tag: str = "cp311-cp311-manylinux2014_x86_64", returncode: int = 0):
    calls: list[list[str]] = []

    def run(command: list[str], check: bool = False) -> subprocess.CompletedProcess:
        calls.append(command)
        target = Path(command[command.index("--target") + 1])
        _write(target / "fakepkg" / "__init__.py", "VALUE = 1\n")
        _write(target / "fakepkg" / "tests" / "test_it.py", "def test(): pass\n")
        _write(target / "bin" / "fake-script", "#!/usr/bin/python\n")
        _dist_info(target, "fakepkg-1.0", tag)
        return subprocess.CompletedProcess(command, returncode)

    return run, calls


def test_platform_tags_stop_at_the_runtime_glibc() -> None:
    al2 = manylinux_platforms((2, 26), "x86_64")
    al2023 = manylinux_platforms((2, 34), "x86_64")

    assert "manylinux2014_x86_64" in al2
    assert "manylinux_2_26_x86_64" in al2
    assert "manylinux_2_27_x86_64" not in al2
    assert {"manylinux_2_28_x86_64", "manylinux_2_34_x86_64"} <= set(al2023)
    assert DEPS_LAYERS[LayerName.DEPS_LIGHT].glibc == (2, 26)
    assert DEPS_LAYERS[LayerName.DEPS_HEAVY].glibc == (2, 34)


def test_requirements_follow_includes_and_drop_comments(tmp_path: Path) -> None:
    _write(tmp_path / "base.txt", "# light\nrequests==2.0\n\n")
    heavy = _write(tmp_path / "heavy.txt", "-r base.txt\nnumpy==2.0  # numeric\n")

    assert read_requirements(heavy) == ["requests==2.0", "numpy==2.0"]


def test_pip_installs_binary_wheels_for_the_lambda_platform_not_this_machine(tmp_path: Path) -> None:
    spec = DEPS_LAYERS[LayerName.DEPS_HEAVY]
    command = pip_command(spec, tmp_path / "python")

    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert "--only-binary=:all:" in command
    assert command[command.index("--python-version") + 1] == "3.12"
    assert command[command.index("--implementation") + 1] == "cp"
    assert command[command.index("--target") + 1] == str(tmp_path / "python")
    assert "--no-compile" in command
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert platforms == spec.platforms


def test_strip_removes_tests_caches_and_scripts_but_keeps_numpy_core_tests(tmp_path: Path) -> None:
    site = tmp_path / "python"
    kept = [
        _write(site / "numpy" / "_core" / "tests" / "_natype.py"),
        _write(site / "numpy" / "_core" / "multiarray.py"),
        _write(site / "pkg" / "testing.py"),
    ]
    removed = [
        _write(site / "pkg" / "tests" / "test_a.py", "x" * 100),
        _write(site / "scipy" / "linalg" / "tests" / "data" / "blob.npz"),
        _write(site / "other" / "test" / "test_b.py"),
        _write(site / "pkg" / "__pycache__" / "a.cpython-311.pyc"),
        _write(site / "bin" / "normalizer"),
    ]

    assert strip_tree(site) >= 100
    assert all(path.exists() for path in kept)
    assert not any(path.exists() for path in removed)


def test_glibc_check_reads_wheel_tags(tmp_path: Path) -> None:
    site = tmp_path / "python"
    _dist_info(site, "numpy-2.4.6", "cp311-cp311-manylinux_2_27_x86_64", "cp311-cp311-manylinux_2_28_x86_64")
    _dist_info(site, "pydantic_core-2.50.5", "cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64")
    _dist_info(site, "requests-2.34.2", "py3-none-any")

    assert wheel_glibc(site) == {"numpy-2.4.6": (2, 27), "pydantic_core-2.50.5": (2, 17)}
    [problem] = check_glibc(site, DepsLayer(LayerName.DEPS_LIGHT, Path("r.txt"), PythonRuntime.PY311))
    assert "numpy-2.4.6 needs glibc 2.27" in problem
    assert check_glibc(site, DepsLayer(LayerName.DEPS_HEAVY, Path("r.txt"), PythonRuntime.PY312)) == []


def test_build_writes_a_manifest_and_is_then_current(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    run, calls = _fake_pip()
    build_dir = tmp_path / "build"

    manifest = build_layer(spec, build_dir, run=run, log=lambda _: None)

    assert len(calls) == 1
    site = build_dir / "layers" / "deps-light" / "python"
    assert (site / "fakepkg" / "__init__.py").is_file()
    assert not (site / "fakepkg" / "tests").exists()
    assert not (site / "bin").exists()
    assert manifest["distributions"] == {"fakepkg": "1.0"}
    assert manifest["size_bytes"] > 0
    assert json.loads(manifest_path(build_dir, LayerName.DEPS_LIGHT).read_text()) == manifest
    assert is_current(spec, build_dir)
    assert not list((build_dir / "layers").glob(".*.tmp"))


def test_bytecode_is_unchecked_hash_when_this_python_is_the_target(tmp_path: Path) -> None:
    target = PythonRuntime(f"{sys.version_info.major}.{sys.version_info.minor}")
    spec = _spec(tmp_path, python=target)
    run, _ = _fake_pip()

    manifest = build_layer(spec, tmp_path / "build", run=run, log=lambda _: None)

    assert manifest["bytecode_compiled"] is True
    [pyc] = (tmp_path / "build" / "layers" / "deps-light" / "python" / "fakepkg").glob("__pycache__/*.pyc")
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, source never checked: valid whatever the zip's file times


def test_changed_requirements_make_the_layer_stale(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    run, _ = _fake_pip()
    build_layer(spec, tmp_path / "build", run=run, log=lambda _: None)
    before = fingerprint(spec)

    spec.requirements.write_text("fakepkg==2.0\n")

    assert fingerprint(spec) != before
    assert not is_current(spec, tmp_path / "build")


def test_pip_failure_and_too_new_glibc_fail_the_build(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    failing, _ = _fake_pip(returncode=1)
    too_new, _ = _fake_pip(tag="cp311-cp311-manylinux_2_28_x86_64")

    with pytest.raises(LayerBuildError, match="pip failed"):
        build_layer(spec, tmp_path / "build", run=failing, log=lambda _: None)
    with pytest.raises(LayerBuildError, match=r"glibc 2\.28"):
        build_layer(spec, tmp_path / "build", run=too_new, log=lambda _: None)
    assert not (tmp_path / "build" / "layers" / "deps-light").exists()
    assert not (tmp_path / "build" / "layers" / ".deps-light.tmp").exists()


def test_ensure_layers_skips_current_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path)
    run, calls = _fake_pip()
    monkeypatch.setitem(DEPS_LAYERS, LayerName.DEPS_LIGHT, spec)
    monkeypatch.setattr(subprocess, "run", run)
    lines: list[str] = []

    ensure_layers(tmp_path / "build", [LayerName.DEPS_LIGHT], log=lines.append)
    ensure_layers(tmp_path / "build", [LayerName.DEPS_LIGHT], log=lines.append)

    assert len(calls) == 1
    assert lines[-1] == "[layers] deps-light: up to date"
