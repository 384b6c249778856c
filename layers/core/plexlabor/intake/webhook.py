"""Accepting signed punch webhooks: the domain side of `punch_webhook`.

The API (`plexlabor.intake.api`) verifies the signature over the raw body bytes
(`plexlabor.webhooks.verify`), reads them as one bounded JSON document (`read_json_body`) and
validates it (`WebhookPunches`); this puts the records on the queue and says what was accepted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from plexlabor.intake.errors import MalformedBodyError
from plexlabor.intake.messages import PunchEntry, PunchMessage, WebhookAccepted
from plexlabor.intake.queue import PunchQueue

JSON_MEDIA_TYPE = "application/json"
MAX_JSON_DEPTH = 16
"""Nesting a webhook body may have: a list of records holding flat fields is 2 deep; the limit leaves
room for nested extra fields (ignored) and refuses documents built to exhaust the parser."""


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_json_body(body: bytes, content_type: str | None) -> Any:
    """The signed body as one JSON document, or MalformedBodyError saying why it is not one: another
    content type (none counts as JSON), not UTF-8, not JSON, or nested deeper than MAX_JSON_DEPTH."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in ("", JSON_MEDIA_TYPE):
        raise MalformedBodyError(f"Content-Type must be {JSON_MEDIA_TYPE}, not {media_type[:64]!r}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBodyError("the body is not UTF-8 text") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise MalformedBodyError(f"the body is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError, and integers longer than Python converts
        raise MalformedBodyError(f"the body is not valid JSON ({str(error)[:80]})") from None
    if json_depth(document) > MAX_JSON_DEPTH:
        raise MalformedBodyError(f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
    return document


def accept_punches(entries: Sequence[PunchEntry], queue: PunchQueue, received_at: datetime) -> WebhookAccepted:
    """Enqueue one message per record (raises EnqueueError if any did not make it)."""
    messages = [PunchMessage.of(entry, "webhook", received_at) for entry in entries]
    queue.send(messages)
    return WebhookAccepted(
        accepted=len(messages),
        record_keys=[message.record_key for message in messages],
        received_at=received_at,
    )
