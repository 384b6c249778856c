"""`PlexEmployeeDirectory`: supervisor id -> e-mail address, from Plex employees and user accounts.

A supervisor id is a Plex employee id (`Employee.supervisor_id` points at one). The address is the
employee's `email`, else the e-mail of an active user account linked to that employee. Both lists
are read once and kept for `ttl_s` seconds (a warm Lambda does not re-read them per batch).
Addresses are never logged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from plexlabor.plex.port import LaborDataPort


class PlexEmployeeDirectory:
    def __init__(self, plex: LaborDataPort, *, ttl_s: float = 900, monotonic: Callable[[], float] = time.monotonic):
        self._plex = plex
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._addresses: dict[str, str] | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def address_of(self, supervisor_id: str) -> str | None:
        with self._lock:
            if self._addresses is None or self._monotonic() - self._loaded_at > self._ttl_s:
                self._addresses = self._load()
                self._loaded_at = self._monotonic()
            return self._addresses.get(supervisor_id)

    def _load(self) -> dict[str, str]:
        addresses: dict[str, str] = {}
        for account in self._plex.user_accounts():
            if account.active and account.employee_id and account.email:
                addresses.setdefault(account.employee_id, account.email)
        for employee in self._plex.employees():
            if employee.email and employee.status == "Active":
                addresses[employee.id] = employee.email  # the employee record wins
        return addresses
