"""The one context every part of the generator works in: the spec, the random stream, the clock, the output.

All randomness comes from one `random.Random(seed)`, drawn in a fixed order, so the same spec gives
byte-identical files. A part that adds draws changes every plant after it; one that only reorders
its own code must keep the order of its draws. The true operator effects (`operators`) draw from a
second stream of their own, so adding them left every file they do not write byte-identical; so do the
job operations' actual times and the labor charged outside them (`operations_rng`) and the buddy punches
at a colleague's clock (`buddy_queue_rng`); a badge read waiting its turn at a clock (`clock_queue_rng`,
`records.queued_read`) moved only those reads' times.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.models.anomalies import AnomalyType
from plexlabor.models.types import format_plex_datetime
from plexlabor.validation.policy import PunchPolicy
from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.difficulty import DIFFICULTIES, Difficulty
from plexlabor_dev.simulator.world import World
from plexlabor_dev.simulator.writer import PlantWriter

DEFAULT_END = date(2026, 11, 20)
HOUR = 3600.0
MINUTE = 60.0


@dataclass(frozen=True)
class PlantSpec:
    """What to generate. The same spec always yields byte-identical files."""

    employees: int = 20
    weeks: int = 8
    seed: int = 1
    anomaly_rate: float = 0.05
    end_date: date = DEFAULT_END
    timezone: str = "America/Detroit"
    future_days: int = 14
    policy: PunchPolicy = field(default_factory=PunchPolicy)
    operator_effects: bool = True
    """False: every operator has the same true efficiency, scrap and downtime propensity (a null plant)."""
    hard_normals: frozenset[str] = frozenset()
    """Hard normal patterns switched on (names in `normals.NORMAL_PATTERNS`); none by default."""
    difficulty: Difficulty = "easy"
    """How far injected anomalies overlap normal variation, and the share of label noise (`difficulty`)."""
    misapplication_hotspots: float = 0.0
    """Share of (shift, workcenter, part operation) combinations whose entries also get misapplied job
    codes at `JobCodeMismatch.HOTSPOT_RATE` (drawn from a stream of their own); 0: none, the plant as before."""

    def __post_init__(self) -> None:
        if self.employees < 5:
            raise ValueError("employees: at least 5 are needed for a plant")
        if not 1 <= self.weeks <= 104:
            raise ValueError("weeks: must be between 1 and 104")
        if not 0 <= self.anomaly_rate <= 0.5:
            raise ValueError("anomaly_rate: must be between 0 and 0.5")
        if not 0 <= self.misapplication_hotspots <= 1:
            raise ValueError("misapplication_hotspots: must be between 0 and 1")
        if self.difficulty not in DIFFICULTIES:
            raise ValueError(f"difficulty: {self.difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
        from plexlabor_dev.simulator.normals import NORMAL_PATTERNS  # the patterns import this module

        unknown = sorted(set(self.hard_normals) - set(NORMAL_PATTERNS))
        if unknown:
            raise ValueError(f"hard_normals: unknown {', '.join(unknown)} (known: {', '.join(NORMAL_PATTERNS)})")


class Sim:
    """Spec, random stream, plant-local clock, the world built so far and the writer."""

    def __init__(self, spec: PlantSpec, out: PlantWriter) -> None:
        self.spec = spec
        self.out = out
        self.rng = random.Random(spec.seed)
        self.effects_rng = random.Random(f"operator-effects:{spec.seed}")
        self.misapplication_rng = random.Random(f"misapplication:{spec.seed}")
        self.normals_rng = random.Random(f"hard-normals:{spec.seed}")
        self.indirect_rng = random.Random(f"indirect-labor:{spec.seed}")
        self.operations_rng = random.Random(f"operation-times:{spec.seed}")
        self.buddy_queue_rng = random.Random(f"buddy-queue:{spec.seed}")
        self.clock_queue_rng = random.Random(f"clock-queue:{spec.seed}")
        self.tz = ZoneInfo(spec.timezone)
        self.policy = spec.policy
        self.scale = spec.anomaly_rate
        self.difficulty = spec.difficulty
        self.start_date = spec.end_date - timedelta(days=7 * spec.weeks - 1)
        self.as_of = self.local(spec.end_date + timedelta(days=1), "00:00")
        self.world = World()
        self._shift_times: dict[tuple[date, str], tuple[float, float]] = {}

    # -- randomness -------------------------------------------------------------------------------
    def uuid(self) -> str:
        return uuid_from(self.rng)

    def chance(self, rate_at_one: float) -> bool:
        """True with probability `rate_at_one` scaled by the plant's anomaly rate."""
        return self.rng.random() < rate_at_one * self.scale

    # -- time -------------------------------------------------------------------------------------
    def local(self, day: date, hhmm: str) -> float:
        hour, minute = (int(part) for part in hhmm.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp()

    def local_date(self, epoch: float) -> date:
        return datetime.fromtimestamp(epoch, self.tz).date()

    @staticmethod
    def iso(epoch: float) -> str:
        return iso(epoch)

    def shift_window(self, day: date, shift: catalog.ShiftDef) -> tuple[float, float]:
        key = (day, shift.code)
        if key not in self._shift_times:
            start = self.local(day, shift.start)
            end_day = day + timedelta(days=1) if shift.end < shift.start else day
            self._shift_times[key] = (start, self.local(end_day, shift.end))
        return self._shift_times[key]

    # -- output -----------------------------------------------------------------------------------
    def emit(self, resource: str, row: dict[str, Any]) -> None:
        self.out.emit(resource, row)

    def label(self, resource: str, record_id: str, anomaly: AnomalyType, employee_id: str | None, detail: str) -> None:
        self.out.label(resource, record_id, anomaly, employee_id, detail)


def uuid_from(rng: random.Random) -> str:
    """A version-4-shaped id from 128 bits of `rng`."""
    text = f"{rng.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{text[16:20]}-{text[20:]}"


def iso(epoch: float) -> str:
    """Plex's UTC timestamp with seven fractional digits."""
    return format_plex_datetime(datetime.fromtimestamp(epoch, UTC))
