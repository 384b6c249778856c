"""`make demo` in a terminal keeps the product up after its summary until Ctrl-C; in CI it stops."""

from __future__ import annotations

import pytest

from plexlabor_dev.demo import UNTIL_CTRL_C, keep_up_for


@pytest.mark.parametrize(
    ("requested", "interactive", "seconds"),
    [
        (None, True, UNTIL_CTRL_C),  # a person at a terminal: up until Ctrl-C
        (None, False, 0),  # CI or a pipe: everything stops after the summary
        (600, False, 600),  # asked for: as asked, either way
        (0, True, 0),
        (-5, True, 0),
    ],
)
def test_how_long_the_demo_stays_up(requested: float | None, interactive: bool, seconds: int) -> None:
    assert keep_up_for(requested, interactive) == seconds
