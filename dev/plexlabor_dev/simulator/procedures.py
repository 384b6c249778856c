"""A generated plant's procedures (SOPs) and molding process data, as a plant uploads them for the copilot.

`copilot_index` reads `copilot/procedures/procedures.jsonl` (one procedure a line: title, tools, numbered
steps) and `process.json` beside it (per operation the SOP's limits and past runs, per lot its measured
properties). A generated plant has neither in Plex, so the local runtime writes these for the plant's
departments: a few short shop-floor procedures each (written here by hand, plain and generic: start-up,
changeover, cleaning, lockout, the press's alarm response), and the molding operation's runs and lots from
`simulator.lots`, whose ground truth the parameter bench measures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from plexlabor.copilot import PROCEDURES_KEY, PROCESS_KEY
from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator.lots import generate_process

MOLDING_DEPARTMENT = "MOLD"
MOLDING_OPERATION = "MOLDING"
"""The operation the process data is for, as an operator types it on the copilot page."""
PROCESS_RUNS = 300
PROCESS_LOTS = 20


@dataclass(frozen=True)
class Sop:
    department: str
    """The department whose workcenters it is for (its code); "" for every department."""
    title: str
    tools: tuple[str, ...]
    steps: tuple[str, ...]
    question: str
    """How an operator would ask for it at the tablet (the demo asks it)."""


SOPS: tuple[Sop, ...] = (
    Sop(
        "",
        "Lockout/tagout before reaching into a machine",
        ("Personal lock", "Lockout tag", "Voltage tester"),
        (
            "Tell the operators of the machine and the area that it will be shut down for service.",
            "Stop the machine with its normal stop, then turn the main disconnect to OFF.",
            "Put your personal lock and a tag with your name and the date on the disconnect.",
            "Bleed stored energy: release air and hydraulic pressure, block anything that can fall or move.",
            "Try to start the machine and test the supply with the voltage tester: it must stay dead.",
            "Only then reach in. When done, remove tools, guard everything, and remove your own lock only.",
        ),
        "How do I lock out a machine before I reach in?",
    ),
    Sop(
        "MOLD",
        "Mold change on an injection press",
        ("Overhead crane", "Mold clamps", "Torque wrench", "Heat-resistant gloves", "Safety glasses"),
        (
            "Purge the barrel and run the screw forward; close the hopper slide.",
            "Lock out the press (Lockout/tagout procedure) and let the mold cool below 60 C.",
            "Disconnect the water lines and the hot-runner cables; cap the water lines.",
            "Hook the crane to the mold's lifting eye, loosen the clamps and lift the mold out.",
            "Set the new mold, centre it on the locating ring and tighten the clamps to 120 Nm.",
            "Connect the water lines and the hot runner; check for leaks with the water on.",
            "Remove the lockout, set the process sheet's settings for the part and the material lot.",
            "Run 10 shots, check the first part against the drawing, and log the setup on the job.",
        ),
        "How do I change the mold on the press?",
    ),
    Sop(
        "MOLD",
        "Start-up of an injection press after a stop",
        ("Pyrometer", "Heat-resistant gloves", "Safety glasses"),
        (
            "Before you start the press after a stop, check the hopper holds dried material of the job's lot.",
            "Switch on the barrel heaters and wait until every zone is within 5 C of its setting.",
            "Check the barrel temperature with the pyrometer at the nozzle.",
            "Purge until the melt runs clean, then close the safety gate.",
            "Set barrel temperature, injection pressure and hold time from the process sheet for the lot.",
            "Start the press in semi-automatic until parts are good, then switch to automatic.",
        ),
        "How do I start the press again after a stop?",
    ),
    Sop(
        "MACH",
        "Tool change on a CNC lathe or mill",
        ("Tool presetter", "Torque wrench", "Cut-resistant gloves", "Safety glasses"),
        (
            "Stop the lathe or mill spindle and open the door only when the spindle has stopped.",
            "Take the worn tool out of the lathe's turret or the mill's tool holder.",
            "Measure the new tool on the presetter and write its offsets.",
            "Fit the new tool, tighten the holder to the torque on the tool card.",
            "Enter the offsets in the control and run the program in single block for the first part.",
            "Measure the first part; adjust the wear offset if a dimension is off.",
        ),
        "How do I change a worn tool on the lathe?",
    ),
    Sop(
        "MACH",
        "Daily check of a CNC machine",
        ("Coolant refractometer", "Safety glasses"),
        (
            "Every day, check the CNC machine's way-oil level and top it up if below the mark.",
            "Measure the coolant concentration with the refractometer: 6 to 8 percent.",
            "Clean the chips out of the work area and the chip conveyor.",
            "Warm the spindle up with the warm-up program for 10 minutes.",
        ),
        "What do I check on the CNC machine every day?",
    ),
    Sop(
        "ASSY",
        "Torque tool check at an assembly station",
        ("Torque analyser", "Torque tool"),
        (
            "At shift start, run the torque tool five times on the torque analyser.",
            "Each reading must be within 5 percent of the torque on the work instruction.",
            "If one is out, tag the tool out of service and take a spare from the crib.",
            "Write the readings on the station's check sheet.",
        ),
        "How do I check my torque tool at shift start?",
    ),
    Sop(
        "WELD",
        "Contact tip and nozzle change on a MIG torch",
        ("Welding gloves", "Welding helmet", "Nozzle pliers", "Anti-spatter gel"),
        (
            "Stop the weld cell and lock out the robot or switch off the welder.",
            "Let the torch cool, then take the nozzle off with the nozzle pliers.",
            "Unscrew the worn contact tip and fit a new one of the wire's size.",
            "Clean the spatter off the nozzle, coat it with anti-spatter gel and refit it.",
            "Run a test weld on scrap and check the bead before the first part.",
        ),
        "How do I change the contact tip on the welding torch?",
    ),
    Sop(
        "PAINT",
        "Colour change in a paint booth",
        ("Respirator", "Solvent-resistant gloves", "Viscosity cup"),
        (
            "Put on the respirator and the gloves before opening the booth.",
            "Flush the gun and the lines with solvent until it runs clear.",
            "Load the new colour and check its viscosity with the viscosity cup.",
            "Spray a test panel and compare it with the colour standard.",
        ),
        "How do I change the colour in the paint booth?",
    ),
    Sop(
        "QA",
        "First-article inspection",
        ("Calipers", "Height gauge", "Inspection report"),
        (
            "Take the first good part after a setup or a tool change.",
            "Measure every dimension marked on the drawing and write it on the inspection report.",
            "If a dimension is out of tolerance, stop the job and tell the setter.",
            "Sign the report; the job may run when the part passes.",
        ),
        "How do I inspect the first part after a setup?",
    ),
    Sop(
        "SHIP",
        "Loading a trailer",
        ("Forklift", "Wheel chocks", "Safety shoes"),
        (
            "Check the trailer is chocked and the dock lock is engaged before driving in.",
            "Load the heaviest pallets first, over the axles.",
            "Scan each pallet's label against the shipper.",
            "Strap the load, close the doors and sign the shipper.",
        ),
        "How do I load the trailer?",
    ),
    Sop(
        "MOLD",
        "Alarm response on an injection press",
        ("Heat-resistant gloves", "Safety glasses"),
        (
            "When the press stops with an alarm, read the alarm message on the press screen.",
            "Heater and temperature alarms: wait for the zones to recover; do not purge a cold barrel.",
            "Acknowledge the alarm, then restart the cycle in semi-automatic.",
            "If the same alarm comes back twice in a shift, call the process technician and log it.",
        ),
        "The press shows an alarm on the screen, what do I do?",
    ),
)
"""A plant's SOPs for the departments a generated plant may have. A press stops on alarms (heater zones,
mold protection, ...), so a molding shop has an alarm response (ISA-18.2's alarm response procedure); the
other departments' machines here (CNC, weld cell, booth) would have theirs from their makers' manuals,
which this world does not write."""


def _departments(plant: PlantFolder) -> set[str]:
    return {str(row.get("departmentCode") or "") for row in plant.iter_raw("workcenters")}


def plant_sops(plant: PlantFolder) -> list[tuple[str, Sop]]:
    """The SOPs of the departments `plant` has, and the plant-wide ones, each with its procedure id."""
    departments = _departments(plant)
    return [
        (f"SOP-{number:03d}", sop)
        for number, sop in enumerate(SOPS, start=1)
        if not sop.department or sop.department in departments
    ]


def plant_procedures(plant: PlantFolder) -> list[dict[str, Any]]:
    """`plant_sops` as procedure-file lines, each listed for its department (a job's operation at a
    workcenter of another department answers from it only a question naming its machine); the mold shop's
    also for operation `MOLDING_OPERATION` (the one operation this world names), so "How do I start the
    machine?" asked there gets the press's."""
    return [
        {
            "guide_id": guide_id,
            "title": sop.title,
            "tools": list(sop.tools),
            "steps": [{"order": order, "text": text} for order, text in enumerate(sop.steps, start=1)],
            "operations": [MOLDING_OPERATION] if sop.department == MOLDING_DEPARTMENT else [],
            "departments": [sop.department] if sop.department else [],
        }
        for guide_id, sop in plant_sops(plant)
    ]


def molds(plant: PlantFolder) -> bool:
    return MOLDING_DEPARTMENT in _departments(plant)


def plant_process(seed: int) -> dict[str, Any]:
    """`process.json` for the molding operation: the SOP's limits, past runs and the lots an operator may
    name (`LOT-0001`...), drawn from `simulator.lots`' ground truth."""
    world = generate_process(runs=PROCESS_RUNS, held_out=PROCESS_LOTS, seed=seed)
    runs = [
        {
            "run_id": run.run_id,
            "lot_properties": dict(run.lot_properties),
            "settings": dict(run.settings),
            "scrap_rate": run.scrap_rate,
        }
        for run in world.runs
    ]
    return {
        "operations": {MOLDING_OPERATION: {"limits": world.limits, "runs": runs}},
        "lots": {f"LOT-{number:04d}": lot for number, lot in enumerate(world.held_out, start=1)},
    }


def procedure_files(plant: PlantFolder) -> dict[str, bytes]:
    """The files, by name, as the local runtime uploads them under `copilot/procedures/`: the procedures,
    and the molding process data when the plant molds."""
    lines = "".join(json.dumps(procedure) + "\n" for procedure in plant_procedures(plant))
    files = {PROCEDURES_KEY: lines.encode("utf-8")}
    if molds(plant):
        files[PROCESS_KEY] = json.dumps(plant_process(plant.meta().seed)).encode("utf-8")
    return files
