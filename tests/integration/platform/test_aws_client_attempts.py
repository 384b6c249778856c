"""`aws_client`'s clients make the attempts `CLIENT_CONFIG` says in all (botocore's `max_attempts` would count the
retries only, one more each), against a local endpoint that answers every request with a 503."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

from plexlabor.platform import aws


class Unavailable(BaseHTTPRequestHandler):
    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    for name, value in {
        "AWS_ENDPOINT_URL": url,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }.items():
        monkeypatch.setenv(name, value)
    Unavailable.requests = 0
    yield url
    server.shutdown()


@pytest.mark.parametrize(
    ("service", "call", "attempts"),
    [
        ("bedrock-runtime", lambda c: c.converse(modelId="m", messages=[]), 1),  # copilot_ask words once
        ("sqs", lambda c: c.send_message(QueueUrl="https://q/punch", MessageBody="{}"), 2),
        (
            "ses",
            lambda c: c.send_email(Source="a@b.c", Destination={}, Message={"Subject": {"Data": "s"}, "Body": {}}),
            3,
        ),
    ],
)
def test_a_client_tries_as_often_as_its_row_says(endpoint: str, service: str, call, attempts: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError):
        call(aws.aws_client(service))
    assert Unavailable.requests == attempts == aws.CLIENT_CONFIG[service].retries["total_max_attempts"]
