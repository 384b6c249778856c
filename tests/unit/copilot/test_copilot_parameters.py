"""Parameter suggestions: from the nearest past runs that went well, inside the SOP's limits, citing them;
nothing suggested for a lot unlike any good run, or without enough good runs."""

from __future__ import annotations

from plexlabor.copilot.parameters import PastRun, SuggestionSettings, inside, suggest

LIMITS = {"temp": (200.0, 240.0), "pressure": (500.0, 900.0)}
SETTINGS = SuggestionSettings(neighbours=2, good_scrap_rate=0.05, max_distance=2.0)


def _run(run_id: str, mfi: float, temp: float, pressure: float, scrap: float = 0.01) -> PastRun:
    return PastRun(run_id, {"mfi": mfi}, {"temp": temp, "pressure": pressure}, scrap)


RUNS = [
    _run("R1", 10.0, 230.0, 800.0),
    _run("R2", 11.0, 228.0, 780.0),
    _run("R3", 20.0, 210.0, 600.0),
    _run("R4", 21.0, 212.0, 620.0),
    _run("R5", 10.5, 205.0, 550.0, scrap=0.30),  # nearest, but it went badly
    _run("R6", 10.2, 250.0, 800.0),  # nearest good one, but outside the SOP (temp 250 > 240)
]


def test_the_nearest_good_runs_inside_the_limits_give_the_settings_and_are_cited() -> None:
    suggestion = suggest(LIMITS, RUNS, {"mfi": 10.4}, SETTINGS)

    assert [run.run_id for run in suggestion.runs] == ["R1", "R2"]  # not R5 (scrap), not R6 (outside)
    assert 228.0 <= suggestion.settings["temp"] <= 230.0 and 780.0 <= suggestion.settings["pressure"] <= 800.0
    assert suggestion.settings["temp"] > 229.0  # R1 is nearer than R2, so it weighs more
    assert inside(LIMITS, suggestion.settings) and suggestion.reason is None
    far = suggest(LIMITS, RUNS, {"mfi": 20.6}, SETTINGS)
    assert [run.run_id for run in far.runs] == ["R4", "R3"] and far.settings["temp"] < 212.0


def test_limits_narrowed_since_the_runs_still_hold() -> None:
    narrowed = {"temp": (200.0, 225.0), "pressure": (500.0, 900.0)}
    runs = [*RUNS, _run("R7", 10.1, 224.0, 790.0)]

    suggestion = suggest(narrowed, runs, {"mfi": 10.0}, SETTINGS)

    assert inside(narrowed, suggestion.settings)
    assert all(run.run_id not in ("R1", "R2") for run in suggestion.runs)  # their temp is outside now


def test_nothing_is_suggested_for_a_lot_unlike_any_good_run_or_without_enough_runs() -> None:
    assert (
        suggest(LIMITS, RUNS, {"mfi": 60.0}, SETTINGS).reason == "no past run that went well was on a lot like this one"
    )
    assert suggest(LIMITS, RUNS[:1], {"mfi": 10.0}, SETTINGS).settings == {}
    assert suggest(LIMITS, RUNS, {"viscosity": 3.0}, SETTINGS).reason == "the lot has no measured mfi"
