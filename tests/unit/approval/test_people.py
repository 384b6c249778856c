"""People as a person reads them (issue 9, item 6): the directory of names and numbers from Plex, the
rule of who may see names (SHOW_NAMES_TO), and plant time with its date and zone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from approval_fakes import FakePlex

from plexlabor.approval.directory import PeopleDisplay, Person, PlexEmployeeDirectory, StaticPeopleDirectory
from plexlabor.approval.display import Reader, plant_time, with_people
from plexlabor.approval.settings import CallbackSettings, NotifySettings
from plexlabor.models import Employee, UserAccount
from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.settings import NAME_ROLES, PeopleSettings, parse_name_roles
from plexlabor.review.queue import Role

DETROIT = ZoneInfo("America/Detroit")
DANA = Person("7f3c9a1e-0000-4000-8000-000000000042", "E00042", "Dana Smith")
LEE = Person("7f3c9a1e-0000-4000-8000-000000000007", "E00007", "Lee Park")
PEOPLE = PeopleDisplay(StaticPeopleDirectory([DANA, LEE]))


def _plex() -> FakePlex:
    return FakePlex(
        employees_list=[
            Employee(id="E1", employee_no="E00001", first_name="Ana", last_name="Ruiz", email="ana@plant.example"),
            Employee(id="E2", employee_no="E00002", first_name="Ben", last_name="Cole", status="Terminated"),
        ],
        accounts=[UserAccount(id="U2", username="ben", employee_id="E2", email="ben@plant.example", active=False)],
    )


# ---- the directory -----------------------------------------------------------------------------------
def test_the_directory_names_everyone_by_name_and_number_whatever_their_status() -> None:
    directory = PlexEmployeeDirectory(_plex())

    assert directory.person_of("E1") == Person("E1", "E00001", "Ana Ruiz")
    assert directory.person_of("E2") == Person("E2", "E00002", "Ben Cole")  # left: old findings still name him
    assert directory.person_of("E9") is None
    assert directory.numbered(" e00002 ") == Person("E2", "E00002", "Ben Cole")


def test_the_directory_knows_everyone_and_their_departments_from_the_same_read() -> None:
    """What the review queue calls the plant's people and departments (`webapp.plantfilters`): no read of its own."""
    plex = _plex()
    plex.employees_list[0] = plex.employees_list[0].model_copy(update={"department_code": "ASSY"})
    directory = PlexEmployeeDirectory(plex)

    assert directory.person_of("E1") == Person("E1", "E00001", "Ana Ruiz", "ASSY")
    assert sorted(p.employee_id for p in directory.everyone()) == ["E1", "E2"] and plex.reads == 1
    assert StaticPeopleDirectory().everyone() == []


def test_addresses_and_people_share_one_read_of_the_employees_and_expire_together() -> None:
    plex, now = _plex(), [0.0]
    directory = PlexEmployeeDirectory(plex, ttl_s=60, monotonic=lambda: now[0])

    assert directory.address_of("E1") == "ana@plant.example" and directory.address_of("E2") is None
    assert directory.person_of("E1") is not None and plex.reads == 1
    now[0] = 61
    assert directory.person_of("E1") is not None and plex.reads == 2


def test_a_failed_read_leaves_pages_with_numbers_and_is_retried_only_after_a_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls, now = [0], [0.0]

    def connect() -> FakePlex:
        calls[0] += 1
        if calls[0] == 1:
            raise ConnectionError("Plex is down")
        return _plex()

    directory = PlexEmployeeDirectory(connect=connect, retry_s=30, monotonic=lambda: now[0])
    display = PeopleDisplay(directory)
    with caplog.at_level(logging.WARNING):
        assert display.label("E1", ["supervisor"]) == "E1"
        assert display.label("E1", ["supervisor"], number="E00001") == "E00001"
    assert calls[0] == 1  # not tried again for every row of the page
    assert "people directory unavailable" in caplog.text and "Ana" not in caplog.text
    now[0] = 31
    assert display.label("E1", ["supervisor"]) == "Ana Ruiz (E00001)"


def test_address_of_still_raises_when_plex_is_down() -> None:
    plex = _plex()
    plex.employees = lambda: (_ for _ in ()).throw(ConnectionError("down"))  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        PlexEmployeeDirectory(plex).address_of("E1")


# ---- who may see names -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_names_by_default(role: Role) -> None:
    assert PEOPLE.label(DANA.employee_id, [role]) == "Dana Smith (E00042)"


def test_a_role_not_allowed_names_sees_the_number_only() -> None:
    display = PeopleDisplay(StaticPeopleDirectory([DANA]), frozenset({"hr", "admin"}))

    assert display.label(DANA.employee_id, [Role.PLANNER]) == "E00042"
    assert display.label(DANA.employee_id, [Role.SUPERVISOR, Role.HR]) == "Dana Smith (E00042)"  # one role is enough
    assert display.label(DANA.employee_id, []) == "E00042"


