"""Fixed vocabulary of a generated plant: departments, skills, shifts, names, reason codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    direct: bool  # direct labor works at workcenters on jobs; indirect labor does not
    workcenter_prefix: str
    skills: tuple[tuple[str, str], ...]  # (skill code, name); the first is the workcenter's main skill
    crew_size: int
    rate_range: tuple[float, float]  # standard pieces per hour
    pay_range: tuple[float, float]
    certified: bool  # workcenters of this department require a certification


# Order matters: a small plant uses the first departments only.
DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "MACH",
        "Machining",
        True,
        "CNC",
        (("CNC_LATHE", "CNC lathe"), ("CNC_MILL", "CNC mill"), ("CNC_PROG", "CNC programming")),
        1,
        (8, 40),
        (22, 34),
        True,
    ),
    Department(
        "ASSY",
        "Assembly",
        True,
        "ASM",
        (
            ("ASSY_MECH", "Mechanical assembly"),
            ("ASSY_ELEC", "Electrical assembly"),
            ("TORQUE", "Torque tools"),
        ),
        2,
        (20, 80),
        (18, 26),
        False,
    ),
    Department(
        "MAINT",
        "Maintenance",
        False,
        "",
        (("LOTO", "Lockout/tagout"), ("ELECTRICAL", "Industrial electrical"), ("HYDRAULICS", "Hydraulics")),
        1,
        (1, 1),
        (28, 40),
        True,
    ),
    Department(
        "MOLD",
        "Molding",
        True,
        "PRS",
        (("INJ_MOLD", "Injection molding"), ("MOLD_SETUP", "Mold setup")),
        1,
        (60, 240),
        (19, 27),
        True,
    ),
    Department(
        "WELD",
        "Welding",
        True,
        "WLD",
        (("WELD_MIG", "MIG welding"), ("WELD_TIG", "TIG welding"), ("ROBOT_WELD", "Robotic weld cell")),
        1,
        (10, 40),
        (23, 33),
        True,
    ),
    Department(
        "QA",
        "Quality",
        True,
        "QC",
        (("CMM", "CMM inspection"), ("VISUAL_INSP", "Visual inspection")),
        1,
        (15, 60),
        (21, 30),
        True,
    ),
    Department(
        "SHIP",
        "Shipping",
        False,
        "",
        (("FORKLIFT", "Forklift"), ("HAZMAT", "Hazmat handling")),
        1,
        (1, 1),
        (18, 24),
        True,
    ),
    Department(
        "PAINT",
        "Finishing",
        True,
        "PNT",
        (("PAINT_BOOTH", "Paint booth"), ("POWDER_COAT", "Powder coat")),
        1,
        (30, 120),
        (19, 27),
        True,
    ),
)

DEPARTMENT_WEIGHTS = {
    "MACH": 20,
    "ASSY": 20,
    "MAINT": 9,
    "MOLD": 15,
    "WELD": 12,
    "QA": 8,
    "SHIP": 8,
    "PAINT": 8,
}

# Order of departments along a routing (a part flows through them in this order).
ROUTING_ORDER = ("MACH", "MOLD", "WELD", "ASSY", "PAINT", "QA")


@dataclass(frozen=True)
class ShiftDef:
    code: str
    name: str
    start: str  # local HH:MM
    end: str  # local HH:MM, the next day when earlier than start
    share: float  # share of hourly employees on this shift


SHIFTS: tuple[ShiftDef, ...] = (
    ShiftDef("1", "1st shift", "06:00", "14:30", 0.5),
    ShiftDef("2", "2nd shift", "14:30", "23:00", 0.33),
    ShiftDef("3", "3rd shift", "22:30", "07:00", 0.17),
)
BREAK_MINUTES = 30

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Frank",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kim",
    "Luis",
    "Maya",
    "Nate",
    "Olga",
    "Priya",
    "Quinn",
    "Raj",
    "Sara",
    "Tomas",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
)
LAST_NAMES = (
    "Adams",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Kowalski",
    "Lopez",
    "Miller",
    "Nguyen",
    "Okafor",
    "Patel",
    "Rossi",
    "Smith",
    "Tanaka",
    "Usman",
    "Vega",
    "Walsh",
)

SCRAP_REASONS = ("DIM_OOT", "SURFACE", "MATERIAL", "SETUP", "HANDLING")
DOWNTIME_REASONS = ("BREAKDOWN", "NO_MATERIAL", "CHANGEOVER", "QUALITY_HOLD", "TOOLING")
OPERATOR_DOWNTIME_REASONS = ("OPERATOR_ERROR", "MISLOAD", "SETUP_ERROR")
"""Stops the operator caused (`operators.stop_reason`); plexlabor.analytics counts these by default."""
NONCONFORMANCE_CATEGORIES = ("DIMENSIONAL", "VISUAL", "PROCEDURE", "DOCUMENTATION", "LABELLING")
PART_FAMILIES = ("BRACKETS", "HOUSINGS", "SHAFTS", "PANELS", "FITTINGS", "COVERS")

BASE_LATITUDE, BASE_LONGITUDE = 42.3314, -83.0458
