"""A short-seat group's id (`review.groups.group_id`) is one URL path segment of unreserved characters whatever the
plant's codes hold, and names its workcenter shift back (review_s16 #2: a code with `/`, `#` or a space gave 404)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from plexlabor.review.groups import group_id, group_key, group_keys


@pytest.mark.parametrize("workcenter", ["WC-10", "ASM/4 #B", "a_b~c%41", "Presse Nr. 3 ü?", "..", "x_2F"])
def test_a_group_id_is_unreserved_and_names_its_workcenter_shift_back(workcenter: str) -> None:
    key = (date(2026, 3, 4), "1 / A", workcenter)

    made = group_id(key)

    assert re.fullmatch(r"[A-Za-z0-9._~-]+", made)
    assert made.count("~") == 3
    assert group_key(made) == key


def test_a_plain_code_reads_in_the_id_as_it_is() -> None:
    assert group_id((date(2026, 12, 8), "2", "ASM-04")) == "short-seats~2026-12-08~2~ASM-04"


@pytest.mark.parametrize("workcenter", ["WC_10", "ASM_LINE", "LINE_20", "A_B_C"])
def test_an_id_made_before_the_codes_were_quoted_still_names_its_workcenter(workcenter: str) -> None:
    # review2_s16 #5: ids before b1d2c0f8 held the codes raw; "WC_10" read as "WC\x10", "ASM_LINE" as "ASM%LINE"
    old = f"short-seats~2026-03-04~1_A~{workcenter}"

    assert (date(2026, 3, 4), "1_A", workcenter) in group_keys(old)


@pytest.mark.parametrize(
    ("part", "workcenter"), [("WC_10", "WC_10"), ("ASM_LINE", "ASM_LINE"), ("WC_5F10", "WC_10"), ("A_20B", "A B")]
)
def test_the_likeliest_reading_of_an_id_is_the_plausible_code(part: str, workcenter: str) -> None:
    assert group_key(f"short-seats~2026-03-04~1~{part}") == (date(2026, 3, 4), "1", workcenter)


def test_a_new_id_reads_back_first() -> None:
    for workcenter in ("WC_10", "ASM_LINE", "LINE 20", "ASM/4 #B"):
        key = (date(2026, 3, 4), "1", workcenter)
        assert group_keys(group_id(key))[0] == key
