"""Each approval handler's service, built from its settings once per environment.

`notify_service()`, `callback_service()` and `writeback_service()` are `PerEnvironment` caches of
`build_notify`, `build_callback` and `build_writeback`: a service is built on a cold start and again
only when a variable its settings read changes. AWS clients come from
`plexlabor.platform.aws.aws_client`, secrets from `plexlabor.platform.aws.read_secret`:
- the link-signing key is read on every use (`SecretLinkSigner`), so a rotated key signs new links,
  and the retired one still verifies the links already sent, once the cached value has aged out;
- the Plex key is read when the service is built (as every function that reads Plex does).
`callback_reader()` is approval_callback's `display.Reader` (plant zone, people from Plex named as
`SHOW_NAMES_TO` says), built the same way; `reader_for(settings)` builds one for any function that
shows people (the web app). Its Plex client is made on the first look-up, so pages still render
(with numbers or ids) when Plex or its secret is unavailable.
Each builder imports only what its handler needs (cold start). `reset()` forgets everything (tests,
the local runtime).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast, get_args

from plexlabor.approval.settings import (
    DEFAULT_DIRECTORY_TTL_S,
    CallbackSettings,
    NotifySettings,
    ReaderSettings,
    WritebackSettings,
    signing_keys_from_secret,
)
from plexlabor.audit.links import LinkTokens, SigningKeys
from plexlabor.platform import env
from plexlabor.platform.aws import aws_client, read_secret
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.settings import PerEnvironment, PlexConnectionSettings
from plexlabor.plex.settings import WriteMode

if TYPE_CHECKING:
    from plexlabor.approval.callback import CallbackService
    from plexlabor.approval.directory import PeopleDirectory, PeopleDisplay
    from plexlabor.approval.display import Reader
    from plexlabor.approval.notify import NotifyService
    from plexlabor.approval.writeback import WritebackService
    from plexlabor.plex.port import LaborDataPort
    from plexlabor.plex.settings import PlexSettings


class SecretLinkSigner(LinkTokens):
    """Approval-link tokens with the keys of the signing-key secret's current value.

    `read()` is called on every use; through `read_secret` that is Powertools' cached value, so a
    rotated key is in use within `SECRET_MAX_AGE_S`. The keys are parsed again only when the value changes.
    """

    def __init__(self, read: Callable[[], str]) -> None:
        super().__init__()
        self._read = read
        self._value: str | None = None
        self._keys: SigningKeys | None = None
        self._lock = threading.Lock()

    def current(self) -> SigningKeys:
        value = self._read()
        with self._lock:
            if self._keys is None or value != self._value:
                try:
                    self._keys = SigningKeys(*signing_keys_from_secret(value))
                except ValueError as error:
                    raise ConfigurationError(f"{env.APPROVAL_SIGNING_KEY_SECRET_ARN}: {error}") from None
                self._value = value
            return self._keys


def secret_signer(secret_arn: str) -> SecretLinkSigner:
    return SecretLinkSigner(lambda: read_secret(secret_arn))


def plex_settings(settings: PlexConnectionSettings) -> PlexSettings:
    """`plexlabor.plex.sources.plex_settings_from` with the Plex secret read from Secrets Manager."""
    from plexlabor.plex.sources import plex_settings_from

    return plex_settings_from(settings, read_secret)


def write_mode_of(settings: PlexConnectionSettings) -> WriteMode:
    """The write mode plex_writeback writes in (`PLEXLABOR_PLEX_WRITE_MODE`, dry run when unset), for the pages
    that say what an approval does (`approval.effects`); a ConfigurationError naming the variable otherwise."""
    mode = settings.plex_env.get(env.PLEX_WRITE_MODE) or "dry_run"
    if mode not in get_args(WriteMode):
        raise ConfigurationError(f"{env.PLEX_WRITE_MODE} must be one of {', '.join(get_args(WriteMode))}")
    return cast(WriteMode, mode)


def reads_plex(settings: ReaderSettings) -> bool:
    """Whether the function was given Plex (its secret or its base URL)."""
    return bool(settings.plex_api_key_secret_arn) or env.PLEX_BASE_URL in settings.plex_env


def people_directory(settings: ReaderSettings, ttl_s: float = DEFAULT_DIRECTORY_TTL_S) -> PeopleDirectory:
    """Plex employees when the function reads Plex (its client made on the first look-up, with
    `plex.settings.INTERACTIVE_LIMITS`: a slow or down Plex costs one short wait, then the page shows numbers
    and the directory rests before it asks again), else nobody."""
    from plexlabor.approval.directory import PlexEmployeeDirectory, StaticPeopleDirectory

    if not reads_plex(settings):
        return StaticPeopleDirectory()

    def connect() -> LaborDataPort:
        from plexlabor.plex.client import PlexLaborClient

        return PlexLaborClient(plex_settings(settings).interactive())

    return PlexEmployeeDirectory(connect=connect, ttl_s=ttl_s)


def people_display(settings: ReaderSettings, directory: PeopleDirectory | None = None) -> PeopleDisplay:
    """People from `directory` (default: `people_directory`), named to the roles `SHOW_NAMES_TO` lists."""
    from plexlabor.approval.directory import PeopleDisplay

    return PeopleDisplay(directory or people_directory(settings), frozenset(settings.show_names_to))


def reader_for(settings: ReaderSettings, directory: PeopleDirectory | None = None) -> Reader:
    """A supervisor's `Reader` (plant zone, people as `SHOW_NAMES_TO` says); `Reader.for_roles` for others."""
    from plexlabor.approval.display import Reader

    return Reader(settings.zone, people_display(settings, directory))


