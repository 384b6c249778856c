"""The local servers' sockets: many deliveries at once wait in the listen queue instead of being
refused, and `plexlabor local up` restarts on its ports while the last run's sockets sit in TIME_WAIT."""

from __future__ import annotations

import socket

from plexlabor_dev.local.apigw import LocalApiGateway
from plexlabor_dev.local.runtime import _check_port_free

CONCURRENT = 50


def _held_connections(port: int) -> int:
    """Connections the kernel completes to a server that is bound but not accepting yet (all of them
    wait in its listen queue); a connection past the queue hangs until the timeout."""
    opened: list[socket.socket] = []
    try:
        for _ in range(CONCURRENT):
            try:
                opened.append(socket.create_connection(("127.0.0.1", port), timeout=1.0))
            except OSError:
                break  # the queue is full: every later one would wait the same second
        return len(opened)
    finally:
        for client in opened:
            client.close()


def test_fifty_connections_at_once_wait_for_the_gateway_instead_of_being_refused() -> None:
    gateway = LocalApiGateway(lambda function, event: {})
    server = gateway._serving.bind()  # bound and listening; nothing accepts yet
    try:
        assert _held_connections(server.server_address[1]) == CONCURRENT  # 6 with the standard backlog of 5
    finally:
        server.server_close()


def _port_in_time_wait() -> int:
    """A port whose server closed its side first, as a stopped `local up` leaves it (TIME_WAIT)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    accepted, _ = listener.accept()
    accepted.close()  # the server closes first: its end goes to TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    return int(port)


def test_a_port_in_time_wait_counts_as_free_for_moto() -> None:
    port = _port_in_time_wait()
    _check_port_free("127.0.0.1", port)  # raised "Address already in use" before


def test_the_gateway_restarts_on_a_port_in_time_wait() -> None:
    port = _port_in_time_wait()
    gateway = LocalApiGateway(lambda function, event: {}, port=port)
    with gateway:
        assert gateway.url.endswith(f":{port}")


def _raw_reply(url: str, request: bytes) -> bytes:
    """What the gateway answers to `request` sent as is; b"" when it closes without answering (2 s at most)."""
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=2.0) as client:
        client.sendall(request)
        try:
            return client.recv(4096)
        except TimeoutError:
            return b"timed out"


def test_a_content_length_that_is_not_a_size_is_a_400_not_a_crash_or_a_hang() -> None:
    # Given the gateway, and requests whose Content-Length is not a size (before: "abc" killed the request's
    # thread with a traceback and no answer; "-1" read until the client gave up, holding a thread)
    with LocalApiGateway(lambda function, event: {"statusCode": 200, "body": "ok"}) as gateway:
        for length in ("abc", "-1", "1e3", "\u00b2"):
            request = f"POST /punches HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n{{}}".encode()
            # Then each is answered 400 at once
            assert _raw_reply(gateway.url, request).startswith(b"HTTP/1.1 400"), length
