"""Buddy punching: the day's identity evidence (place, clock, biometric, badge, login) against the person's habit.

The thresholds here define the features the learned scorer was trained on (`signal_count` counts them),
so they are not policy: changing one means retraining the scorer. Places are judged against every
building the person works in (their home building, and those they or their role badge in at), and a
badge read is compared with the punch in order: the distance between them against the time between
them. One decisive signal (a punch many geofence radii from all of those buildings, or a badge read the
person could not have reached from the clock in the time between) makes a suspect on its own: it sets
the confidence floor (`DECISIVE_CONFIDENCE`) whatever the other signals say.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import BUDDY, HOUR, MINUTE, Candidate, EmployeeContext
from plexlabor.validation.checks.clock_queue import read_beside_another
from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Punch, Swipe
from plexlabor.validation.shifts import EmployeeDay

UNUSUAL_DEVICE = 0.9  # a clock this employee uses for under 10 % of their punches
LOW_BIOMETRIC = 0.3  # a biometric match under 0.7
FEATURE_CAP = 50.0
BADGE_BEFORE = 90 * MINUTE  # badge swipes from this long before the clock-in ...
BADGE_IN_AFTER = 10 * MINUTE  # ... a badge-in at their building up to this long after it
ELSEWHERE_AFTER = 60 * MINUTE  # ... a swipe at another building up to this long after it
OPEN_DAY = 8 * HOUR  # a day still open is looked at for this long after the clock-in
EARTH_RADIUS_M = 6_371_000
CAR_MINUTES = 5 * MINUTE  # to the car and from it, on a drive between buildings
DECISIVE_CONFIDENCE = 0.9


@dataclass(slots=True, kw_only=True)
class _Evidence:
    geo: float  # farthest mobile punch, in geofence radii
    device_unusual: float  # 1 - the share of this employee's punches on the clock (0 for mobile punches)
    biometric_low: float  # 1 - the weakest biometric match
    mobile: bool
    badge_in: bool
    elsewhere: bool
    no_login: bool
    far_from_all: bool = False  # located at least the decisive ratio from every building they work in
    travel: dict[str, Any] | None = None  # a badge read the person could not have reached from the punch

    @property
    def decisive(self) -> str | None:
        if self.far_from_all:
            return "far_from_every_building"
        return "impossible_travel" if self.travel is not None else None

    def signals(self) -> dict[str, float]:
        signals = {
            "geofence_ratio": min(self.geo, FEATURE_CAP),
            "device_unusual": self.device_unusual,
            "biometric_low": self.biometric_low,
            "no_badge_in": 0.0 if self.badge_in else 1.0,
            "badge_elsewhere": 1.0 if self.elsewhere else 0.0,
            "no_workcenter_login": 1.0 if self.no_login else 0.0,
            "mobile": 1.0 if self.mobile else 0.0,
        }
        signals["signal_count"] = float(
            (self.geo > 1)
            + (self.device_unusual > UNUSUAL_DEVICE)
            + (self.biometric_low > LOW_BIOMETRIC)
            + (not self.badge_in)
            + self.elsewhere
            + self.no_login
        )
        return signals

    def reasons(self) -> list[str]:
        reasons = []
        if self.geo > 1:
            reasons.append(f"punched {self.geo:.1f}× the geofence radius away")
        if self.device_unusual > UNUSUAL_DEVICE:
            reasons.append("on a clock this employee rarely uses")
        if self.biometric_low > LOW_BIOMETRIC:
            reasons.append(f"biometric match {1 - self.biometric_low:.2f}")
        if self.travel is not None:
            t = self.travel
            reasons.append(
                f"badge read at {t['badge_building']} {t['minutes_apart']:g} min from the punch at "
                f"{t['punch_place']}, {t['distance_m'] / 1000:.1f} km away "
                f"(at least {t['needed_min']:g} min to get there)"
            )
        elif self.elsewhere:
            reasons.append("badge seen at another building")
        elif not self.badge_in:
            reasons.append("no badge-in at the building")
        if self.no_login:
            reasons.append("no workcenter login all shift")
        return reasons


def buddy_punch(context: EmployeeContext, day: EmployeeDay) -> list[Candidate]:
    """Every entry of a scheduled day with at least one identity signal (the scorer weighs how many)."""
    if day.shift is None:
        return []
    evidence = _evidence(context, day)
    signals = evidence.signals()
    if not signals["signal_count"] and evidence.decisive is None:
        return []
    reasons = evidence.reasons()
    beside = read_beside_another(context, day)  # one hand, two badges: weighed only beside another sign
    if beside is not None:
        signals["signal_count"] += 1
        signals["read_beside_another"] = 1.0
        reasons.append(f"read {beside['seconds_apart']:g} s from another employee's badge at {beside['clock']}")
    because = ", ".join(reasons)
    rounded: dict[str, Any] = {name: round(value, 3) for name, value in signals.items()}
    if beside is not None:
        rounded["beside"] = beside
    if evidence.decisive is not None:
        rounded["decisive"] = evidence.decisive
    if evidence.travel is not None:
        rounded["travel"] = evidence.travel
    return [
        Candidate(
            record_key=p.key,
            employee=context.employee,
            anomaly=A.BUDDY_PUNCH,
            family=BUDDY,
            features=dict(signals),
            evidence=rounded,
            note=f"Possible buddy punch ({_which_entry(context.data, day, number)}): {because}"[:300],
            correction={"action": "verify identity with the employee"},
            severity="high",
            floor=DECISIVE_CONFIDENCE if evidence.decisive else 0.0,
        )
        for number, p in enumerate(day.punches, 1)
    ]


def _which_entry(data: PlantData, day: EmployeeDay, number: int) -> str:
    """The entry a finding is on, in its note: the clock-in of a day's only entry; else "Tue 2026-11-24, entry 2
    of 2: 18:50–23:07", since every entry of the day is flagged on the same evidence (ux_s17 M2: two rows read
    alike, the second quoting the first entry's clock-in)."""
    punch = day.punches[number - 1]
    clock_in = datetime.fromtimestamp(punch.t_in, data.tz)
    if len(day.punches) == 1:
        return f"clock-in {clock_in:%a %Y-%m-%d %H:%M}"
    until = data.local_time(punch.t_out) if punch.t_out is not None else "no clock-out"
    return f"{clock_in:%a %Y-%m-%d}, entry {number} of {len(day.punches)}: {clock_in:%H:%M}–{until}"


