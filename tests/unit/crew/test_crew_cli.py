"""`plexlabor crew plan` and `plexlabor crew gap` through the real argument parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from plexlabor.crew.models import CrewPlan
from plexlabor.plant import PlantFolder
from plexlabor_dev.cli import main
from tests.unit.crew.test_crew_gap import SMALL


def test_plan_writes_the_plan_and_prints_a_summary(
    labelled_plant: PlantFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.json"
    code = main(
        [
            "crew",
            "plan",
            "--plant",
            str(labelled_plant.path),
            "--date",
            "2026-11-24",
            "--shift",
            "2",
            "--out",
            str(out),
            "--time-limit",
            "20",
        ]
    )
    assert code == 0
    plan = CrewPlan.model_validate_json(out.read_text(encoding="utf-8"))
    assert plan.shift_codes == ("2",) and plan.solver.status == "optimal" and plan.assignments
    printed = capsys.readouterr().out
    assert "solver: highs-milp optimal, proven gap 0.000%" in printed
    assert "vs greedy:" in printed and "vs supervisor:" in printed and f"wrote {out}" in printed
    # the roster comes first: who (name and employee number, never the Plex id), where, when, why
    assert printed.index("roster (America/Detroit time") < printed.index("solver:")
    first = plan.assignments[0]
    employee = next(e for e in labelled_plant.iter_raw("employees") if e["id"] == first.employee_id)
    who = f"{employee['firstName']} {employee['lastName']} ({employee['employeeNo']})"
    line = next(x for x in printed.splitlines() if who in x)
    assert first.workcenter_code in line and f"{first.hours:.1f} h" in line and first.employee_id not in printed
    assert f"why: {'; '.join(first.reasons)}" in printed


def test_plan_refuses_a_day_with_nothing_scheduled_and_keeps_the_earlier_plan(
    labelled_plant: PlantFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.json"
    out.write_text("the earlier plan", encoding="utf-8")
    args = ["crew", "plan", "--plant", str(labelled_plant.path), "--date", "2027-06-01", "--out", str(out)]

    assert main(args) == 2
    assert "--date: no job operation is scheduled on 2027-06-01" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "the earlier plan"


def test_plan_names_who_does_each_setup_unless_told_not_to(labelled_plant: PlantFolder, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    args = ["crew", "plan", "--plant", str(labelled_plant.path), "--date", "2026-11-23", "--out", str(out)]
    assert main([*args, "--time-limit", "20"]) == 0
    plan = CrewPlan.model_validate_json(out.read_text(encoding="utf-8"))
    assert plan.policy.plan_setups and any(a.does_setup and a.setup_hours > 0 for a in plan.assignments)
    assert main([*args, "--no-setups", "--time-limit", "20"]) == 0
    plan = CrewPlan.model_validate_json(out.read_text(encoding="utf-8"))
    assert not plan.policy.plan_setups and not any(a.does_setup or a.setup_hours for a in plan.assignments)


def test_plan_refuses_a_bad_date(labelled_plant: PlantFolder, tmp_path: Path) -> None:
    code = main(
        ["crew", "plan", "--plant", str(labelled_plant.path), "--date", "23/11/2026", "--out", str(tmp_path / "p.json")]
    )
    assert code == 2


@pytest.mark.parametrize(("column", "first", "second"), [("optimum_max", 15, 34), ("optimum_min", 14, 24)])
def test_gap_prints_one_line_per_problem_and_checks_published_optima(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, first: int, second: int
) -> None:
    # an optimum_min column makes the files minimisation problems: the least costs are 14 and 24
    gap = tmp_path / "small.txt"
    gap.write_text(SMALL, encoding="utf-8")
    (tmp_path / "optima.csv").write_text(
        f"file,problem,agents,jobs,{column}\nsmall.txt,1,2,3,{first}\nsmall.txt,2,3,4,{second}\n", encoding="utf-8"
    )
    assert main(["crew", "gap", str(gap)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4  # header + one per problem + the file's summary
    cells = lines[1].split()
    assert cells[:4] == ["small.txt", "1", str(first), f"{first}.0"] and cells[7] == "yes"
    assert float(cells[5]) >= 0 and float(cells[6]) >= 0  # the CPU seconds and the load beside the wall seconds
    assert lines[1].endswith(f"{first} (equal)") and lines[2].split()[:3] == ["small.txt", "2", str(second)]
    assert lines[3].startswith("small.txt: mean gap to the published optimum 0.000% over 2 problems, ")


def test_gap_flags_a_published_optimum_it_disagrees_with(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gap = tmp_path / "small.txt"
    gap.write_text(SMALL, encoding="utf-8")
    (tmp_path / "optima.csv").write_text("file,problem,agents,jobs,optimum_max\nsmall.txt,1,2,3,99\n", encoding="utf-8")
    assert main(["crew", "gap", str(gap)]) == 1
    assert "99 (84.848% away)" in capsys.readouterr().out
