"""Held-out questions for the tasks a plant's procedures are titled for beyond start-up and alarms
(shutdown, changeover / die or mold change, cleaning, purge, inspection), for removing a lock after
lockout (29 CFR 1910.147(e)(3)), and for a time or a temperature asked of a purge, a cooling or a cleaning
(ux141 defect 8: "changeover" and "die change" refused, removing a lock refused, "How long should I
purge?" answered with the hold-time step).

Written on 2026-12-05 at ~18:55 UTC by helper 154 before any change to the copilot's routing for them, and
committed before that change; run once, at the end, after the last change (not changed after any result
was seen). They are asked of the plant `test_copilot_tasks.task_plant` builds: the simulator's ten SOPs
(the mold shop's under operation MOLDING), `intent_questions.CELL_SOPS` and `TASK_SOPS` below, which a
plant with an injection press, a stamping press, a robot weld cell and a paint booth would have (written
with the questions).

Each question: (question, operation the operator asks from or None, the title that must answer or None for
a refusal). A value question also names the steps (1-based) that hold its value.
"""

from __future__ import annotations

from typing import Any

from tests.unit.copilot.intent_questions import (
    LOCKOUT,
    MOLD_CHANGE,
    MOLDING,
    ROBOT_WELD,
)

STAMPING = "STAMPING"
PRESS_SHUTDOWN = "Shutdown of an injection press at the end of a run"
CELL_SHUTDOWN = "Shutdown of the robotic weld cell"
PURGE = "Purging an injection press barrel"
DIE_CHANGE = "Die change on a stamping press"
FIXTURE_CHANGE = "Fixture changeover at the robotic weld cell"
BOOTH_CLEANING = "Cleaning the paint booth at the end of the shift"
MOLD_CLEANING = "Cleaning a mold's parting line and vents"
IN_PROCESS = "In-process inspection of molded parts"
WELD_INSPECTION = "Weld inspection at the robotic weld cell"
COLOUR_CHANGE = "Colour change in a paint booth"
FIRST_ARTICLE = "First-article inspection"
DAILY_CHECK = "Daily check of a CNC machine"
PRESS_START = "Start-up of an injection press after a stop"

TASK_SOPS: tuple[dict[str, Any], ...] = (
    {
        "title": PRESS_SHUTDOWN,
        "operations": [MOLDING],
        "tools": ["Heat-resistant gloves", "Safety glasses", "Rust preventive spray"],
        "steps": [
            "Close the hopper slide and run the barrel empty in manual.",
            "Purge the barrel with purging compound, then leave the screw forward.",
            "Close the mold to a gap of 2 to 3 mm and spray it with rust preventive.",
            "Set the barrel heaters to standby at 150 C, or switch them off for a stop longer than 8 hours.",
            "Turn off the cooling water and the hydraulic pump, then the main switch.",
            "Write the stop time and the shot counter on the job's sheet.",
        ],
    },
    {
        "title": CELL_SHUTDOWN,
        "operations": [ROBOT_WELD],
        "tools": ["Welding gloves"],
        "steps": [
            "Let the robot finish its cycle and send it to its home position.",
            "Turn off the shielding gas at the bottle and the welding power source.",
            "Switch the robot controller off at the main switch and close the cell door.",
            "Empty the spatter tray and log the stop on the cell's log sheet.",
        ],
    },
    {
        "title": PURGE,
        "operations": [MOLDING],
        "tools": ["Purging compound", "Purge shield", "Purge pan", "Heat-resistant gloves", "Face shield"],
        "steps": [
            "Retract the carriage so the nozzle is clear of the mold and put the purge shield in place.",
            "Keep the barrel at the processing temperature of the resin now in it.",
            "Feed the purging compound and purge at low screw speed for 3 to 5 minutes, until the purge runs clean.",
            "Feed the new resin and purge 10 shots of it before you make parts.",
            "Let the purgings cool in the purge pan for 10 minutes before you handle them.",
        ],
    },
    {
        "title": DIE_CHANGE,
        "operations": [STAMPING],
        "tools": ["Die cart", "Torque wrench", "Safety blocks", "Safety glasses"],
        "steps": [
            "Inch the ram to bottom dead centre and lock out the press (Lockout/tagout procedure).",
            "Unclamp the upper and lower die and raise the ram onto the safety blocks.",
            "Roll the old die out on the die cart, roll the new die in and centre it on the bolster.",
            "Set the shut height for the new die and clamp it to 200 Nm.",
            "Remove the lockout, run 3 strokes in inch mode and check the first part.",
        ],
    },
    {
        "title": FIXTURE_CHANGE,
        "operations": [ROBOT_WELD],
        "tools": ["Hex key set", "Fixture cart"],
        "steps": [
            "Send the robot home and switch the cell to changeover mode at the operator panel.",
            "Unplug the fixture's air and sensor connectors and lift it onto the fixture cart.",
            "Set the next job's fixture on the locating pins and tighten its four bolts.",
            "Connect air and sensors, select the job's program and weld one part in step mode.",
        ],
    },
    {
        "title": BOOTH_CLEANING,
        "operations": [],
        "tools": ["Respirator", "Solvent-resistant gloves", "Scraper", "Floor paper"],
        "steps": [
            "Switch off the spray guns and leave the extraction fans running for 15 minutes.",
            "Scrape the overspray off the grates and lay fresh floor paper.",
            "Wipe the walls and the windows with solvent-free cleaner.",
            "Change the exhaust filters when the gauge reads over 250 Pa.",
        ],
    },
    {
        "title": MOLD_CLEANING,
        "operations": [MOLDING],
        "tools": ["Mold cleaner", "Cotton cloths", "Brass pick", "Safety glasses"],
        "steps": [
            "Lock out the press (Lockout/tagout procedure) and let the mold cool below 40 C.",
            "Spray mold cleaner on the parting line and the vents and leave it on for 2 minutes.",
            "Wipe it off with a cotton cloth and clear the vents with the brass pick.",
            "Spray mold release only if the process sheet calls for it, then remove the lockout.",
        ],
    },
    {
        "title": IN_PROCESS,
        "operations": [MOLDING],
        "tools": ["Calipers", "Check sheet"],
        "steps": [
            "Every hour take five parts of the last shot from the conveyor.",
            "Look at each for short shots, flash, sink marks and burns.",
            "Measure the dimensions the check sheet lists and write them down.",
            "If a part fails, hold the parts since the last good check and call the setter.",
        ],
    },
    {
        "title": WELD_INSPECTION,
        "operations": [ROBOT_WELD],
        "tools": ["Weld gauge", "Check sheet"],
        "steps": [
            "Take the first part of every fixture load out of the cell once the robot is home.",
            "Check every weld for cracks, porosity and undercut, and its length against the drawing.",
            "Measure the throat of two welds with the weld gauge and write it on the check sheet.",
            "If a weld fails, stop the cell and call the weld technician.",
        ],
    },
)

