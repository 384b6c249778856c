"""Held-out questions for what an operator asks most at the tablet (ux136 #10, ux119): how to start the
machine, what to do about an alarm, lockout proper, and one value (a torque, a temperature, a time).

Written on 2026-12-05 at 17:25 UTC, before the copilot's routing and answer selection were changed for them,
and not changed after any result was seen. They are asked on the simulator's ten SOPs
(`plexlabor_dev.simulator.procedures.SOPS`, the mold shop's under operation MOLDING) plus three SOPs a
plant with a robot weld cell would have (`CELL_SOPS`, written with the questions: a start-up and an alarm
response for the weld cell, an alarm response for the press), as `test_copilot_intents.plant_procedures`
builds them; the alarm questions are also asked of the simulator's SOPs alone, which have no alarm
response, so the plain refusal is the right answer there.

Each question: (question, operation the operator asks from or None, the title that must answer or None
for a plain refusal). A value question also names the steps (1-based) that hold its value.
"""

from __future__ import annotations

from typing import Any

MOLDING = "MOLDING"
ROBOT_WELD = "ROBOT-WELD"
PRESS_START = "Start-up of an injection press after a stop"
CELL_START = "Start-up of the robotic weld cell"
CELL_ALARM = "Alarm and fault response at the robotic weld cell"
PRESS_ALARM = "Alarm response on an injection press"
LOCKOUT = "Lockout/tagout before reaching into a machine"
MOLD_CHANGE = "Mold change on an injection press"
DAILY_CHECK = "Daily check of a CNC machine"
TORQUE_CHECK = "Torque tool check at an assembly station"
TOOL_CHANGE = "Tool change on a CNC lathe or mill"

CELL_SOPS: tuple[dict[str, Any], ...] = (
    {
        "title": CELL_START,
        "operations": [ROBOT_WELD],
        "tools": ["Welding helmet", "Welding gloves", "Safety glasses"],
        "steps": [
            "Check that nobody is inside the cell fence and close the cell door.",
            "Turn the main switch on and wait for the robot controller to boot.",
            "Turn on the welding power source and the shielding gas; check the gas flow is 15 to 20 l/min.",
            "Reset the safety circuit at the operator panel and send the robot home.",
            "Load the job's program, run the first part in step mode and check the welds.",
        ],
    },
    {
        "title": CELL_ALARM,
        "operations": [ROBOT_WELD],
        "tools": ["Teach pendant"],
        "steps": [
            "Do not open the cell door while the robot is in an alarm; read the alarm code and text on the pendant.",
            "For a wire feed, gas or arc fault, fix the cause from the outside (wire spool, gas bottle) if you can.",
            "Acknowledge the alarm on the pendant and press reset on the operator panel.",
            "If the alarm comes back or you must enter the cell, call maintenance; entering is a lockout.",
            "Write the alarm code and what you did on the cell's log sheet.",
        ],
    },
    {
        "title": PRESS_ALARM,
        "operations": [MOLDING],
        "tools": [],
        "steps": [
            "When the press stops with an alarm, read the alarm message on the press screen.",
            "Heater and temperature alarms: wait for the zones to recover; do not purge a cold barrel.",
            "Acknowledge the alarm, then restart the cycle in semi-automatic.",
            "If the same alarm comes back twice in a shift, call the process technician and log it.",
        ],
    },
)

START_UP: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I start the machine?", MOLDING, PRESS_START),
    ("How do I start up the machine?", MOLDING, PRESS_START),
    ("What's the start-up procedure for this machine?", MOLDING, PRESS_START),
    ("How do I get the machine running again after the break?", MOLDING, PRESS_START),
    ("How do I turn the machine on at the beginning of the shift?", MOLDING, PRESS_START),
    ("What are the steps to start the press?", MOLDING, PRESS_START),
    ("How do I power up the press after it was shut down over the weekend?", MOLDING, PRESS_START),
    ("The press has been sitting idle, how do I bring it back up?", MOLDING, PRESS_START),
    ("How do I fire up the molding machine?", MOLDING, PRESS_START),
    ("What do I do to start production on this press?", MOLDING, PRESS_START),
    ("Startup steps for the injection machine", MOLDING, PRESS_START),
    ("How do I switch the machine on?", MOLDING, PRESS_START),
    ("How do I start the robot cell?", ROBOT_WELD, CELL_START),
    ("How do I start up the welding robot at the start of the shift?", ROBOT_WELD, CELL_START),
    ("How do I get the weld cell running?", ROBOT_WELD, CELL_START),
    ("How do I turn on the robot?", ROBOT_WELD, CELL_START),
    ("How do I start the machine?", ROBOT_WELD, CELL_START),
    ("How do I start the injection press?", None, PRESS_START),
    ("How do I start the weld cell?", None, CELL_START),
    ("How do I start the machine?", None, None),
)
"""Starting the operator's machine: its workcenter's start-up procedure; asked with no operation and no
machine named, a plain refusal (the plant has two start-up procedures)."""

