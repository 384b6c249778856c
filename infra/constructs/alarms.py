"""The alarm topic every CloudWatch alarm of the service notifies, the one shape those alarms take,
and the alarms on the service's own metrics (Powertools EMF: namespace `METRICS_NAMESPACE`, dimension
`service`): `UnroutableFindings`, review findings recorded with nobody to approve them.

CloudWatch cannot publish to a topic encrypted with the AWS-managed `aws/sns` key, so the topic
uses a small customer-managed key (rotation on) whose policy lets CloudWatch use it. Publishing
requires TLS. An e-mail subscriber is added when `plexlabor:alarmEmail` is set (the recipient
must confirm the subscription).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constants import ALARM_KEY_ID, ALARM_TOPIC_ID, METRICS_NAMESPACE, SERVICE_NAME

UNROUTABLE_FINDINGS_METRIC = "UnroutableFindings"
"""punch_validator and norms_refresh count review findings recorded unrouted (no supervisor and no
`DEFAULT_SUPERVISOR_ID`) in it: `plexlabor.intake.recording.UNROUTABLE_METRIC` (a test keeps them equal)."""
UNROUTABLE_FINDINGS_ALARM_ID = "UnroutableFindings"


class Alarms(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, email: str | None) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            ALARM_KEY_ID,
            description=f"{SERVICE_NAME} {stage}: encrypts the alarm topic",
            enable_key_rotation=True,
            pending_window=Duration.days(30),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        self.topic = sns.Topic(
            self,
            ALARM_TOPIC_ID,
            display_name=f"{SERVICE_NAME} {stage} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self._action = cloudwatch_actions.SnsAction(self.topic)
        self.unroutable_alarm = self.above_zero(
            self,
            UNROUTABLE_FINDINGS_ALARM_ID,
            description=(
                "Review findings were recorded with nobody to approve them (the employee has no supervisorId "
                "and no DEFAULT_SUPERVISOR_ID is set): audit events with payload.unrouted. Set the default "
                "supervisor or the employees' supervisors in Plex; those findings stay logged."
            ),
            metric=self.service_metric(UNROUTABLE_FINDINGS_METRIC),
        )

    @staticmethod
    def service_metric(name: str, period_minutes: int = 5) -> cloudwatch.Metric:
        """The sum of one of the functions' own metrics (every function shares the service dimension)."""
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=name,
            dimensions_map={"service": SERVICE_NAME},
            statistic="Sum",
            period=Duration.minutes(period_minutes),
        )

    def notify(self, alarm: cloudwatch.Alarm) -> cloudwatch.Alarm:
        """Send the alarm's ALARM and OK transitions to the topic."""
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        return alarm

    def above_zero(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str,
        metric: cloudwatch.IMetric,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int | None = None,
    ) -> cloudwatch.Alarm:
        """An alarm on `metric` above zero (no data is not a breach), notifying the topic.

        Every alarm of the service has this shape: something that should never happen (a message in
        a dead-letter queue, a 5xx, a failed execution) happened."""
        return self.notify(
            cloudwatch.Alarm(
                scope,
                construct_id,
                alarm_description=description,
                metric=metric,
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=evaluation_periods,
                datapoints_to_alarm=datapoints_to_alarm,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        )
