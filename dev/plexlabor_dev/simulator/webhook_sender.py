"""Send punches as signed webhooks (one JSON body per time-clock entry), as a Process Flow might."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from plexlabor.webhooks import sign


@dataclass
class WebhookReport:
    sent: int = 0
    failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "statuses": dict(self.statuses)}


class WebhookSender:
    """POSTs each punch to `url` with `X-Plexlabor-Timestamp` / `X-Plexlabor-Signature` headers.

    `timeout_s` (30 s) covers the local runtime's first call of punch_webhook, which imports its code
    first, on a busy 2-core machine (5 s was too short there: a punch was reported failed)."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        session: requests.Session | None = None,
        timeout_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret must not be empty")
        self.url, self._secret, self.timeout_s, self._clock = url, secret, timeout_s, clock
        self._session = session or requests.Session()

    def body_and_headers(self, punch: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(dict(punch), separators=(",", ":"), sort_keys=True).encode("utf-8")
        headers = {"Content-Type": "application/json", **sign(body, self._secret, int(self._clock()))}
        return body, headers

    def send(self, punch: Mapping[str, Any]) -> int:
        """Send one punch; return the HTTP status (0 when the connection failed)."""
        body, headers = self.body_and_headers(punch)
        try:
            response = self._session.post(self.url, data=body, headers=headers, timeout=self.timeout_s)
        except requests.RequestException:
            return 0
        return response.status_code

    def send_all(self, punches: Iterable[Mapping[str, Any]]) -> WebhookReport:
        report = WebhookReport()
        for punch in punches:
            status = self.send(punch)
            report.statuses[str(status)] = report.statuses.get(str(status), 0) + 1
            if 200 <= status < 300:
                report.sent += 1
            else:
                report.failed += 1
        return report
