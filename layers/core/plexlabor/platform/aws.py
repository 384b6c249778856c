"""One boto3 client factory for every adapter, and secrets.

The timeout and retry policy of each service is one row of `CLIENT_CONFIG`. Clients are made on
first use (never at import), from the default session (its service models load once per process),
and kept per service and endpoint: the local runtime runs several functions, and in tests several
moto servers, in one process.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

SECRET_MAX_AGE_S = 300
"""How long a secret's value is kept in a warm Lambda: a rotated value is picked up within this."""


def _config(read_timeout: float, *, attempts: int = 3, connect_timeout: float = 2) -> Config:
    """`attempts` in all (botocore's `total_max_attempts`; its `max_attempts` counts the retries only)."""
    return Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


QUICK = _config(2, attempts=2, connect_timeout=1)
"""Small calls that answer in milliseconds (DynamoDB items, a message, an execution, a secret): a stalled one is
given up within `worst_call_s` 7 s, inside the 10 s of the functions people and webhook senders wait on
(punch_webhook, approval_callback, web_authorizer), whose callers try again."""

CLIENT_CONFIG: dict[str, Config] = {
    "dynamodb": QUICK,
    "stepfunctions": QUICK,
    "secretsmanager": QUICK,
    "sqs": QUICK,
    "ses": _config(10),
    "s3": _config(4, attempts=2, connect_timeout=1),
    "bedrock-runtime": _config(12, attempts=1),
    "transcribe": _config(5, attempts=2),
}
"""Per service: the attempts (standard mode), 2 s to connect (1 s for the quick ones), and the read timeout its
calls need (quick calls 2 s, S3 4 s, Transcribe's job calls 5 s, mail 10 s); botocore's read timeout is the wait
for the next bytes of an answer, not the whole transfer, so a multi-MB artifact read in 4 s pieces still arrives, and
S3's 11 s at worst fits web_app's 15 s (a page's report) and the 29 s functions' model reads. Bedrock once, 12 s: its
wording is optional (copilot_ask keeps the extractive answer) and must leave copilot_ask's 29 s room to record the
interaction. `tests/infra/test_infra_call_budgets.py` checks each function's calls against its timeout."""
DEFAULT_CONFIG = _config(10)

STANDARD_BACKOFF_S = 20
"""The longest wait botocore's standard mode makes before a retry (each is up to 2^(retry - 1) s, capped here)."""


def worst_call_s(service: str) -> float:
    """The longest one call of `service` may take before it raises: every attempt connecting and waiting for its
    answer up to the timeouts, with the longest backoff between attempts."""
    config = CLIENT_CONFIG.get(service, DEFAULT_CONFIG)
    attempts = config.retries["total_max_attempts"]
    waits = sum(min(2 ** (retry - 1), STANDARD_BACKOFF_S) for retry in range(1, attempts))
    return attempts * (config.connect_timeout + config.read_timeout) + waits


_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str | None], Any] = {}
_secret_providers: dict[int, Any] = {}
"""One Powertools provider per Secrets Manager client: the provider instance holds the value cache."""


def aws_client(service: str) -> Any:
    """The client of `service` for the current endpoint and region (made once, then reused)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    key = (service, os.environ.get("AWS_ENDPOINT_URL"), region)
    with _lock:  # boto3's default session is not safe to create clients from in parallel
        if key not in _clients:
            config = CLIENT_CONFIG.get(service, DEFAULT_CONFIG)
            _clients[key] = boto3.client(service, config=config)  # type: ignore[call-overload]
        return _clients[key]


class LazyClient:
    """An adapter's boto3 client attribute, e.g. `ses = LazyClient("ses")`: the client the adapter's
    `__init__` kept in `_client` (tests pass moto's), else `aws_client(service)`, made on first use."""

    def __init__(self, service: str) -> None:
        self.service = service

    def __get__(self, adapter: Any, owner: type | None = None) -> Any:
        if adapter is None:
            return self
        if adapter._client is None:
            adapter._client = aws_client(self.service)
        return adapter._client


def read_secret(secret_arn: str, *, max_age: int = SECRET_MAX_AGE_S) -> str:
    """A Secrets Manager value as text, cached `max_age` seconds by Powertools parameters."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    client = aws_client("secretsmanager")
    with _lock:
        provider = _secret_providers.get(id(client))
        if provider is None:
            provider = _secret_providers[id(client)] = SecretsProvider(boto3_client=client)
    value = provider.get(secret_arn, max_age=max_age)
    return value.decode() if isinstance(value, bytes) else str(value)


def reset() -> None:
    """Forget the clients and the cached secret values (tests, the local runtime)."""
    from aws_lambda_powertools.utilities import parameters

    with _lock:
        _clients.clear()
        _secret_providers.clear()
    parameters.clear_caches()
