"""The `plexlabor` subcommands of each capability (imported lazily by `plexlabor_dev.cli`)."""

from __future__ import annotations

from datetime import date


def day_flag(value: str, flag: str) -> date:
    """A command-line day, YYYY-MM-DD; a ValueError naming the flag and the value otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag}: '{value}' is not a date (YYYY-MM-DD)") from None