ALARM: tuple[tuple[str, str | None, str | None], ...] = (
    ("The robot shows an alarm, what do I do?", ROBOT_WELD, CELL_ALARM),
    ("The robot is stuck in an alarm, what do I do?", ROBOT_WELD, CELL_ALARM),
    ("The welding robot stopped with a fault, how do I reset it?", ROBOT_WELD, CELL_ALARM),
    ("There's an error code on the robot pendant, what now?", ROBOT_WELD, CELL_ALARM),
    ("The robot faulted in the middle of a weld, what should I do?", ROBOT_WELD, CELL_ALARM),
    ("How do I clear an alarm on the weld cell?", ROBOT_WELD, CELL_ALARM),
    ("The cell's stack light is red and the robot won't move, what do I do?", ROBOT_WELD, CELL_ALARM),
    ("An alarm keeps going off on the robot, how do I acknowledge it?", ROBOT_WELD, CELL_ALARM),
    ("Robot alarm, what's the procedure?", ROBOT_WELD, CELL_ALARM),
    ("How do I reset the robot after an emergency stop?", ROBOT_WELD, CELL_ALARM),
    ("The press shows an alarm on the screen, what do I do?", MOLDING, PRESS_ALARM),
    ("The injection machine stopped with a fault, what should I do?", MOLDING, PRESS_ALARM),
    ("There's an alarm on the press, how do I reset it?", MOLDING, PRESS_ALARM),
    ("The molding machine is beeping and shows an error, what now?", MOLDING, PRESS_ALARM),
    ("What do I do when the press alarms?", MOLDING, PRESS_ALARM),
    ("How do I clear a fault on the molding machine?", MOLDING, PRESS_ALARM),
    ("The robot shows an alarm, what do I do?", None, CELL_ALARM),
)
"""An alarm or fault: the alarm response of that cell's SOP. Asked of the simulator's SOPs alone (no alarm
response), each must be refused plainly."""

LOCKOUT_PROPER: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I lock out the robot cell before I go in?", ROBOT_WELD, LOCKOUT),
    ("I need to change a worn belt on the conveyor, what do I do first to make it safe?", None, LOCKOUT),
    ("Where do I put my lock and tag on the press?", MOLDING, LOCKOUT),
    ("How do I start the press back up after I locked it out?", MOLDING, LOCKOUT),
    ("When the repair is done, how do I remove my lock and turn the machine back on?", MOLDING, LOCKOUT),
    ("The robot alarmed because a part is jammed in the fixture, can I reach in to free it?", ROBOT_WELD, LOCKOUT),
    ("What's the procedure to isolate the press before maintenance?", MOLDING, LOCKOUT),
    ("Do I have to lock out the welder to change the liner?", ROBOT_WELD, LOCKOUT),
    ("How do I bleed the hydraulic pressure off before working on the clamp unit?", MOLDING, LOCKOUT),
    ("Who is allowed to take off a lockout tag?", None, LOCKOUT),
    ("I'm going to climb into the hopper to clean it, what do I need to do first?", MOLDING, LOCKOUT),
    ("Can I re-energize the machine after maintenance if someone else's lock is still on it?", MOLDING, LOCKOUT),
    ("How do I verify zero energy before I start the repair?", None, LOCKOUT),
    ("What do I do before I put my hands into the die area?", MOLDING, LOCKOUT),
    ("The mold is stuck open and I need to reach between the platens, how do I do it safely?", MOLDING, LOCKOUT),
    ("How do I restore power after the lockout is finished?", MOLDING, LOCKOUT),
)
"""Controlling hazardous energy for servicing, and re-energizing after it: the lockout procedure."""

VALUE: tuple[tuple[str, str | None, str, frozenset[int]], ...] = (
    ("What torque for the mold clamps?", MOLDING, MOLD_CHANGE, frozenset({5})),
    ("How tight do the mold clamps go?", MOLDING, MOLD_CHANGE, frozenset({5})),
    ("What's the torque spec on the clamps when I hang a new mold?", MOLDING, MOLD_CHANGE, frozenset({5})),
    ("What is the clamp torque?", None, MOLD_CHANGE, frozenset({5})),
    ("What temperature does the mold have to cool to before I take it out?", MOLDING, MOLD_CHANGE, frozenset({2})),
    ("How cool must the mold be before I disconnect it?", MOLDING, MOLD_CHANGE, frozenset({2})),
    ("How hot can the mold be when I take it out?", MOLDING, MOLD_CHANGE, frozenset({2})),
    ("What temperature do the barrel heaters have to reach?", MOLDING, PRESS_START, frozenset({2})),
    ("What injection pressure do I set for this lot?", MOLDING, PRESS_START, frozenset({5})),
    ("What hold time do I use?", MOLDING, PRESS_START, frozenset({5})),
    ("How long do I warm up the spindle?", None, DAILY_CHECK, frozenset({4})),
    ("What coolant concentration should the CNC run at?", None, DAILY_CHECK, frozenset({2})),
    ("What percentage should the refractometer read?", None, DAILY_CHECK, frozenset({2})),
    ("What is the tolerance on the torque tool readings?", None, TORQUE_CHECK, frozenset({2})),
    ("How many times do I run the torque tool on the analyser?", None, TORQUE_CHECK, frozenset({1})),
    ("What torque do I tighten the tool holder to?", None, TOOL_CHANGE, frozenset({4})),
    ("What gas flow does the weld cell need?", ROBOT_WELD, CELL_START, frozenset({3})),
)
"""A value (torque, temperature, pressure, time, concentration, count, flow): the procedure, and only the
step(s) that hold it (`VALUE_SLACK` more at most), not every step."""
VALUE_SLACK = 1
"""A value answer may cite this many steps beyond those that hold the value (a neighbouring step that
names the same quantity), and never all of the procedure's steps."""

