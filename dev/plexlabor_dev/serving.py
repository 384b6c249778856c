"""`ServerThread`: an HTTP server of the development tools (the local API gateway, the Plex
simulator), bound on first use and served on a daemon thread, or on the calling thread; `Served`
gives the class that owns one start(), stop() and a context manager; `is_loopback` says whether an
address is this machine's (both refuse what is not)."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar

ServerT = TypeVar("ServerT", bound=ThreadingHTTPServer)
LISTEN_BACKLOG = 128
"""Connections the kernel holds while the server accepts (the standard library's 5 refused 14 of 50
concurrent webhook deliveries to the local API gateway)."""


def is_loopback(address: str) -> bool:
    """Whether `address` is a loopback IP (an IPv6 zone, `%eth0`, ignored); False for a host name."""
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class ServerThread(Generic[ServerT]):
    """`make()` builds (and binds) the server; `what` names it in errors, `thread_name` its thread."""

    def __init__(self, make: Callable[[], ServerT], *, what: str, thread_name: str, poll_interval: float) -> None:
        self._make = make
        self.what, self.thread_name, self.poll_interval = what, thread_name, poll_interval
        self.server: ServerT | None = None
        self._thread: threading.Thread | None = None

    def bind(self) -> ServerT:
        if self.server is None:
            self.server = self._make()
        return self.server

    @property
    def url(self) -> str:
        """`http://host:port` (an IPv6 host in brackets)."""
        if self.server is None:
            raise RuntimeError(f"{self.what} is not started")
        host, port = self.server.server_address[:2]
        text = host.decode() if isinstance(host, bytes | bytearray) else str(host)
        return f"http://{text if ':' not in text else f'[{text}]'}:{port}"

    def start(self) -> None:
        """Serve on a daemon thread (a second call while it serves does nothing)."""
        if self._thread is not None:
            return
        server = self.bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": self.poll_interval},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self, poll_interval: float) -> None:
        """Serve on the calling thread until `stop()` (from another thread) or Ctrl-C."""
        self.bind().serve_forever(poll_interval=poll_interval)

    def stop(self) -> None:
        server, thread = self.server, self._thread
        self.server, self._thread = None, None
        if server is None:
            return
        if thread is not None:
            server.shutdown()
            thread.join(timeout=5)
        server.server_close()


class Served:
    """start() serves `_serving` on its thread, stop() stops it; also a context manager."""

    _serving: ServerThread[Any]

    def start(self) -> Self:
        self._serving.start()
        return self

    def stop(self) -> None:
        self._serving.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