def test_without_a_number_a_person_is_their_id_and_nobody_is_a_dash() -> None:
    assert PEOPLE.label("someone-unknown", ["admin"]) == "someone-unknown"
    assert PEOPLE.label("someone-unknown", ["admin"], number="E04711") == "E04711"
    assert PEOPLE.label(None, ["admin"]) == "—"
    assert PeopleDisplay(StaticPeopleDirectory([Person("X1", None, "Kim Li")])).label("X1", ["hr"]) == "Kim Li"
    assert PEOPLE.employee_id_for("e00007") == LEE.employee_id and PEOPLE.employee_id_for("E99999") is None


def test_show_names_to_is_read_from_the_environment() -> None:
    assert PeopleSettings.from_env({}).show_names_to == NAME_ROLES == tuple(role.value for role in Role)
    assert PeopleSettings.from_env({env.SHOW_NAMES_TO: "HR, admin"}).show_names_to == ("hr", "admin")
    assert PeopleSettings.from_env({env.SHOW_NAMES_TO: "none"}).show_names_to == ()
    assert parse_name_roles(["planner", "planner"]) == ("planner",)
    with pytest.raises(ConfigurationError, match=r"SHOW_NAMES_TO.*unknown role 'boss'"):
        PeopleSettings.from_env({env.SHOW_NAMES_TO: "supervisor,boss"})


def test_the_approval_functions_read_names_and_zone_with_their_settings() -> None:
    base = {
        env.AUDIT_TABLE_NAME: "audit",
        env.STATE_TABLE_NAME: "state",
        env.APPROVAL_SIGNING_KEY_SECRET_ARN: "arn:key",
        env.TIMEZONE: "America/Detroit",
        env.SHOW_NAMES_TO: "admin",
    }
    callback = CallbackSettings.from_env(base)
    assert callback.zone == DETROIT and callback.show_names_to == ("admin",)
    notify = NotifySettings.from_env({**base, env.NOTIFY_SENDER: "a@b.example", env.APPROVAL_BASE_URL: "https://x"})
    assert notify.zone == DETROIT
    with pytest.raises(ConfigurationError, match="unknown time zone"):
        CallbackSettings.from_env({**base, env.TIMEZONE: "Mars/Olympus"})


# ---- plant time and notes ----------------------------------------------------------------------------
def test_times_are_plant_time_with_date_and_zone() -> None:
    moment = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert plant_time(moment, DETROIT) == "Tue 2026-03-03 07:00 EST"
    assert plant_time(datetime(2026, 7, 3, 12, 0, tzinfo=UTC), DETROIT) == "Fri 2026-07-03 08:00 EDT"
    reader = Reader(DETROIT, PEOPLE)
    assert reader.value("2026-03-02T14:07:00.0000000Z") == "Mon 2026-03-02 09:07 EST"  # Plex's seven digits
    assert reader.value("2026-03-04T06:00:00") == "Wed 2026-03-04 06:00 EST"  # no offset: plant time already
    assert reader.value("not a time") == "not a time" and reader.value(14.0) == "14.0"


def test_values_name_people_and_recipients() -> None:
    reader = Reader(DETROIT, PEOPLE, frozenset({"hr"}))
    assert reader.value(DANA.employee_id, "supervisor_id") == "Dana Smith (E00042)"
    recipients = [{"role": "supervisor", "id": DANA.employee_id}, {"role": "hr", "id": "hr"}]
    assert reader.value(recipients, "recipients") == "supervisor Dana Smith (E00042), HR"
    assert reader.value({"employee_id": LEE.employee_id, "hours": 8}) == "Employee id: Lee Park (E00007); Hours: 8"


def test_a_note_written_with_ids_names_the_people_it_mentions() -> None:
    reader = Reader(DETROIT, PEOPLE, frozenset({"planner"}))
    note = f"Suggest {LEE.employee_id} on WC-10 (8.0 h, shift 1)"
    assert with_people(note, reader, [LEE.employee_id, None]) == "Suggest Lee Park (E00007) on WC-10 (8.0 h, shift 1)"
    short = Reader(people=PeopleDisplay(StaticPeopleDirectory([Person("E1", "N1", "Ana")])))
    assert with_people("E1 and E10", short, ["E1"]) == "Ana (N1) and E10"  # whole ids only


def test_pages_ask_plex_for_names_only_when_they_read_plex_and_never_wait_long() -> None:
    import time

    from plexlabor.approval.wiring import people_directory

    base = {env.AUDIT_TABLE_NAME: "a", env.STATE_TABLE_NAME: "s", env.APPROVAL_SIGNING_KEY_SECRET_ARN: "k"}
    assert isinstance(people_directory(CallbackSettings.from_env(base)), StaticPeopleDirectory)
    unreachable = {**base, env.PLEX_BASE_URL: "http://127.0.0.1:1", "PLEXLABOR_PLEX_API_KEY": "key"}
    directory = people_directory(CallbackSettings.from_env(unreachable))
    started = time.monotonic()
    assert isinstance(directory, PlexEmployeeDirectory) and directory.person_of("E1") is None
    assert time.monotonic() - started < 3  # no retries: the page shows numbers at once
