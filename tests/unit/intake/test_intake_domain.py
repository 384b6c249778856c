"""The intake domain without handlers: the message shape, settings, the batch window, the recorder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plexlabor.intake.context import add_missing, merge_spans, week_window
from plexlabor.intake.errors import NoSupervisorError
from plexlabor.intake.messages import PunchMessage, WebhookPunches, describe_body_errors
from plexlabor.intake.recording import supervisors_for
from plexlabor.intake.settings import NormsRefreshSettings, PollerSettings, ValidatorSettings, WebhookSettings
from plexlabor.intake.sources import ReferenceCache
from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.settings import ApprovalStartSettings, PerEnvironment
from plexlabor.plex.settings import parse_plex_secret
from plexlabor.plex.sources import open_labor_source
from plexlabor.validation.data import PlantData

DETROIT = ZoneInfo("America/Detroit")
T_IN = datetime(2026, 11, 18, 11, 2, tzinfo=UTC)  # a Wednesday, 06:02 in Detroit
POLLER = {"STATE_TABLE_NAME": "t", "PUNCH_QUEUE_URL": "q"}
"""punch_poller's environment, less where the punches come from and the plant's zone."""
STARTER = {
    "AUDIT_TABLE_NAME": "audit",
    "IDEMPOTENCY_TABLE_NAME": "idem",
    "ARTIFACTS_BUCKET_NAME": "b",
    "APPROVAL_STATE_MACHINE_ARN": "arn:sm",
    "PLEXLABOR_PLANT_DIR": "/plant",
}
"""The environment of a function that starts approvals (punch_validator, norms_refresh), less its default
supervisor."""


# ---- the message -------------------------------------------------------------------------------------
def test_a_message_round_trips_through_json_and_keeps_the_plex_shape() -> None:
    entry = TimeClockEntry(id="T1", employee_id="E1", clockin_time=T_IN, modified_date=T_IN + timedelta(hours=9))
    message = PunchMessage.of(entry, "poll", datetime(2026, 11, 18, 20, tzinfo=UTC))
    raw = message.model_dump_json()
    assert (
        '"clockinTime":"2026-11-18T11:02:00.0000000Z"' in raw and '"received_at":"2026-11-18T20:00:00.000000Z"' in raw
    )
    again = PunchMessage.model_validate_json(raw)
    assert again == message and again.entry == entry
    assert again.record_key == "time-clock-entries:T1"
    assert again.version.version == "2026-11-18T20:02:00.0000000Z"  # the modifiedDate


@pytest.mark.parametrize(
    ("entry", "marker"),
    [
        (TimeClockEntry(id="T", employee_id="E", clockin_time=T_IN), T_IN),
        (
            TimeClockEntry(id="T", employee_id="E", clockin_time=T_IN, clockout_time=T_IN + timedelta(hours=8)),
            T_IN + timedelta(hours=8),
        ),
        (
            LaborEntry(id="L", employee_id="E", workcenter_id="W", job_id="J", job_operation_id="O", start_time=T_IN),
            T_IN,
        ),
    ],
    ids=["open-punch", "closed-punch", "open-labor"],
)
def test_the_version_is_when_the_record_last_changed(entry, marker) -> None:
    message = PunchMessage.of(entry, "webhook", T_IN)
    assert message.version.version.startswith(marker.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_message_whose_record_does_not_parse_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="labor-entries: field 'workcenterId' is missing"):
        PunchMessage(
            source="poll",
            resource="labor-entries",
            record={
                "id": "L1",
                "employeeId": "E1",
                "jobId": "J",
                "jobOperationId": "O",
                "startTime": "2026-11-18T11:02:00Z",
            },
            received_at=T_IN,
        )
    with pytest.raises(ValueError):
        PunchMessage(source="email", resource="time-clock-entries", record={}, received_at=T_IN)  # type: ignore[arg-type]


def test_webhook_bodies_are_one_record_or_a_list() -> None:
    one = WebhookPunches.model_validate({"id": "T1", "employeeId": "E1", "clockinTime": "2026-11-18T11:02:00Z"})
    assert [type(e) for e in one.entries] == [TimeClockEntry]
    many = WebhookPunches.model_validate(
        [
            {"id": "T1", "employeeId": "E1", "clockinTime": "2026-11-18T11:02:00Z"},
            {
                "id": "L1",
                "employeeId": "E1",
                "workcenterId": "W",
                "jobId": "J",
                "jobOperationId": "O",
                "startTime": "2026-11-18T11:02:00Z",
            },
        ]
    )
    assert [type(e) for e in many.entries] == [TimeClockEntry, LaborEntry]


def test_body_errors_name_camel_case_fields_of_the_branch_the_body_took() -> None:
    errors = [
        {"loc": ("body", "tagged-union[TimeClockEntry,LaborEntry]", "time-clock-entries", "clockinTime"), "msg": "bad"},
        {"loc": ("body", "list[tagged-union[TimeClockEntry,LaborEntry]]"), "msg": "Input should be a valid list"},
    ]
    assert describe_body_errors(errors, {"id": "T1"}) == [{"field": "clockinTime", "problem": "bad"}]
    nested = [{"loc": ("body", "list[tagged-union[X]]", 2, "labor-entries", "startTime"), "msg": "missing"}]
    assert describe_body_errors(nested, [{}, {}, {}]) == [{"field": "[2].startTime", "problem": "missing"}]


# ---- the batch window ----------------------------------------------------------------------------------
def test_the_week_window_is_the_local_iso_week_plus_a_day_each_side() -> None:
    low, high = week_window(T_IN, DETROIT)
    monday = datetime(2026, 11, 16, tzinfo=DETROIT)
    assert low == (monday - timedelta(days=1)).astimezone(UTC) and high == (monday + timedelta(days=8)).astimezone(UTC)
    # Sunday 23:30 local is still the same ISO week, though it is Monday in UTC
    assert week_window(datetime(2026, 11, 23, 4, 30, tzinfo=UTC), DETROIT) == (low, high)


def test_overlapping_windows_merge_and_distant_ones_stay_apart() -> None:
    a = week_window(T_IN, DETROIT)
    b = week_window(T_IN + timedelta(days=7), DETROIT)
    c = week_window(T_IN - timedelta(days=90), DETROIT)
    assert merge_spans([b, a, c, a]) == [c, (a[0], b[1])]


def test_a_record_the_source_has_not_returned_is_added_to_the_context() -> None:
    data = PlantData.build({}, "America/Detroit", T_IN.timestamp())
    old = TimeClockEntry(id="T1", employee_id="E1", clockin_time=T_IN)
    new = old.model_copy(
        update={"clockout_time": T_IN + timedelta(hours=8), "modified_date": T_IN + timedelta(hours=8)}
    )
    assert add_missing(data, [old, new]) == 1
    (punch,) = data.punches["E1"]
    assert punch.t_out == (T_IN + timedelta(hours=8)).timestamp()  # the newest version
    assert add_missing(data, [old]) == 0  # present now: the source wins


# ---- supervisors ---------------------------------------------------------------------------------------
def _org(rows: list[dict]) -> PlantData:
    return PlantData.build({"employees": rows}, "America/Detroit", T_IN.timestamp())


def test_the_supervisor_escalates_to_their_own_supervisor() -> None:
    data = _org([{"id": "E1", "supervisorId": "S1"}, {"id": "S1", "supervisorId": "M1"}, {"id": "M1"}])
    assert supervisors_for(data, "E1", None) == ("S1", "M1")
    assert supervisors_for(data, "S1", None) == ("M1", None)
    assert supervisors_for(data, "M1", "DEFAULT") == ("DEFAULT", None)
    with pytest.raises(NoSupervisorError):
        supervisors_for(data, "M1", None)


# ---- settings ------------------------------------------------------------------------------------------
def test_settings_name_the_missing_variable() -> None:
    with pytest.raises(ConfigurationError, match="PUNCH_QUEUE_URL"):
        WebhookSettings.from_env({"WEBHOOK_HMAC_SECRET_ARN": "arn:secret"})
    with pytest.raises(ConfigurationError, match="PLEXLABOR_TIMEZONE is required"):
        PollerSettings.from_env(POLLER)
    with pytest.raises(ConfigurationError, match="unknown time zone"):
        PollerSettings.from_env({**POLLER, "PLEXLABOR_TIMEZONE": "Mars/Olympus"})


def test_settings_defaults_and_empty_values() -> None:
    supervisor = {"DEFAULT_SUPERVISOR_ID": "SUP-1"}
    settings = ValidatorSettings.from_env(
        {**STARTER, **supervisor, "ARTIFACTS_BUCKET_NAME": "", "PLEXLABOR_PLEX_BASE_URL": "http://127.0.0.1:9"}
    )
    assert settings.artifacts_bucket_name is None and settings.approval_wait_s == 8 * 3600
    assert settings.plex_env == {"PLEXLABOR_PLEX_BASE_URL": "http://127.0.0.1:9"}
    nightly = NormsRefreshSettings.from_env({**STARTER, **supervisor, "PLEXLABOR_TIMEZONE": "UTC"})
    assert nightly.history_weeks == 26 and nightly.sweep_days == 2


@pytest.mark.parametrize("model", [ValidatorSettings, NormsRefreshSettings])
def test_the_default_supervisor_is_required_while_approvals_are_on(model) -> None:
    # Given a function that starts approvals, configured without DEFAULT_SUPERVISOR_ID (STARTER)
    # Then it refuses to start, naming the variable (a finding about someone with no supervisor would
    # otherwise have nobody to go to)
    with pytest.raises(ConfigurationError, match="DEFAULT_SUPERVISOR_ID is required"):
        model.from_env(STARTER)
    with pytest.raises(ConfigurationError, match="DEFAULT_SUPERVISOR_ID is required"):
        model.from_env({**STARTER, "DEFAULT_SUPERVISOR_ID": "", "ADVISORY_MODE": "false"})
    # and in advisory mode, where nobody is asked, it may be left out
    assert model.from_env({**STARTER, "ADVISORY_MODE": "true"}).default_supervisor_id is None
    assert model.from_env({**STARTER, "DEFAULT_SUPERVISOR_ID": "SUP-1"}).default_supervisor_id == "SUP-1"


def test_dependencies_are_built_once_and_again_only_when_their_variables_change(monkeypatch) -> None:
    builds: list[str] = []

    def build(settings: ApprovalStartSettings) -> int:
        builds.append(settings.approval_state_machine_arn)
        return len(builds)

    cached = PerEnvironment(ApprovalStartSettings, build)
    monkeypatch.setenv("DEFAULT_SUPERVISOR_ID", "SUP-1")
    monkeypatch.setenv("APPROVAL_STATE_MACHINE_ARN", "arn:one")
    assert cached() == cached() == 1
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-2-3")  # per-invocation noise: no rebuild
    assert cached() == 1
    monkeypatch.setenv("APPROVAL_STATE_MACHINE_ARN", "arn:two")
    assert cached() == 2 and builds == ["arn:one", "arn:two"]
    cached.cache_clear()
    assert cached() == 3


# ---- the labor-data source -----------------------------------------------------------------------------
def test_the_plex_secret_is_a_key_or_a_json_object() -> None:
    assert parse_plex_secret("  abc123 ") == {"api_key": "abc123"}
    assert parse_plex_secret('{"apiKey": "k", "datasource_username": "u", "datasource_password": "p"}') == {
        "api_key": "k",
        "datasource_username": "u",
        "datasource_password": "p",
    }
    with pytest.raises(ValueError, match="no api_key"):
        parse_plex_secret('{"datasource_username": "u"}')


def test_a_plant_folder_source_takes_the_plants_time_zone(plant_source) -> None:
    settings = PollerSettings.from_env({**POLLER, "PLEXLABOR_PLANT_DIR": str(plant_source.plant.path)})
    source = open_labor_source(settings, lambda _arn: pytest.fail("no secret is read for a plant folder"))
    assert source.timezone == "America/Detroit"


def test_a_plex_source_reads_its_key_from_the_secret_and_never_shows_it() -> None:
    plex = {"PLEX_API_KEY_SECRET_ARN": "arn:plex", "PLEXLABOR_PLEX_BASE_URL": "http://127.0.0.1:9"}
    settings = PollerSettings.from_env({**POLLER, "PLEXLABOR_TIMEZONE": "America/Detroit", **plex})
    source = open_labor_source(settings, lambda arn: "the-key" if arn == "arn:plex" else "")
    assert source.port.settings.api_key.get_secret_value() == "the-key"  # type: ignore[attr-defined]
    assert source.port.settings.base_url == "http://127.0.0.1:9"  # type: ignore[attr-defined]
    no_key = PollerSettings.from_env({**POLLER, "PLEXLABOR_TIMEZONE": "UTC"})
    with pytest.raises(ConfigurationError, match="api_key") as error:
        open_labor_source(no_key, lambda _arn: "")
    assert "the-key" not in str(error.value)


def test_reference_data_is_kept_for_its_max_age_and_transactions_are_always_read(plant_source) -> None:
    calls: list[str] = []

    class Counting:
        def __getattr__(self, name: str):
            def call(*args, **kwargs):
                calls.append(name)
                return getattr(plant_source, name)(*args, **kwargs)

            return call

    now = [0.0]
    port = ReferenceCache(Counting(), max_age_s=60, clock=lambda: now[0])
    meta = plant_source.plant.meta()
    for _ in range(2):
        assert port.employees() == plant_source.employees()
        port.job_operations()
        port.time_clock_entries(meta.start, meta.end)
    assert calls.count("employees") == 1 and calls.count("job_operations") == 1
    assert calls.count("time_clock_entries") == 2
    now[0] = 61.0
    port.employees()
    assert calls.count("employees") == 2
