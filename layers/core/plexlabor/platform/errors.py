"""Errors shared by every capability."""

from __future__ import annotations


class ConfigurationError(Exception):
    """A function's environment is missing or contradicts itself; the message names the variable."""
