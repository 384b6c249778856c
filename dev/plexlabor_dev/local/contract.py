"""What the local runtime gives a function beyond `infra.wiring` (the deployed environment).

Only one thing, local by nature: `PLEXLABOR_PLANT_DIR`, so functions that read labor data read a
plant folder instead of Plex (see docs/local-runtime.md, "Labor data"). Everything else comes from
`infra.wiring`, exactly as CDK deploys it. `EXTRA_ACCESS` stays for grants a handler uses before
infra has them (none today); `tests/e2e/test_local_runtime_contract.py` fails on one infra has.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.function_specs import FUNCTION_SPECS, Access, Need
from plexlabor.platform.env import PLANT_DIR as ENV_PLANT_DIR

EXTRA_ACCESS: Mapping[str, tuple[Access, ...]] = {}
"""Resources a handler uses that its spec does not grant yet (none)."""

EXTRA_VARIABLES: Mapping[str, tuple[str, ...]] = {
    spec.name: (ENV_PLANT_DIR,) if Need.PLANT_TIMEZONE in spec.needs else () for spec in FUNCTION_SPECS
}
"""Local-only variables per function: the plant folder for every function that reads labor data."""

CONTRACT_NAMES = frozenset(name for names in EXTRA_VARIABLES.values() for name in names)

__all__ = ["CONTRACT_NAMES", "ENV_PLANT_DIR", "EXTRA_ACCESS", "EXTRA_VARIABLES"]
