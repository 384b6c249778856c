"""BUDDY_PUNCH: a colleague punched for an absent employee (no badge, no workcenter activity that day).

The punches show some of: a location far outside the geofence (mobile punches), a clock the employee
does not use, a low biometric score, the badge seen at another building. How often and how strongly
depends on the difficulty (`SIGNALS`): at `hard` a location just outside the fence or a biometric score
among the normal low reads. Every entry of the day is labelled.

At a colleague's clock (`AT_THE_CLOCK`): on a share of these days the colleague who punches for them
does it at their own clock, seconds after their own clock-in (one person holding two badges), the nearest
colleague's read within 30 min of when the absent employee would have come; how many seconds after
depends on the difficulty (at `hard` 2-6 s, mostly as far apart as two people in a queue, who are read
3-8 s apart: `records.queued_read`). Those draws come
from a stream of their own (`Sim.buddy_queue_rng`), so every other record of the plant is unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import MINUTE, Sim
from plexlabor_dev.simulator.difficulty import Difficulty
from plexlabor_dev.simulator.records import geo_offset, is_biometric, swipe
from plexlabor_dev.simulator.world import ShiftDay


@dataclass(frozen=True)
class Signals:
    """How often each signal shows and how strong it is."""

    far_share: float  # of mobile punches, located outside the fence
    far_metres: tuple[float, float]  # this far from the building (the fence is 250 m)
    other_clock_share: float  # of clock punches, at a clock the employee does not use
    biometric: tuple[float, float]  # the score at a biometric clock (normal: 0.86-0.99, 2 % 0.6-0.85)
    elsewhere_share: float  # the badge also seen at another building (always when nothing else shows)


SIGNALS: dict[Difficulty, Signals] = {
    "easy": Signals(0.75, (2000, 30000), 0.6, (0.1, 0.55), 0.4),
    "realistic": Signals(0.5, (500, 4000), 0.35, (0.35, 0.75), 0.25),
    "hard": Signals(0.35, (300, 1200), 0.25, (0.55, 0.84), 0.15),
}


@dataclass(frozen=True)
class AtTheClock:
    """How often the colleague punches at their own clock, and how many seconds after their own read."""

    share: float
    seconds: tuple[float, float]


AT_THE_CLOCK: dict[Difficulty, AtTheClock] = {
    "easy": AtTheClock(0.5, (0.5, 2)),
    "realistic": AtTheClock(0.4, (1, 4)),
    "hard": AtTheClock(0.3, (2, 6)),
}
NEAREST_COLLEAGUE = 30 * MINUTE


class BuddyPunch(DayInjector):
    kind = "BUDDY_PUNCH"
    weight = 0.06
    labels = frozenset({AnomalyType.BUDDY_PUNCH})
    absent = True

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        signals = sum(_punch_signals(sim, day, record) for record in day.records)
        _badge_elsewhere(sim, day, signals)
        _at_a_colleagues_clock(sim, day)
        for record in day.records:
            day.label(record, AnomalyType.BUDDY_PUNCH, "punched for an absent colleague")
        return True


def _punch_signals(sim: Sim, day: ShiftDay, record: dict) -> int:
    """Make one entry look unlike the employee's own punches; return how many signals it shows."""
    rng, person, shown = sim.rng, day.person, SIGNALS[sim.difficulty]
    signals = 0
    if person.mobile:
        if rng.random() < shown.far_share:
            building = sim.world.building(person.building)
            record["clockinLatitude"], record["clockinLongitude"] = geo_offset(
                building["latitude"], building["longitude"], rng.uniform(*shown.far_metres), rng.uniform(0, 2 * math.pi)
            )
            signals += 1
        return signals
    others = [d["deviceId"] for d in sim.world.devices_by_building[person.building] if d["deviceId"] != person.device]
    if others and rng.random() < shown.other_clock_share:
        record["clockinDeviceId"] = record["clockoutDeviceId"] = rng.choice(others)
        signals += 1
    if is_biometric(record["clockinDeviceId"]):
        record["biometricScore"] = round(rng.uniform(*shown.biometric), 3)
        signals += 1
    else:
        record["biometricScore"] = None
    return signals


def _badge_elsewhere(sim: Sim, day: ShiftDay, signals: int) -> None:
    """The absent employee's badge at another building (always, when the punches showed nothing)."""
    rng, person, buildings = sim.rng, day.person, sim.world.buildings
    if len(buildings) > 1 and (signals == 0 or rng.random() < SIGNALS[sim.difficulty].elsewhere_share):
        elsewhere = rng.choice([b for b in buildings if b["buildingCode"] != person.building])
        doors = sim.world.doors_by_building[elsewhere["buildingCode"]]
        swipe(
            sim,
            person,
            rng.choice(doors),
            elsewhere["buildingCode"],
            day.clock_in + rng.uniform(-15, 15) * MINUTE,
            "In",
        )


def _at_a_colleagues_clock(sim: Sim, day: ShiftDay) -> None:
    """The first clock-in punched at a colleague's clock, seconds after the colleague's own read there."""
    rng, person, shown = sim.buddy_queue_rng, day.person, AT_THE_CLOCK[sim.difficulty]
    if person.mobile or not day.records or rng.random() >= shown.share:
        return
    devices = sorted(d["deviceId"] for d in sim.world.devices_by_building[person.building])
    reads = [
        (abs(t - day.clock_in), t, device)
        for device in devices
        for t, who in sim.world.clock_reads[device]
        if who != person.id and abs(t - day.clock_in) <= NEAREST_COLLEAGUE
    ]
    if not reads:
        return
    _, colleague_read, device = min(reads)
    record = day.records[0]
    when = colleague_read + rng.uniform(*shown.seconds)
    sim.world.clock_reads[device].append((when, person.id))
    record["clockinTime"] = record["createdDate"] = sim.iso(when)
    record["clockinDeviceId"] = device
    if record["clockoutDeviceId"] is not None:
        record["clockoutDeviceId"] = device
    biometric = SIGNALS[sim.difficulty].biometric
    record["biometricScore"] = round(rng.uniform(*biometric), 3) if is_biometric(device) else None


BUDDY_PUNCH = BuddyPunch()