def _evidence(context: EmployeeContext, day: EmployeeDay) -> _Evidence:
    data, ref, policy = context.data, context.ref, context.policy
    first, last = day.first, day.last
    assert first is not None and last is not None
    places, located = _places(context)
    geo = device_unusual = biometric_low = 0.0
    mobile = False
    for punch in day.punches:
        if punch.lat is not None and punch.lon is not None and located:
            nearest = min(_distance_m(punch.lat, punch.lon, lat, lon) / radius for _, (lat, lon, radius) in located)
            geo = max(geo, nearest)
            mobile = True
        elif punch.device:
            device_unusual = max(device_unusual, 1.0 - context.norms.devices.get(punch.device, 0.0))
        if punch.biometric is not None:
            biometric_low = max(biometric_low, 1.0 - punch.biometric)
    end = last.t_out or first.t_in + OPEN_DAY
    swipes, times = data.swipes.get(context.employee, []), context.swipe_times
    nearby = swipes[bisect_left(times, first.t_in - BADGE_BEFORE) : bisect_left(times, end)]
    direct = bool(ref and ref.home_workcenter)
    worked = bool(context.logins.between(first.t_in, end))
    return _Evidence(
        geo=geo,
        device_unusual=device_unusual if not mobile else 0.0,
        biometric_low=biometric_low,
        mobile=mobile,
        badge_in=any(
            s.direction == "In" and s.building in places and s.t <= first.t_in + BADGE_IN_AFTER for s in nearby
        ),
        elsewhere=any(s.building not in places for s in nearby if s.t <= first.t_in + ELSEWHERE_AFTER),
        no_login=direct and not worked,
        far_from_all=geo >= policy.decisive_geofence_ratio,
        travel=_impossible_travel(context, day, [s for s in nearby if s.t <= first.t_in + ELSEWHERE_AFTER]),
    )


def _places(context: EmployeeContext) -> tuple[set[str], list[tuple[str, tuple[float, float, float]]]]:
    """`works_in`, and those of its buildings whose place is known, in code order: made once per person."""
    if "buddy.places" not in context.memo:
        places = works_in(context)
        buildings = context.data.buildings
        located = [(code, buildings[code]) for code in sorted(places) if code in buildings]
        context.memo["buddy.places"] = (places, located)
    result: tuple[set[str], list[tuple[str, tuple[float, float, float]]]] = context.memo["buddy.places"]
    return result


def works_in(context: EmployeeContext) -> set[str]:
    """The buildings a person works in: their home building, and those they or their role badge in at on at
    least the policy's share of days (learned from history where Plex does not say)."""
    share = context.policy.building_share
    home = context.ref.building if context.ref else None
    learned = {code for code, seen in context.norms.buildings.items() if seen >= share}
    return learned | ({home} if home else set())


def _impossible_travel(context: EmployeeContext, day: EmployeeDay, swipes: list[Swipe]) -> dict[str, Any] | None:
    """The first badge read that no one could reach from a punch of the day (or the punch from it) in the time
    between them: the distance between the places (less their geofences) against the fastest walk or drive."""
    data, policy = context.data, context.policy
    for swipe in swipes:
        reader = data.buildings.get(swipe.building)
        if reader is None:
            continue
        for punch in day.punches:
            place = _punch_place(data, punch)
            if place is None or place[0] == swipe.building:
                continue
            name, lat, lon, radius = place
            apart = _distance_m(lat, lon, reader[0], reader[1]) - radius - reader[2]
            needed = min(apart / policy.walking_speed_mps, CAR_MINUTES + apart / policy.driving_speed_mps)
            between = abs(swipe.t - punch.t_in)
            if apart > 0 and between < needed:
                return {
                    "badge_building": swipe.building,
                    "punch_place": name,
                    "distance_m": round(apart),
                    "minutes_apart": round(between / MINUTE, 1),
                    "needed_min": round(needed / MINUTE, 1),
                }
    return None


def _punch_place(data: PlantData, punch: Punch) -> tuple[str, float, float, float] | None:
    """Where a punch was taken: its position (a mobile punch), else its clock's building; None when unknown."""
    if punch.lat is not None and punch.lon is not None:
        return "the punch's position", punch.lat, punch.lon, 0.0
    building = data.devices.get(punch.device, ("", None))[1] if punch.device else None
    if building is None or building not in data.buildings:
        return None
    lat, lon, radius = data.buildings[building]
    return building, lat, lon, radius


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in meters."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
