"""End-to-end fixtures: everything on the local runtime, every server on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from toy_functions import write_toy_package


@pytest.fixture(scope="session")
def toy_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A temporary package of toy handlers, importable for the whole session."""
    root = tmp_path_factory.mktemp("toys")
    package = write_toy_package(root)
    sys.path.insert(0, str(root))
    yield package
    sys.path.remove(str(root))
