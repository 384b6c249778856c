"""Operator and team scores: efficiency, quality and reliability per operator, crew and shift, shrunk
toward the plant so that people with little data are not ranked on luck (`docs/analytics.md`)."""
