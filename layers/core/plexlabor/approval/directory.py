"""People in Plex, for two uses: a supervisor's e-mail address, and how a person is shown to whoever reads.

- `PlexEmployeeDirectory` reads Plex employees (and user accounts, for addresses) through the
  labor-data port and keeps them `ttl_s` seconds (a warm Lambda does not re-read them per batch or
  per page).
  `address_of(supervisor_id)`: the employee's `email`, else the e-mail of an active user account
  linked to that employee (a supervisor id is a Plex employee id: `Employee.supervisor_id` points at
  one). A failed read raises (approval_notify's message is retried).
  `person_of(employee_id)`: the employee's name and employee number, whatever their status (old
  findings name people who have left). A failed read is logged (its type only) and answers None for
  `retry_s` seconds: pages and e-mails then show ids or numbers instead of waiting on Plex row by row.
- `PeopleDisplay` is the rule for a reader: "Dana Smith (E00042)" when one of the reader's roles may
  see names (`SHOW_NAMES_TO`, `plexlabor.platform.settings.PeopleSettings`), else "E00042", else the
  id when the number is unknown.
Names and addresses are never logged, and never go into the audit table: it keeps ids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from plexlabor.models import Employee
from plexlabor.platform.settings import NAME_ROLES
from plexlabor.plex.port import LaborDataPort

logger = logging.getLogger(__name__)

NO_ONE = "—"
"""What a reader sees where no person is named."""

LOGIN_ROLE_WORDS = {
    "supervisor": "a supervisor",
    "planner": "a planner",
    "hr": "HR",
    "ehs": "the EHS lead",
    "admin": "an administrator",
    "operator": "an operator",
}
"""A local user's login that is their role (the dev sign-in's "planner", "ehs": no name, no employee), as the
pages name who decided (ux141 #13: "Rejected by planner" read as a person's name)."""


@dataclass(frozen=True)
class Person:
    """How a person can be named: their Plex employee id, employee number and name (either may be unknown), their
    department (Plex's department code), which tells the pages which departments the plant has, and their shift
    (Plex's default shift code): where the review queue places an item about them that names neither."""

    employee_id: str
    number: str | None = None
    name: str | None = None
    department: str | None = None
    shift: str | None = None

    @classmethod
    def of(cls, employee: Employee) -> Person:
        name = " ".join(part.strip() for part in (employee.first_name, employee.last_name) if part and part.strip())
        return cls(
            employee.id,
            employee.employee_no or None,
            name or None,
            employee.department_code or None,
            employee.default_shift_code or None,
        )


@runtime_checkable
class PeopleDirectory(Protocol):
    def person_of(self, employee_id: str) -> Person | None:
        """The person with this Plex employee id, or None when unknown (or the directory is unavailable)."""
        ...

    def numbered(self, number: str) -> Person | None:
        """The person with this employee number (as typed: case and spaces ignored), or None."""
        ...

    def everyone(self) -> Collection[Person]:
        """Everybody it knows; empty when it knows nobody (no Plex, or Plex unavailable)."""
        ...


def _number_key(number: str) -> str:
    return "".join(number.split()).upper()


class StaticPeopleDirectory:
    """A `PeopleDirectory` of people given up front (tests, the local runtime's fakes); empty: nobody known."""

    def __init__(self, people: Iterable[Person] = ()) -> None:
        self._people = {person.employee_id: person for person in people}
        self._numbers = {_number_key(p.number): p for p in self._people.values() if p.number}

    def person_of(self, employee_id: str) -> Person | None:
        return self._people.get(employee_id)

    def numbered(self, number: str) -> Person | None:
        return self._numbers.get(_number_key(number))

    def everyone(self) -> Collection[Person]:
        return list(self._people.values())


class PlexEmployeeDirectory:
    """Supervisors' addresses and everybody's name and number, from Plex (see the module docstring).

    `plex` is the labor-data port; a function that should not fail when Plex is not reachable at
    start-up passes `connect` instead (called on the first read, and again after a failed one)."""

    def __init__(
        self,
        plex: LaborDataPort | None = None,
        *,
        ttl_s: float = 900,
        monotonic: Callable[[], float] = time.monotonic,
        connect: Callable[[], LaborDataPort] | None = None,
        retry_s: float = 60,
    ):
        if plex is None and connect is None:
            raise ValueError("give the labor-data port or a way to connect to it")
        self._plex = plex
        self._connect = connect
        self._ttl_s = ttl_s
        self._retry_s = retry_s
        self._monotonic = monotonic
        self._addresses: dict[str, str] | None = None
        self._loaded_at = 0.0
        self._people: dict[str, Person] | None = None
        self._numbers: dict[str, Person] = {}
        self._people_at = 0.0
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def address_of(self, supervisor_id: str) -> str | None:
        with self._lock:
            if self._addresses is None or self._monotonic() - self._loaded_at > self._ttl_s:
                self._addresses = self._load()
                self._loaded_at = self._monotonic()
            return self._addresses.get(supervisor_id)

    def person_of(self, employee_id: str) -> Person | None:
        with self._lock:
            return self._current_people().get(employee_id)

    def numbered(self, number: str) -> Person | None:
        with self._lock:
            self._current_people()
            return self._numbers.get(_number_key(number))

    def everyone(self) -> Collection[Person]:
        with self._lock:
            return list(self._current_people().values())

    def _port(self) -> LaborDataPort:
        if self._plex is None:
            assert self._connect is not None
            self._plex = self._connect()
        return self._plex

    def _load(self) -> dict[str, str]:
        plex = self._port()
        addresses: dict[str, str] = {}
        for account in plex.user_accounts():
            if account.active and account.employee_id and account.email:
                addresses.setdefault(account.employee_id, account.email)
        employees = plex.employees()
        for employee in employees:
            if employee.email and employee.status == "Active":
                addresses[employee.id] = employee.email  # the employee record wins
        self._keep_people(employees)
        return addresses

    def _keep_people(self, employees: Iterable[Employee]) -> None:
        people = [Person.of(employee) for employee in employees]
        self._people = {person.employee_id: person for person in people}
        self._numbers = {_number_key(person.number): person for person in people if person.number}
        self._people_at = self._monotonic()
        self._failed_at = None

    def _current_people(self) -> dict[str, Person]:
        """The people, read again when older than the TTL; a failed read keeps what was read before
        (or nobody) and is not tried again for `retry_s` seconds."""
        now = self._monotonic()
        fresh = self._people is not None and now - self._people_at <= self._ttl_s
        resting = self._failed_at is not None and now - self._failed_at < self._retry_s
        if not fresh and not resting:
            try:
                self._keep_people(self._port().employees())
            except Exception as error:  # a page or a mail still goes out, with numbers or ids
                logger.warning("people directory unavailable", extra={"error": type(error).__name__})
                self._failed_at = now
                if self._connect is not None:
                    self._plex = None  # connect again next time (a secret or a setting may be fixed)
        return self._people or {}


@dataclass(frozen=True)
class PeopleDisplay:
    """How people are named to a reader: by name and number when one of the reader's roles is in
    `show_names_to`, else by number, else by id (`label`)."""

    directory: PeopleDirectory = field(default_factory=StaticPeopleDirectory)
    show_names_to: frozenset[str] = frozenset(NAME_ROLES)

    def shows_names(self, roles: Iterable[str]) -> bool:
        return any(str(role) in self.show_names_to for role in roles)

    def label(self, employee_id: str | None, roles: Iterable[str], *, number: str | None = None) -> str:
        """ "Dana Smith (E00042)" where `roles` may see names, else "E00042"; the id when no number is
        known (`number` is one the caller already has, e.g. the approval request's); "—" for nobody; a login
        that is a role and nobody the directory knows, in words (`LOGIN_ROLE_WORDS`): "a planner"."""
        if not employee_id:
            return number or NO_ONE
        person = self.directory.person_of(employee_id)
        known = (person.number if person else None) or number
        if person is not None and person.name and self.shows_names(roles):
            return f"{person.name} ({known})" if known else person.name
        return known or LOGIN_ROLE_WORDS.get(employee_id, employee_id)

    def labeller(self, roles: Iterable[str]) -> Callable[[str | None], str]:
        """`label` for one reader: `labeller(viewer.roles)(employee_id)`."""
        chosen = frozenset(str(role) for role in roles)
        return lambda employee_id: self.label(employee_id, chosen)

    def employee_id_for(self, text: str) -> str | None:
        """The employee id of an employee number (as a person types it), or None when none has it."""
        person = self.directory.numbered(text) if text.strip() else None
        return person.employee_id if person else None
