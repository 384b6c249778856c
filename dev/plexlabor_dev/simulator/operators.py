"""True operator effects and quality audit findings, so operator and team scores are measured against truth.

Every hourly operator has three effects: their pace (`Person.efficiency`, drawn with their habits),
a scrap factor (the scrap share of the pieces they make, relative to the plant's) and the share of
their machine stops they cause themselves (a stop is drawn for 5 % of labor entries whoever works;
the operator's share decides whether its reason is an operator reason). Quality audits and
inspections find nonconformances in their work at a rate that grows with their scrap factor.

These draws come from a second random stream (`Sim.effects_rng`): the plant's main stream draws
exactly what it drew before they existed, so adding them changed only the files they write
(`scrap-entries` quantities, `downtime-entries` reasons, the new `nonconformances` and
`operator-effects.jsonl`, the truth, which is not a Plex resource and is read only by benches).
The scrap factor replaced the former `2 - efficiency` in a scrap quantity: scrap and pace are now
independent effects. `PlantSpec(operator_effects=False)` gives every operator the same effects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.context import HOUR, Sim, uuid_from
from plexlabor_dev.simulator.jsonlines import read_lines, write_lines
from plexlabor_dev.simulator.world import Person

OPERATOR_EFFECTS_FILE = "operator-effects.jsonl"

SCRAP_CHANCE = 0.2
"""Share of labor entries (with pieces made) that record scrap."""
SCRAP_FRACTION = (0.005, 0.05)
"""Scrap of such an entry, as a share of its pieces, before the operator's scrap factor (uniform)."""
STOP_CHANCE = 0.05
"""Share of labor entries with a machine stop, whoever works."""
NONCONFORMANCE_CHANCE = 0.02
"""Chance that an audit or inspection finds a nonconformance in a finished labor entry, at scrap factor 1."""
MEAN_STOP_SHARE = 1.2 / (1.2 + 2.0)
"""Mean of the Beta(1.2, 2) share of stops an operator causes (everyone's share on a null plant)."""


@dataclass(frozen=True)
class OperatorTruth:
    """What the generator made one operator: the values their scores estimate."""

    employee_id: str
    efficiency: float
    """Pace against the standard rate (earned over productive hours)."""
    scrap_share: float
    """Expected scrapped share of the pieces made (scrap over good plus scrap), rounding aside."""
    caused_stops_per_entry: float
    """Expected machine stops with an operator reason per labor entry."""
    nonconformances_per_entry: float
    """Expected nonconformances found per finished labor entry."""


def draw_effects(sim: Sim, person: Person) -> None:
    """The person's scrap factor and share of the stops they cause (on a null plant: everyone the same)."""
    rng = sim.effects_rng
    scrap_factor = min(3.0, max(0.3, rng.lognormvariate(0.0, 0.5)))
    stop_share = rng.betavariate(1.2, 2.0)
    if sim.spec.operator_effects:
        person.scrap_factor, person.stop_share = scrap_factor, stop_share
    else:
        person.efficiency, person.scrap_factor, person.stop_share = 1.0, 1.0, MEAN_STOP_SHARE


def stop_reason(sim: Sim, person: Person, machine_reason: str) -> str:
    """The reason of a machine stop during the person's work: theirs with their stop share."""
    rng = sim.effects_rng
    if rng.random() < person.stop_share:
        return rng.choice(catalog.OPERATOR_DOWNTIME_REASONS)
    return machine_reason


def audit_entry(sim: Sim, person: Person, wc_id: str, operation_id: str, start: float, closes: float) -> None:
    """An audit or inspection of a finished labor entry: a nonconformance at the person's rate."""
    rng = sim.effects_rng
    if rng.random() >= NONCONFORMANCE_CHANCE * person.scrap_factor:
        return
    found = min(closes + rng.uniform(0, 4) * HOUR, sim.as_of - 1)
    sim.emit(
        "nonconformances",
        {
            "id": uuid_from(rng),
            "workcenterId": wc_id,
            "employeeId": person.id,
            "jobOperationId": operation_id,
            "foundTime": sim.iso(max(found, start)),
            "source": rng.choice(("LAYERED_AUDIT", "INSPECTION")),
            "category": rng.choice(catalog.NONCONFORMANCE_CATEGORIES),
            "severity": "Major" if rng.random() < 0.2 else "Minor",
        },
    )


def truth(person: Person) -> OperatorTruth:
    """The expected values of the person's effects, from the generator's own rates."""
    scrap_per_good = SCRAP_CHANCE * sum(SCRAP_FRACTION) / 2 * person.scrap_factor
    return OperatorTruth(
        employee_id=person.id,
        efficiency=round(person.efficiency, 6),
        scrap_share=round(scrap_per_good / (1 + scrap_per_good), 6),
        caused_stops_per_entry=round(STOP_CHANCE * person.stop_share, 6),
        nonconformances_per_entry=round(NONCONFORMANCE_CHANCE * person.scrap_factor, 6),
    )


def write_truth(sim: Sim) -> None:
    """`operator-effects.jsonl`: one line per hourly operator."""
    write_lines(sim.out.folder.path / OPERATOR_EFFECTS_FILE, (asdict(truth(person)) for person in sim.world.hourly))


def read_truth(folder: Path | str) -> dict[str, OperatorTruth]:
    """The true effects of a generated plant's operators by employee id (empty when the file is absent)."""
    rows = (OperatorTruth(**row) for row in read_lines(Path(folder) / OPERATOR_EFFECTS_FILE))
    return {row.employee_id: row for row in rows}
