"""`LocalRuntime`: the serverless product on one machine.

    with LocalRuntime(plex=PlexEnvironment(sim.base_url)) as runtime:
        requests.post(f"{runtime.api_url}/punches", data=body, headers=signed)
        runtime.drain(timeout_s=10)
        runtime.fire("punch_poller")

On entry it starts a moto server on 127.0.0.1 (a free port unless told), turns on moto's Step
Functions execution, points every in-process boto3 client at it (environment variables, restored on
exit), creates the resources of the CDK stack from the same definitions, then starts the local API
gateway and one SQS poller per consuming function. When a function's routes sit behind the Cognito
authorizer on AWS (the web app), it also creates moto's user pool with the plant's users and lets
the gateway sign people in through a dev login page (signin.py; local only). Handlers are imported
from `functions.<name>` the first time they run; a spec whose handler does not exist yet is skipped,
as CDK skips it.
On exit everything stops, in reverse order, and moto's state is reset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import boto3
import requests
from botocore.config import Config
from pydantic import ValidationError

from infra.constants import (
    DEFAULT_APPROVAL_WAIT_SECONDS,
    DEFAULT_MAX_RECEIVE_COUNT,
    FUNCTIONS_PACKAGE,
    SERVICE_NAME,
    QueueName,
    SecretName,
)
from infra.function_specs import FUNCTION_SPECS, FunctionSpec, covering_visibility_s
from infra.wiring import environment_sources
from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.copilot import PROCEDURES_PREFIX
from plexlabor.plant import PlantFolder
from plexlabor.platform.jsonapi import field_problems
from plexlabor_dev.local.apigw import HttpReply, LocalApiGateway, Route, json_reply, routes_of
from plexlabor_dev.local.contract import CONTRACT_NAMES, ENV_PLANT_DIR, EXTRA_ACCESS, EXTRA_VARIABLES
from plexlabor_dev.local.environment import (
    FAKE_CREDENTIAL,
    ConsistentEnviron,
    EnvPatch,
    LocalResources,
    PlexEnvironment,
    aws_environment,
    cleared_aws_names,
    function_environment,
)
from plexlabor_dev.local.invoker import INVOCATION_LOCK, Invocation, Invoker, LocalFunction, RoutedStream
from plexlabor_dev.local.lifecycle import Lifecycle
from plexlabor_dev.local.mail import SentEmail, sent_emails
from plexlabor_dev.local.project import approval_definition_path
from plexlabor_dev.local.resources import create_resources
from plexlabor_dev.local.schedule import rule_arn, scheduled_event
from plexlabor_dev.local.signin import (
    HOSTED_UI_PATH,
    LOGIN_PATH,
    SIGNED_IN_FUNCTIONS,
    DevSignIn,
    LocalUser,
    LocalUserPool,
    plant_users,
)
from plexlabor_dev.local.sqs import QueuePoller, failed_message_ids
from plexlabor_dev.simulator.procedures import procedure_files

logger = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
DEFAULT_STAGE = "local"
DEFAULT_NOTIFY_SENDER = "plexlabor-local@example.com"
LOCAL_REVIEW_RECIPIENTS = {
    "hr": ("hr@example.com",),
    "planners": ("planning@example.com",),
    "ehs": ("ehs@example.com",),
}
"""Who hears of HR's and planners' kinds, and gets the incident digest, locally (`plexlabor:reviewRecipients`)."""
_QUIET_LOGGERS = ("werkzeug", "moto")  # moto's server logs every request; its Step Functions every timeout
_ACTIVE: list[LocalRuntime] = []  # at most one per process
_ACTIVE_LOCK = threading.Lock()
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=30)


AS_OF_PLANT_END: dict[str, tuple[str, str]] = {
    "norms_refresh": ("as_of", "instant"),
    "forecast_nightly": ("as_of", "instant"),
    "crew_planner": ("date", "day"),
    "crew_call_offs": ("as_of", "instant"),
    "skills_daily": ("as_of", "day"),
    "allocation_nightly": ("day", "day"),
    "analytics_nightly": ("as_of", "day"),
    "incident_trends": ("as_of", "day"),
}
"""Schedules that run as of a moment: their detail field, and whether it takes an instant or a plant-local day."""


BATCHING_WINDOW_ENV = "PLEXLABOR_LOCAL_MAX_BATCHING_WINDOW_S"
"""Seconds that cap every queue's batching window when `LocalRuntime` is given none (the tests set it short);
unset, the local runtime batches as AWS does (approval_notify's 60 s: one digest per supervisor for a burst)."""


def _window_cap() -> float | None:
    value = os.environ.get(BATCHING_WINDOW_ENV, "").strip()
    return float(value) if value else None


class LocalRuntime(Lifecycle):
    """moto + local API gateway + SQS pollers + on-demand schedules, as a context manager.

    Arguments that shape what functions see:
    - `plex`: the Plex base URL (the simulator), write mode and other `PLEXLABOR_PLEX_*` settings
      for functions that read Plex; `secret_values` sets secrets (e.g. the simulator's API key),
      the rest are generated;
    - `plant_dir` / `timezone`: where the intake functions read labor data (a plant folder instead
      of Plex: `PLEXLABOR_PLANT_DIR`), `default_supervisor_id`, `approval_wait_s` (seconds per
      approval stage; seconds in tests, hours on AWS);
    - `log_level` (LOG_LEVEL of every function) and `handler_output`: where handlers' stdout and
      stderr go (their logs and EMF metric lines; CloudWatch on AWS), default the process's own;
      `on_invocation`: told of every handler call once it is over;
    - `environment`: variables every function gets on top of its own; `function_environment`: per
      function name, on top of that;
    - `max_receive_count` (redrive to the DLQ), `visibility_timeout_s` (how soon a failed message
      comes back: seconds here, 6 x the function timeout on AWS; each queue adds its consumer's batching window,
      as on AWS: `visibility_s`), `poll_wait_s` (long-poll wait),
      `max_batching_window_s` (caps a spec's batching window: a poller that got fewer than
      `batch_size` messages keeps collecting for up to that long, as Lambda's window does; by default
      `BATCHING_WINDOW_ENV` if set, else no cap: each queue batches for its spec's window, as on AWS).
    - `users`: who can sign in to the web app (default `signin.plant_users(plant_dir)`: the plant's
      supervisors, a planner, an hr and an admin user), all with `signin.LOCAL_PASSWORD`; the user pool
      exists only when a signed-in function (`signin.SIGNED_IN_FUNCTIONS`) has routes;
    - `rollout`: the phased-rollout settings by `infra.wiring.Setting` value (`pilot_departments`,
      `pilot_workcenters`, `pilot_shifts`, `notify_kinds`, `advisory_mode`); none by default (plant-wide).
    - `validation_policy`: the plant's validation policy as `plexlabor:validationPolicy` gives it (compact JSON,
      `plexlabor.validation.policy.policy_json`): the validating functions' `VALIDATION_POLICY`; None: the code's.
    For tests: `specs`, `functions_package` and `routes` (default: the specs' own) replace the real functions.
    """

    def __init__(
        self,
        *,
        plex: PlexEnvironment | None = None,
        secret_values: Mapping[SecretName, str] | None = None,
        environment: Mapping[str, str] | None = None,
        function_environment: Mapping[str, Mapping[str, str]] | None = None,
        stage: str = DEFAULT_STAGE,
        region: str = DEFAULT_REGION,
        host: str = "127.0.0.1",
        moto_port: int = 0,
        api_port: int = 0,
        max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
        visibility_timeout_s: int = 1,
        poll_wait_s: int = 1,
        max_batching_window_s: float | None = None,
        start_pollers: bool = True,
        log_level: str = "WARNING",
        handler_output: TextIO | None = None,
        on_invocation: Callable[[Invocation], None] | None = None,
        notify_sender: str = DEFAULT_NOTIFY_SENDER,
        plant_dir: Path | str | None = None,
        timezone: str | None = None,
        default_supervisor_id: str | None = None,
        approval_wait_s: int = DEFAULT_APPROVAL_WAIT_SECONDS,
        state_machine_file: Path | None = None,
        specs: Iterable[FunctionSpec] = FUNCTION_SPECS,
        functions_package: str = FUNCTIONS_PACKAGE,
        routes: Iterable[Route] | None = None,
        users: Iterable[LocalUser] | None = None,
        rollout: Mapping[str, object] | None = None,
        validation_policy: str | None = None,
    ) -> None:
        if visibility_timeout_s < 0 or poll_wait_s < 0 or max_receive_count < 1:
            raise ValueError("visibility_timeout_s and poll_wait_s must be >= 0, max_receive_count >= 1")
        self.plex = plex or PlexEnvironment(base_url="http://127.0.0.1:9")  # nothing listens on port 9
        self._secret_values = dict(secret_values or {})
        self._environment = dict(environment or {})
        self._function_environment = {name: dict(env) for name, env in (function_environment or {}).items()}
        self.stage, self.region, self.host = stage, region, host
        self._moto_port, self._api_port = moto_port, api_port
        self.max_receive_count = max_receive_count
        self.visibility_timeout_s, self.poll_wait_s = visibility_timeout_s, poll_wait_s
        self.max_batching_window_s = max_batching_window_s if max_batching_window_s is not None else _window_cap()
        self._start_pollers = start_pollers
        self.log_level = log_level
        self.notify_sender = notify_sender
        self.plant_dir = None if plant_dir is None else Path(plant_dir).resolve()
        self.timezone = timezone
        self.default_supervisor_id = default_supervisor_id
        self.approval_wait_s = approval_wait_s
        self.state_machine_file = state_machine_file if state_machine_file is not None else approval_definition_path()
        self.specs = {spec.name: spec for spec in specs}
        self.functions_package = functions_package
        self.routes = tuple(routes) if routes is not None else routes_of(self.specs.values())
        self._users = None if users is None else list(users)
        self.rollout = dict(rollout or {})
        self.validation_policy = validation_policy
        self.user_pool: LocalUserPool | None = None

        self._moto: Any = None
        self.moto_url = ""
        self.resources: LocalResources | None = None
        self._secrets: dict[SecretName, str] = {}
        self.functions: dict[str, LocalFunction] = {}
        self.skipped: tuple[str, ...] = ()
        self.invoker = Invoker({}, output=handler_output, on_invocation=on_invocation)
        self.gateway: LocalApiGateway | None = None
        self.pollers: dict[str, QueuePoller] = {}
        self._session: boto3.session.Session | None = None
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    # -- lifecycle (start, stop, context manager: Lifecycle) ---------------------------------------
    def _open(self, stack: contextlib.ExitStack) -> None:
        with _ACTIVE_LOCK:
            if self.started:
                raise RuntimeError("the local runtime is already started")
            if _ACTIVE:
                raise RuntimeError(
                    "another LocalRuntime is running in this process: moto's state and the environment "
                    "are process-wide, so stop it first"
                )
            _ACTIVE.append(self)
        stack.callback(_ACTIVE.remove, self)
        self._start(stack)

    def _start(self, stack: contextlib.ExitStack) -> None:
        self._quiet_loggers(stack)
        self._start_moto(stack)
        self._patch_process(stack)
        self._configure_moto(stack)
        self.resources, self._secrets = create_resources(
            {name: self.client(name) for name in ("dynamodb", "sqs", "secretsmanager", "s3", "ses", "stepfunctions")},
            stage=self.stage,
            region=self.region,
            max_receive_count=self.max_receive_count,
            visibility_timeouts={queue: self.visibility_s(queue) for queue in QueueName},
            secret_values=self._secret_values,
            notify_sender=self.notify_sender,
            state_machine_file=self.state_machine_file,
        )
        stack.callback(self._stop_executions)
        self._upload_procedures()
        sign_in = self._create_user_pool(stack)
        self.gateway = LocalApiGateway(
            lambda name, event: self.invoker.invoke(name, event, trigger="api"),
            self.routes,
            host=self.host,
            port=self._api_port,
            stage=self.stage,
            region=self.region,
            control=self._control,
            authorizer=sign_in,
        ).start()
        stack.callback(self.gateway.stop)
        self.resources = dataclasses.replace(
            self.resources,
            max_receive_count=self.max_receive_count,
            api_url=self.gateway.url,
            timezone=self.timezone,
            default_supervisor_id=self.default_supervisor_id,
            approval_wait_s=self.approval_wait_s,
            user_pool_id=self.user_pool.pool_id if self.user_pool else None,
            user_pool_client_id=self.user_pool.client_id if self.user_pool else None,
            hosted_ui_url=f"{self.gateway.url}{HOSTED_UI_PATH}" if self.user_pool else None,
            rollout=self.rollout,
            validation_policy=self.validation_policy,
            review_hr_emails=LOCAL_REVIEW_RECIPIENTS["hr"],
            review_planner_emails=LOCAL_REVIEW_RECIPIENTS["planners"],
            review_ehs_emails=LOCAL_REVIEW_RECIPIENTS["ehs"],
        )
        self._build_functions(stack)
        if self._start_pollers:
            self._start_queue_pollers(stack)

    def _upload_procedures(self) -> None:
        """A generated plant's SOPs and molding process data where a plant uploads its own
        (`copilot/procedures/` of the artifacts bucket), for copilot_index to build the copilot's index from."""
        if self.plant_dir is None:
            return
        assert self.resources is not None
        for name, body in procedure_files(PlantFolder(self.plant_dir)).items():
            self.client("s3").put_object(
                Bucket=self.resources.artifacts_bucket, Key=PROCEDURES_PREFIX + name, Body=body
            )

    def _create_user_pool(self, stack: contextlib.ExitStack) -> DevSignIn | None:
        """moto's user pool and the dev sign-in, if a signed-in function has routes."""
        if not any(route.function in SIGNED_IN_FUNCTIONS or route.authorizer for route in self.routes):
            return None
        users = self._users if self._users is not None else plant_users(self.plant_dir)
        pool = LocalUserPool(self.client("cognito-idp"), self.region, f"{SERVICE_NAME}-{self.stage}-users")
        self.user_pool = pool.create(users)
        stack.callback(setattr, self, "user_pool", None)
        return DevSignIn(pool)

    def _quiet_loggers(self, stack: contextlib.ExitStack) -> None:
        for name in _QUIET_LOGGERS:
            quiet = logging.getLogger(name)
            stack.callback(quiet.setLevel, quiet.level)
            quiet.setLevel(logging.CRITICAL)

    def _start_moto(self, stack: contextlib.ExitStack) -> None:
        from moto.server import ThreadedMotoServer

        from plexlabor_dev.local import dynamodb_speedups

        if self._moto_port:
            _check_port_free(self.host, self._moto_port)  # moto's thread would wait forever on a taken port
        stack.callback(dynamodb_speedups.install())
        server = ThreadedMotoServer(ip_address=self.host, port=self._moto_port, verbose=False)
        server.start()
        self._moto = server

        def stop_moto() -> None:
            self._clients.clear()
            self._session = None
            server.stop()
            inner = getattr(server, "_server", None)
            if inner is not None:
                inner.server_close()  # ThreadedMotoServer.stop leaves the socket open
            self._moto = None

        stack.callback(stop_moto)
        host, port = server.get_host_and_port()
        self.moto_port = port
        self.moto_url = f"http://{host}:{port}"

    def _patch_process(self, stack: contextlib.ExitStack) -> None:
        for which in ("stdout", "stderr"):
            stream = getattr(sys, which)
            stack.callback(setattr, sys, which, stream)
            setattr(sys, which, RoutedStream(stream, which))
        stack.callback(ConsistentEnviron.install())  # other threads read os.environ while handlers change it

        managed = set()
        for spec in self.specs.values():
            managed |= set(spec.environment)
        managed |= set(self._environment)
        for env in self._function_environment.values():
            managed |= set(env)
        patch = EnvPatch(
            aws_environment(self.moto_url, self.region, self.moto_port),
            unset=[*cleared_aws_names(os.environ), *managed, *_managed_names(self.specs.values()), *CONTRACT_NAMES],
        ).apply()
        stack.callback(patch.restore)
        previous_session = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = None  # a session made before would keep its own credentials
        stack.callback(setattr, boto3, "DEFAULT_SESSION", previous_session)
        modules_before = set(sys.modules)
        stack.callback(self._forget_handlers, modules_before)
        _reset_process_caches()
        stack.callback(_reset_process_caches)
        self._route_handler_logger(stack)

    def _route_handler_logger(self, stack: contextlib.ExitStack) -> None:
        """The handlers' Powertools logger takes LOG_LEVEL and binds its stream (`sys.stdout`) when it is
        first imported: in a process that imported it before this runtime (a test session, an earlier
        runtime) its lines would bypass the handler output at another level. On AWS each function is its
        own process, so here this runtime's level and routed stdout are set, and restored afterwards."""
        handler_logger = logging.getLogger(SERVICE_NAME)
        stack.callback(handler_logger.setLevel, handler_logger.level)
        handler_logger.setLevel(self.log_level)
        for handler in handler_logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler.stream, RoutedStream):
                stack.callback(handler.setStream, handler.stream)
                if getattr(handler.stream, "closed", False):  # e.g. an earlier test's captured stdout:
                    handler.stream = sys.stdout  # setStream would flush it first and raise
                else:
                    handler.setStream(sys.stdout)

    def _forget_handlers(self, modules_before: set[str]) -> None:
        """Drop handler modules imported by this runtime, so the next one cold-starts them."""
        package = self.functions_package
        for name in list(sys.modules):
            if (name == package or name.startswith(package + ".")) and name not in modules_before:
                del sys.modules[name]

    def _configure_moto(self, stack: contextlib.ExitStack) -> None:
        session = requests.Session()
        stack.callback(session.close)
        previous = session.get(f"{self.moto_url}/moto-api/config", timeout=5).json()
        session.post(f"{self.moto_url}/moto-api/reset", timeout=5).raise_for_status()
        session.post(
            f"{self.moto_url}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=5,
        ).raise_for_status()
        was_executing = bool(previous.get("stepfunctions", {}).get("execute_state_machine", False))

        def restore() -> None:
            with contextlib.suppress(requests.RequestException):
                session.post(f"{self.moto_url}/moto-api/reset", timeout=5)
                session.post(
                    f"{self.moto_url}/moto-api/config",
                    json={"stepfunctions": {"execute_state_machine": was_executing}},
                    timeout=5,
                )

        stack.callback(restore)

    def _stop_executions(self) -> None:
        """Stop approval executions still waiting, so no timer fires after moto is gone."""
        if self.resources is None or self.resources.state_machine_arn is None:
            return
        sfn = self.client("stepfunctions")
        with contextlib.suppress(Exception):
            running = sfn.list_executions(stateMachineArn=self.resources.state_machine_arn, statusFilter="RUNNING")
            for execution in running.get("executions", []):
                with contextlib.suppress(Exception):
                    sfn.stop_execution(executionArn=execution["executionArn"], cause="local runtime stopped")

    def _build_functions(self, stack: contextlib.ExitStack) -> None:
        assert self.resources is not None
        skipped = []
        for spec in self.specs.values():
            function = LocalFunction(
                spec=spec,
                module=f"{self.functions_package}.{spec.name}.handler",
                environment=self.environment_for(spec.name),
                function_name=f"{SERVICE_NAME}-{self.stage}-{spec.name}",
                region=self.region,
            )
            if function.available():
                self.functions[spec.name] = function
            else:
                skipped.append(spec.name)
        self.skipped = tuple(skipped)
        if skipped:
            logger.info("no handler yet for %s: skipped", ", ".join(skipped))
        self.invoker.functions.update(self.functions)
        assert self.gateway is not None
        self.gateway.set_routes(route for route in self.routes if route.function in self.functions)
        stack.callback(self.functions.clear)

    def _start_queue_pollers(self, stack: contextlib.ExitStack) -> None:
        assert self.resources is not None
        resources = self.resources
        sqs = self.client("sqs")
        for function in self.functions.values():
            queue = function.spec.consumes
            if queue is None:
                continue
            poller = QueuePoller(
                sqs=sqs,
                function=function.name,
                queue_url=resources.queue_urls[queue],
                queue_arn=resources.queue_arns[queue],
                region=self.region,
                invoke=self._sqs_invoke,
                batch_size=function.spec.batch_size,
                wait_s=self.poll_wait_s,
                batching_window_s=self.batching_window_s(function.spec),
            )
            self.pollers[function.name] = poller.start()
        stack.callback(self._stop_pollers)

    def batching_window_s(self, spec: FunctionSpec) -> float:
        """How long the poller of `spec`'s queue collects a batch: the spec's window (AWS's), at most the cap."""
        if self.max_batching_window_s is None:
            return float(spec.max_batching_window_s)
        return min(spec.max_batching_window_s, self.max_batching_window_s)

    def visibility_s(self, queue: QueueName) -> int:
        """The visibility timeout of `queue`: `visibility_timeout_s` (the consumer's run; seconds here) plus the
        batching window of its consumer's poller, as the stack's (`covering_visibility_s`), so a batch that waits out
        its window (approval_notify's 60 s) keeps its receipt handles and never reaches the DLQ for succeeding."""
        windows = [self.batching_window_s(spec) for spec in self.specs.values() if spec.consumes is queue]
        return covering_visibility_s(self.visibility_timeout_s, max(windows, default=0.0))

    def _stop_pollers(self) -> None:
        for poller in self.pollers.values():
            poller.signal_stop()  # all at once: each may be in a long poll of poll_wait_s
        for poller in self.pollers.values():
            poller.stop(timeout_s=self.poll_wait_s + 10.0)
        self.pollers.clear()

    def _sqs_invoke(self, name: str, event: dict[str, Any], count: int) -> Any:
        ids = [record["messageId"] for record in event["Records"]]
        return self.invoker.invoke(
            name,
            event,
            trigger="sqs",
            records=count,
            failed_records=lambda result: len(failed_message_ids(result, ids)),
        )

    def default_detail(self, function: str) -> dict[str, Any]:
        """What a schedule fired without a body asks over a generated plant, whose data ends in the past (so
        "until now" would read nothing and "today" has no data): the poller reads the plant's last day; the
        schedules that run as of a moment run as of the plant's end (`AS_OF_PLANT_END`). Other schedules,
        and any schedule over a real Plex, take the event's own time."""
        if self.plant_dir is None:
            return {}
        meta = PlantFolder(self.plant_dir).meta()
        if function == "punch_poller":
            return {"since": (meta.end - timedelta(days=1)).isoformat(), "until": meta.end.isoformat()}
        if function not in AS_OF_PLANT_END:
            return {}
        field, kind = AS_OF_PLANT_END[function]
        last_day = (meta.end - timedelta(microseconds=1)).astimezone(ZoneInfo(meta.timezone)).date()
        return {field: meta.end.isoformat() if kind == "instant" else last_day.isoformat()}

    def _control(self, method: str, path: str, body: bytes) -> HttpReply:
        """`/_local/...` on the API port: `POST schedules/<function>` (optional JSON body: the event's
        `detail`, else `default_detail`) fires a schedule; `GET emails` lists the captured e-mails with
        their links."""
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 2 and parts[0] == "schedules":
            if parts[1] not in self.functions:
                return json_reply(404, {"message": f"no function {parts[1]!r}", "functions": sorted(self.functions)})
            try:
                detail = json.loads(body) if body.strip() else self.default_detail(parts[1])
                if not isinstance(detail, dict):
                    raise ValueError("the detail must be a JSON object")
            except ValueError as error:
                return json_reply(400, {"message": str(error)})
            try:
                return json_reply(200, self.fire(parts[1], detail=detail))
            except ValidationError as error:  # the function's event model refused the detail: the caller's to fix
                problems = [problem.model_dump() for problem in field_problems(error)]
                return json_reply(400, {"message": f"{parts[1]} refused the detail", "errors": problems})
            except Exception as error:
                return json_reply(500, {"message": f"{type(error).__name__}: {error}"})
        if method == "GET" and parts == ["emails"]:
            return json_reply(
                200,
                [
                    {"to": list(mail.to), "subject": mail.subject, "links": mail.links(self.api_url)}
                    for mail in self.sent_emails()
                ],
            )
        return json_reply(404, {"message": "local controls: POST /_local/schedules/<function>, GET /_local/emails"})

    # -- what functions see -------------------------------------------------------------------------
    def environment_for(self, name: str) -> dict[str, str]:
        """Function `name`'s environment variables in this runtime: `infra.wiring`'s (the deployed
        names) with local values, the local-only ones (`plexlabor_dev.local.contract`), then
        `environment` and `function_environment` from the constructor and `set_environment`."""
        if self.resources is None:
            raise RuntimeError("the local runtime is not started")
        spec = self.specs[name]
        missing = tuple(access for access in EXTRA_ACCESS.get(name, ()) if access not in spec.access)
        if missing:
            spec = dataclasses.replace(spec, access=spec.access + missing)
        local_only = {ENV_PLANT_DIR: None if self.plant_dir is None else str(self.plant_dir)}
        extra: dict[str, str] = {}
        for key in EXTRA_VARIABLES.get(name, ()):
            value = local_only.get(key)
            if value is not None:
                extra[key] = value
        extra.update(self._environment)
        extra.update(self._function_environment.get(name, {}))
        return function_environment(
            spec, self.resources, self.plex, stage=self.stage, log_level=self.log_level, extra=extra
        )

    def set_environment(self, values: Mapping[str, str], *, functions: Iterable[str] | None = None) -> None:
        """Change variables of the running functions (all, or those named), as updating a Lambda's
        configuration does: the next invocation sees them."""
        names = list(self.specs) if functions is None else list(functions)
        with INVOCATION_LOCK:
            for name in names:
                if name not in self.specs:
                    raise KeyError(f"no function {name!r}")
                self._function_environment.setdefault(name, {}).update(values)
                if name in self.functions:
                    self.functions[name].environment = self.environment_for(name)

    @contextlib.contextmanager
    def environment_while(self, values: Mapping[str, str], *, functions: Iterable[str] | None = None) -> Iterator[None]:
        """`set_environment` for the `with` block only: after it each function's variables are as before (ux_s17 H2:
        the demo's approval waits of seconds for one poll stayed, and every finding after the demo expired)."""
        names = list(self.specs) if functions is None else list(functions)
        before = {name: dict(self._function_environment[name]) for name in names if name in self._function_environment}
        self.set_environment(values, functions=names)
        try:
            yield
        finally:
            with INVOCATION_LOCK:
                for name in names:
                    if name in before:
                        self._function_environment[name] = before[name]
                    else:
                        self._function_environment.pop(name, None)
                    if name in self.functions:
                        self.functions[name].environment = self.environment_for(name)

    # -- using it -----------------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        if self.gateway is None:
            raise RuntimeError("the local runtime is not started")
        return self.gateway.url

    def client(self, service: str) -> Any:
        """A boto3 client on the moto server (works whatever the process environment says)."""
        if not self.moto_url:
            raise RuntimeError("the local runtime is not started")
        with self._clients_lock:
            if service not in self._clients:
                if self._session is None:
                    self._session = boto3.session.Session(
                        aws_access_key_id=FAKE_CREDENTIAL,
                        aws_secret_access_key=FAKE_CREDENTIAL,
                        region_name=self.region,
                    )
                self._clients[service] = self._session.client(
                    service, endpoint_url=self.moto_url, config=_CLIENT_CONFIG
                )
            return self._clients[service]

    def secret_value(self, name: SecretName) -> str:
        return self._secrets[name]

    def invoke(self, name: str, event: Any) -> Any:
        """Call a function directly (as `aws lambda invoke` would)."""
        return self.invoker.invoke(name, event, trigger="direct")

    def fire(self, name: str, detail: Mapping[str, Any] | None = None) -> Any:
        """Fire function `name`'s schedule now: an EventBridge scheduled event, in process."""
        event = scheduled_event(rule_arn(self.region, self.stage, name), self.region, detail=detail)
        return self.invoker.invoke(name, event, trigger="schedule")

    def invocations(self, function: str | None = None) -> list[Invocation]:
        return self.invoker.invocations(function)

    def sent_emails(self) -> list[SentEmail]:
        return sent_emails(self.region)

    def audit_store(self) -> DynamoDbAuditStore:
        """The audit table through the product's own adapter."""
        assert self.resources is not None
        return DynamoDbAuditStore(self.resources.audit_table, client=self.client("dynamodb"))

    def artifact(self, key: str) -> bytes:
        """The object `key` of the artifacts bucket: what a function stored there (a report, a model)."""
        assert self.resources is not None
        body: bytes = self.client("s3").get_object(Bucket=self.resources.artifacts_bucket, Key=key)["Body"].read()
        return body

    def queue_depth(self, queue: QueueName, *, dlq: bool = False) -> int:
        """Messages in a queue (or its DLQ), visible or in flight."""
        assert self.resources is not None
        url = (self.resources.dlq_urls if dlq else self.resources.queue_urls)[queue]
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def dlq_bodies(self, queue: QueueName) -> list[Any]:
        """The bodies in a DLQ (JSON-decoded when they are JSON); they stay in the DLQ."""
        assert self.resources is not None
        sqs = self.client("sqs")
        answer = sqs.receive_message(
            QueueUrl=self.resources.dlq_urls[queue], MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0
        )
        bodies = []
        for message in answer.get("Messages", []):
            try:
                bodies.append(json.loads(message["Body"]))
            except json.JSONDecodeError:
                bodies.append(message["Body"])
        return bodies

    def idle(self) -> bool:
        """No handler running and nothing waiting in (or in flight from) a polled queue."""
        if self.invoker.running:
            return False
        consumed = {function.spec.consumes for function in self.functions.values() if function.name in self.pollers}
        return all(self.queue_depth(queue) == 0 for queue in QueueName if queue in consumed)

    def drain(self, timeout_s: float = 30.0, *, settle_s: float = 0.3) -> float:
        """Wait until `idle()` holds for `settle_s`; the seconds waited. TimeoutError names the backlog."""
        started = time.monotonic()
        deadline = started + timeout_s
        quiet_since: float | None = None
        while True:
            now = time.monotonic()
            if self.idle():
                quiet_since = quiet_since if quiet_since is not None else now
                if now - quiet_since >= settle_s:
                    return now - started
            else:
                quiet_since = None
            if now >= deadline:
                backlog = {queue.value: self.queue_depth(queue) for queue in QueueName}
                raise TimeoutError(
                    f"not drained after {timeout_s:.0f} s: queues {backlog}, {self.invoker.running} running"
                )
            time.sleep(0.05)

    def wait_for(
        self, condition: Callable[[], Any], timeout_s: float = 30.0, *, interval_s: float = 0.1, what: str = ""
    ) -> Any:
        """Poll `condition` until it returns something truthy (returned) or `timeout_s` passes."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what or condition!r}")
            time.sleep(interval_s)

    @property
    def app_url(self) -> str:
        """The web app's review queue (sign in first: `login_url`)."""
        return f"{self.api_url}/queue"

    @property
    def login_url(self) -> str:
        """The dev login page (local only; "" when the runtime has no user pool)."""
        return f"{self.api_url}{LOGIN_PATH}" if self.user_pool is not None else ""

    def urls(self) -> dict[str, str]:
        urls = {"api": self.api_url, "moto": self.moto_url}
        if self.user_pool is not None:
            urls |= {"app": self.app_url, "login": self.login_url}
        return urls

    def describe(self) -> dict[str, Any]:
        """Names, URLs and ARNs of everything (for `plexlabor local up` and debugging)."""
        assert self.resources is not None
        resources = dataclasses.asdict(self.resources)
        return {
            "urls": self.urls(),
            "functions": sorted(self.functions),
            "skipped": list(self.skipped),
            "resources": json.loads(json.dumps(resources, default=str)),
        }


