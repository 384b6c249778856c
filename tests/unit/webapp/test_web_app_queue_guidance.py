"""The queue's job-code line beside a timecard needs evidence (ux_s13 #1): "Job codes often misapplied here" stood
beside codes with 1 % predicted and 0 of 4 entries misapplied, because it named the workcenter's two best-ranked
combinations whatever their record. Now a combination is named only when 3 or more of its entries, and at least
10 % of them, were misapplied in the guidance weeks, and the line says that rule."""

from __future__ import annotations

import html

import pytest

from plexlabor.allocation.artifact import AllocationArtifact, store_artifact
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.allocation import AllocationIndex, queue_guidance
from tests.unit.webapp.test_web_app_allocation import _item, artifact, store  # noqa: F401  (module fixtures)


def _index(report: AllocationArtifact, misapplied: int, entries: int) -> tuple[AllocationIndex, str, str]:
    """The report with only its top combination, misapplied `misapplied` times of `entries`; its workcenter's code
    and shift."""
    top = report.guidance[0].model_copy(update={"misapplied": misapplied, "entries": entries, "predicted_rate": 0.01})
    changed = report.model_copy(update={"guidance": [top]})
    code = changed.workcenters[top.workcenter_id].code
    return AllocationIndex.of(changed, store_artifact(InMemoryArtifactStore(), changed)), code, top.shift


@pytest.mark.parametrize(("misapplied", "entries"), [(0, 4), (2, 6), (3, 64)])
def test_a_code_rarely_misapplied_is_not_called_often_misapplied(
    artifact: AllocationArtifact,  # noqa: F811
    misapplied: int,
    entries: int,
) -> None:
    # 0 of 4 (the walkthrough's), 2 of 6 (a third, but two entries), 3 of 64 (three, but under 5 %)
    index, code, shift = _index(artifact, misapplied, entries)
    assert queue_guidance(index, [_item(code, shift)]) == {}


def test_a_code_often_misapplied_is_named_with_the_rule_it_met(artifact: AllocationArtifact) -> None:  # noqa: F811
    index, code, shift = _index(artifact, 4, 20)
    line = html.unescape(queue_guidance(index, [_item(code, shift)])["I1"])
    weeks = artifact.guidance_weeks
    assert line.startswith(
        f"Job codes often misapplied here (3 or more of a code's entries, and at least 10% of them, misapplied in the "
        f"last {weeks} weeks): "
    )
    assert f"on shift {shift}, 1.0 % predicted for this week (1st highest in the plant; 4 of its 20 entries" in line
