"""`plexlabor forecast`: forecasts of a plant folder, or their backtest.

    plexlabor forecast --plant DIR [--as-of YYYY-MM-DD] --out forecasts.jsonl [--json]
    plexlabor forecast backtest --plant DIR [--json]

`--as-of D` forecasts from 00:00 of day D in the plant's time zone, seeing only what was recorded
before; the default is the plant's extract (midnight after its last day). The output file holds one
JSON object per line: operation forecasts (`"kind": "operation"`), variance alerts
(`"variance_alert"`) and department-week overtime projections (`"overtime"`).

`backtest` runs `backtest_plant`, which the bench (`tests/bench/bench_forecast.py`) calls too: the
figures it prints are the ones this command reproduces.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from plexlabor.forecast.data import read_forecast_data
from plexlabor.forecast.service import ForecastRun, jsonl, run_forecast
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.plex.folder import PlantFolderSource
from plexlabor_dev.commands import day_flag, plant_flag
from plexlabor_dev.progress import step

if TYPE_CHECKING:
    from plexlabor.forecast.backtest import ForecastBacktest


def _as_of(text: str | None, folder: PlantFolderSource) -> datetime:
    meta = folder.plant.meta()
    if not text:
        return meta.end
    day = day_flag(text, "--as-of")
    as_of = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(meta.timezone))
    if as_of > meta.end:
        raise ValueError(f"--as-of: {text} is after the plant's extract ({meta.end.date().isoformat()})")
    return as_of


def backtest_plant(
    plant: str | Path, as_of: str | None = None, settings: ForecastSettings | None = None
) -> ForecastBacktest:
    """`plexlabor forecast backtest`: read the plant folder through its labor-data port, then backtest
    both forecasts, each cut-off seeing what the nightly run would have read then."""
    from plexlabor.forecast.backtest import backtest_forecast, read_backtest_data

    folder = PlantFolderSource(plant)
    settings = settings or ForecastSettings()
    data = read_backtest_data(folder, folder.plant.meta().timezone, _as_of(as_of, folder), settings)
    return backtest_forecast(data, settings)


def forecast_command(args: argparse.Namespace) -> int:
    if args.action == "backtest":
        step("backtesting the forecasts over the plant's history")
        result = backtest_plant(plant_flag(args.plant).path, args.as_of)
        print(json.dumps(result.as_dict(), indent=2) if args.json else result.report())
        return 0
    folder = PlantFolderSource(plant_flag(args.plant))
    timezone = folder.plant.meta().timezone
    settings = ForecastSettings()
    if not args.out:
        raise ValueError("--out: required (the forecasts file to write), unless the action is backtest")
    step("reading the plant's history and open job operations")
    data = read_forecast_data(folder, timezone, _as_of(args.as_of, folder), settings)
    step("training the models and forecasting")
    run = run_forecast(data, settings)
    if not run.forecasts:  # refused: an empty forecast would replace an earlier one with nothing
        raise ValueError(
            f"--as-of {run.summary()['as_of']}: nothing to forecast in {args.plant} "
            "(no open job operations from that day on)"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(jsonl(run.forecasts) + jsonl(run.alerts) + jsonl(run.overtime))
    if args.json:
        print(json.dumps({**run.summary(), "out": str(out)}, indent=2))
    else:
        print(_report(run, out))
    return 0


def _report(run: ForecastRun, out: Path) -> str:
    s = run.summary()
    lines = [
        f"Forecast as of {s['as_of']} ({s['version']}, {s['method']}, "
        f"trained on {s['trained_on']:,} finished operations)",
        f"{s['forecasts']:,} upcoming job operations: P50 {s['forecast_p50_hours']:,.1f} h against "
        f"{s['forecast_standard_hours']:,.1f} h standard; {s['alerts']} variance alerts",
    ]
    for alert in sorted(run.alerts, key=lambda a: -a.over_hours)[:5]:
        lines.append(f"  ! {alert.note}")
    lines.append("Overtime by department and pay week (projected h; last week h): suggestion")
    for p in run.overtime:
        last = "-" if p.last_week_overtime_hours is None else f"{p.last_week_overtime_hours:.0f}"
        suggestion = p.suggestion or "none needed"
        lines.append(f"  {p.department:6} {p.iso_week}  {p.projected_overtime_hours:7.1f}  {last:>5}: {suggestion}")
    if run.issues:
        lines.append("Data issues: " + "; ".join(f"{k}: {v}" for k, v in run.issues.items()))
    lines.append(f"written to {out}")
    return "\n".join(lines)
