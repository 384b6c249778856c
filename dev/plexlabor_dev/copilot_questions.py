"""Questions no repair procedure answers, for measuring the copilot's refusals (bench and `copilot eval`).

Written for a machining and assembly plant's shop floor, where the copilot sits: the plant's own
machines and processes (which the published repair guides of appliances, apparel, vehicles and general
skills do not cover), its people and paperwork, its production figures, and things off the job. Some
are near the guides on purpose (brakes, filters, lubrication, screws, a battery) so that a refusal is
not earned by vocabulary alone. None was changed after seeing a result.
"""

from __future__ import annotations

OUT_OF_SCOPE: tuple[str, ...] = (
    # the plant's machines and processes
    "How do I change the hydraulic filter on the 300-ton injection molding press?",
    "What is the drawbar torque for the spindle on the Haas VF-2 mill?",
    "How do I touch off a new end mill on the Mazak lathe?",
    "How do I reset an overtravel alarm on the Fanuc CNC controller?",
    "How do I replace the contact tip on the robotic MIG welder?",
    "How do I calibrate the probe on the Zeiss coordinate measuring machine?",
    "What tools do I need to change the die on the stamping press?",
    "How do I purge the barrel when switching from ABS to polycarbonate?",
    "How do I drain the condensate from the rotary screw air compressor?",
    "What is the lockout tagout sequence for conveyor line 4?",
    "How do I replace the brake pads on the electric forklift?",
    "How do I change the propane tank on the forklift?",
    "How do I refill the coolant concentrate in the machining center sump?",
    "What pressure should the pneumatic clamps on fixture 12 run at?",
    "How do I recalibrate the torque wrench at the assembly station?",
    "How do I restart the PLC after a power dip on the paint line?",
    "How do I replace the filters in the paint booth exhaust?",
    "How do I adjust the tension of the band saw blade for aluminum bar stock?",
    "How do I change the grinding wheel on the surface grinder?",
    "What grease goes into the linear guides of the gantry loader?",
    "How do I swap the battery in the automated guided vehicle?",
    "How do I set the heat zones on the extruder for PVC?",
    # people and paperwork
    "How do I request vacation for next month?",
    "Who do I call when I am going to be late for my shift?",
    "How do I clock in if my badge does not work?",
    "When is the next forklift certification class?",
    "What is the overtime policy for weekend shifts?",
    "How do I report a near miss?",
    "Where do I find my pay stub?",
    "How do I swap a shift with a coworker?",
    # production figures
    "What was the scrap rate on line 2 yesterday?",
    "How many parts are left to run on job 4512?",
    "Which work order should I run after this one?",
    "What is the cycle time standard for operation 30 on part 7781-A?",
    "Is material lot L-20931 released by quality?",
    "What is the first-article inspection result for today's setup?",
    # off the job
    "What is the weather tomorrow?",
    "Who won the game last night?",
    "What is the capital of Australia?",
    "Can you write me a poem about Mondays?",
)


