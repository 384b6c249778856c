"""The work queues, each with a dead-letter queue and an alarm on the DLQ's depth.

- punch:     webhook and poller -> punch_validator
- notify:    approval workflow (task token in the message) -> approval_notify
- writeback: approval workflow -> plex_writeback
- replan:    crew_call_offs (a scheduled operator not clocked in) and the crew board -> crew_replan;
             FIFO with its DLQ (`QueueName.fifo`): one message group, so one re-plan at a time, in order

Every queue: SSE with SQS-managed keys, TLS enforced by queue policy. A message that fails its
queue's `max_receive_counts` times (context `plexlabor:maxReceiveCount`, default 5; the FIFO replan queue fewer,
so a failing message holds the re-plans behind it minutes, not an hour) moves to the DLQ, which
keeps it 14 days (longer than the source queue's 4, so nothing expires on the move).
Visibility timeouts and receive counts are given by the caller (`infra/function_specs.py` derives both from the
consumer's timeout): AWS's rule for Lambda consumers of a standard queue is at least 6 x the function timeout +
the batching window; the FIFO queue takes 2 x.
Alarm: DLQ `ApproximateNumberOfMessagesVisible` > 0 (max over 1 minute) -> alarm topic. The replan queue has one
more: crew_replan drops a message that would fail on every delivery rather than hold the re-plans behind it
(`plexlabor.crew.delivery`), so what the DLQ alarm would have told is told by `CrewReplanDropped` > 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constants import QueueName
from infra.constructs.alarms import Alarms

REPLANS_DROPPED_METRIC = "CrewReplanDropped"
"""crew_replan counts the messages it drops in it: `plexlabor.crew.delivery.DROPPED_METRIC` (a test keeps them
equal)."""
REPLANS_DROPPED_ALARM_ID = "ReplanMessagesDropped"
SOURCE_RETENTION = Duration.days(4)
DLQ_RETENTION = Duration.days(14)


def _pascal(name: QueueName) -> str:
    return "".join(part.capitalize() for part in name.value.split("_"))


class Queues(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        visibility_timeouts: Mapping[QueueName, Duration],
        max_receive_counts: Mapping[QueueName, int],
        alarms: Alarms,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queues: dict[QueueName, sqs.Queue] = {}
        self.dead_letter_queues: dict[QueueName, sqs.Queue] = {}
        self.dlq_alarms: dict[QueueName, cloudwatch.Alarm] = {}
        self.max_receive_count: dict[QueueName, int] = {}
        for name in QueueName:
            base = _pascal(name)
            max_receive_count = max_receive_counts[name]
            dlq = sqs.Queue(
                self,
                f"{base}DeadLetterQueue",
                retention_period=DLQ_RETENTION,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                fifo=name.fifo or None,  # a FIFO queue's DLQ must be FIFO too
            )
            self.dead_letter_queues[name] = dlq
            self.max_receive_count[name] = max_receive_count
            self.queues[name] = sqs.Queue(
                self,
                f"{base}Queue",
                visibility_timeout=visibility_timeouts[name],
                retention_period=SOURCE_RETENTION,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                fifo=name.fifo or None,
                dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=max_receive_count),
            )
            self.dlq_alarms[name] = alarms.above_zero(
                self,
                f"{base}DeadLetterQueueNotEmpty",
                description=(
                    f"Messages in the {name.value} dead-letter queue: they failed "
                    f"{max_receive_count} times. Inspect, fix, then redrive or discard."
                ),
                metric=dlq.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
                ),
            )
        self.dropped_replans_alarm = alarms.above_zero(
            self,
            REPLANS_DROPPED_ALARM_ID,
            description=(
                "crew_replan dropped replan messages that fail the same way on every delivery (not a replan message, "
                "a shift that cannot be planned), so the re-plans behind them ran: their call-offs or workcenter "
                "events were not re-planned. Its log says why ('crew re-plan dropped'); fix, then re-plan by hand."
            ),
            metric=alarms.service_metric(REPLANS_DROPPED_METRIC),
        )
