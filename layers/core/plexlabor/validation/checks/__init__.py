"""Stage 1 and 2 of validation: rules on structure and policy, and deviations from each employee's own norms.

Each check yields a `Candidate` with the numbers it used; the scorer (stage 3) turns a candidate into a
confidence. `registry` lists the checks per scope (employee, worked day, workcenter); one module per
family holds them: `structural`, `hours`, `offsets`, `workcenter`, `labor`, `operations`, `badge`, `buddy` (with
`clock_queue`); `base`
holds the Candidate, the context the checks read and the shared helpers.
"""