SHUTDOWN: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I shut down the press at the end of the run?", MOLDING, PRESS_SHUTDOWN),
    ("What's the shutdown procedure for this machine?", MOLDING, PRESS_SHUTDOWN),
    ("How do I turn the press off for the weekend?", MOLDING, PRESS_SHUTDOWN),
    ("Steps to shut the machine down at end of shift", MOLDING, PRESS_SHUTDOWN),
    ("The job is finished, how do I power down the press?", MOLDING, PRESS_SHUTDOWN),
    ("How do I shut down the weld cell?", ROBOT_WELD, CELL_SHUTDOWN),
    ("How do I switch off the robot cell before I go home?", ROBOT_WELD, CELL_SHUTDOWN),
    ("What do I do to stop the weld cell at the end of the day?", ROBOT_WELD, CELL_SHUTDOWN),
    ("How do I shut down the injection press?", None, PRESS_SHUTDOWN),
    ("How do I shut the machine down?", None, None),
)
"""Shutting the operator's machine down: its shutdown procedure; with no operation and no machine named, a
refusal (the plant has two)."""

CHANGEOVER: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I do a changeover on this press?", MOLDING, MOLD_CHANGE),
    ("What's the die change procedure?", STAMPING, DIE_CHANGE),
    ("How do I change the die on the stamping press?", None, DIE_CHANGE),
    ("Steps for a die change", STAMPING, DIE_CHANGE),
    ("How do I swap the mold for the next job?", MOLDING, MOLD_CHANGE),
    ("We're changing over to the next part, what do I do?", MOLDING, MOLD_CHANGE),
    ("How do I set up the press for a new die?", STAMPING, DIE_CHANGE),
    ("How do I change over the weld cell's fixture?", ROBOT_WELD, FIXTURE_CHANGE),
    ("What do I do for a changeover in the paint booth?", None, COLOUR_CHANGE),
    ("How do I do a quick die change?", STAMPING, DIE_CHANGE),
    ("How do I do a changeover?", None, None),
)
"""A changeover (SMED's die, mold, fixture, colour change) of the operator's machine; with nothing named, a
refusal (the plant has several)."""

CLEANING: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I clean the paint booth?", None, BOOTH_CLEANING),
    ("What's the cleaning procedure for the booth at end of shift?", None, BOOTH_CLEANING),
    ("How do I clean the mold vents?", MOLDING, MOLD_CLEANING),
    ("The parting line is dirty, how do I clean it?", MOLDING, MOLD_CLEANING),
    ("How do I clean the mold?", MOLDING, MOLD_CLEANING),
    ("What do I use to wipe down the booth walls?", None, BOOTH_CLEANING),
    ("Cleaning steps for the weld cell", ROBOT_WELD, None),
    ("How do I wash down the spray booth?", None, BOOTH_CLEANING),
    ("How do I clean up the booth after painting?", None, BOOTH_CLEANING),
    ("How do I clean the machine?", MOLDING, MOLD_CLEANING),
    ("How do I clean the machine?", None, None),
)
"""Cleaning: the cleaning procedure of what is named or of the operator's machine; the weld cell has none
(a refusal, not its shutdown's spatter tray), and with nothing named a refusal."""

