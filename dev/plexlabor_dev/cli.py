"""The `plexlabor` command. Each subcommand imports its capability lazily, so `--help` stays fast."""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plexlabor.plex.errors import PlexError
from plexlabor_dev.local.project import repo_root


def _lazy(target: str) -> Callable[[argparse.Namespace], int]:
    """Return a runner that imports `module:function` only when the subcommand is used."""

    def run(args: argparse.Namespace) -> int:
        module_name, function_name = target.split(":")
        function: Callable[[argparse.Namespace], Any] = getattr(importlib.import_module(module_name), function_name)
        return int(function(args) or 0)

    return run


def _with_progress(run: Callable[[argparse.Namespace], int], name: str) -> Callable[[argparse.Namespace], int]:
    """Run a long command with its live progress line on a terminal's stderr (`--quiet`: none)."""

    def progressing(args: argparse.Namespace) -> int:
        from plexlabor_dev.progress import Progress

        with Progress(name, quiet=bool(getattr(args, "quiet", False))):
            return run(args)

    return progressing


@dataclass(frozen=True)
class Arg:
    """One argument: its flags (or positional name) and `add_argument`'s keywords."""

    flags: tuple[str, ...]
    options: Mapping[str, Any]

    def helped(self, text: str) -> Arg:
        """The same argument with another help text."""
        return Arg(self.flags, {**self.options, "help": text})

    def add_to(self, parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
        parser.add_argument(*self.flags, **self.options)


def port(text: str) -> int:
    """An argparse type: a TCP port, 0 to 65535 (0: any free one); argparse names the flag when it is not."""
    number = int(text)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0 to 65535)")
    return number


def approval_wait(text: str) -> int:
    """An argparse type: seconds an approval stage waits, as a deployment allows them (1 s to 7 days)."""
    from infra.constants import MAX_APPROVAL_WAIT_SECONDS

    seconds = int(text)
    if not 1 <= seconds <= MAX_APPROVAL_WAIT_SECONDS:
        raise argparse.ArgumentTypeError(f"{text} is not a wait in seconds (1 to {MAX_APPROVAL_WAIT_SECONDS})")
    return seconds


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class OneOf:
    """Exactly one of these arguments (a required mutually exclusive group)."""

    args: tuple[Arg, ...]

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        for argument in self.args:
            argument.add_to(group)


@dataclass(frozen=True)
class Command:
    """A subcommand: `path` is its words ("crew plan" is `plan` under the `crew` group), `run` the
    `module:function` that runs it (imported only then)."""

    path: str
    help: str
    run: str
    args: tuple[Arg | OneOf, ...] | Callable[[], tuple[Arg | OneOf, ...]] = ()
    """Its arguments; a function making them when the command parses or shows its help (`Subcommand.later`)."""
    progress: bool = False
    """A long command: on a terminal, a live line on stderr says what it does (`--quiet` added)."""


PLANT = arg("--plant", required=True, help="plant folder")
JSON = arg("--json", action="store_true", help="print JSON")
QUIET = arg("--quiet", action="store_true", help="no progress line on stderr")
AUDIT_TABLE = arg("--audit-table", help="audit table name (default: env AUDIT_TABLE_NAME)")
ENDPOINT_URL = arg("--endpoint-url", help="AWS endpoint (e.g. the local runtime's moto server)")
"""Arguments several commands take (some with their own help text)."""

GROUPS = {
    "plant": "synthetic plants with ground-truth labels",
    "crew": "optimal crew assignment",
    "writeback": "write-backs to Plex",
    "model": "the model registries (models/scorer/, or models/incidents/ with --of incidents)",
    "copilot": "the operator copilot: procedures retrieved and answered with citations",
    "local": "the serverless product on one machine (moto + simulator)",
    "analytics": "operator and team scores (efficiency, quality, reliability)",
    "allocation": "labor cost allocation: where each paid minute went",
    "incidents": "incident and near-miss reports: OIICS auto-categorization",
    "dlq": "the work queues' dead-letter queues: what is in them, and moving it back",
}
"""Commands that only hold subcommands (an ACTION); the first command under one adds it."""

