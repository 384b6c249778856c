"""Configuration of the approval handlers: one frozen model read from the environment on demand.

Nothing is read at import time. The variable names match `infra/constants.py` (a test keeps them
equal); this module does not import `infra`, which is not shipped in the Lambda layer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plexlabor.approval.errors import ConfigurationError

ENV_AUDIT_TABLE_NAME = "AUDIT_TABLE_NAME"
ENV_STATE_TABLE_NAME = "STATE_TABLE_NAME"
ENV_SIGNING_KEY_SECRET_ARN = "APPROVAL_SIGNING_KEY_SECRET_ARN"
ENV_PLEX_API_KEY_SECRET_ARN = "PLEX_API_KEY_SECRET_ARN"
ENV_NOTIFY_SENDER = "NOTIFY_SENDER"
ENV_APPROVAL_BASE_URL = "APPROVAL_BASE_URL"
ENV_CHAT_WEBHOOK_URL = "CHAT_WEBHOOK_URL"
ENV_MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT"
ENV_DIRECTORY_TTL_S = "SUPERVISOR_DIRECTORY_TTL_S"

DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_DIRECTORY_TTL_S = 900
SECRET_MAX_AGE_S = 300
"""How long a secret value is cached in a warm Lambda (a rotated key is picked up within this)."""

_FIELDS = {
    "audit_table_name": ENV_AUDIT_TABLE_NAME,
    "state_table_name": ENV_STATE_TABLE_NAME,
    "signing_key_secret_arn": ENV_SIGNING_KEY_SECRET_ARN,
    "plex_api_key_secret_arn": ENV_PLEX_API_KEY_SECRET_ARN,
    "notify_sender": ENV_NOTIFY_SENDER,
    "approval_base_url": ENV_APPROVAL_BASE_URL,
    "chat_webhook_url": ENV_CHAT_WEBHOOK_URL,
    "max_receive_count": ENV_MAX_RECEIVE_COUNT,
    "directory_ttl_s": ENV_DIRECTORY_TTL_S,
}


class ApprovalSettings(BaseModel):
    """Every setting of the three approval handlers; each handler `require`s the ones it uses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    audit_table_name: str | None = None
    state_table_name: str | None = None
    signing_key_secret_arn: str | None = None
    plex_api_key_secret_arn: str | None = None
    notify_sender: str | None = None
    approval_base_url: str | None = None
    chat_webhook_url: str | None = None
    max_receive_count: int = Field(default=DEFAULT_MAX_RECEIVE_COUNT, ge=1, le=1000)
    directory_ttl_s: int = Field(default=DEFAULT_DIRECTORY_TTL_S, ge=0)

    def require(self, field: str) -> str:
        """The value of a required setting, or a ConfigurationError naming its variable."""
        value = getattr(self, field)
        if value is None or value == "":
            raise ConfigurationError(f"environment variable {_FIELDS[field]} is not set")
        return str(value)

    @property
    def base_url(self) -> str:
        """`APPROVAL_BASE_URL` without a trailing slash: links are `<base>/approvals/<token>`."""
        return self.require("approval_base_url").rstrip("/")


def approval_settings_from_env(environ: Mapping[str, str] | None = None) -> ApprovalSettings:
    """Read the settings (cheap; call per invocation). Empty variables count as unset."""
    source = os.environ if environ is None else environ
    values = {field: source[name] for field, name in _FIELDS.items() if source.get(name)}
    try:
        return ApprovalSettings.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        name = _FIELDS.get(str(first["loc"][0]), str(first["loc"][0]))
        raise ConfigurationError(f"environment variable {name} is invalid: {first['msg']}") from None


def signing_keys_from_secret(value: str) -> tuple[bytes, tuple[bytes, ...]]:
    """The link-signing key and any retired keys from the secret's value.

    The secret holds either the key itself (what CDK generates: 64 random characters) or JSON
    `{"current": "...", "retired": ["..."]}` while a rotation lets older links finish.
    """
    text = value.strip()
    if text.startswith("{"):
        try:
            data: Any = json.loads(text)
            current = str(data["current"])
            retired = tuple(str(key).encode() for key in data.get("retired", []))
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigurationError("the approval signing key secret is not valid JSON with 'current'") from error
        return current.encode(), retired
    return text.encode(), ()
