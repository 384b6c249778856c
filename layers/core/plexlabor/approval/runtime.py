"""Build the approval services from the environment: what the handlers and the CLI call.

Each builder imports only what its handler needs (cold start). Cheap objects are built per
invocation (so a changed variable or a rotated secret is picked up); expensive ones are cached per
process: boto3 clients, and the Plex client, writer and employee directory per distinct Plex
configuration. `reset()` forgets everything (tests, local runtime).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from plexlabor.approval.aws import client, read_secret
from plexlabor.approval.settings import ApprovalSettings, approval_settings_from_env, signing_keys_from_secret
from plexlabor.audit import ApprovalLinkSigner

if TYPE_CHECKING:
    from plexlabor.approval.callback import CallbackService
    from plexlabor.approval.notify import NotifyService
    from plexlabor.approval.writeback import WritebackService
    from plexlabor.plex.settings import PlexSettings

_lock = threading.Lock()
_plex_cache: dict[str, Any] = {}


@lru_cache(maxsize=8)
def aws_client(service: str) -> Any:
    """One boto3 client per service per process (honours AWS_ENDPOINT_URL, e.g. a moto server)."""
    return client(service)


def reset() -> None:
    """Forget cached clients, Plex objects and secret values."""
    from aws_lambda_powertools.utilities import parameters

    aws_client.cache_clear()
    with _lock:
        _plex_cache.clear()
    parameters.clear_caches()


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def signer_from(settings: ApprovalSettings) -> ApprovalLinkSigner:
    secret = read_secret(settings.require("signing_key_secret_arn"), boto3_client=aws_client("secretsmanager"))
    current, retired = signing_keys_from_secret(secret)
    return ApprovalLinkSigner(current, retired_keys=retired)


def plex_settings_from(settings: ApprovalSettings, environ: Mapping[str, str] | None = None) -> PlexSettings:
    """`PLEXLABOR_PLEX_*` settings; the API key from `PLEX_API_KEY_SECRET_ARN` when that is set
    (on AWS), else from `PLEXLABOR_PLEX_API_KEY` (local runs)."""
    from plexlabor.plex.settings import parse_plex_secret, plex_settings_from_env

    overrides: dict[str, Any] = {}
    if settings.plex_api_key_secret_arn:
        secret = read_secret(settings.plex_api_key_secret_arn, boto3_client=aws_client("secretsmanager"))
        overrides = parse_plex_secret(secret)
    return plex_settings_from_env(_environ(environ), **overrides)


def _plex_key(kind: str, plex: PlexSettings) -> str:
    fingerprint = plex.model_dump_json() + plex.api_key.get_secret_value()
    return f"{kind}:{hashlib.sha256(fingerprint.encode()).hexdigest()}"


def _cached(key: str, build: Any) -> Any:
    with _lock:
        if key not in _plex_cache:
            _plex_cache[key] = build()
        return _plex_cache[key]


def notify_service(environ: Mapping[str, str] | None = None) -> NotifyService:
    from plexlabor.approval.aws import DynamoDbTaskTokenStore, SesNotifier
    from plexlabor.approval.chat import ChatWebhookNotifier
    from plexlabor.approval.directory import PlexEmployeeDirectory
    from plexlabor.approval.notify import NotifyService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.plex.client import PlexLaborClient

    settings = approval_settings_from_env(environ)
    plex = plex_settings_from(settings, environ)
    directory = _cached(
        _plex_key("directory", plex),
        lambda: PlexEmployeeDirectory(PlexLaborClient(plex), ttl_s=settings.directory_ttl_s),
    )
    return NotifyService(
        signer=signer_from(settings),
        tokens=DynamoDbTaskTokenStore(settings.require("state_table_name"), aws_client("dynamodb")),
        audit=DynamoDbAuditStore(settings.require("audit_table_name"), client=aws_client("dynamodb")),
        directory=directory,
        notifier=SesNotifier(settings.require("notify_sender"), aws_client("ses")),
        base_url=settings.base_url,
        chat=ChatWebhookNotifier(settings.chat_webhook_url) if settings.chat_webhook_url else None,
    )


def callback_service(environ: Mapping[str, str] | None = None) -> CallbackService:
    from plexlabor.approval.aws import DynamoDbTaskTokenStore, StepFunctionsTaskCallback
    from plexlabor.approval.callback import CallbackService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore, DynamoDbLinkNonceStore

    settings = approval_settings_from_env(environ)
    state_table = settings.require("state_table_name")
    return CallbackService(
        signer=signer_from(settings),
        nonces=DynamoDbLinkNonceStore(state_table, client=aws_client("dynamodb")),
        tokens=DynamoDbTaskTokenStore(state_table, aws_client("dynamodb")),
        audit=DynamoDbAuditStore(settings.require("audit_table_name"), client=aws_client("dynamodb")),
        tasks=StepFunctionsTaskCallback(aws_client("stepfunctions")),
    )


def writeback_service(environ: Mapping[str, str] | None = None, *, audit_table: str | None = None) -> WritebackService:
    from plexlabor.approval.corrections import with_fallback_paths
    from plexlabor.approval.writeback import WritebackService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.plex.client import PlexLaborClient
    from plexlabor.plex.writeback import PlexWriter

    settings = approval_settings_from_env(environ)
    plex = with_fallback_paths(plex_settings_from(settings, environ))
    reader, writer = _cached(_plex_key("writeback", plex), lambda: (PlexLaborClient(plex), PlexWriter(plex)))
    return WritebackService(
        audit=DynamoDbAuditStore(audit_table or settings.require("audit_table_name"), client=aws_client("dynamodb")),
        writer=writer,
        plex=reader,
        max_receive_count=settings.max_receive_count,
    )
