"""The `plexlabor` command. Each subcommand imports its capability lazily, so `--help` stays fast."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from plexlabor.plex.errors import PlexError


def _lazy(target: str) -> Callable[[argparse.Namespace], int]:
    """Return a runner that imports `module:function` only when the subcommand is used."""

    def run(args: argparse.Namespace) -> int:
        module_name, function_name = target.split(":")
        function: Callable[[argparse.Namespace], Any] = getattr(importlib.import_module(module_name), function_name)
        return int(function(args) or 0)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plexlabor", description="AI middleware that makes Plex labor tracking smart."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plant = commands.add_parser("plant", help="synthetic plants with ground-truth labels")
    plant_commands = plant.add_subparsers(dest="plant_command", required=True, metavar="ACTION")
    generate = plant_commands.add_parser("generate", help="generate a deterministic plant folder")
    generate.add_argument("--out", required=True, help="folder to write the plant into")
    generate.add_argument("--employees", type=int, default=20, help="number of employees (20..5000+)")
    generate.add_argument("--weeks", type=int, default=8, help="weeks of history")
    generate.add_argument("--seed", type=int, default=1, help="random seed (same seed, same plant)")
    generate.add_argument(
        "--anomaly-rate",
        type=float,
        default=0.05,
        help="share of worked shift-days with an injected anomaly (other kinds scale with it)",
    )
    generate.add_argument("--end", help="last day of history, YYYY-MM-DD (default: fixed per seed)")
    generate.set_defaults(run=_lazy("plexlabor_dev.simulator.generator:generate_command"))

    simulator = commands.add_parser("simulator", help="serve a plant over Plex's APIs on 127.0.0.1")
    simulator.add_argument("--plant", required=True, help="plant folder to serve")
    simulator.add_argument("--host", default="127.0.0.1")
    simulator.add_argument("--port", type=int, default=8765)
    simulator.add_argument("--api-key", default="sim-key", help="the X-Plex-Connect-Api-Key to accept")
    simulator.add_argument("--rate-limit", type=int, default=200, help="calls per minute before 429")
    simulator.add_argument("--fault-latency-ms", type=int, default=0, help="added latency per call")
    simulator.add_argument("--fault-429-rate", type=float, default=0.0, help="share of calls answered 429")
    simulator.add_argument("--fault-500-rate", type=float, default=0.0, help="share of calls answered 500")
    simulator.add_argument("--fault-drop-rate", type=float, default=0.0, help="share of connections dropped")
    simulator.set_defaults(run=_lazy("plexlabor_dev.simulator.server:serve_command"))

    validate = commands.add_parser("validate", help="validate a plant's punches and labor entries")
    validate.add_argument("--plant", required=True, help="plant folder to validate")
    validate.add_argument("--out", required=True, help="findings file to write (JSON lines)")
    validate.add_argument("--since", help="first UTC time to validate (ISO 8601)")
    validate.add_argument("--until", help="last UTC time to validate (ISO 8601)")
    validate.add_argument(
        "--method",
        choices=("engine", "baseline"),
        default="engine",
        help="plexlabor's engine, or the fixed-grace baseline (Frappe HRMS / UKG style rules)",
    )
    validate.add_argument("--model", help="scorer model file (default: the packaged model)")
    validate.set_defaults(run=_lazy("plexlabor_dev.commands.validation:validate_command"))

    train = commands.add_parser("train", help="train the validation scorer on generated training plants")
    train.add_argument("--out", required=True, help="model file to write (JSON)")
    train.add_argument("--seeds", type=int, nargs="*", help="training plant seeds (default: the packaged set)")
    train.add_argument("--decisions", help="findings with evidence.decision approved/rejected, to learn from")
    train.set_defaults(run=_lazy("plexlabor_dev.commands.validation:train_command"))

    score = commands.add_parser("score", help="precision, recall and F1 of findings against labels")
    score.add_argument("--findings", required=True, help="findings file (JSON lines)")
    score.add_argument("--labels", required=True, help="labels file (a plant's labels.jsonl)")
    score.add_argument("--plant", help="plant folder, for the flagged share of all records")
    score.add_argument("--min-confidence", type=float, default=0.0, help="ignore findings below this")
    score.add_argument("--json", action="store_true", help="print JSON instead of a table")
    score.set_defaults(run=_lazy("plexlabor.validation.scoring:score_command"))

    assess = commands.add_parser("assess", help="preliminary data assessment of a plant or a Plex tenant")
    source = assess.add_mutually_exclusive_group(required=True)
    source.add_argument("--plant", help="plant folder to assess")
    source.add_argument("--plex-url", help="Plex Connect base URL (key from PLEXLABOR_PLEX_API_KEY)")
    assess.add_argument("--since", help="first day to assess (YYYY-MM-DD)")
    assess.add_argument("--until", help="last day to assess (YYYY-MM-DD)")
    assess.add_argument("--json", action="store_true", help="print JSON instead of a report")
    assess.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=True, help="progress line on a terminal"
    )
    assess.set_defaults(run=_lazy("plexlabor.validation.assessment:assess_command"))

    skills = commands.add_parser("skills", help="skill coverage, certification compliance, cross-training")
    skills.add_argument("--plant", required=True, help="plant folder")
    skills.add_argument(
        "--as-of", help="day to assess from, YYYY-MM-DD (default: the plant's extract day, first of the schedule)"
    )
    skills.add_argument("--horizon-days", type=int, default=14, help="days of scheduled work to cover")
    skills.add_argument("--out", help="write the full report here (JSON)")
    skills.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    skills.set_defaults(run=_lazy("plexlabor_dev.commands.skills:skills_command"))

    crew = commands.add_parser("crew", help="optimal crew assignment")
    crew_commands = crew.add_subparsers(dest="crew_command", required=True, metavar="ACTION")
    plan = crew_commands.add_parser("plan", help="best-fit crews for a day's scheduled job operations")
    plan.add_argument("--plant", required=True, help="plant folder")
    plan.add_argument("--date", required=True, help="day to plan, YYYY-MM-DD")
    plan.add_argument("--shift", help="shift code (default: every shift of the day)")
    plan.add_argument("--out", required=True, help="plan file to write (JSON)")
    plan.add_argument("--time-limit", type=float, default=10.0, help="solver time limit, seconds")
    plan.set_defaults(run=_lazy("plexlabor_dev.commands.crew:plan_command"))
    gap = crew_commands.add_parser("gap", help="solve OR-Library generalized assignment problems")
    gap.add_argument("files", nargs="+", help="gapN.txt files (maximisation)")
    gap.add_argument("--time-limit", type=float, default=60.0, help="per problem, seconds")
    gap.set_defaults(run=_lazy("plexlabor_dev.commands.crew:gap_command"))

    forecast = commands.add_parser("forecast", help="labor hours, cost and overtime forecasts")
    forecast.add_argument("action", nargs="?", choices=("backtest",), help="backtest instead of forecasting")
    forecast.add_argument("--plant", required=True, help="plant folder")
    forecast.add_argument("--as-of", help="forecast from this day, YYYY-MM-DD (default: the plant's last day)")
    forecast.add_argument("--out", help="forecasts file to write (JSON lines); required unless backtest")
    forecast.add_argument("--json", action="store_true", help="print JSON")
    forecast.set_defaults(run=_lazy("plexlabor_dev.commands.forecast:forecast_command"))

    writeback = commands.add_parser("writeback", help="write-backs to Plex")
    writeback_commands = writeback.add_subparsers(dest="writeback_command", required=True, metavar="ACTION")
    revert = writeback_commands.add_parser("revert", help="restore the Plex values a write-back replaced")
    revert.add_argument("finding_id", help="the finding whose write-back to undo")
    revert.add_argument("--audit-table", help="audit table name (default: env AUDIT_TABLE_NAME)")
    revert.add_argument("--endpoint-url", help="AWS endpoint (e.g. the local runtime's moto server)")
    revert.add_argument("--actor", default="cli", help="who reverts (recorded in the audit table)")
    revert.set_defaults(run=_lazy("plexlabor_dev.commands.approval:revert_command"))

    local = commands.add_parser("local", help="the serverless product on one machine (moto + simulator)")
    local_commands = local.add_subparsers(dest="local_command", required=True, metavar="ACTION")
    up = local_commands.add_parser("up", help="run the local runtime until Ctrl-C")
    up.add_argument("--plant", help="plant folder to serve (default: generate a small one)")
    up.add_argument("--api-port", type=int, default=8780, help="local API Gateway port on 127.0.0.1")
    up.add_argument("--moto-port", type=int, default=8781, help="moto server port on 127.0.0.1")
    up.add_argument("--plex-port", type=int, default=8782, help="Plex simulator port on 127.0.0.1")
    up.set_defaults(run=_lazy("plexlabor_dev.local.cli:up_command"))

    demo = commands.add_parser("demo", help="run the whole product locally on a simulated plant")
    demo.add_argument("--employees", type=int, default=20)
    demo.add_argument("--weeks", type=int, default=4)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--workdir", help="where to keep the demo plant (default: a temporary folder)")
    demo.add_argument(
        "--keep-up", type=float, default=0, metavar="SECONDS", help="keep the runtime up this long to open the page"
    )
    demo.set_defaults(run=_lazy("plexlabor_dev.demo:demo_command"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (ValueError, FileNotFoundError) as error:
        print(f"plexlabor: error: {error}", file=sys.stderr)
        return 2
    except PlexError as error:
        print(f"plexlabor: Plex: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
