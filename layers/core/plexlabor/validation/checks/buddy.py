"""Buddy punching: the day's identity evidence (place, clock, biometric, badge, login) against the person's habit.

The thresholds here define the features the learned scorer was trained on (`signal_count` counts them),
so they are not policy: changing one means retraining the scorer.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import BUDDY, HOUR, MINUTE, Candidate, EmployeeContext
from plexlabor.validation.shifts import EmployeeDay

UNUSUAL_DEVICE = 0.9  # a clock this employee uses for under 10 % of their punches
LOW_BIOMETRIC = 0.3  # a biometric match under 0.7
FEATURE_CAP = 50.0
BADGE_BEFORE = 90 * MINUTE  # badge swipes from this long before the clock-in ...
BADGE_IN_AFTER = 10 * MINUTE  # ... a badge-in at their building up to this long after it
ELSEWHERE_AFTER = 60 * MINUTE  # ... a swipe at another building up to this long after it
OPEN_DAY = 8 * HOUR  # a day still open is looked at for this long after the clock-in
EARTH_RADIUS_M = 6_371_000


@dataclass(slots=True, kw_only=True)
class _Evidence:
    geo: float  # farthest mobile punch, in geofence radii
    device_unusual: float  # 1 - the share of this employee's punches on the clock (0 for mobile punches)
    biometric_low: float  # 1 - the weakest biometric match
    mobile: bool
    badge_in: bool
    elsewhere: bool
    no_login: bool

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
        if self.elsewhere:
            reasons.append("badge seen at another building")
        elif not self.badge_in:
            reasons.append("no badge-in at the building")
        if self.no_login:
            reasons.append("no workcenter login all shift")
        return reasons


def buddy_punch(context: EmployeeContext, day: EmployeeDay) -> list[Candidate]:
    """Every entry of a scheduled day with at least one identity signal (the scorer weighs how many)."""
    first = day.first
    if day.shift is None:
        return []
    assert first is not None
    evidence = _evidence(context, day)
    signals = evidence.signals()
    if not signals["signal_count"]:
        return []
    when = datetime.fromtimestamp(first.t_in, context.data.tz).strftime("%a %Y-%m-%d %H:%M")
    note = f"Possible buddy punch (clock-in {when}): " + ", ".join(evidence.reasons())
    rounded = {name: round(value, 3) for name, value in signals.items()}
    return [
        Candidate(
            record_key=p.key,
            employee=context.employee,
            anomaly=A.BUDDY_PUNCH,
            family=BUDDY,
            features=dict(signals),
            evidence=rounded,
            note=note[:300],
            correction={"action": "verify identity with the employee"},
            severity="high",
        )
        for p in day.punches
    ]


def _evidence(context: EmployeeContext, day: EmployeeDay) -> _Evidence:
    data, ref = context.data, context.ref
    first, last = day.first, day.last
    assert first is not None and last is not None
    building = ref.building if ref else None
    geo = device_unusual = biometric_low = 0.0
    mobile = False
    for punch in day.punches:
        if punch.lat is not None and punch.lon is not None and building in data.buildings:
            lat, lon, radius = data.buildings[building]  # type: ignore[index]
            geo = max(geo, _distance_m(punch.lat, punch.lon, lat, lon) / radius)
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
            s.direction == "In" and s.building == building and s.t <= first.t_in + BADGE_IN_AFTER for s in nearby
        ),
        elsewhere=any(s.building != building for s in nearby if s.t <= first.t_in + ELSEWHERE_AFTER),
        no_login=direct and not worked,
    )


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in meters."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