# The simulator's SOPs (`simulator.procedures.SOPS`, by title) asked the way operators ask, written without
# copying each SOP's wording, and questions none of them covers (ux119 #2). The first set was written before
# the safety vocabulary (`plexlabor.copilot.vocabulary`) and is asserted by tests/unit/copilot (its misses
# marked); the second was written once that vocabulary was in place, before anything was run on it, and is
# only measured (bench_copilot): nothing was changed after seeing its result.
SOP_PARAPHRASES: dict[str, tuple[str, ...]] = {
    "Lockout/tagout before reaching into a machine": (
        "How do I lock out the press?",
        "lockout tagout procedure",
        "What are the steps to lock out the press before clearing a jam?",
        "The press jammed, how do I clear it safely?",
        "What's the LOTO procedure?",
        "How do I isolate the energy on the lathe before I work on it?",
        "Where does my padlock go before I service the mill?",
        "Something is stuck inside the machine, can I reach in to get it out?",
    ),
    "Mold change on an injection press": (
        "What torque for the mold clamps?",
        "How do I swap molds on the injection molding machine?",
        "Steps to take the old mold out and hang a new one",
        "How do I hook up the water lines on a new mold?",
    ),
    "Start-up of an injection press after a stop": (
        "The molding machine was off all weekend, how do I bring it back up?",
        "How long do the barrel heaters need before I can run?",
        "How do I restart the injection press after downtime?",
    ),
    "Tool change on a CNC lathe or mill": (
        "How do I replace a dull insert on the lathe?",
        "How do I swap a worn cutter in the mill?",
        "Where do I enter the tool offsets after putting a new tool in?",
    ),
    "Daily check of a CNC machine": (
        "What should I check on the CNC at the start of each day?",
        "How do I check the coolant concentration?",
        "How long do I warm up the spindle?",
    ),
    "Torque tool check at an assembly station": (
        "How do I verify my torque gun before the shift?",
        "My torque tool reads out of tolerance, what do I do?",
        "Where do I write the torque readings?",
    ),
    "Contact tip and nozzle change on a MIG torch": (
        "How do I replace the tip on the MIG gun?",
        "The welding nozzle is full of spatter, how do I clean it?",
        "Which contact tip do I put on the welding torch?",
    ),
    "Colour change in a paint booth": (
        "How do I switch to a different paint colour?",
        "How do I flush the spray gun between colours?",
        "How do I check the viscosity of the new paint?",
    ),
    "First-article inspection": (
        "How do I do a first article inspection?",
        "What do I measure on the first good part after a changeover?",
        "A dimension on the first part is out of tolerance, what now?",
    ),
    "Loading a trailer": (
        "How do I load a truck at the dock?",
        "Which pallets go on the trailer first?",
        "How do I secure the load before the trailer leaves?",
    ),
    # the press's alarm response, added to the SOPs on 2026-12-05 (helper 154), paraphrased when it was added
    "Alarm response on an injection press": (
        "The injection press stopped with an alarm, what do I do?",
        "How do I reset an alarm on the press?",
        "What do I do about a heater alarm on the press?",
        "The press screen shows an alarm message, what now?",
    ),
}
NOT_COVERED: tuple[str, ...] = (
    "What is the weather tomorrow?",
    "How do I request vacation next month?",
    "How do I replace the brake pads on the forklift?",
    "How do I calibrate the probe on the coordinate measuring machine?",
    "Who won the game last night?",
    "What is the overtime policy for weekend shifts?",
    "How do I drain the condensate from the air compressor?",
    "How do I change the hydraulic oil filter on the press?",
    "How do I set up the laser cutter for stainless steel?",
    "What is the scrap rate on line 2 yesterday?",
)
SOP_PARAPHRASES_HELD_OUT: dict[str, tuple[str, ...]] = {
    "Lockout/tagout before reaching into a machine": (
        "Before I put my arm into the robot cell, what do I lock?",
        "How do I make sure the machine can't start while I'm fixing it?",
    ),
    "Mold change on an injection press": (
        "How do I pull a mould out of the molding machine?",
        "What is the clamp torque when I hang a new mold?",
    ),
    "Start-up of an injection press after a stop": (
        "What do I do to get the press going after a power outage?",
        "How warm must the barrel zones be before I start molding?",
    ),
    "Tool change on a CNC lathe or mill": (
        "The cutting tool on the lathe is worn out, how do I change it?",
        "How do I measure a new tool on the presetter?",
    ),
    "Daily check of a CNC machine": (
        "What is the daily routine for the CNC machine?",
        "How do I top up the way oil?",
    ),
    "Torque tool check at an assembly station": (
        "How many times do I run the torque tool on the analyser?",
        "What is the tolerance for the torque readings?",
    ),
    "Contact tip and nozzle change on a MIG torch": (
        "Steps for changing the contact tip on a MIG welder",
        "How do I put anti-spatter gel on the nozzle?",
    ),
    "Colour change in a paint booth": (
        "We are going from red to blue in the booth, what do I do?",
        "How do I clean the paint lines before a new colour?",
    ),
    "First-article inspection": (
        "Who do I tell if the first piece fails inspection?",
        "What goes on the inspection report for the first part?",
    ),
    "Loading a trailer": (
        "How should I stack pallets in a trailer?",
        "What do I check before driving the forklift into a trailer?",
    ),
}
NOT_COVERED_HELD_OUT: tuple[str, ...] = (
    "How do I change the oil in the forklift?",
    "What is the lunch break schedule?",
    "How do I fix the printer in the office?",
    "How do I sharpen a drill bit?",
    "How do I replace the conveyor belt on line 3?",
)
