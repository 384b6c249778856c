"""The review queue: every suggestion awaiting a decision, of every kind, for the people who decide.

A punch finding, a crew assignment, a short seat, a certification alert, a labor-cost variance or an
overtime projection is the same thing here: a `ReviewItem` (kind, subject record, note, evidence,
proposed change, confidence, severity), read from the audit table. `ReviewQueue` lists the open
ones a viewer may see (the scoping rule lives here, not in templates), ranked by severity ×
confidence and filtered; `ReviewService.decide` records a decision through the same domain decision
the e-mailed link uses, so audit events, task tokens and single use cannot diverge.
"""
