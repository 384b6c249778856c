"""PlexlaborStack: composes the constructs and registers cdk-nag. No resources are defined here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack, Tags, Validations
from constructs import Construct

from infra.config import DeployConfig
from infra.constants import (
    ALARMS_ID,
    FUNCTIONS_ID,
    LAYERS_ID,
    QUEUES_ID,
    SECRETS_ID,
    SERVICE_NAME,
    STORAGE_ID,
    secret_path,
)
from infra.constructs.alarms import Alarms
from infra.constructs.functions import Functions
from infra.constructs.layers import Layers
from infra.constructs.permissions import SharedResources
from infra.constructs.queues import Queues
from infra.constructs.secrets import Secrets
from infra.constructs.storage import Storage
from infra.function_specs import FUNCTION_SPECS, FunctionSpec, visibility_timeouts
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
            max_receive_count=config.max_receive_count,
            alarms=self.alarms,
        )
        self.secrets = Secrets(self, SECRETS_ID, stage=config.stage)
        self.layers = Layers(self, LAYERS_ID, config=config)
        self.functions = Functions(
            self,
            FUNCTIONS_ID,
            config=config,
            specs=specs,
            layers=self.layers,
            resources=SharedResources(config=config, storage=self.storage, queues=self.queues, secrets=self.secrets),
        )
        self._outputs(config)
        Validations.of(self).add_plugins(aws_solutions_checks(self.node.root))

    def _outputs(self, config: DeployConfig) -> None:
        outputs = {
            "AuditTableName": self.storage.audit_table.table_name,
            "StateTableName": self.storage.state_table.table_name,
            "IdempotencyTableName": self.storage.idempotency_table.table_name,
            "AlarmTopicArn": self.alarms.topic.topic_arn,
        }
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
