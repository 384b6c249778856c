"""Deployment configuration, read once from CDK context and validated.

Context comes from `cdk.json` (defaults committed with the code), `cdk.context.json`, or the
command line (`cdk deploy -c plexlabor:stage=prod -c plexlabor:alarmEmail=ops@example.com`).
Nothing here calls AWS: synth works offline with no credentials.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from constructs import Node

from infra.constants import (
    CTX_ACCOUNT,
    CTX_ADVISORY_MODE,
    CTX_ALARM_EMAIL,
    CTX_API_BURST_LIMIT,
    CTX_API_GATEWAY_ACCOUNT_ROLE,
    CTX_API_RATE_LIMIT,
    CTX_APPROVAL_WAIT_SECONDS,
    CTX_BUILD_DIR,
    CTX_CHAT_WEBHOOK_URL,
    CTX_COPILOT_BEDROCK_MODEL_ID,
    CTX_DEFAULT_SUPERVISOR_ID,
    CTX_FUNCTIONS_ROOT,
    CTX_INCIDENT_TRANSCRIBE_LANGUAGE,
    CTX_LOG_LEVEL,
    CTX_LOG_RETENTION_DAYS,
    CTX_MAX_RECEIVE_COUNT,
    CTX_NOTIFY_SENDER,
    CTX_PILOT,
    CTX_PLACEHOLDER_LAYERS,
    CTX_PLEX_BASE_URL,
    CTX_PLEX_SETTINGS,
    CTX_PLEX_WRITE_MODE,
    CTX_REGION,
    CTX_RESERVED_CONCURRENCY,
    CTX_REVIEW_RECIPIENTS,
    CTX_SCHEDULES,
    CTX_SHOW_NAMES_TO,
    CTX_STAGE,
    CTX_TIMEZONE,
    CTX_TUNING,
    CTX_VALIDATION_POLICY,
    CTX_WAF,
    DEFAULT_API_BURST_LIMIT,
    DEFAULT_API_RATE_LIMIT,
    DEFAULT_APPROVAL_WAIT_SECONDS,
    DEFAULT_BUILD_DIR,
    DEFAULT_LOG_LEVEL,
    DEFAULT_LOG_RETENTION_DAYS,
    DEFAULT_MAX_RECEIVE_COUNT,
    DEFAULT_PLEX_BASE_URL,
    DEFAULT_PLEX_WRITE_MODE,
    DEFAULT_STAGE,
    MAX_APPROVAL_WAIT_SECONDS,
    PLEX_SECRET_SETTINGS,
    PLEX_WRITE_MODES,
    REPO_ROOT,
    SCHEDULE_DISABLED,
    SCHEDULE_EXPRESSION,
)
from plexlabor.platform.pilot import parse_codes, parse_kinds
from plexlabor.platform.settings import NOBODY, json_object, parse_name_roles
from plexlabor.validation.policy import policy_json, read_policy

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
BEDROCK_MODEL_ID = re.compile(r"[a-z0-9-]+\.[a-z0-9][a-z0-9.:-]*")  # provider.model, e.g. amazon.nova-lite-v1:0
INFERENCE_PROFILE_GEOGRAPHIES = ("us", "eu", "apac", "us-gov", "global", "jp", "au", "ca")
HTTPS_URL = re.compile(r"https://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?")  # a host with a dot; never echoed (a credential)
TRANSCRIBE_LANGUAGE = re.compile(r"[a-z]{2}-[A-Z]{2}")  # Amazon Transcribe's codes: en-US, de-DE, es-US
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557)
PILOT_KEYS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "departments": parse_codes,
    "workcenters": parse_codes,
    "shifts": parse_codes,
    "notifyKinds": parse_kinds,
}
"""The keys of `plexlabor:pilot` and how each is read (the functions read their variables the same way)."""


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class DeployConfig:
    stage: str = DEFAULT_STAGE
    account: str | None = None
    region: str | None = None
    log_level: str = DEFAULT_LOG_LEVEL
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    alarm_email: str | None = None
    plex_base_url: str = DEFAULT_PLEX_BASE_URL
    plex_write_mode: str = DEFAULT_PLEX_WRITE_MODE
    plex_settings: Mapping[str, str] = field(default_factory=dict)
    build_dir: Path = DEFAULT_BUILD_DIR
    functions_root: Path = REPO_ROOT
    reserved_concurrency: bool = True
    waf: bool = False
    """An AWS WAF web ACL on the API stage (`plexlabor:waf`)."""
    placeholder_layers: bool = False
    timezone: str | None = None
    default_supervisor_id: str | None = None
    approval_wait_seconds: int = DEFAULT_APPROVAL_WAIT_SECONDS
    notify_sender: str | None = None
    schedules: Mapping[str, str] = field(default_factory=dict)
    api_rate_limit: int = DEFAULT_API_RATE_LIMIT
    api_burst_limit: int = DEFAULT_API_BURST_LIMIT
    api_gateway_account_role: bool = True
    pilot_departments: tuple[str, ...] = ()
    pilot_workcenters: tuple[str, ...] = ()
    pilot_shifts: tuple[str, ...] = ()
    notify_kinds: tuple[str, ...] = ()
    advisory_mode: bool | None = None
    """None: not configured (the functions' default, false, applies and no variable is set)."""
    show_names_to: str | None = None
    """Roles who see names, comma-separated as `SHOW_NAMES_TO` reads them ("none": nobody); None: not
    configured (every role sees names, no variable is set)."""
    review_hr_emails: tuple[str, ...] = ()
    review_planner_emails: tuple[str, ...] = ()
    review_ehs_emails: tuple[str, ...] = ()
    incident_transcribe_language: str | None = None
    """incident_log's `INCIDENT_TRANSCRIBE_LANGUAGE`; None: not configured (recordings are refused)."""
    copilot_bedrock_model_id: str | None = None
    """copilot_ask's `COPILOT_BEDROCK_MODEL_ID` and its bedrock:InvokeModel grant; None: extractive answers."""
    chat_webhook_url: str | None = None
    """approval_notify's `CHAT_WEBHOOK_URL` (an https incoming webhook); None: no chat nudge."""
    validation_policy: str | None = None
    """The punch-validating functions' `VALIDATION_POLICY`: the fields `plexlabor:validationPolicy` sets, as compact
    JSON; None: not configured (the code's defaults apply and no variable is set)."""
    tuning: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per function, the texts of the tuning variables it reads (`plexlabor:tuning`, `infra.tuning.read_tuning`)."""

    def __post_init__(self) -> None:
        for check in _CHECKS:  # in this order: the first broken rule is the one reported
            check(self)

    @classmethod
    def from_node(cls, node: Node) -> DeployConfig:
        def get(key: str, default: Any = None) -> Any:
            value = node.try_get_context(key)
            return default if value is None or value == "" else value

        pilot = _pilot(get(CTX_PILOT, {}))
        recipients = _review_recipients(get(CTX_REVIEW_RECIPIENTS, {}))
        advisory = get(CTX_ADVISORY_MODE)
        return cls(
            stage=str(get(CTX_STAGE, DEFAULT_STAGE)),
            account=_optional_str(get(CTX_ACCOUNT)),
            region=_optional_str(get(CTX_REGION)),
            log_level=str(get(CTX_LOG_LEVEL, DEFAULT_LOG_LEVEL)).upper(),
            log_retention_days=int(get(CTX_LOG_RETENTION_DAYS, DEFAULT_LOG_RETENTION_DAYS)),
            max_receive_count=int(get(CTX_MAX_RECEIVE_COUNT, DEFAULT_MAX_RECEIVE_COUNT)),
            alarm_email=_optional_str(get(CTX_ALARM_EMAIL)),
            plex_base_url=str(get(CTX_PLEX_BASE_URL, DEFAULT_PLEX_BASE_URL)),
            plex_write_mode=str(get(CTX_PLEX_WRITE_MODE, DEFAULT_PLEX_WRITE_MODE)),
            plex_settings=_json_object(CTX_PLEX_SETTINGS, get(CTX_PLEX_SETTINGS, {})),
            build_dir=Path(get(CTX_BUILD_DIR, DEFAULT_BUILD_DIR)),
            functions_root=Path(get(CTX_FUNCTIONS_ROOT, REPO_ROOT)),
            reserved_concurrency=_flag(get(CTX_RESERVED_CONCURRENCY, True)),
            waf=_flag(get(CTX_WAF, False)),
            placeholder_layers=_flag(get(CTX_PLACEHOLDER_LAYERS, False)),
            timezone=_optional_str(get(CTX_TIMEZONE)),
            default_supervisor_id=_optional_str(get(CTX_DEFAULT_SUPERVISOR_ID)),
            approval_wait_seconds=int(get(CTX_APPROVAL_WAIT_SECONDS, DEFAULT_APPROVAL_WAIT_SECONDS)),
            notify_sender=_optional_str(get(CTX_NOTIFY_SENDER)),
            schedules=_json_object(CTX_SCHEDULES, get(CTX_SCHEDULES, {})),
            api_rate_limit=int(get(CTX_API_RATE_LIMIT, DEFAULT_API_RATE_LIMIT)),
            api_burst_limit=int(get(CTX_API_BURST_LIMIT, DEFAULT_API_BURST_LIMIT)),
            api_gateway_account_role=_flag(get(CTX_API_GATEWAY_ACCOUNT_ROLE, True)),
            pilot_departments=pilot["departments"],
            pilot_workcenters=pilot["workcenters"],
            pilot_shifts=pilot["shifts"],
            notify_kinds=pilot["notifyKinds"],
            advisory_mode=None if advisory is None else _strict_flag(CTX_ADVISORY_MODE, advisory),
            show_names_to=_show_names_to(get(CTX_SHOW_NAMES_TO)),
            review_hr_emails=recipients["hr"],
            review_planner_emails=recipients["planners"],
            review_ehs_emails=recipients["ehs"],
            incident_transcribe_language=_optional_str(get(CTX_INCIDENT_TRANSCRIBE_LANGUAGE)),
            copilot_bedrock_model_id=_optional_str(get(CTX_COPILOT_BEDROCK_MODEL_ID)),
            chat_webhook_url=_optional_str(get(CTX_CHAT_WEBHOOK_URL)),
            validation_policy=_validation_policy(get(CTX_VALIDATION_POLICY)),
            tuning=_tuning(get(CTX_TUNING, {})),
        )


# ---- the checks DeployConfig runs: one concern each -----------------------------------------
def _one_of(key: str, value: object, allowed: tuple[object, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key} must be one of {allowed}")


def _within(key: str, value: int, high: int, unit: str = "") -> None:
    if not 1 <= value <= high:
        raise ConfigError(f"{key} must be within 1..{high}{unit}")


def _check_stage(config: DeployConfig) -> None:
    if not config.stage.isalnum() or not config.stage.islower():
        raise ConfigError(f"{CTX_STAGE} must be lower-case letters/digits, got {config.stage!r}")


def _check_environment(config: DeployConfig) -> None:
    if (config.account is None) != (config.region is None):
        raise ConfigError(f"set both {CTX_ACCOUNT} and {CTX_REGION}, or neither (env-agnostic stack)")


def _check_logs(config: DeployConfig) -> None:
    _one_of(CTX_LOG_LEVEL, config.log_level, LOG_LEVELS)
    _one_of(CTX_LOG_RETENTION_DAYS, config.log_retention_days, RETENTION_DAYS)


def _check_queues(config: DeployConfig) -> None:
    _within(CTX_MAX_RECEIVE_COUNT, config.max_receive_count, 1000)


def _check_plex(config: DeployConfig) -> None:
    _one_of(CTX_PLEX_WRITE_MODE, config.plex_write_mode, PLEX_WRITE_MODES)
    if not config.plex_base_url.startswith("https://"):
        raise ConfigError(f"{CTX_PLEX_BASE_URL} must be an https:// URL")
    for key in config.plex_settings:
        _check_plex_setting(key)


def _check_plex_setting(key: str) -> None:
    if not key.isidentifier() or not key.isupper():
        raise ConfigError(f"{CTX_PLEX_SETTINGS}: keys are PLEXLABOR_PLEX_ suffixes like TENANT_ID, got {key!r}")
    if key in PLEX_SECRET_SETTINGS:
        raise ConfigError(f"{CTX_PLEX_SETTINGS}: {key} is a secret; it belongs in Secrets Manager")
    if key in ("BASE_URL", "WRITE_MODE"):
        raise ConfigError(f"{CTX_PLEX_SETTINGS}: set {key} with its own context key")


def _check_timezone(config: DeployConfig) -> None:
    if config.timezone is None:
        return
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{CTX_TIMEZONE} must be an IANA time zone, got {config.timezone!r}") from None


def _check_approvals(config: DeployConfig) -> None:
    _within(CTX_APPROVAL_WAIT_SECONDS, config.approval_wait_seconds, MAX_APPROVAL_WAIT_SECONDS)
    if config.notify_sender is not None and not EMAIL.fullmatch(config.notify_sender):
        raise ConfigError(f"{CTX_NOTIFY_SENDER} must be an e-mail address, got {config.notify_sender!r}")


def _check_schedules(config: DeployConfig) -> None:
    from infra.function_specs import FUNCTION_SPECS

    specs = {spec.name: spec for spec in FUNCTION_SPECS}
    for name, expression in config.schedules.items():
        if expression == SCHEDULE_DISABLED:
            continue
        if not SCHEDULE_EXPRESSION.fullmatch(expression):
            raise ConfigError(
                f"{CTX_SCHEDULES}: {name} must be rate(...), cron(...) or {SCHEDULE_DISABLED!r}, got {expression!r}"
            )
        try:
            if name in specs:
                specs[name].environment_for(expression)
        except ValueError as error:
            raise ConfigError(f"{CTX_SCHEDULES}: {error}") from None


def _check_api_limits(config: DeployConfig) -> None:
    _within(CTX_API_RATE_LIMIT, config.api_rate_limit, 10000, " requests per second")
    if not config.api_rate_limit <= config.api_burst_limit <= 5000:
        raise ConfigError(f"{CTX_API_BURST_LIMIT} must be within {CTX_API_RATE_LIMIT}..5000")


def _check_pilot(config: DeployConfig) -> None:
    given = {
        "departments": config.pilot_departments,
        "workcenters": config.pilot_workcenters,
        "shifts": config.pilot_shifts,
        "notifyKinds": config.notify_kinds,
    }
    for key, values in given.items():
        try:
            PILOT_KEYS[key](values)
        except ValueError as error:
            raise ConfigError(f"{CTX_PILOT}: {key}: {error}") from None


def _check_people(config: DeployConfig) -> None:
    if config.show_names_to is not None:
        _show_names_to(config.show_names_to)


def _check_transcription(config: DeployConfig) -> None:
    language = config.incident_transcribe_language
    if language is not None and not TRANSCRIBE_LANGUAGE.fullmatch(language):
        raise ConfigError(f"{CTX_INCIDENT_TRANSCRIBE_LANGUAGE} must be a language code like en-US, got {language!r}")


def _check_bedrock(config: DeployConfig) -> None:
    model = config.copilot_bedrock_model_id
    if model is None:
        return
    if not BEDROCK_MODEL_ID.fullmatch(model):
        raise ConfigError(
            f"{CTX_COPILOT_BEDROCK_MODEL_ID} must be a Bedrock foundation model id like "
            f"anthropic.claude-3-haiku-20240307-v1:0, got {model!r}"
        )
    if model.split(".")[0] in INFERENCE_PROFILE_GEOGRAPHIES:
        raise ConfigError(
            f"{CTX_COPILOT_BEDROCK_MODEL_ID}: {model!r} is a cross-region inference profile; give the foundation "
            "model id (the grant covers that model in the stack's region only)"
        )


def _check_chat(config: DeployConfig) -> None:
    """An https URL; never echoed, as it is the channel's credential."""
    url = config.chat_webhook_url
    if url is not None and not HTTPS_URL.fullmatch(url):
        raise ConfigError(
            f"{CTX_CHAT_WEBHOOK_URL} must be an https:// URL (an incoming webhook), got {len(url)} characters"
        )


def _check_validation_policy(config: DeployConfig) -> None:
    if config.validation_policy is not None:
        _validation_policy(config.validation_policy)


def _check_tuning(config: DeployConfig) -> None:
    merged = {name: text for variables in config.tuning.values() for name, text in variables.items()}
    if _tuning(merged) != config.tuning:
        raise ConfigError(f"{CTX_TUNING}: each variable goes to every function that reads it, and to no other")


_CHECKS: tuple[Callable[[DeployConfig], None], ...] = (
    _check_stage,
    _check_environment,
    _check_logs,
    _check_queues,
    _check_plex,
    _check_timezone,
    _check_approvals,
    _check_schedules,
    _check_api_limits,
    _check_pilot,
    _check_people,
    _check_transcription,
    _check_bedrock,
    _check_chat,
    _check_validation_policy,
    _check_tuning,
)


def _context_object(key: str, value: Any, known: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON object (from cdk.json) or a JSON string (from `-c key='{...}'`); with `known`, a key
    outside it is refused, naming the keys there are."""
    try:
        value = json_object(value)
    except ValueError as error:
        raise ConfigError(f"{key}: {error}") from None
    if known is not None:
        names = list(known)
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ConfigError(f"{key}: unknown key {unknown[0]!r} (keys: {', '.join(names)})")
    return value


def _json_object(key: str, value: Any) -> dict[str, str]:
    """A JSON object (from cdk.json) or a JSON string (from `-c key='{...}'`) of string values."""
    found = _context_object(key, value)
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in found.items()}


def _pilot(value: Any) -> dict[str, tuple[str, ...]]:
    """`plexlabor:pilot`: an object (cdk.json) or a JSON string (`-c`), each key a list of codes or a
    comma-separated string."""
    value = _context_object(CTX_PILOT, value, PILOT_KEYS)
    read: dict[str, tuple[str, ...]] = {}
    for key, parse in PILOT_KEYS.items():
        try:
            read[key] = parse(value.get(key))
        except ValueError as error:
            raise ConfigError(f"{CTX_PILOT}: {key}: {error}") from None
    return read


def _review_recipients(value: Any) -> dict[str, tuple[str, ...]]:
    """`plexlabor:reviewRecipients`: `{"hr": [...], "planners": [...], "ehs": [...]}` (cdk.json) or that as a JSON
    string (`-c`); each a list of e-mail addresses or one comma-separated string."""
    value = _context_object(CTX_REVIEW_RECIPIENTS, value, ("hr", "planners", "ehs"))
    read: dict[str, tuple[str, ...]] = {}
    for key in ("hr", "planners", "ehs"):
        given = value.get(key) or ()
        items = given.split(",") if isinstance(given, str) else list(given)
        addresses = tuple(str(item).strip() for item in items if str(item).strip())
        bad = next((a for a in addresses if not EMAIL.fullmatch(a) or "," in a), None)
        if bad is not None:
            raise ConfigError(f"{CTX_REVIEW_RECIPIENTS}: {key}: {bad!r} is not an e-mail address")
        read[key] = addresses
    return read


def _show_names_to(value: Any) -> str | None:
    """`plexlabor:showNamesTo`: roles as a list or one comma-separated string, or "none"; None when unset."""
    if value is None or value == [] or value == ():
        return None
    try:
        roles = parse_name_roles(value)
    except ValueError as error:
        raise ConfigError(f"{CTX_SHOW_NAMES_TO}: {error}") from None
    return ",".join(roles) or NOBODY


def _validation_policy(value: Any) -> str | None:
    """`plexlabor:validationPolicy`: an object (cdk.json) or a JSON string (`-c`) of `ValidationPolicy` fields, read
    as the functions read it (`read_policy`); the fields it sets as compact JSON, None when it sets none."""
    if value is None or value == {}:
        return None
    try:
        policy = read_policy(value)
    except ValueError as error:
        raise ConfigError(f"{CTX_VALIDATION_POLICY}: {error}") from None
    text = policy_json(policy)
    return None if text == "{}" else text


def _tuning(value: Any) -> dict[str, dict[str, str]]:
    """`plexlabor:tuning`: an object (cdk.json) or a JSON string (`-c`) of tuning variables, each checked by the
    fields that read it; per function, those it reads (`infra.tuning.read_tuning`)."""
    from infra.tuning import read_tuning  # the specs, imported where used as in _check_schedules

    try:
        return read_tuning(_context_object(CTX_TUNING, value))
    except ValueError as error:
        raise ConfigError(f"{CTX_TUNING}: {error}") from None


def _strict_flag(key: str, value: Any) -> bool:
    """A flag that must say what it means: true/false (or 1/0, yes/no); anything else is refused."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("1", "true", "yes", "0", "false", "no"):
        raise ConfigError(f"{key} must be true or false, got {value!r}")
    return text in ("1", "true", "yes")


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _flag(value: Any) -> bool:
    """Context from the command line arrives as a string: accept true/false/1/0."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")
