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


def _config(read_timeout: float) -> Config:
    return Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=read_timeout)


CLIENT_CONFIG: dict[str, Config] = {
    "dynamodb": _config(5),
    "stepfunctions": _config(5),
    "secretsmanager": _config(5),
    "sqs": _config(10),
    "ses": _config(10),
    "s3": _config(30),
}
"""Per service: three attempts in standard mode, 2 s to connect, and the read timeout its calls need
(small DynamoDB and Step Functions calls 5 s, S3 artifacts 30 s)."""
DEFAULT_CONFIG = _config(10)

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
