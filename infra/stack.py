"""PlexlaborStack: composes the constructs and registers cdk-nag. No resources are defined here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack, Tags, Validations
from constructs import Construct

from infra.config import DeployConfig
from infra.constants import (
    ALARMS_ID,
    API_ID,
    APPROVAL_ID,
    ARTIFACTS_ID,
    BACKFILL_FUNCTION,
    BACKFILL_ID,
    FUNCTIONS_ID,
    LAYERS_ID,
    QUEUES_ID,
    SCHEDULES_ID,
    SECRETS_ID,
    SERVICE_NAME,
    STORAGE_ID,
    secret_path,
)
from infra.constructs.alarms import Alarms
from infra.constructs.api import Api
from infra.constructs.approval import Approval
from infra.constructs.artifacts import Artifacts
from infra.constructs.auth import AUTH_ID, Auth
from infra.constructs.backfill import Backfill
from infra.constructs.functions import RETENTION, Functions, with_handlers
from infra.constructs.layers import Layers
from infra.constructs.permissions import SharedResources, missing_settings
from infra.constructs.queues import Queues
from infra.constructs.schedules import Schedules
from infra.constructs.secrets import Secrets
from infra.constructs.storage import Storage
from infra.function_specs import FUNCTION_SPECS, FunctionSpec, Need, max_receive_counts, visibility_timeouts
from infra.nag import aws_solutions_checks


class PlexlaborStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        specs: Sequence[FunctionSpec] = FUNCTION_SPECS,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"{SERVICE_NAME} ({config.stage}): labor-tracking validation beside Plex",
            **kwargs,
        )
        Tags.of(self).add("service", SERVICE_NAME)
        Tags.of(self).add("stage", config.stage)

        self.alarms = Alarms(self, ALARMS_ID, stage=config.stage, email=config.alarm_email)
        self.storage = Storage(self, STORAGE_ID)
        self.queues = Queues(
            self,
            QUEUES_ID,
            visibility_timeouts={
                queue: Duration.seconds(seconds) for queue, seconds in visibility_timeouts(specs).items()
            },
            max_receive_counts=max_receive_counts(specs, config.max_receive_count),
            alarms=self.alarms,
        )
        self.secrets = Secrets(self, SECRETS_ID, stage=config.stage)
        self.artifacts = Artifacts(self, ARTIFACTS_ID)
        log_retention = RETENTION[config.log_retention_days]
        self.approval = Approval(
            self, APPROVAL_ID, stage=config.stage, queues=self.queues, log_retention=log_retention, alarms=self.alarms
        )
        present = with_handlers(specs, config.functions_root)
        # the API (and its URL, for approval links) exists once some routed function has a handler;
        # routes are added after the functions, which depend on the URL but not the other way round
        self.api = (
            Api(self, API_ID, config=config, log_retention=log_retention, alarms=self.alarms)
            if any(spec.routes for spec in present)
            else None
        )
        # the user pool exists once a function signs people in or checks their tokens; its client is
        # registered with the API's URL, so it needs the API
        signs_in = any(need in spec.needs for spec in present for need in (Need.SIGN_IN, Need.VERIFY_SIGN_IN))
        self.auth = Auth(self, AUTH_ID, stage=config.stage, app_url=self.api.url) if signs_in and self.api else None
        self.layers = Layers(self, LAYERS_ID, config=config)
        self.resources = SharedResources(
            config=config,
            storage=self.storage,
            queues=self.queues,
            secrets=self.secrets,
            artifacts=self.artifacts.bucket,
            approval=self.approval.state_machine,
            api_url=self.api.url if self.api else None,
            auth=self.auth,
        )
        self.functions = Functions(
            self, FUNCTIONS_ID, config=config, specs=specs, layers=self.layers, resources=self.resources
        )
        if self.api is not None:
            self._add_routes(self.api)
        self.schedules = Schedules(
            self, SCHEDULES_ID, config=config, specs=specs, functions=self.functions.functions, alarms=self.alarms
        )
        backfill = self.functions.functions.get(BACKFILL_FUNCTION)
        self.backfill = (
            Backfill(
                self,
                BACKFILL_ID,
                stage=config.stage,
                function=backfill,
                log_retention=log_retention,
                alarms=self.alarms,
            )
            if backfill is not None
            else None
        )
        self._outputs(config)
        Validations.of(self).add_plugins(aws_solutions_checks(self.node.root))

    def _add_routes(self, api: Api) -> None:
        """Each authorizer a route names (its function must exist), then every route."""
        specs, functions = self.functions.specs, self.functions.functions
        for name in sorted({route.authorizer for spec in specs.values() for route in spec.routes if route.authorizer}):
            if name in functions:
                api.add_authorizer(name, functions[name])
        for name, spec in specs.items():
            if spec.routes:
                api.add_routes(functions[name], spec.routes)

    def missing_settings(self) -> dict[str, list[str]]:
        """Per function in the stack, the variables it needs whose setting is not configured."""
        missing = {name: missing_settings(spec, self.resources) for name, spec in self.functions.specs.items()}
        return {name: names for name, names in missing.items() if names}

    def _outputs(self, config: DeployConfig) -> None:
        outputs = {
            "AuditTableName": self.storage.audit_table.table_name,
            "StateTableName": self.storage.state_table.table_name,
            "IdempotencyTableName": self.storage.idempotency_table.table_name,
            "AlarmTopicArn": self.alarms.topic.topic_arn,
            "ArtifactsBucketName": self.artifacts.bucket.bucket_name,
            "ApprovalStateMachineArn": self.approval.state_machine.state_machine_arn,
        }
        if self.api is not None:
            outputs["ApiUrl"] = self.api.url
            for route in self.api.routes:
                if route.path == "/punches":
                    outputs["PunchWebhookUrl"] = self.api.url_for(route.path)
                if route.path == "/login":
                    outputs["WebAppSignInUrl"] = self.api.url_for(route.path)
        if self.backfill is not None:
            outputs["BackfillStateMachineArn"] = self.backfill.state_machine.state_machine_arn
        if self.auth is not None:
            outputs["UserPoolId"] = self.auth.user_pool_id
            outputs["UserPoolClientId"] = self.auth.client_id
            outputs["HostedUiUrl"] = self.auth.hosted_ui_url
        for queue_name, queue in self.queues.queues.items():
            outputs[f"{queue_name.value.capitalize()}QueueUrl"] = queue.queue_url
        for secret_name in self.secrets.secrets:
            key = "".join(part.capitalize() for part in secret_name.value.split("-"))
            outputs[f"{key}SecretName"] = secret_path(config.stage, secret_name)
        for name, function in self.functions.functions.items():
            key = "".join(part.capitalize() for part in name.split("_"))
            outputs[f"{key}FunctionName"] = function.function_name
        for key, value in outputs.items():
            CfnOutput(self, key, value=value)
