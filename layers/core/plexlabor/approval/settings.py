"""Each approval handler's configuration: one `EnvSettings` model of its environment variables.

The mechanism (`EnvSettings`, read once per cold start by `PerEnvironment`) is
`plexlabor.platform.settings`, the variable names are `plexlabor.platform.env`; a missing or
malformed variable is a `ConfigurationError` naming it. `plexlabor.approval.wiring` builds each
handler's service from its model. Nothing here reads the environment at import time.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from plexlabor.platform import env
from plexlabor.platform.rotation import keys_from_secret
from plexlabor.platform.settings import EnvSettings, PeopleSettings, PlantTimeSettings, PlexConnectionSettings

DEFAULT_MAX_RECEIVE_COUNT = 5
"""The write-back queue's redrive limit when the stack does not say (infra/constants.py agrees)."""
DEFAULT_DIRECTORY_TTL_S = 900


class LinkSettings(EnvSettings):
    """What the two functions that handle approval links share: the tables and the signing key."""

    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    state_table_name: str = Field(alias=env.STATE_TABLE_NAME)
    """Task tokens (`approval#<finding_id>` / `<stage>`) and used-link nonces."""
    signing_key_secret_arn: str = Field(alias=env.APPROVAL_SIGNING_KEY_SECRET_ARN)
    """The link-signing key: the key itself, or `{"current": ..., "retired": [...]}` during a rotation."""


class ReaderSettings(PlexConnectionSettings, PlantTimeSettings, PeopleSettings):
    """How what a person reads is written: people from Plex employees (name and employee number;
    names only to the roles in `SHOW_NAMES_TO`), times in the plant's zone (`PLEXLABOR_TIMEZONE`).
    Without Plex settings people are shown by the ids and numbers at hand."""


class NotifySettings(LinkSettings, ReaderSettings):
    """approval_notify: issues links, keeps task tokens, mails digests; reads supervisors from Plex."""

    notify_sender: str = Field(alias=env.NOTIFY_SENDER)
    """The SES-verified sender of the digests."""
    approval_base_url: str = Field(alias=env.APPROVAL_BASE_URL)
    """Links are `<base>/approvals/<token>` (the API stage URL or a custom domain)."""
    chat_webhook_url: str | None = Field(default=None, alias=env.CHAT_WEBHOOK_URL)
    """An optional incoming webhook that gets a count-only nudge."""
    directory_ttl_s: int = Field(default=DEFAULT_DIRECTORY_TTL_S, ge=0, alias=env.SUPERVISOR_DIRECTORY_TTL_S)
    """How long a warm function keeps the supervisors' addresses."""

    @field_validator("chat_webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://127.0.0.1")):
            raise ValueError("must be an https:// URL")
        return value


class CallbackSettings(LinkSettings, ReaderSettings):
    """approval_callback: verifies and redeems links, resumes the execution, records the decision;
    its pages name people and times as `ReaderSettings` says."""


class WritebackSettings(PlexConnectionSettings):
    """plex_writeback (and `plexlabor writeback revert`): writes approved corrections to Plex."""

    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    max_receive_count: int = Field(default=DEFAULT_MAX_RECEIVE_COUNT, ge=1, le=1000, alias=env.MAX_RECEIVE_COUNT)
    """Must equal the write-back queue's redrive `maxReceiveCount`: that attempt records the failure."""


def signing_keys_from_secret(value: str) -> tuple[bytes, tuple[bytes, ...]]:
    """The link-signing key and any retired keys from the secret's value (`platform.rotation`): the key
    itself (what CDK generates: 64 random characters), or `{"current": ..., "retired": [...]}` while a
    rotation lets older links finish."""
    current, retired = keys_from_secret(value, "the approval signing key secret")
    return current.encode(), tuple(key.encode() for key in retired)