# A second set, written at 17:29 UTC once set A above had been run once against the first form of the
# routing (its misses then were seen and some of its words went into `copilot.intents`), so that one set
# stays unseen: run once, at the end, after the last change.
START_UP_CHECK: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I start my machine?", MOLDING, PRESS_START),
    ("First thing in the morning, how do I get the press started?", MOLDING, PRESS_START),
    ("What's the procedure for starting up the press?", MOLDING, PRESS_START),
    ("How do I restart the machine after a stop?", MOLDING, PRESS_START),
    ("Steps to turn on the injection press", MOLDING, PRESS_START),
    ("How do I bring the weld cell up after lunch?", ROBOT_WELD, CELL_START),
    ("How do I start the welding robot?", ROBOT_WELD, CELL_START),
    ("What's the start-up for this cell?", ROBOT_WELD, CELL_START),
    ("How do I power on the robot cell?", ROBOT_WELD, CELL_START),
    ("How do I start up the molding press?", None, PRESS_START),
)
ALARM_CHECK: tuple[tuple[str, str | None, str | None], ...] = (
    ("The robot stopped and the pendant shows an error, what do I do?", ROBOT_WELD, CELL_ALARM),
    ("How do I reset a fault on the welding robot?", ROBOT_WELD, CELL_ALARM),
    ("What do I do about a wire feed alarm?", ROBOT_WELD, CELL_ALARM),
    ("The weld cell has an alarm, can I open the door?", ROBOT_WELD, CELL_ALARM),
    ("Alarm on the machine, what do I do?", ROBOT_WELD, CELL_ALARM),
    ("The press alarmed on a heater zone, what do I do?", MOLDING, PRESS_ALARM),
    ("How do I acknowledge an alarm on the press?", MOLDING, PRESS_ALARM),
    ("The machine stopped with an error message, what should I do?", MOLDING, PRESS_ALARM),
    ("What do I do when the molding machine shows a fault?", MOLDING, PRESS_ALARM),
    ("The press has a temperature alarm, what now?", MOLDING, PRESS_ALARM),
)
LOCKOUT_CHECK: tuple[tuple[str, str | None, str | None], ...] = (
    ("How do I lock out the weld cell to change the torch?", ROBOT_WELD, LOCKOUT),
    ("Do I need to lock the press out before cleaning the mold?", MOLDING, LOCKOUT),
    ("I have to go inside the robot fence to fix the gripper, what first?", ROBOT_WELD, LOCKOUT),
    ("After the repair, how do I take my lock off and start the cell again?", ROBOT_WELD, LOCKOUT),
    ("How do I make sure the press stays off while I work on the heaters?", MOLDING, LOCKOUT),
    ("What's the lockout procedure for the robot?", ROBOT_WELD, LOCKOUT),
    ("Where do I hang my tag when I service the press?", MOLDING, LOCKOUT),
    ("Can I reach past the light curtain to grab a part?", MOLDING, LOCKOUT),
    ("How do I release the stored pressure in the clamp before I work on it?", MOLDING, LOCKOUT),
    ("The robot is off, is it safe to go in and clean the fixture?", ROBOT_WELD, LOCKOUT),
)
VALUE_CHECK: tuple[tuple[str, str | None, str, frozenset[int]], ...] = (
    ("What torque do the clamps get?", MOLDING, MOLD_CHANGE, frozenset({5})),
    ("What temperature should the mold be below before I unhook it?", MOLDING, MOLD_CHANGE, frozenset({2})),
    ("How long is the spindle warm-up?", None, DAILY_CHECK, frozenset({4})),
    ("What should the coolant concentration be?", None, DAILY_CHECK, frozenset({2})),
    ("What gas flow do I set on the weld cell?", ROBOT_WELD, CELL_START, frozenset({3})),
    ("How many shots do I run after a mold change?", MOLDING, MOLD_CHANGE, frozenset({8})),
    ("How close to the setting do the barrel zones need to be?", MOLDING, PRESS_START, frozenset({2})),
    ("What is the torque tolerance at the assembly station?", None, TORQUE_CHECK, frozenset({2})),
    ("How long do I let the mold cool?", MOLDING, MOLD_CHANGE, frozenset({2})),
    ("What's the tightening torque for the mold clamps?", None, MOLD_CHANGE, frozenset({5})),
)
