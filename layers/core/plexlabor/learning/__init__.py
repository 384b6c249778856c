"""The scorer's learning loop: supervisors' decisions retrain it weekly, gated, versioned, reversible.

`promotion` (fit a candidate, evaluate it against the model in force on held-out recent decisions,
the promotion rule), `service` (scorer_retrain's run), `wiring` (its settings and dependencies),
`events` (the `model` audit events of promotions, shadow candidates and rollbacks). The registry and
the validator's loader are `plexlabor.validation.registry`; the export `plexlabor.validation.decisions`.
"""
