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
