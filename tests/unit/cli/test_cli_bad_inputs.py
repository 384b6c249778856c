"""Every subcommand that reads files or dates, fed bad input (issue 18, item 1): a user error is one line
on stderr naming what is wrong (the flag, the file, its line, the record and the field), exit 2, never a
traceback; a bad record the command can skip is named and skipped (exit 1); an --out file written before
is left as it was."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from plexlabor_dev.cli import main
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

EARLIER = "an earlier result\n"
"""What the --out file holds before a run: a refused run must leave it so."""
BAD_LINE = 3
"""The line each damaged plant file has wrong (1-based)."""


def _damage(plant: Path, copy: Path, resource: str, field: str | None) -> str:
    """A copy of `plant` whose `resource` line BAD_LINE lacks `field` (None: is cut short); the record's id."""
    shutil.copytree(plant, copy)
    path = copy / f"{resource}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[BAD_LINE - 1])
    if field is None:
        lines[BAD_LINE - 1] = lines[BAD_LINE - 1][:-5]
    else:
        del record[field]
        lines[BAD_LINE - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(record["id"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Placeholders the cases' argv and messages use, as `str.format` fields."""
    root = tmp_path_factory.mktemp("bad-inputs")
    plant = root / "plant"
    generate_plant(PlantSpec(employees=8, weeks=2, seed=3), plant)
    (root / "empty").mkdir()
    (root / "meta-only").mkdir()
    shutil.copy(plant / "plant.json", root / "meta-only" / "plant.json")
    cut_id = _damage(plant, root / "cut", "employees", None)
    no_number_id = _damage(plant, root / "no-number", "employees", "employeeNo")
    no_clockin_id = _damage(plant, root / "no-clockin", "time-clock-entries", "clockinTime")
    (root / "bad.jsonl").write_text('{"finding_id": "f-1"}\n{"oops\n', encoding="utf-8")
    (root / "nothing.jsonl").touch()
    (root / "binary.jsonl").write_bytes(b'\xff\xfe{"finding_id": "f-1"}\n')
    (root / "bad.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    paths = {name: str(root / name) for name in ("plant", "empty", "meta-only", "cut", "no-number", "no-clockin")}
    return {
        **{name.replace("-", "_"): path for name, path in paths.items()},
        "root": str(root),
        "missing": str(root / "no-such-thing"),
        "bad_jsonl": str(root / "bad.jsonl"),
        "bad_csv": str(root / "bad.csv"),
        "nothing": str(root / "nothing.jsonl"),
        "binary": str(root / "binary.jsonl"),
        "labels": str(plant / "labels.jsonl"),
        "cut_id": cut_id,
        "no_number_id": no_number_id,
        "no_clockin_id": no_clockin_id,
    }


@dataclass(frozen=True)
class Case:
    argv: str
    """The command line, `{out}` the --out file (already holding EARLIER), other fields from the corpus."""
    code: int
    says: tuple[str, ...]
    """What stderr must name (formatted like argv)."""


def case(argv: str, *says: str, code: int = 2) -> object:
    return pytest.param(Case(argv, code, says), id=argv.replace("{", "").replace("}", ""))


CUT = "{cut}/employees.jsonl line 3 (id {cut_id}): not valid JSON"
NO_NUMBER = "{no_number}/employees.jsonl line 3 (id {no_number_id}): field 'employeeNo' is missing"
NO_CLOCKIN = "{no_clockin}/time-clock-entries.jsonl line 3 (id {no_clockin_id}): field 'clockinTime' is missing"
NOT_A_PLANT = "--plant {empty}: not a plant folder (no plant.json"

PLANT_COMMANDS = {
    "validate": "validate --quiet --out {out} --plant",
    "skills": "skills --quiet --out {out} --plant",
    "crew plan": "crew plan --quiet --date 2026-11-18 --out {out} --plant",
    "forecast": "forecast --quiet --out {out} --plant",
    "assess": "assess --quiet --plant",
    "analytics": "analytics scores --quiet --weeks 1 --plant",
    "allocation": "allocation run --day 2026-11-18 --plant",
}
"""Each command that reads a plant folder, up to its --plant value."""

SKIPS_BAD_RECORDS = ("validate", "assess")
"""Commands that skip and name a bad record and go on with the rest (exit 1); the others refuse (exit 2)."""


def bad_record_code(name: str) -> int:
    return 1 if name in SKIPS_BAD_RECORDS else 2


PLANT_CASES = [
    *(case(f"{command} {{missing}}", "{missing}") for command in PLANT_COMMANDS.values()),
    *(case(f"{command} {{empty}}", NOT_A_PLANT) for command in PLANT_COMMANDS.values()),
    *(case(f"{command} {{cut}}", CUT, code=bad_record_code(name)) for name, command in PLANT_COMMANDS.items()),
    *(
        case(f"{command} {{no_number}}", NO_NUMBER, code=bad_record_code(name))
        for name, command in PLANT_COMMANDS.items()
    ),
    *(
        case(f"{PLANT_COMMANDS[name]} {{no_clockin}}", NO_CLOCKIN, code=bad_record_code(name))
        for name in ("validate", "crew plan", "forecast", "assess", "allocation")
    ),
    *(
        case(f"{PLANT_COMMANDS[name]} {{meta_only}}", "{meta_only}")
        for name in ("validate", "skills", "crew plan", "forecast", "assess", "analytics", "allocation")
    ),
    case("simulator --port 1 --plant {missing}", "{missing}"),
    case("simulator --port 1 --plant {empty}", NOT_A_PLANT),
    # the simulator's options named by their flags (before: 'rate_429: ...'; a rate limit of 0 served, all 429)
    case("simulator --port 1 --plant {plant} --fault-429-rate 2", "--fault-429-rate", "less than or equal to 1"),
    case("simulator --port 1 --plant {plant} --fault-latency-ms -1", "--fault-latency-ms"),
    case("simulator --port 1 --plant {plant} --rate-limit 0", "--rate-limit", "at least 1"),
]

FAR_DATES = [
    ("skills --quiet --plant {plant} --out {out} --as-of 9999-12-31", "--as-of", "9999-12-31", "2000-01-01"),
    ("skills --quiet --plant {plant} --out {out} --as-of 0001-01-01", "--as-of", "0001-01-01"),
    ("crew plan --quiet --plant {plant} --out {out} --date 9999-12-31", "--date", "9999-12-31"),
    ("crew plan --quiet --plant {plant} --out {out} --date 0001-01-01", "--date", "0001-01-01"),
    ("allocation run --plant {plant} --day 9999-12-31", "--day", "9999-12-31"),
    ("validate --quiet --plant {plant} --out {out} --until 9999-12-31", "--until", "9999-12-31"),
    ("assess --quiet --plant {plant} --since 0001-01-01", "--since", "0001-01-01"),
    ("assess --quiet --plant {plant} --until 9999-12-31T23:59:59-12:00", "--until", "9999-12-31"),
    ("forecast --quiet --plant {plant} --out {out} --as-of 0001-01-01", "--as-of", "0001-01-01"),
    ("plant generate --quiet --out {out}.d --employees 5 --weeks 1 --end 9999-12-31", "--end", "9999-12-31"),
    ("backfill --quiet --plant {plant} --since 2026-11-10T00:00Z --until 9999-12-31T00:00Z", "--until", "9999"),
]
"""Days the date arithmetic cannot reach (a placeholder year, a typo): refused naming the flag and the
range, where each answered with an OverflowError's traceback before."""

DATE_CASES = [
    case("validate --quiet --plant {plant} --out {out} --since 2026-11-19 --until 2026-11-10", "--since", "--until"),
    case("validate --quiet --plant {plant} --out {out} --since yesterday", "--since", "yesterday"),
    case("validate --quiet --plant {plant} --out {out} --since 2025-01-01 --until 2025-01-05", "--since/--until"),
    case("assess --quiet --plant {plant} --since 2026-11-19 --until 2026-11-10", "empty window"),
    case("assess --quiet --plant {plant} --since nope", "--since", "nope"),
    case("assess --quiet --plant {plant} --since 2026-11-10T06:00", "--since", "no time zone"),
    case("assess --quiet --plant {plant} --since 2025-01-01 --until 2025-01-05", "--since", "--until"),
    case("skills --quiet --plant {plant} --out {out} --as-of 2026-13-01", "--as-of", "2026-13-01"),
    case("skills --quiet --plant {plant} --out {out} --horizon-days 0", "--horizon-days"),
    # before: OverflowError's traceback; 61..99999 days ran, though skills_daily takes at most 60
    case("skills --quiet --plant {plant} --out {out} --horizon-days 99999999999", "--horizon-days", "60"),
    case("skills --quiet --plant {plant} --out {out} --horizon-days 61", "--horizon-days", "60"),
    case("crew plan --quiet --plant {plant} --out {out} --date 2025-01-01", "--date", "2025-01-01"),
    case("crew plan --quiet --plant {plant} --out {out} --date 2026-11-18 --shift ZZ", "--shift", "'ZZ'"),
    # the flag and the valid values named (before: "unknown shift '9' (the plant's shifts: ...)")
    case("crew plan --quiet --plant {plant} --out {out} --date 2026-11-18 --shift 9", "--shift: '9'", "valid: 1, 2"),
    # before: nan passed the positive check and went to the solver (exit 0); gap had no check at all
    case("crew plan --quiet --plant {plant} --out {out} --date 2026-11-12 --time-limit nan", "--time-limit"),
    case("crew plan --quiet --plant {plant} --out {out} --date 2026-11-12 --time-limit inf", "--time-limit"),
    case("crew gap {bad_jsonl} --time-limit -1", "--time-limit"),
    case("forecast --quiet --plant {plant} --out {out} --as-of nope", "--as-of", "nope"),
    case("forecast --quiet --plant {plant} --out {out} --as-of 2025-01-01", "--as-of", "2025-01-01"),
    case("analytics scores --quiet --plant {plant} --weeks 0", "--weeks"),
    case("allocation run --plant {plant} --day nope", "--day", "nope"),
    case("allocation run --plant {plant} --day 2025-01-01", "--day", "2025-01-01"),
    case("plant generate --quiet --out {plant} --employees 8 --weeks 2", "--out {plant}", "--force"),
    case("plant generate --quiet --out {out}.d --weeks 0", "--weeks: "),
    case("plant generate --quiet --out {out}.d --employees -5", "--employees: at least 5"),  # before: "employees:"
    case("plant generate --quiet --out {out}.d --hard-normals bogus", "--hard-normals", "bogus"),
    *(case(argv, *says) for argv, *says in FAR_DATES),
]

FILE_CASES = [
    case("validate --quiet --plant {plant} --out {out} --model {missing}", "{missing}"),
    case("validate --quiet --plant {plant} --out {out} --model {bad_jsonl}", "--model", "{bad_jsonl}"),
    case("score --findings {missing} --labels {labels}", "--findings", "{missing}"),
    case("score --findings {root} --labels {labels}", "--findings", "{root}"),
    case("score --findings {bad_jsonl} --labels {labels}", "{bad_jsonl} line 1", "field"),
    case("score --findings {nothing} --labels {bad_jsonl}", "{bad_jsonl} line 1", "field"),
    case("train --out {out} --seeds 1 --decisions {missing}", "{missing}"),
    case("train --out {out} --seeds 1 --decisions {bad_jsonl}", "{bad_jsonl} line 1", "field"),
    case("crew gap {missing}", "{missing}"),
    case("crew gap {bad_jsonl}", "bad.jsonl", "not a GAP file"),
    case("copilot eval --lexical --procedures {missing}", "--procedures", "{missing}"),
    case("copilot eval --lexical --procedures {bad_jsonl}", "{bad_jsonl}, line 1", "guide_id"),
    case("copilot ask --lexical --procedures {bad_jsonl} how", "{bad_jsonl}, line 1", "guide_id"),
    case("copilot ask --lexical --index-dir {missing} how", "--index-dir"),
    case("copilot index --lexical --procedures {bad_jsonl} --out {out}", "{bad_jsonl}, line 1", "guide_id"),
    case("incidents train --quiet --osha {missing} --out {out}", "{missing}"),
    case("incidents train --quiet --osha {bad_csv} --out {out}", "{bad_csv}, line 1", "missing column"),
    case("incidents evaluate --model {missing} --osha {bad_csv}", "{missing}"),
    case("incidents evaluate --model {bad_jsonl} --osha {bad_csv}", "{bad_jsonl}", "not an incident model"),
    case("incidents classify x --model {bad_jsonl}", "{bad_jsonl}", "not an incident model"),
    case("incidents classify x --timezone Mars/Base", "--timezone", "Mars/Base"),
    case("incidents export --out {out}", "--audit-table"),
    case("model promote scorer-1 --artifacts-dir {missing}", "--audit-table"),
    case("writeback revert f-1", "--audit-table"),
    case("dlq list", "--local", "--stack"),
    case("dlq redrive punch", "--local", "--stack"),
    # checked before any queue is looked for (before: --max 0 moved nothing and said so, exit 0; --rate 0
    # was dropped for SQS's own rate; --rate -5 went to SQS)
    case("dlq redrive punch --local --max 0", "--max", "at least 1"),
    case("dlq redrive punch --stack s --rate 0", "--rate", "1 to 500"),
    case("dlq redrive punch --stack s --rate 501", "--rate", "1 to 500"),
    case("incidents export --audit-table t --out {out}", "no AWS region", "AWS_DEFAULT_REGION"),
    # a file that is not UTF-8 text is named (before: only "'utf-8' codec can't decode byte 0xff ...")
    case("score --findings {binary} --labels {labels}", "--findings {binary}: not UTF-8 text"),
    case("train --out {out} --seeds 1 --decisions {binary}", "--decisions {binary}: not UTF-8 text"),
    case("crew gap {binary}", "{binary}: not UTF-8 text"),
    case("copilot eval --lexical --procedures {binary}", "--procedures {binary}: not UTF-8 text"),
    case("incidents log --reporter E1 --occurred-at nope --audit-table t Cut_a_finger_on_a_blade", "occurred_at"),
]


@pytest.mark.parametrize("bad", [*PLANT_CASES, *DATE_CASES, *FILE_CASES])
def test_bad_input_is_named_without_a_traceback_and_loses_nothing(
    bad: Case,
    corpus: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given no AWS settings at all, and an --out file holding an earlier result
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AUDIT_TABLE_NAME", "ARTIFACTS_BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))  # no region from ~/.aws either
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # nor from an instance's metadata (the network)
    out = tmp_path / "earlier-result"
    out.write_text(EARLIER, encoding="utf-8")
    fields = {**corpus, "out": str(out)}
    # When the command runs on the bad input
    code = main(bad.argv.format(**fields).split())
    captured = capsys.readouterr()
    # Then it says what is wrong on stderr (one line when it refuses), with no traceback
    assert "Traceback" not in captured.out + captured.err
    assert code == bad.code, captured.err
    for needle in bad.says:
        assert needle.format(**fields) in captured.err
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1, captured.err
        # And a refused run leaves the earlier result as it was
        assert out.read_text(encoding="utf-8") == EARLIER


def test_assess_skips_bad_records_and_assesses_the_rest(
    corpus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the assessment of the whole plant
    assert main(["assess", "--quiet", "--json", "--plant", corpus["plant"]]) == 0
    whole = json.loads(capsys.readouterr().out)
    # When a copy with one time-clock entry missing its clock-in time is assessed
    code = main(["assess", "--quiet", "--json", "--plant", corpus["no_clockin"]])
    captured = capsys.readouterr()
    # Then that record is named and counted, and every other record is assessed
    assert code == 1, captured.err
    assert NO_CLOCKIN.format(**corpus) in captured.err
    assert "1 bad record skipped; the other records were assessed" in captured.err
    rest = json.loads(captured.out)
    assert rest["time_clock_entries"] == whole["time_clock_entries"] - 1
    assert rest["employees"] == whole["employees"]


@pytest.mark.parametrize(
    "argv",
    [
        "simulator --plant {plant} --port 70000",
        "simulator --plant {plant} --port -1",
        "local up --plant {plant} --api-port 65536",
        "local up --plant {plant} --moto-port -5",
        "local up --plant {plant} --plex-port 100000",
    ],
)
def test_a_port_outside_0_to_65535_is_refused_naming_the_flag_before_anything_starts(
    argv: str, corpus: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a port no socket can bind (before: OverflowError's traceback, after moto had started for local up)
    with pytest.raises(SystemExit) as exited:
        main(argv.format(**corpus).split())
    captured = capsys.readouterr()
    # Then argparse refuses it, naming the flag and the range, exit 2
    flag = next(word for word in argv.split() if word.endswith("port"))
    assert exited.value.code == 2 and "Traceback" not in captured.err
    assert f"argument {flag}:" in captured.err and "0 to 65535" in captured.err


def test_classify_without_a_packaged_model_points_to_make_incidents_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no packaged incident model (it is git-ignored, built by `make incidents-model`)
    from plexlabor.incidents import wiring

    monkeypatch.setattr(wiring, "PACKAGED_MODEL", tmp_path / "oiics_model.pkl")
    # When classify runs without --model, Then one line says how to get one (before: "...: No such file")
    assert main(["incidents", "classify", "Cut a finger on a blade"]) == 2
    err = capsys.readouterr().err
    assert "make incidents-model" in err and "--model" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
