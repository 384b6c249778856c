"""Secrets that rotate without refusing anything signed before the rotation.

A secret's value is the key itself, or, while a rotation is under way, JSON
`{"current": "<new key>", "retired": ["<old key>", ...]}`: the current key signs (approval links) and
every key verifies (approval links mailed before, webhook deliveries of a sender not yet switched).
Once nothing signed with a retired key can still arrive, the secret goes back to the current key alone.
"""

from __future__ import annotations

import json
from typing import Any

from plexlabor.platform.errors import ConfigurationError


def keys_from_secret(value: str, what: str) -> tuple[str, tuple[str, ...]]:
    """(current key, retired keys) from a secret's value; `what` names the secret in the error."""
    text = value.strip()
    if not text.startswith("{"):
        return text, ()
    try:
        data: Any = json.loads(text)
        current = str(data["current"])
        retired = tuple(str(key) for key in data.get("retired", []))
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(f"{what} is not valid JSON with 'current'") from error
    return current, retired
