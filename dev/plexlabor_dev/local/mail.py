"""The e-mails the functions sent through SES, as moto kept them (nothing leaves the machine).

moto runs in this process, so its SES backend is read directly (moto documents `sent_messages` as
the way to inspect sent mail). Simple (`SendEmail`, v1 and v2) and raw messages are both read.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass
from typing import Any

from plexlabor_dev.local.environment import AWS_ACCOUNT_ID

_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_URL = re.compile(r"""https?://[^\s"'<>]+""")


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    source: str
    to: tuple[str, ...]
    subject: str
    body: str

    def links(self, prefix: str = "") -> list[str]:
        """Every distinct URL in the body (hrefs first), optionally only those starting with `prefix`."""
        found = [html.unescape(url) for url in _HREF.findall(self.body)]
        found += [html.unescape(url) for url in _URL.findall(self.body)]
        return [url for url in dict.fromkeys(found) if url.startswith(prefix)]


def _from_simple(message: Any) -> SentEmail:
    destinations = message.destinations or {}
    kinds = ("ToAddresses", "CcAddresses", "BccAddresses")
    to = tuple(address for kind in kinds for address in destinations.get(kind, []))
    return SentEmail(message.id, message.source, to, message.subject or "", message.body or "")


def _from_raw(message: Any) -> SentEmail:
    parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
    parts = []
    for part in parsed.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return SentEmail(
        message.id,
        message.source or str(parsed.get("From", "")),
        tuple(message.destinations or ()),
        str(parsed.get("Subject", "")),
        "\n".join(parts),
    )


def sent_emails(region: str) -> list[SentEmail]:
    """Every message sent so far in `region`, oldest first."""
    from moto.ses.models import ses_backends

    backend = ses_backends[AWS_ACCOUNT_ID][region]
    found = []
    for message in list(backend.sent_messages):
        if hasattr(message, "raw_data"):
            found.append(_from_raw(message))
        elif hasattr(message, "body"):
            found.append(_from_simple(message))
        # templated messages carry no rendered body; they are not used by plexlabor
    return found
