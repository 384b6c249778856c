"""Secrets: three generated secrets with operator-friendly names; no value in the template."""

from __future__ import annotations

import json

from infra.constants import DEFAULT_STAGE, SecretName, secret_path
from infra.testing import Synthesized


def test_three_secrets_named_by_stage(synthesized: Synthesized) -> None:
    secrets = synthesized.resources("AWS::SecretsManager::Secret")

    names = {secret["Properties"]["Name"] for secret in secrets.values()}
    assert names == {f"plexlabor/{DEFAULT_STAGE}/{name.value}" for name in SecretName}
    assert secret_path("prod", SecretName.PLEX_API_KEY) == "plexlabor/prod/plex-api-key"


def test_secret_values_are_generated_never_in_the_template(synthesized: Synthesized) -> None:
    for secret in synthesized.resources("AWS::SecretsManager::Secret").values():
        properties = secret["Properties"]
        assert "SecretString" not in properties
        assert properties["GenerateSecretString"]["PasswordLength"] >= 64


def test_no_output_or_env_var_carries_a_secret_value(synthesized: Synthesized) -> None:
    rendered = json.dumps(synthesized.template)

    assert '"SecretString"' not in rendered
    assert "resolve:secretsmanager" not in rendered  # no dynamic references to secret values


def test_plex_secret_description_gives_the_json_form(synthesized: Synthesized) -> None:
    """The operator fills the Plex secret from its description: the JSON form with the Data Source account,
    without which every Data Source API read fails (docs/plex-integration.md, "The Plex secret")."""
    secrets = synthesized.resources("AWS::SecretsManager::Secret").values()
    plex_path = secret_path(DEFAULT_STAGE, SecretName.PLEX_API_KEY)
    (description,) = (s["Properties"]["Description"] for s in secrets if s["Properties"]["Name"] == plex_path)

    for key in ('"api_key"', '"datasource_username"', '"datasource_password"'):
        assert key in description
