"""copilot_index: EventBridge schedule -> the plant's procedure file -> the copilot's index in S3.

Parse the event, build the stores once per environment (`plexlabor.copilot.indexing.dependencies`),
run `plexlabor.copilot.indexing.run` (which documents the file, when it builds, and the summary
returned: counts and keys only).
"""

from __future__ import annotations

from plexlabor.copilot import indexing
from plexlabor.copilot.indexing import CopilotIndexEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = CopilotIndexEvent
"""The shape of this function's event (`events/copilot_index.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, indexing.dependencies, run)
