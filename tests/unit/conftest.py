"""The unit tier runs with no network at all: any connection, bind or name lookup over IPv4 or IPv6
fails, 127.0.0.1 included. AWS is moto's in-process mock (no socket); a test that needs a server
(a Plex simulator, a moto server, the local runtime) belongs in tests/integration or tests/e2e.
Local (AF_UNIX) sockets stay allowed: worker pools and pipes use them."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

NETWORK_FAMILIES = (socket.AF_INET, socket.AF_INET6)

NOT_MOVED_YET: dict[str, str] = {
    "tests/unit/validation/test_assessment.py::test_assess_cli_plex_url_unreachable_is_a_clean_error": (
        "connects to 127.0.0.1:9 to see a refused connection; belongs in tests/integration "
        "(reported to the owner of tests/unit/validation)"
    ),
}
"""Unit tests that still use the network, each until its owner moves it to the tier its name says.
Delete an entry once the test has moved; add none."""


class NetworkBlockedError(RuntimeError):
    """A unit test tried to use the network."""


def _refuse(what: str) -> NetworkBlockedError:
    return NetworkBlockedError(f"unit tests must not use the network ({what}); move the test to tests/integration")


@pytest.fixture(autouse=True)
def no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Unit tests never open a connection or a listening socket (AWS, Plex, anything)."""
    if request.node.nodeid in NOT_MOVED_YET:
        yield
        return

    def guarded(method_name: str) -> object:
        original = getattr(socket.socket, method_name)

        def method(self: socket.socket, *args: object, **kwargs: object) -> object:
            if self.family in NETWORK_FAMILIES:
                raise _refuse(f"socket.{method_name}{args!r}")
            return original(self, *args, **kwargs)

        return method

    def refused(what: str) -> object:
        def function(*args: object, **_kwargs: object) -> object:
            raise _refuse(f"{what}{args!r}")

        return function

    for method_name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, method_name, guarded(method_name))
    monkeypatch.setattr(socket, "create_connection", refused("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refused("socket.getaddrinfo"))
    yield
