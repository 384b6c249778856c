"""Words for the keys producers write into evidence (ux164 #17: "Blocked shifts 0", "Iso week 2026-W49" on item
pages): every page takes its labels from `approval.display.field_label`, one place."""

from __future__ import annotations

import re

import pytest

from plexlabor.approval.display import field_label
from plexlabor.forecast.records import OvertimeProjection

PLAIN_AS_THEY_ARE = {"department", "causes", "suggestion", "overtime_cost", "kind", "as_of"}
"""Keys whose mechanical words ("Department", "Overtime cost") already read plainly (`as_of` is never shown)."""
CERTIFICATION_ALERT = ["blocked", "blocked_shifts", "hours_blocked", "hours_at_risk", "logins", "labor_entries"]
PUNCH_EVIDENCE = [
    "punched_hours",
    "scheduled_remaining_hours",
    "limit_hours",
    "expected_end",
    "correction_basis",
    "continuous_hours",
    "expected_quantity",
    "ratio_vs_usual",
    "history_entries",
    "projectedHours",
]


def mechanical(key: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").lower()
    return words[:1].upper() + words[1:]


@pytest.mark.parametrize(
    "key",
    [k for k in OvertimeProjection.model_fields if k not in PLAIN_AS_THEY_ARE] + CERTIFICATION_ALERT + PUNCH_EVIDENCE,
)
def test_every_key_an_item_page_shows_has_words_of_its_own(key: str) -> None:
    label = field_label(key)
    assert label != mechanical(key), f"{key} is shown as its own name: {label!r}"
    assert not re.search(r"\biso\b|\bemployees\b", label, re.IGNORECASE)


def test_the_overtime_figures_read_as_the_forecasts_page_says_them() -> None:
    assert field_label("scheduled_hours").startswith("Hours still to come")
    assert field_label("iso_week") == field_label("week") == "Week"
