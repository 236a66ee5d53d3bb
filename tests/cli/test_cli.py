"""The ``dronecine`` command: validate, mission schema, moves, --help and --version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import invoke

from dronecine import __version__
from dronecine.shots import MOVES, MoveName, param_specs

REPO = Path(__file__).resolve().parents[2]
ORBIT_SINGLE = REPO / "missions" / "orbit_single.yaml"


def _bad_copy(tmp_path: Path, name: str = "bad.yaml") -> Path:
    text = ORBIT_SINGLE.read_text(encoding="utf-8").replace("move: orbit ", "move: orbitt ")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("validate", "moves", "mission"):
        assert command in result.stdout


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "validate" in result.output
    assert "Usage" in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dronecine {__version__}"


def test_validate_a_good_mission() -> None:
    result = invoke("validate", ORBIT_SINGLE)
    assert result.exit_code == 0
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"ok {ORBIT_SINGLE}: 'Single orbit'")
    assert "1 scene, 1 drone, 1 subject, 40 s" in line


def test_validate_a_bad_mission(tmp_path: Path) -> None:
    bad = _bad_copy(tmp_path)
    result = invoke("validate", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{bad}: scenes[0].shots[0].move: 'orbitt' is not a camera move (expected one of: ")
    assert lines[0].endswith(")")
    assert "(line " in lines[0]


def test_validate_several_files_one_bad(tmp_path: Path) -> None:
    # Deep, long paths: each report stays on its own line whatever the terminal width.
    deep = tmp_path / ("a_rather_long_directory_name_" * 3) / "another_level_of_folders"
    deep.mkdir(parents=True)
    good = deep / "good_mission_with_a_long_name.yaml"
    shutil.copy(ORBIT_SINGLE, good)
    bad = _bad_copy(deep)
    result = invoke("validate", good, bad, ORBIT_SINGLE)
    assert result.exit_code == 2
    ok_lines = result.stdout.splitlines()
    assert len(ok_lines) == 2
    assert ok_lines[0].startswith(f"ok {good}: ")
    assert ok_lines[0].endswith(", 40 s")
    assert ok_lines[1].startswith(f"ok {ORBIT_SINGLE}: ")
    (problem,) = result.stderr.splitlines()
    assert problem.startswith(f"{bad}: scenes[0].shots[0].move: ")


def test_validate_reports_every_problem_one_per_line(tmp_path: Path) -> None:
    text = ORBIT_SINGLE.read_text(encoding="utf-8")
    text = text.replace("- drone: solo", "- drone: ghost").replace("subject: ada\n", "subject: nobody\n")
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["scenes[0].shots[0].drone", "scenes[0].shots[0].subject"]
    assert all(line.startswith(f"{path}: ") for line in lines)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("", "is empty"),
        ("name: [a\n", "YAML syntax error"),
        (b"\xff\xfe", "not UTF-8"),
        ("? [a]\n: 1\n", "as a key"),
    ],
    ids=["missing", "empty", "syntax", "binary", "complex-key"],
)
def test_validate_unreadable_files(tmp_path: Path, content: str | bytes | None, expected: str) -> None:
    path = tmp_path / "m.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: ")
    assert expected in line


def test_validate_warnings_and_strict(tmp_path: Path) -> None:
    # A size that is not one of the drone character's: allowed, with a warning; --strict fails on it.
    text = ORBIT_SINGLE.read_text(encoding="utf-8").replace("size: medium_wide", "size: full")
    path = tmp_path / "warn.yaml"
    path.write_text(text, encoding="utf-8")
    lenient = invoke("validate", path)
    assert lenient.exit_code == 0
    (warning,) = lenient.stderr.splitlines()
    assert warning.startswith(f"warning: {path}: scenes[0].shots[0].size: 'full' is not one of circler's sizes")
    assert lenient.stdout.startswith(f"ok {path}")
    strict = invoke("validate", "--strict", path)
    assert strict.exit_code == 2
    assert strict.stderr.startswith("warning: ")


def test_validate_needs_a_file() -> None:
    result = invoke("validate")
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_mission_schema_prints_json() -> None:
    result = invoke("mission", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "dronecine mission"
    assert {"name", "safety", "scenes"} <= set(schema["properties"])


def test_mission_schema_out_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = invoke("mission", "schema", "--out", out)
    assert result.exit_code == 0
    assert f"wrote {out}" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(invoke("mission", "schema").stdout)


def test_mission_schema_out_to_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "schema.json"
    result = invoke("mission", "schema", "--out", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{out}: cannot write (No such file or directory)"]


def test_mission_plot(tmp_path: Path) -> None:
    out = tmp_path / "plan.png"
    result = invoke("mission", "plot", ORBIT_SINGLE, "--out", out)
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert result.stdout.strip() == f"wrote {out}"
    missing = tmp_path / "no" / "plan.png"
    failed = invoke("mission", "plot", ORBIT_SINGLE, "--out", missing)
    assert failed.exit_code == 1
    assert failed.stderr.splitlines() == [f"{missing}: cannot write (No such file or directory)"]


def test_markup_like_names_and_paths_are_printed_as_written(tmp_path: Path) -> None:
    text = ORBIT_SINGLE.read_text(encoding="utf-8").replace("name: Single orbit ", 'name: "[bold]odd[/] [/b] name" ')
    folder = tmp_path / "[red]"
    folder.mkdir()
    path = folder / "m[x].yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok {path}: '[bold]odd[/] [/b] name', 1 scene")


def test_moves_lists_all_fourteen() -> None:
    result = invoke("moves")
    assert result.exit_code == 0
    assert len(MoveName) == 14
    for name in MoveName:
        assert f"{name.value}:" in result.stdout
    assert "radius_m" in result.stdout
    assert "auto" in result.stdout


def test_moves_json() -> None:
    result = invoke("moves", "--json")
    assert result.exit_code == 0
    listing = json.loads(result.stdout)
    assert set(listing) == {m.value for m in MoveName}
    for name, move in listing.items():
        assert move["summary"]
        expected = [p.name for p in param_specs(MOVES[MoveName(name)])]
        assert [p["name"] for p in move["params"]] == expected
        for p in move["params"]:
            assert {"unit", "default", "min", "max", "doc"} <= set(p)
            assert p["min"] < p["max"]
            assert p["default"] is None or p["min"] <= p["default"] <= p["max"]
    orbit = {p["name"]: p for p in listing["orbit"]["params"]}
    assert orbit["radius_m"]["unit"] == "m"
    assert orbit["radius_m"]["default"] is None  # auto, from the shot size
    assert orbit["rate_deg_s"]["unit"] == "deg/s"


def test_unknown_command() -> None:
    result = invoke("fly")
    assert result.exit_code == 2
    assert "No such command" in result.output


def _console_script() -> str:
    # The script of the environment running the tests first: another one on PATH may be another clone's.
    beside = Path(sys.executable).parent / ("dronecine.exe" if os.name == "nt" else "dronecine")
    if beside.exists():
        return str(beside)
    found = shutil.which("dronecine")
    if found:
        return found
    pytest.skip("the dronecine console script is not installed")


def test_the_installed_console_script(tmp_path: Path) -> None:
    """One real process: the entry point works, and a bad file gives one line and exit 2, no traceback."""
    bad = _bad_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}}
    env.update(COLUMNS="40", NO_COLOR="1")  # a narrow terminal must not wrap the report lines
    done = subprocess.run(
        [_console_script(), "validate", str(ORBIT_SINGLE), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines() == [f"ok {ORBIT_SINGLE}: 'Single orbit', 1 scene, 1 drone, 1 subject, 40 s"]
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"{bad}: scenes[0].shots[0].move: 'orbitt' is not a camera move")
