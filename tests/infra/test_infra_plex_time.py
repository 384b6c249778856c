"""Every function that reads Plex has time for a call once the Plex client keeps its margin (plex.transport)."""

from __future__ import annotations

from infra.function_specs import FUNCTION_SPECS, PLEX
from plexlabor.plex.transport import DEADLINE_MARGIN_S

LEAST_PLEX_TIME_S = 5.0
"""What a function that reads Plex must have left for it at least: a read of a few pages at the simulator's pace."""


def test_every_function_that_reads_plex_has_time_for_it_past_the_margin() -> None:
    short = {
        spec.name: spec.timeout_s
        for spec in FUNCTION_SPECS
        if PLEX in spec.access and spec.timeout_s - DEADLINE_MARGIN_S < LEAST_PLEX_TIME_S
    }
    assert short == {}
