"""The signed-in people the web app tests view pages as: the authorizer's claims, one per role."""

from __future__ import annotations

ADMIN = {"cognito:username": "A0001", "cognito:groups": "admin"}
HR = {"cognito:username": "H0001", "cognito:groups": "hr"}
PLANNER = {"cognito:username": "P0001", "cognito:groups": "planner"}
EHS = {"cognito:username": "S0001", "cognito:groups": "ehs"}
NOBODY = {"cognito:username": "X0001", "cognito:groups": "visitor"}
"""Signed in, in no group the web app knows."""
SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor", "custom:departments": "Molding"}
MOLDING = {"cognito:username": "E0009", "cognito:groups": "supervisor", "custom:departments": "MOLD"}
"""A supervisor of the generated plant's molding department (code MOLD)."""
ASSEMBLY = {"cognito:username": "E0200", "cognito:groups": "supervisor", "custom:departments": "Assembly"}
"""Another supervisor, of Assembly: none of SUPERVISOR's (Molding's) items are theirs to see."""
OPERATOR = {"cognito:username": "E0107", "cognito:groups": "operator", "custom:employee_id": "E0107"}