PURGING: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I purge the barrel?", MOLDING, PURGE),
    ("What's the purging procedure?", MOLDING, PURGE),
    ("How do I purge the press before a colour change?", MOLDING, PURGE),
    ("How do I purge out the old resin?", MOLDING, PURGE),
    ("How do I run purging compound through the injection press?", None, PURGE),
    ("The parts have black specks, how do I purge the screw?", MOLDING, PURGE),
    ("How do I clean out the barrel with purge?", MOLDING, PURGE),
    ("Steps to purge the machine", MOLDING, PURGE),
    ("How do I purge the injection press?", None, PURGE),
    ("How do I flush the paint gun?", None, COLOUR_CHANGE),
)
"""Purging the press's barrel: the purge procedure (a paint gun is flushed in the colour change)."""

INSPECTION: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I inspect the first part after a mold change?", MOLDING, FIRST_ARTICLE),
    ("What's the first-article inspection procedure?", None, FIRST_ARTICLE),
    ("How do I do the hourly inspection on the molded parts?", MOLDING, IN_PROCESS),
    ("What do I check on the parts every hour?", MOLDING, IN_PROCESS),
    ("How do I inspect the welds?", ROBOT_WELD, WELD_INSPECTION),
    ("What's the inspection for the weld cell's parts?", ROBOT_WELD, WELD_INSPECTION),
    ("Inspection steps for this machine", MOLDING, IN_PROCESS),
    ("How do I do the daily check on the CNC?", None, DAILY_CHECK),
    ("What do I inspect on the CNC machine each day?", None, DAILY_CHECK),
    ("How do I check a part against the drawing?", None, FIRST_ARTICLE),
    ("How do I inspect the parts?", None, None),
)
"""Inspection and checks: the inspection of what is named or of the operator's operation."""

LOCK_REMOVAL: tuple[tuple[str, str | None, str | None], ...] = (
    ("Can I remove someone else's lock?", None, LOCKOUT),
    ("Who is allowed to remove a lock from the disconnect?", None, LOCKOUT),
    ("How do I take my lock off when the job is done?", MOLDING, LOCKOUT),
    ("The maintenance tech went home and left his lock on the press, what do I do?", MOLDING, LOCKOUT),
    ("Can my supervisor cut off a lock if the person who put it on is gone?", None, LOCKOUT),
    ("What do I check before I pull my lock?", MOLDING, LOCKOUT),
    ("I lost the key to my lock, how do I get it off?", None, LOCKOUT),
    ("When can the locks come off the robot cell?", ROBOT_WELD, LOCKOUT),
    ("Steps for removing locks after maintenance", None, LOCKOUT),
    ("Someone's lock is still on the machine and we need to run, what now?", MOLDING, LOCKOUT),
)
"""Removing a lockout device (29 CFR 1910.147(e)(3): by the employee who applied it; its exception when that
person is not at the facility): the lockout procedure."""

NOT_LOCK_REMOVAL: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I unlock the tool crib?", None, None),
    ("How do I take the clamps off the old mold?", MOLDING, MOLD_CHANGE),
    ("Where do I get a lock for my locker?", None, None),
    ("How do I remove the nozzle from the torch?", ROBOT_WELD, "Contact tip and nozzle change on a MIG torch"),
)
"""Near misses of lock removal: not the lockout procedure (their own or a refusal)."""

TIMES: tuple[tuple[str, str | None, str, frozenset[int]], ...] = (
    ("How long should I purge?", MOLDING, PURGE, frozenset({3})),
    ("How long do I purge the barrel for?", MOLDING, PURGE, frozenset({3})),
    ("How many shots of the new resin do I purge?", MOLDING, PURGE, frozenset({4})),
    ("How long do the purgings need to cool before I pick them up?", MOLDING, PURGE, frozenset({5})),
    ("What purge time should I use?", MOLDING, PURGE, frozenset({3})),
    ("How long does the purge take?", None, PURGE, frozenset({3})),
    ("How long do I let the mold cool before cleaning it?", MOLDING, MOLD_CLEANING, frozenset({1})),
    ("What temperature does the mold have to be below before I clean it?", MOLDING, MOLD_CLEANING, frozenset({1})),
    ("How long do I leave the mold cleaner on?", MOLDING, MOLD_CLEANING, frozenset({2})),
    ("How long do the booth fans run after I switch off the guns?", None, BOOTH_CLEANING, frozenset({1})),
    ("What temperature do I keep the barrel at while purging?", MOLDING, PURGE, frozenset({2})),
    ("At what temperature do I leave the heaters over the weekend?", MOLDING, PRESS_SHUTDOWN, frozenset({4})),
)
"""A time, a count or a temperature asked of a purge, a cooling or a cleaning: the step(s) that give it (or,
where the procedure gives no value of that kind, the one step about it: "let the mold cool below 40 C" for
how long it cools), never a step giving another quantity of the same name (the start-up's "hold time" for
how long to purge)."""

SIMULATOR_PURGE_TIME = ("How long should I purge?", MOLDING, PRESS_START, frozenset({4}))
"""ux141 defect 8 on the simulator's SOPs alone (no purge procedure): the start-up's purge step ("Purge until
the melt runs clean"), not its "hold time" step."""
