"""A short-seat group's id (`review.groups.group_id`) is one URL path segment of unreserved characters whatever the
plant's codes hold, and names its workcenter shift back (review_s16 #2: a code with `/`, `#` or a space gave 404)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from plexlabor.review.groups import group_id, group_key


@pytest.mark.parametrize("workcenter", ["WC-10", "ASM/4 #B", "a_b~c%41", "Presse Nr. 3 ü?", "..", "x_2F"])
def test_a_group_id_is_unreserved_and_names_its_workcenter_shift_back(workcenter: str) -> None:
    key = (date(2026, 3, 4), "1 / A", workcenter)

    made = group_id(key)

    assert re.fullmatch(r"[A-Za-z0-9._~-]+", made)
    assert made.count("~") == 3
    assert group_key(made) == key


def test_a_plain_code_reads_in_the_id_as_it_is() -> None:
    assert group_id((date(2026, 12, 8), "2", "ASM-04")) == "short-seats~2026-12-08~2~ASM-04"
