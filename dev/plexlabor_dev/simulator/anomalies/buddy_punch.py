"""BUDDY_PUNCH: a colleague punched for an absent employee (no badge, no workcenter activity that day).

The punches show some of: a location far outside the geofence (mobile punches), a clock the employee
does not use, a low biometric score, the badge seen at another building. Every entry of the day is
labelled.
"""

from __future__ import annotations

import math

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import MINUTE, Sim
from plexlabor_dev.simulator.records import geo_offset, is_biometric, swipe
from plexlabor_dev.simulator.world import ShiftDay


class BuddyPunch(DayInjector):
    kind = "BUDDY_PUNCH"
    weight = 0.06
    labels = frozenset({AnomalyType.BUDDY_PUNCH})
    absent = True

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        signals = sum(_punch_signals(sim, day, record) for record in day.records)
        _badge_elsewhere(sim, day, signals)
        for record in day.records:
            day.label(record, AnomalyType.BUDDY_PUNCH, "punched for an absent colleague")
        return True


def _punch_signals(sim: Sim, day: ShiftDay, record: dict) -> int:
    """Make one entry look unlike the employee's own punches; return how many signals it shows."""
    rng, person = sim.rng, day.person
    signals = 0
    if person.mobile:
        if rng.random() < 0.75:
            building = sim.world.building(person.building)
            record["clockinLatitude"], record["clockinLongitude"] = geo_offset(
                building["latitude"], building["longitude"], rng.uniform(2000, 30000), rng.uniform(0, 2 * math.pi)
            )
            signals += 1
        return signals
    others = [d["deviceId"] for d in sim.world.devices_by_building[person.building] if d["deviceId"] != person.device]
    if others and rng.random() < 0.6:
        record["clockinDeviceId"] = record["clockoutDeviceId"] = rng.choice(others)
        signals += 1
    if is_biometric(record["clockinDeviceId"]):
        record["biometricScore"] = round(rng.uniform(0.1, 0.55), 3)
        signals += 1
    else:
        record["biometricScore"] = None
    return signals


def _badge_elsewhere(sim: Sim, day: ShiftDay, signals: int) -> None:
    """The absent employee's badge at another building (always, when the punches showed nothing)."""
    rng, person, buildings = sim.rng, day.person, sim.world.buildings
    if len(buildings) > 1 and (signals == 0 or rng.random() < 0.4):
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


BUDDY_PUNCH = BuddyPunch()