def _managed_names(specs: Iterable[FunctionSpec]) -> set[str]:
    """Every variable a function could receive from the infra mapping (cleared while running, so a
    developer's shell cannot leak e.g. a real table name into a function that was not granted it)."""
    return {name for spec in specs for name in environment_sources(spec)}


def _reset_process_caches() -> None:
    """Forget clients and values the product caches per process (a warm Lambda's), so nothing of a
    previous runtime (its moto port, its secrets) survives into the next one. Only modules already
    imported can hold anything."""
    approval_wiring = sys.modules.get("plexlabor.approval.wiring")
    if approval_wiring is not None:
        approval_wiring.reset()  # the approval services (PerEnvironment caches)
    platform_aws = sys.modules.get("plexlabor.platform.aws")
    if platform_aws is not None:
        platform_aws.reset()  # every function's AWS clients and cached secret values
    plex_settings = sys.modules.get("plexlabor.plex.settings")
    if plex_settings is not None:
        plex_settings.load_plex_settings.cache_clear()
    settings = sys.modules.get("plexlabor.platform.settings")
    if settings is not None:  # every function's dependencies (`PerEnvironment`, in its capability's wiring)
        for module in [module for name, module in list(sys.modules.items()) if name.startswith("plexlabor.")]:
            for value in list(vars(module).values()):
                if isinstance(value, settings.PerEnvironment):
                    value.cache_clear()
    if "aws_lambda_powertools.utilities.parameters" in sys.modules:
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind: TIME_WAIT is free
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"cannot serve moto on {host}:{port}: {error.strerror or error}") from None
