"""Labor hours, cost and overtime forecasting (issue 6). Guide: `docs/forecast.md`.

- `read_forecast_data(port, timezone, as_of)` -> `ForecastData` (or `ForecastData.build(rows, ...)`);
- `run_forecast(data)` -> `ForecastRun`: P10/P50/P90 hours and cost per upcoming job operation,
  variance alerts with drivers, overtime projections per department and ISO week;
- `store_run(run, ArtifactStore)`, `publish_run(run, AuditStore, now)`; `run_nightly(deps, now)` does all,
  `run_refresh(deps, now)` the same with the model in force (nothing trained);
- `read_backtest_data(port, timezone, as_of)` and `backtest_forecast(data)`: the time-ordered backtests
  against the baselines (`backtest_labor`, `backtest_overtime`), each cut-off seeing what the nightly run
  reads then (`ForecastData.seen_at`); `plexlabor forecast backtest` and the bench run them.

Artifacts go through the shared store (`plexlabor.platform.artifacts`) under `models/forecast/`
(`forecast.artifacts`). Importing this package imports neither scikit-learn nor boto3; the model
(`forecast.model`) and the S3 adapter load when used.
"""

from plexlabor.forecast.errors import ArtifactError, ForecastError, ForecastInputError
from plexlabor.forecast.records import Driver, OperationForecast, OvertimeProjection, VarianceAlert
from plexlabor.forecast.settings import QUANTILES, ForecastSettings

__all__ = [
    "QUANTILES",
    "ArtifactError",
    "Driver",
    "ForecastError",
    "ForecastInputError",
    "ForecastSettings",
    "OperationForecast",
    "OvertimeProjection",
    "VarianceAlert",
]
