"""The transactional rows labels point at: time-clock entries, badge swipes, workcenter events.

Shared by the normal day (`workday`, `production`) and the anomaly injectors that bend it, so a
corrupted record has exactly the fields of a normal one.
"""

from __future__ import annotations

import math
from typing import Any

from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.normals import CLOCK_DRIFT
from plexlabor_dev.simulator.world import Person

QUEUE_GAP_S = 3.0
MAX_QUEUE = 50


def clock_entry(sim: Sim, person: Person, pin: float, pout: float) -> dict[str, Any]:
    """A time-clock entry punched at the person's usual clock (or phone); open if `pout` is after the extract."""
    rng = sim.rng
    open_now = pout > sim.as_of
    device = person.device
    if not person.mobile and rng.random() < 0.05:  # the usual clock had a queue
        device = rng.choice(sim.world.devices_by_building[person.building])["deviceId"]
    if error := CLOCK_DRIFT.error(sim, device, pin):  # the clock records its own reading of the time
        CLOCK_DRIFT.note(sim, person, pin, pout)
        pin, pout = pin + error, pout + error
    if not person.mobile:
        pin = queued_read(sim, device, pin, person.id)
    row: dict[str, Any] = {
        "id": sim.uuid(),
        "employeeId": person.id,
        "clockinTime": sim.iso(pin),
        "clockoutTime": None if open_now else sim.iso(pout),
        "clockinDeviceId": device,
        "clockoutDeviceId": None if open_now else device,
        "clockinLatitude": None,
        "clockinLongitude": None,
        "biometricScore": None,
        "source": "Mobile" if person.mobile else "Device",
        "createdDate": sim.iso(pin),
        "modifiedDate": sim.iso(pin if open_now else pout + rng.uniform(0, 2)),
        "modifiedBy": None,
    }
    if person.mobile:
        building = sim.world.building(person.building)
        reach = building["geofenceRadiusM"] * (rng.uniform(1.0, 1.3) if rng.random() < 0.01 else rng.uniform(0, 0.6))
        row["clockinLatitude"], row["clockinLongitude"] = geo_offset(
            building["latitude"], building["longitude"], reach, rng.uniform(0, 2 * math.pi)
        )
    elif device.startswith("CLK") and is_biometric(device):
        row["biometricScore"] = round(rng.uniform(0.6, 0.85) if rng.random() < 0.02 else rng.uniform(0.86, 0.99), 3)
    return row


def queued_read(sim: Sim, device: str, when: float, employee_id: str) -> float:
    """When the clock reads this badge: a clock reads one badge at a time, so someone who reaches it within
    `QUEUE_GAP_S` of another's read waits their turn, 3-8 s after it (a queue at a shift change). The wait
    is drawn from a stream of its own (`Sim.clock_queue_rng`); the read is kept for the next one."""
    reads = sim.world.clock_reads[device]
    for _ in range(MAX_QUEUE):
        ahead = next((t for t, who in reads if who != employee_id and abs(t - when) < QUEUE_GAP_S), None)
        if ahead is None:
            break
        when = ahead + sim.clock_queue_rng.uniform(3, 8)
    reads.append((when, employee_id))
    return when


def manual_edit(sim: Sim, person: Person, row: dict[str, Any], when: float, added: bool = False) -> None:
    """A supervisor's edit; `added` entries were keyed by hand, so they are created at edit time."""
    row["source"] = "Manual"
    row["modifiedBy"] = sim.world.supervisor_user.get(person.supervisor_id or "", "hr-admin")
    row["modifiedDate"] = sim.iso(min(when + sim.rng.uniform(10, 36) * HOUR, sim.as_of))
    row["clockinDeviceId"] = row["clockoutDeviceId"] = None
    row["biometricScore"] = row["clockinLatitude"] = row["clockinLongitude"] = None
    if added:
        row["createdDate"] = row["modifiedDate"]


def is_biometric(device_id: str) -> bool:
    return int(device_id.rsplit("-", 1)[1]) % 2 == 0  # matches the device catalog: every second clock


def geo_offset(lat: float, lon: float, meters: float, bearing: float) -> tuple[float, float]:
    """A point `meters` away from (lat, lon) on `bearing` (flat-earth approximation, fine below 50 km)."""
    d_lat = meters * math.cos(bearing) / 111_320
    d_lon = meters * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lon + d_lon, 6)


def swipe(sim: Sim, person: Person, door: str, building_code: str, when: float, direction: str) -> str:
    """A badge swipe at a door reader; return its id."""
    building = sim.world.building(building_code)
    swipe_id = sim.uuid()
    sim.emit(
        "badge-swipes",
        {
            "id": swipe_id,
            "employeeId": person.id,
            "deviceId": door,
            "buildingCode": building_code,
            "swipeTime": sim.iso(when),
            "direction": direction,
            "latitude": building["latitude"],
            "longitude": building["longitude"],
        },
    )
    return swipe_id


def workcenter_event(
    sim: Sim, wc_id: str, kind: str, when: float, employee_id: str | None = None, op_id: str | None = None
) -> str:
    """A workcenter event (login, logout, run start or stop); written only if it happened before the extract."""
    event_id = sim.uuid()
    if when <= sim.as_of:
        sim.emit(
            "workcenter-events",
            {
                "id": event_id,
                "workcenterId": wc_id,
                "eventType": kind,
                "eventTime": sim.iso(when),
                "employeeId": employee_id,
                "jobOperationId": op_id,
            },
        )
    return event_id
