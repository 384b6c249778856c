"""A filter naming a department, a shift or an employee the plant does not have is a 400 naming the field, in the
same words on every page that filters by them (ux141 #13: a mistyped department read "No items match"); one the
plant has that matches nothing stays the 200 "No items match: ...". Each page decides departments from the plant
it has at hand: the certification timeline and the skill coverage from skills_daily's report
(`skillviews.department_problem`), the review queue and its expired list from the people directory
(`queue_unknowns`, shifts too). An employee number is judged by one rule on both (`employee_problem`): unknown
only when the people directory could look it up and found nobody (review 163 D6: the timeline called every number
"not of this plant" on a web app that does not read Plex)."""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable

from plexlabor.approval.directory import PeopleDirectory
from plexlabor.review.items import ReviewItem
from plexlabor.review.queue import Filters


def unknown_department(department: str) -> str:
    return f"Department: '{department[:40]}' is not a department of this plant: choose one from the list."


def unknown_shift(shift: str) -> str:
    return f"Shift: '{shift[:40]}' is not a shift of this plant: choose one from the list."


def unknown_employee(typed: str) -> str:
    return f"Employee number: no employee of this plant has the number '{typed[:40]}'."


def employee_problem(
    typed: str | None, employee_id: str | None, directory: PeopleDirectory, known: Container[str]
) -> str | None:
    """Why the employee filter names nobody of the plant, in words, or None when it may: `typed` as typed,
    `employee_id` the id the people directory resolved it to (else the text typed), `known` the ids the page itself
    holds (the viewer's items, the report's people), which are never unknown. A directory that knows nobody (no
    Plex, or Plex unreachable) cannot tell a mistyped number from a real one: nothing is called unknown then."""
    if not typed or employee_id is None or employee_id in known or not directory.everyone():
        return None
    return None if directory.person_of(employee_id) is not None else unknown_employee(typed)


def queue_unknowns(
    filters: Filters,
    typed_employee: str | None,
    directory: PeopleDirectory,
    items: Iterable[ReviewItem],
    departments: Collection[str] = (),
) -> dict[str, str]:
    """The queue's department, shift and employee filters that name nothing in the plant, by query name, in words.

    The queue reads the audit table, not Plex, so the plant is what the people directory knows (Plex employees, their
    departments and default shifts, kept 15 minutes: the read that names people on these pages, not one more per
    page), with the departments, shifts and employees of `items` (what the viewer may see) and the viewer's own
    `departments`. A directory that knows nobody (no Plex, or Plex unreachable) cannot tell a mistyped value from a
    real one: nothing is called unknown then, nor a department (a shift) while no employee has one."""
    if filters.department is None and filters.shift is None and not typed_employee:
        return {}
    everyone = directory.everyone()
    if not everyone:
        return {}
    seen = list(items)
    problems: dict[str, str] = {}
    plant_departments = {p.department for p in everyone if p.department}
    if (
        filters.department is not None
        and plant_departments
        and filters.department not in plant_departments | {i.department for i in seen} | set(departments)
    ):
        problems["department"] = unknown_department(filters.department)
    plant_shifts = {p.shift for p in everyone if p.shift}
    if filters.shift is not None and plant_shifts and filters.shift not in plant_shifts | {i.shift for i in seen}:
        problems["shift"] = unknown_shift(filters.shift)  # ux_s14 #3: shift 9 read "No items match"
    employee = employee_problem(
        typed_employee, filters.employee_id, directory, {i.employee_id for i in seen if i.employee_id}
    )
    if employee is not None:
        problems["employee"] = employee
    return problems
