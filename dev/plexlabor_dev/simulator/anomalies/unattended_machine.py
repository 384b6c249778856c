"""UNATTENDED_MACHINE: a machine run past the policy's minutes with nobody logged in.

At `easy` the run lasts the policy's minutes + 15 up to 3 h; shorter at `realistic` and `hard`
(`LENGTH_PAST_POLICY`).

Drawn per workcenter-week; placed where no operator session lies within 30 min, and labelled on its
`RunStart` event.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import timedelta

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import Injector
from plexlabor_dev.simulator.context import HOUR, MINUTE, Sim
from plexlabor_dev.simulator.difficulty import Difficulty
from plexlabor_dev.simulator.records import workcenter_event

MARGIN = 30 * MINUTE
TRIES = 20
LENGTH_PAST_POLICY: dict[Difficulty, tuple[float, float]] = {"easy": (15, 150), "realistic": (4, 60), "hard": (1, 20)}
"""Minutes past the policy's unattended minutes (30) a run lasts."""


class UnattendedRuns(Injector):
    labels = frozenset({AnomalyType.UNATTENDED_MACHINE})
    rate = 1.5  # per workcenter-week, at anomaly rate 1.0

    def inject(self, sim: Sim, wc_id: str, sessions: list[tuple[float, float]]) -> None:
        """Unattended runs at one workcenter, given its operator sessions sorted by login."""
        week = sim.start_date - timedelta(days=sim.start_date.weekday())
        while week <= sim.spec.end_date:
            if sim.chance(self.rate):
                self._place(sim, wc_id, sessions, sim.local(week, "00:00"))
            week += timedelta(days=7)

    def _place(self, sim: Sim, wc_id: str, sessions: list[tuple[float, float]], week_start: float) -> None:
        rng = sim.rng
        session_starts = [s for s, _ in sessions]
        history_start = sim.local(sim.start_date, "00:00")
        low, high = LENGTH_PAST_POLICY[sim.difficulty]
        for _ in range(TRIES):
            length = rng.uniform(sim.policy.unattended_minutes + low, sim.policy.unattended_minutes + high) * MINUTE
            start = week_start + rng.uniform(0, 7 * 24 * HOUR - length)
            if start < history_start or start + length > sim.as_of - HOUR:
                continue
            i = bisect_left(session_starts, start + length + MARGIN)
            nearby = sessions[max(0, i - 50) : i]
            if not any(s < start + length + MARGIN and e > start - MARGIN for s, e in nearby):
                run_id = workcenter_event(sim, wc_id, "RunStart", start)
                workcenter_event(sim, wc_id, "RunStop", start + length)
                sim.label(
                    "workcenter-events",
                    run_id,
                    AnomalyType.UNATTENDED_MACHINE,
                    None,
                    "machine ran with nobody logged in",
                )
                return


UNATTENDED_RUNS = UnattendedRuns()
