"""The webhook takes what its OpenAPI document says, no more and no less (both found by fuzzing it):
a list it documents is not refused for its size, and a value of another JSON type than documented is
refused by name instead of converted (`true` or `"12.5"` for a number, seconds for a date)."""

from __future__ import annotations

import pytest

from functions.punch_webhook import handler as webhook
from plexlabor.intake.api import openapi_document
from plexlabor.intake.messages import MAX_WEBHOOK_RECORDS
from plexlabor.intake.queue import InMemoryPunchQueue
from tests.unit.intake.intake_samples import WEBHOOK_SECRET, WEBHOOK_SIGNED_AT
from tests.unit.intake.test_intake_webhook_handler import PUNCH, call, post


def test_a_list_of_punches_is_documented_with_its_size() -> None:
    schema = openapi_document()["components"]["schemas"]["WebhookPunches"]
    [array] = [branch for branch in schema["anyOf"] if branch.get("type") == "array"]
    assert (array["minItems"], array["maxItems"]) == (1, MAX_WEBHOOK_RECORDS)


def _deps(queue: InMemoryPunchQueue) -> webhook.Dependencies:
    return webhook.Dependencies(queue=queue, hmac_secret=lambda: WEBHOOK_SECRET, clock=lambda: WEBHOOK_SIGNED_AT + 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("clockinLatitude", True), ("clockinLatitude", "42.3"), ("clockinTime", 1_000_000_000), ("employeeId", 7)],
)
def test_a_value_of_another_json_type_is_refused_by_name(field: str, value: object) -> None:
    queue = InMemoryPunchQueue()
    status, answer = call(post({**PUNCH, field: value}), _deps(queue))
    assert status == 400 and queue.messages == []
    assert [error["field"] for error in answer["errors"]] == [field]


def test_numbers_and_plex_dates_as_documented_are_accepted() -> None:
    queue = InMemoryPunchQueue()
    body = {**PUNCH, "clockinLatitude": 42, "clockinLongitude": -83.05, "clockoutTime": "2026-03-02T14:07:00Z"}
    status, _ = call(post([body, {**PUNCH, "id": "T2"}]), _deps(queue))
    assert status == 202 and len(queue.messages) == 2