MODEL_WHERE = (
    arg("--of", choices=("scorer", "incidents"), default="scorer", help="whose registry (default: the scorer's)"),
    arg("--artifacts-dir", help="folder holding models/scorer/ or models/incidents/ (instead of the bucket)"),
    arg("--bucket", help="artifacts bucket (default: env ARTIFACTS_BUCKET_NAME)"),
    AUDIT_TABLE,
    ENDPOINT_URL,
    arg("--local", action="store_true", help="the running `plexlabor local up`: its bucket, table and moto"),
)


def _who_runs() -> str:
    """Who a command records as acting when `--actor` is not given: "cli:<login>" for the login running it (ux_s17 L12:
    every CLI revert and model move read "by cli"); "cli" when the login cannot be read."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name nor passwd entry (a container's bare uid)
        return "cli"


CLI_ACTOR = _who_runs()
"""The default `--actor`: "cli:<login>"."""
MODEL_ARGS = (
    arg(
        "version",
        help="a stored model version, e.g. scorer-1a2b3c4d5e or oiics-1a2b3c4d5e (`model list`), or 'packaged' for "
        "the packaged model",
    ),
    *MODEL_WHERE,
    arg("--actor", default=CLI_ACTOR, help="who moves the model (recorded in the audit table)"),
)
"""`model promote` and `model rollback` take the same arguments; `model list` where they look."""
COPILOT_PROCEDURES = arg("--procedures", required=True, help="procedure file (JSON lines: guide_id, title, steps)")
COPILOT_LEXICAL = arg("--lexical", action="store_true", help="BM25 only, without the sentence encoder")
NARRATIVE = arg("narrative", help="what happened, in words")
INCIDENT_MODEL = arg("--model", help="model file (default: the packaged model, `make incidents-model`)")
PLANT_ZONE = arg("--timezone", default="UTC", help="the plant's IANA zone")

DLQ_WHERE = (
    arg("--local", action="store_true", help="the running `plexlabor local up` (moto: messages moved by hand)"),
    arg("--stack", help="a deployed stack's name (its outputs name the queues), e.g. plexlabor-prod"),
    arg("--by-hand", action="store_true", help="move messages here instead of an SQS message move task"),
)
"""Where `dlq list` and `dlq redrive` find the queues."""


def work_queues() -> str:
    """The work queues `dlq` takes by name: every one `infra.constants.QueueName` defines (each has a DLQ). Read
    from the checkout only when a dlq command parses: the other commands run where it is not (an installed package)."""
    repo_root()  # `infra` lives at the root of the checkout, not in an installed package
    from infra.constants import QueueName

    return ", ".join(QueueName)


def dlq_list_args() -> tuple[Arg | OneOf, ...]:
    return (arg("queue", nargs="?", help=f"{work_queues()} or a queue URL (default: all)"), *DLQ_WHERE)


def dlq_redrive_args() -> tuple[Arg | OneOf, ...]:
    return (
        arg("queue", help=f"{work_queues()} or a queue URL"),
        *DLQ_WHERE,
        arg("--rate", type=int, help="move task: at most this many messages a second (default: SQS's)"),
        arg("--max", type=int, help="by hand: move at most this many messages (default 10,000)"),
    )


COMMANDS: tuple[Command, ...] = (
    Command(
        "plant generate",
        "generate a deterministic plant folder",
        "plexlabor_dev.simulator.generator:generate_command",
        (
            arg("--out", required=True, help="folder to write the plant into"),
            arg("--employees", type=int, default=20, help="number of employees (20..5000+)"),
            arg("--weeks", type=int, default=8, help="weeks of history"),
            arg("--seed", type=int, default=1, help="random seed (same seed, same plant)"),
            arg(
                "--anomaly-rate",
                type=float,
                default=0.05,
                help="share of worked shift-days with an injected anomaly (other kinds scale with it)",
            ),
            arg("--end", help="last day of history, YYYY-MM-DD (default: fixed per seed)"),
            arg(
                "--hard-normals",
                default="",
                help="hard normal patterns to switch on, comma-separated, or 'all' (docs/data-format.md)",
            ),
            arg(
                "--difficulty",
                default="easy",
                help="easy | realistic | hard: how far anomalies overlap normal variation, and label noise",
            ),
            arg(
                "--force",
                action="store_true",
                help="replace the plant already in --out (its plant files only; other files make it refuse)",
            ),
        ),
        progress=True,
    ),
    Command(
        "simulator",
        "serve a plant over Plex's APIs on 127.0.0.1",
        "plexlabor_dev.simulator.server:serve_command",
        (
            PLANT.helped("plant folder to serve"),
            arg("--host", default="127.0.0.1"),
            arg("--port", type=port, default=8765),
            arg("--api-key", default="sim-key", help="the X-Plex-Connect-Api-Key to accept"),
            arg("--rate-limit", type=int, default=200, help="calls per minute before 429"),
            arg("--fault-latency-ms", type=int, default=0, help="added latency per call"),
            arg("--fault-429-rate", type=float, default=0.0, help="share of calls answered 429"),
            arg("--fault-500-rate", type=float, default=0.0, help="share of calls answered 500"),
            arg("--fault-drop-rate", type=float, default=0.0, help="share of connections dropped"),
        ),
    ),
    Command(
        "validate",
        "validate a plant's punches and labor entries",
        "plexlabor_dev.commands.validation:validate_command",
        (
            PLANT.helped("plant folder to validate"),
            arg("--out", required=True, help="findings file to write (JSON lines)"),
            arg("--since", help="first day (YYYY-MM-DD, the plant's local day) or time (ISO 8601 with a zone)"),
            arg("--until", help="last day (YYYY-MM-DD, included) or time (ISO 8601 with a zone)"),
            arg(
                "--method",
                choices=("engine", "baseline"),
                default="engine",
                help="plexlabor's engine, or the fixed-grace baseline (Frappe HRMS / UKG style rules)",
            ),
            arg("--model", help="scorer model file (default: the packaged model)"),
            arg(
                "--policy",
                help="the plant's validation policy, a JSON file of its fields (pay_week_starts, grace_minutes, "
                "review_threshold, ...): what plexlabor:validationPolicy gives a deployment (default: the code's)",
            ),
            arg(
                "--processes",
                type=int,
                choices=(1, 2),
                default=1,
                help="2: read the plant and run the checks in two processes, on two cores (POSIX); the same findings",
            ),
        ),
        progress=True,
    ),
    Command(
        "train",
        "train the validation scorer on generated training plants",
        "plexlabor_dev.commands.validation:train_command",
        (
            arg("--out", required=True, help="model file to write (JSON)"),
            arg("--seeds", type=int, nargs="*", help="training plant seeds (default: the packaged set)"),
            arg("--decisions", help="findings with evidence.decision approved/rejected, to learn from"),
        ),
    ),
    Command(
        "score",
        "precision, recall and F1 of findings against labels",
        "plexlabor.validation.scoring:score_command",
        (
            arg("--findings", required=True, help="findings file (JSON lines)"),
            arg("--labels", required=True, help="labels file (a plant's labels.jsonl)"),
            arg("--plant", help="plant folder, for the flagged share of all records"),
            arg("--min-confidence", type=float, default=0.0, help="ignore findings below this"),
            JSON.helped("print JSON instead of a table"),
        ),
    ),
    Command(
        "assess",
        "preliminary data assessment of a plant or a Plex tenant",
        "plexlabor_dev.commands.assess:assess_command",
        (
            OneOf(
                (
                    arg("--plant", help="plant folder to assess"),
                    arg("--plex-url", help="Plex Connect base URL (key from PLEXLABOR_PLEX_API_KEY)"),
                    arg(
                        "--local",
                        action="store_true",
                        help="the simulator of the running `plexlabor local up` (no other setting)",
                    ),
                )
            ),
            arg("--since", help="first day to assess (YYYY-MM-DD, plant time) or a time with its zone"),
            arg("--until", help="last day to assess (YYYY-MM-DD, included) or a time with its zone"),
            JSON.helped("print JSON instead of a report"),
        ),
        progress=True,
    ),
    Command(
        "skills",
        "skill coverage, certification compliance, cross-training",
        "plexlabor_dev.commands.skills:skills_command",
        (
            PLANT,
            arg(
                "--as-of",
                help="day to assess from, YYYY-MM-DD (default: the plant's extract day, first of the schedule)",
            ),
            arg("--horizon-days", type=int, default=14, help="days of scheduled work to cover"),
            arg("--out", help="write the full report here (JSON)"),
            JSON.helped("print JSON instead of a summary"),
        ),
        progress=True,
    ),
    Command(
        "crew plan",
        "best-fit crews for a day's scheduled job operations",
        "plexlabor_dev.commands.crew:plan_command",
        (
            PLANT,
            arg("--date", required=True, help="day to plan, YYYY-MM-DD"),
            arg("--shift", help="shift code (default: every shift of the day)"),
            arg("--out", required=True, help="plan file to write (JSON)"),
            arg("--time-limit", type=float, default=10.0, help="solver time limit, seconds"),
            arg(
                "--no-setups",
                action="store_true",
                help="leave changeovers out (by default an operation that follows another part's needs a crew "
                "member able to do its setup, named in the plan)",
            ),
        ),
        progress=True,
    ),
    Command(
        "crew gap",
        "solve OR-Library generalized assignment problems",
        "plexlabor_dev.commands.crew:gap_command",
        (
            arg("files", nargs="+", help="OR-Library GAP files (gapN.txt: maximisation; gapa-gapd.txt: minimisation)"),
            arg("--time-limit", type=float, default=60.0, help="per problem, seconds"),
            arg(
                "--minimise",
                action="store_true",
                help="the files are minimisation problems (implied by an optimum_min column in optima.csv beside them)",
            ),
        ),
    ),
    Command(
        "crew reindex",
        "add the crew events recorded before the plan-day index existed to it, then mark it complete (run once after "
        "deploying it)",
        "plexlabor_dev.commands.crew:reindex_command",
        (
            AUDIT_TABLE,
            ENDPOINT_URL,
            arg("--since", required=True, help="from this day, YYYY-MM-DD: 8 days before the first day still planned"),
            arg("--actor", default=CLI_ACTOR, help="who runs it (recorded with the index's marker in the audit table)"),
        ),
    ),
    Command(
        "forecast",
        "labor hours, cost and overtime forecasts",
        "plexlabor_dev.commands.forecast:forecast_command",
        (
            arg("action", nargs="?", choices=("backtest",), help="backtest instead of forecasting"),
            PLANT,
            arg("--as-of", help="forecast from this day, YYYY-MM-DD (default: the plant's last day)"),
            arg("--out", help="forecasts file to write (JSON lines); required unless backtest"),
            JSON,
        ),
        progress=True,
    ),
    Command(
        "analytics scores",
        "operator, crew and shift scores, shrunk, with intervals and funnel limits",
        "plexlabor_dev.commands.analytics:scores_command",
        (
            PLANT,
            arg("--weeks", type=int, default=4, help="score the plant's last N weeks"),
            JSON.helped("per operator: estimate, interval, raw value, entries; Spearman with true effects"),
        ),
        progress=True,
    ),
    Command(
        "allocation run",
        "a day's paid minutes per employee: job operations, indirect codes, unallocated; cost",
        "plexlabor_dev.commands.allocation:run_command",
        (
            PLANT,
            arg("--day", required=True, help="plant-local day, YYYY-MM-DD"),
            arg(
                "--split",
                choices=("equal", "standard_hours", "cycles"),
                default="equal",
                help="how a moment is shared between job operations run at once",
            ),
            JSON.helped("per employee the paid, allocated per bucket and unallocated minutes, and the totals"),
        ),
        progress=True,
    ),
    Command(
        "writeback revert",
        "restore the Plex values a write-back replaced",
        "plexlabor_dev.commands.approval:revert_command",
        (
            arg("finding_id", metavar="FINDING", help="the id of the finding whose write-back to undo"),
            AUDIT_TABLE,
            ENDPOINT_URL,
            arg("--actor", default=CLI_ACTOR, help="who reverts (recorded in the audit table)"),
            arg(
                "--local",
                action="store_true",
                help="against the running `plexlabor local up`: its tables, moto and simulator (no other setting)",
            ),
        ),
    ),
    Command(
        "copilot eval",
        "the copilot's retrieval protocol on a procedure file, beside plain BM25",
        "plexlabor_dev.commands.copilot:eval_command",
        (COPILOT_PROCEDURES, JSON, COPILOT_LEXICAL),
    ),
    Command(
        "copilot ask",
        "answer one question from a procedure file (numbered, cited steps, or a refusal)",
        "plexlabor_dev.commands.copilot:ask_command",
        (
            OneOf(
                (
                    arg("--procedures", help="procedure file to index now (JSON lines)"),
                    arg("--index-dir", help="folder holding a stored index (copilot index --out)"),
                )
            ),
            arg("question", help="the operator's question"),
            JSON,
            COPILOT_LEXICAL,
        ),
    ),
    Command(
        "copilot index",
        "build a procedure file's index and store it as the ask function reads it",
        "plexlabor_dev.commands.copilot:index_command",
        (
            COPILOT_PROCEDURES,
            arg("--out", required=True, help="folder standing for the artifacts bucket"),
            COPILOT_LEXICAL,
        ),
        progress=True,
    ),
    Command(
        "model promote",
        "put a stored scorer (or --of incidents: incident) model in force (audited)",
        "plexlabor_dev.commands.model:model_command",
        MODEL_ARGS,
    ),
    Command(
        "model rollback",
        "put an earlier scorer (or incident) model, or the packaged one, back in force (audited; holds automatic "
        "promotion)",
        "plexlabor_dev.commands.model:model_command",
        MODEL_ARGS,
    ),
    Command(
        "model list",
        "the scorer (or incident) versions that can be put in force: packaged and stored, which is in force, "
        "the shadow",
        "plexlabor_dev.commands.model:list_command",
        (*MODEL_WHERE, JSON),
    ),
    Command(
        "incidents train",
        "train the OIICS incident classifier on coded reports (OSHA layout)",
        "plexlabor_dev.commands.incidents:train_command",
        (
            arg(
                "--osha",
                required=True,
                action="append",
                help="coded reports, CSV with the OSHA Severe Injury Reports columns (repeat to add files, "
                "e.g. `incidents export`'s corrections)",
            ),
            arg("--out", required=True, help="model file to write"),
        ),
        progress=True,
    ),
    Command(
        "incidents evaluate",
        "score an incident classifier on coded reports it did not see",
        "plexlabor_dev.commands.incidents:evaluate_command",
        (
            arg("--model", required=True, help="model file written by `incidents train`"),
            arg("--osha", required=True, help="coded reports, CSV with the OSHA Severe Injury Reports columns"),
            JSON,
        ),
    ),
    Command(
        "incidents classify",
        "code one narrative (OIICS) and say what it mentions, as JSON",
        "plexlabor_dev.commands.incidents:classify_command",
        (
            NARRATIVE,
            INCIDENT_MODEL,
            PLANT_ZONE.helped("the plant's IANA zone, for times in the text"),
        ),
    ),
    Command(
        "incidents log",
        "record an incident or near miss as the form does (codes, extraction, review when unsure)",
        "plexlabor_dev.commands.incidents:log_command",
        (
            NARRATIVE,
            arg("--reporter", required=True, help="who reports it (an employee id or user name)"),
            arg("--kind", choices=("injury", "near_miss"), default="injury"),
            arg("--occurred-at", help="when, ISO 8601 (without a zone: plant time)"),
            arg("--workcenter", help="workcenter code"),
            arg("--shift", help="shift code"),
            arg("--department", help="department code"),
            arg("--job", help="job number"),
            INCIDENT_MODEL,
            PLANT_ZONE,
            AUDIT_TABLE,
            ENDPOINT_URL,
        ),
    ),
    Command(
        "incidents export",
        "write the incidents the EHS lead decided as training rows (OSHA CSV layout)",
        "plexlabor_dev.commands.incidents:export_command",
        (
            AUDIT_TABLE,
            ENDPOINT_URL,
            arg("--since", help="decisions from this day on, YYYY-MM-DD (default: all)"),
            arg("--out", required=True, help="CSV file to write"),
        ),
    ),
    Command(
        "incidents reindex",
        "add incidents recorded before the kind index existed to it (trends, training, the list); run again to go on",
        "plexlabor_dev.commands.incidents:reindex_command",
        (
            AUDIT_TABLE,
            ENDPOINT_URL,
            arg("--after", help="the cursor a run printed: go on from there (default: from the start)"),
            arg("--pages", type=int, default=50, help="status pages to read this run (default 50)"),
            arg("--page-size", dest="page_size", type=int, default=1000, help="events a page, >= 2 (default 1000)"),
        ),
    ),
    Command(
        "backfill",
        "validate a past window in shards: start the deployed backfill, or run it here on a plant folder",
        "plexlabor_dev.commands.backfill:backfill_command",
        (
            OneOf(
                (
                    arg("--stack", help="a deployed stack's name: start its backfill state machine"),
                    arg("--plant", help="plant folder: run the backfill on the local runtime"),
                )
            ),
            arg("--since", help="ISO instant with zone (with --plant: the plant's last 4 weeks)"),
            arg("--until", help="ISO instant with zone, the end of the window (exclusive)"),
            arg("--slice-days", dest="slice_days", type=int, help="days a time slice (default 28)"),
            arg("--employee-shards", dest="employee_shards", type=int, help="employee shards a slice (default 50)"),
            arg("--workcenter-shards", dest="workcenter_shards", type=int, help="workcenter shards a slice (1)"),
            arg("--max-concurrency", dest="max_concurrency", type=int, help="shards at once on AWS (default 10)"),
            arg(
                "--policy",
                help="with --plant: the validation policy (a JSON file) the local run applies, as "
                "plexlabor:validationPolicy gives a deployment (a deployed stack applies its own)",
            ),
        ),
        progress=True,
    ),
    Command(
        "dlq list",
        "messages in each work queue's dead-letter queue (and a running move task)",
        "plexlabor_dev.commands.dlq:list_command",
        dlq_list_args,
    ),
    Command(
        "dlq redrive",
        "move a dead-letter queue's messages back to its work queue",
        "plexlabor_dev.commands.dlq:redrive_command",
        dlq_redrive_args,
    ),
    Command(
        "local up",
        "run the local runtime until Ctrl-C",
        "plexlabor_dev.local.cli:up_command",
        (
            arg("--plant", help="plant folder to serve (default: generate a small one)"),
            arg("--api-port", type=port, default=8780, help="local API Gateway port on 127.0.0.1"),
            arg("--moto-port", type=port, default=8781, help="moto server port on 127.0.0.1"),
            arg("--plex-port", type=port, default=8782, help="Plex simulator port on 127.0.0.1"),
            arg(
                "--approval-wait",
                type=approval_wait,
                help="seconds each approval stage waits before escalation, then expiry (default 28800, 8 h, as a "
                "deployment's APPROVAL_WAIT_SECONDS; 300 shows an escalation within minutes)",
            ),
            arg(
                "--crew-approval",
                choices=("all", "changes", "none"),  # plexlabor.crew.publish.Approval, not imported: --help stays fast
                default="all",
                help="crew_planner's CREW_APPROVAL: which crew seats wait for review (default all; with 'changes' "
                "seats that keep the supervisor's plan are only logged)",
            ),
            arg(
                "--policy",
                help="the plant's validation policy, a JSON file of its fields, as plexlabor:validationPolicy gives a "
                "deployment (default: the code's)",
            ),
        ),
    ),
    Command(
        "demo",
        "run the whole product locally on a simulated plant",
        "plexlabor_dev.demo:demo_command",
        (
            arg("--employees", type=int, default=20),
            arg("--weeks", type=int, default=4),
            arg("--seed", type=int, default=7),
            arg("--workdir", help="where to keep the demo plant (default: a temporary folder)"),
            arg(
                "--keep-up",
                type=float,
                default=None,
                metavar="SECONDS",
                help="keep the product up this long after the summary (default: until Ctrl-C in a terminal, "
                "else not at all)",
            ),
        ),
    ),
)


class Subcommand(argparse.ArgumentParser):
    """A command's parser. `later`: its arguments, added when it first parses (or shows its help) rather than when
    every command's parser is built, which each run does: what they read (dlq's queue names from the checkout's
    `infra`) no other command needs."""

    later: Callable[[], tuple[Arg | OneOf, ...]] | None = None

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        if self.later is not None:
            later, self.later = self.later, None
            for argument in later():
                argument.add_to(self)
        return super().parse_known_args(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plexlabor", description="AI middleware that makes Plex labor tracking smart."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Subcommand)
    groups: dict[str, argparse._SubParsersAction[Subcommand]] = {}
    for command in COMMANDS:
        *group, name = command.path.split()
        where = commands
        if group:
            if group[0] not in groups:
                holder = commands.add_parser(group[0], help=GROUPS[group[0]])
                groups[group[0]] = holder.add_subparsers(dest=f"{group[0]}_command", required=True, metavar="ACTION")
            where = groups[group[0]]
        subcommand = where.add_parser(name, help=command.help)
        if callable(command.args):
            subcommand.later = command.args
        else:
            for argument in command.args:
                argument.add_to(subcommand)
        run = _lazy(command.run)
        if command.progress:
            QUIET.add_to(subcommand)
            run = _with_progress(run, command.path)
        subcommand.set_defaults(run=run)
    return parser


def _describe(error: Exception) -> str:
    """An OSError raised by the system says what failed on which file; a pydantic validation error, each
    field and its problem on one line; any other error is its message."""
    from pydantic import ValidationError

    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.filename}: {error.strerror}"
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or error.title}: {e['msg']}" for e in error.errors())
    return str(error)


def _not_text(args: argparse.Namespace, given: Sequence[str]) -> str | None:
    """Which file named on the command line is not UTF-8 text, with its flag when one was typed (a
    decoding error does not say which file it read); None when none of them is it."""
    for name, value in vars(args).items():
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, str) and _undecodable(Path(path)):
                flag = f"--{name.replace('_', '-')}"
                return f"{flag} {path}" if flag in given else path
    return None


def _undecodable(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            while handle.read(1 << 20):
                pass
    except UnicodeDecodeError:
        return True
    except OSError:  # not a file (a folder, a question's text): not what failed to decode
        return False
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)
    try:
        return int(args.run(args))
    except UnicodeDecodeError as error:  # a file that is not text: named, since the error does not name it
        where = _not_text(args, given)
        print(f"plexlabor: error: {where + ': ' if where else ''}not UTF-8 text ({error.reason})", file=sys.stderr)
        return 2
    except (ValueError, OSError) as error:  # a user error: one line naming the file or the flag, no traceback
        print(f"plexlabor: error: {_describe(error)}", file=sys.stderr)
        return 2
    except PlexError as error:
        print(f"plexlabor: Plex: {error}", file=sys.stderr)
        return 3
    except Exception as error:  # AWS settings that do not work (no region, no credentials, no endpoint): one line
        from plexlabor_dev.commands import aws_failure

        message = aws_failure(error, getattr(args, "audit_table", None))
        if message is None:
            raise
        print(f"plexlabor: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
