"""Who sees people's names (issue 9, item 6): `plexlabor:showNamesTo` reaches the functions that name
people as `SHOW_NAMES_TO`, only when configured; those functions read Plex (employees) and plant time."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_SHOW_NAMES_TO
from infra.function_specs import FUNCTION_SPECS, Need
from infra.testing import ConfigValues, Synthesized
from infra.wiring import OPTIONAL_SETTINGS, Setting, resolve_environment
from plexlabor.platform import env
from plexlabor.platform.settings import PeopleSettings

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}
NAMING = {"web_app", "approval_notify", "approval_callback", "review_sweep"}


class _Node:
    """What `DeployConfig.from_node` reads: CDK context."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def try_get_context(self, key: str) -> Any:
        return self.context.get(key)


def _config(**context: Any) -> DeployConfig:
    return DeployConfig.from_node(_Node({f"plexlabor:{k}": v for k, v in context.items()}))  # type: ignore[arg-type]


def test_the_functions_that_name_people_read_plex_and_plant_time() -> None:
    assert {spec.name for spec in FUNCTION_SPECS if Need.PEOPLE_NAMES in spec.needs} == NAMING
    for name in NAMING:
        assert SPECS[name].reads_plex and Need.PLANT_TIMEZONE in SPECS[name].needs, name
    assert Setting.SHOW_NAMES_TO in OPTIONAL_SETTINGS


@pytest.mark.parametrize("name", sorted(NAMING))
def test_show_names_to_reaches_the_function_only_when_configured(name: str) -> None:
    unset = resolve_environment(SPECS[name], ConfigValues(_config()))
    assert env.SHOW_NAMES_TO not in unset
    assert PeopleSettings.from_env(unset).show_names_to == ("supervisor", "planner", "hr", "ehs", "admin", "operator")

    configured = resolve_environment(SPECS[name], ConfigValues(_config(showNamesTo=["HR", "admin"])))
    assert configured[env.SHOW_NAMES_TO] == "hr,admin"
    assert PeopleSettings.from_env(configured).show_names_to == ("hr", "admin")

    nobody = resolve_environment(SPECS[name], ConfigValues(_config(showNamesTo="none")))
    assert nobody[env.SHOW_NAMES_TO] == "none" and PeopleSettings.from_env(nobody).show_names_to == ()


def test_an_unknown_role_is_refused_at_synth() -> None:
    with pytest.raises(ConfigError, match=rf"{CTX_SHOW_NAMES_TO}: unknown role 'boss'"):
        _config(showNamesTo="supervisor, boss")
    with pytest.raises(ConfigError, match="unknown role 'boss'"):
        DeployConfig(show_names_to="boss")


def test_the_stack_gives_the_configured_roles_and_the_plex_secret(synthesized: Synthesized) -> None:
    for name in NAMING:
        variables = synthesized.function(name)["Properties"]["Environment"]["Variables"]
        assert variables[env.SHOW_NAMES_TO] == "supervisor,hr,admin"  # infra.testing.CONFIGURED
        assert env.PLEX_API_KEY_SECRET_ARN in variables and variables[env.TIMEZONE] == "America/Detroit"
