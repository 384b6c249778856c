"""Lambda layers: the `plexlabor` core layer and the pip-built dependency layers.

- core:        staged at synth from layers/core/plexlabor into build/layers/core/python/plexlabor
               (local copy, no network), pure Python, compatible with python3.11 and 3.12.
- deps-light:  build/layers/deps-light (python3.11) and
- deps-heavy:  build/layers/deps-heavy (python3.12), both built by `infra/build_layers.py`
               (`make layers`; `infra/app.py` runs it when stale). This construct never runs pip:
               it refuses a missing or stale build unless `plexlabor:placeholderLayers=true`, which
               swaps in a tiny placeholder folder so tests synthesize offline. A placeholder layer
               says so in its description and is not deployable.

Layers are created on first use, so the template only carries layers some function uses.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.build_layers import DEPS_LAYERS, asset_dir, is_current, load_manifest
from infra.config import DeployConfig
from infra.constants import ARCHITECTURE, SERVICE_NAME, LayerName, PythonRuntime
from infra.function_specs import Flavour
from infra.staging import stage_core_layer, stage_placeholder_layer

RUNTIMES = {
    PythonRuntime.PY311: lambda_.Runtime.PYTHON_3_11,
    PythonRuntime.PY312: lambda_.Runtime.PYTHON_3_12,
}
ARCHITECTURES = {"x86_64": lambda_.Architecture.X86_64, "arm64": lambda_.Architecture.ARM_64}
LAMBDA_ARCHITECTURE = ARCHITECTURES[ARCHITECTURE]


class LayerNotBuiltError(RuntimeError):
    pass


class Layers(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._layers: dict[LayerName, lambda_.LayerVersion] = {}

    @property
    def created(self) -> dict[LayerName, lambda_.LayerVersion]:
        return dict(self._layers)

    def for_flavour(self, flavour: Flavour) -> list[lambda_.ILayerVersion]:
        return [self.layer(name) for name in flavour.layers]

    def layer(self, name: LayerName) -> lambda_.LayerVersion:
        if name not in self._layers:
            self._layers[name] = self._create(name)
        return self._layers[name]

    def _create(self, name: LayerName) -> lambda_.LayerVersion:
        build_dir = self._config.build_dir
        if name is LayerName.CORE:
            path = stage_core_layer(build_dir)
            runtimes = list(PythonRuntime)
            description = f"{SERVICE_NAME} domain package (layers/core/plexlabor)"
        else:
            spec = DEPS_LAYERS[name]
            runtimes = [spec.python]
            if self._config.placeholder_layers:
                path = stage_placeholder_layer(build_dir, name)
                description = f"PLACEHOLDER for {name.value}: synthesized for tests, not deployable"
            else:
                if not is_current(spec, build_dir):
                    raise LayerNotBuiltError(
                        f"{asset_dir(build_dir, name)} is missing or stale: run `make layers` "
                        "(python infra/build_layers.py), or synthesize with "
                        "-c plexlabor:placeholderLayers=true for an offline, non-deployable stack"
                    )
                path = asset_dir(build_dir, name)
                manifest = load_manifest(build_dir, name) or {}
                description = (
                    f"{SERVICE_NAME} {name.value}: {spec.requirements.name} for python{spec.python.value} "
                    f"{spec.architecture} (build {str(manifest.get('fingerprint', ''))[:12]})"
                )
        return lambda_.LayerVersion(
            self,
            "".join(part.capitalize() for part in name.value.split("-")) + "Layer",
            code=lambda_.Code.from_asset(str(path)),
            compatible_runtimes=[RUNTIMES[runtime] for runtime in runtimes],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description=description,
        )
