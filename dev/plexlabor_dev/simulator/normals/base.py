"""What a hard normal pattern is: behaviour real plants show every week that is not an anomaly.

Each pattern is one module with a switch (`PlantSpec.hard_normals` holds the names that are on); all
are off by default, so a plant without them is byte-identical to one from before they existed. Their
draws come from a stream of their own (`Sim.normals_rng`); the days they shape still draw from the
plant's stream as every day does, so switching one on changes the plant after the first day it acts.

A pattern labels nothing: it is normal. It records each shift-day it shaped in
`normal-patterns.jsonl` (`NormalDay`), so a benchmark can count false findings per pattern.
"""

from __future__ import annotations

from datetime import date

from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import NormalDay, Person


class NormalPattern:
    """A hard normal pattern; `name` is its switch in `PlantSpec.hard_normals`."""

    name: str = ""

    def on(self, sim: Sim) -> bool:
        return self.name in sim.spec.hard_normals

    def record(self, sim: Sim, person: Person, day: date, start: float, end: float, name: str = "") -> None:
        """Record a shift-day this pattern (or, for a part with several, the one `name`d) shaped."""
        sim.world.normal_days.append(NormalDay(name or self.name, person.id, day, start, end))