def build_notify(settings: NotifySettings) -> NotifyService:
    from plexlabor.approval.aws import DynamoDbTaskTokenStore, SesNotifier
    from plexlabor.approval.chat import ChatWebhookNotifier
    from plexlabor.approval.digest import DigestMailer
    from plexlabor.approval.directory import PlexEmployeeDirectory
    from plexlabor.approval.notify import NotifyService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.plex.client import PlexLaborClient

    dynamodb = aws_client("dynamodb")
    directory = PlexEmployeeDirectory(PlexLaborClient(plex_settings(settings)), ttl_s=settings.directory_ttl_s)
    reader = reader_for(settings, directory)  # one Plex read serves the addresses and the names
    return NotifyService(
        signer=secret_signer(settings.signing_key_secret_arn),
        tokens=DynamoDbTaskTokenStore(settings.state_table_name, dynamodb),
        audit=DynamoDbAuditStore(settings.audit_table_name, client=dynamodb),
        directory=directory,
        notifier=DigestMailer(SesNotifier(settings.notify_sender, aws_client("ses")), reader),
        base_url=settings.approval_base_url,
        chat=ChatWebhookNotifier(settings.chat_webhook_url, reader=reader) if settings.chat_webhook_url else None,
    )


def build_callback(settings: CallbackSettings) -> CallbackService:
    from plexlabor.approval.aws import DynamoDbTaskTokenStore, StepFunctionsTaskCallback
    from plexlabor.approval.callback import CallbackService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore, DynamoDbLinkNonceStore

    dynamodb = aws_client("dynamodb")
    return CallbackService(
        signer=secret_signer(settings.signing_key_secret_arn),
        nonces=DynamoDbLinkNonceStore(settings.state_table_name, client=dynamodb),
        tokens=DynamoDbTaskTokenStore(settings.state_table_name, dynamodb),
        audit=DynamoDbAuditStore(settings.audit_table_name, client=dynamodb),
        tasks=StepFunctionsTaskCallback(aws_client("stepfunctions")),
        zone=settings.zone,
    )


def build_writeback(settings: WritebackSettings) -> WritebackService:
    from plexlabor.approval.corrections import with_fallback_paths
    from plexlabor.approval.writeback import WritebackService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.plex.client import PlexLaborClient
    from plexlabor.plex.writeback import PlexWriter

    plex = with_fallback_paths(plex_settings(settings))
    return WritebackService(
        audit=DynamoDbAuditStore(settings.audit_table_name, client=aws_client("dynamodb")),
        writer=PlexWriter(plex),
        plex=PlexLaborClient(plex),
        max_receive_count=settings.max_receive_count,
    )


notify_service = PerEnvironment(NotifySettings, build_notify)
"""approval_notify's service: built on first use, rebuilt only if a variable it reads changes."""
callback_service = PerEnvironment(CallbackSettings, build_callback)
"""approval_callback's service: built on first use, rebuilt only if a variable it reads changes."""
callback_reader = PerEnvironment(CallbackSettings, reader_for)
"""How approval_callback's pages name people and times: built likewise."""
callback_write_mode = PerEnvironment(CallbackSettings, write_mode_of)
"""The write mode approval_callback's confirmation names (`approval.effects`): read likewise."""
writeback_service = PerEnvironment(WritebackSettings, build_writeback)
"""plex_writeback's service: built on first use, rebuilt only if a variable it reads changes."""


def reset() -> None:
    """Forget the built services, the AWS clients and the cached secret values."""
    from plexlabor.platform import aws

    for cache in (notify_service, callback_service, callback_reader, callback_write_mode, writeback_service):
        cache.cache_clear()
    aws.reset()
