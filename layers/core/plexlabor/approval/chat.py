"""`ChatWebhookNotifier`: an optional nudge to a chat webhook (Teams/Slack-style incoming webhook).

Off unless `CHAT_WEBHOOK_URL` is set. It posts `{"text": ...}` with counts only; the links stay in
the e-mail (see `digest.compose_chat`); the supervisor is named as the e-mail names people (`reader`).
Failures are logged by the caller and never block the mail.
"""

from __future__ import annotations

from typing import Any

import requests

from plexlabor.approval.digest import compose_chat
from plexlabor.approval.display import Reader
from plexlabor.approval.ports import Digest

TIMEOUT_S = 5.0


class ChatWebhookNotifier:
    def __init__(self, webhook_url: str, session: Any | None = None, reader: Reader | None = None) -> None:
        if not webhook_url.startswith("https://") and not webhook_url.startswith("http://127.0.0.1"):
            raise ValueError("CHAT_WEBHOOK_URL must be an https:// URL")
        self.webhook_url = webhook_url
        self._session = session or requests.Session()
        self.reader = reader or Reader()

    def send(self, digest: Digest) -> str | None:
        text = compose_chat(digest, self.reader)
        response = self._session.post(self.webhook_url, json={"text": text}, timeout=TIMEOUT_S)
        response.raise_for_status()
        return None
