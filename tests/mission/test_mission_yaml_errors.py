"""Problems found in mission files: YAML errors, unreadable files, and line numbers of every stage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from missionkit import ORBIT_SINGLE, assert_one_line

from dronecine.mission import MissionError, Problem, format_key_path, load_mission

# YAML-level problems, from real files.


def _load_problems(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(MissionError) as caught:
        load_mission(path)
    for problem in caught.value.problems:
        assert_one_line(problem, str(path))
    return caught.value.problems


def _write(tmp_path: Path, text: str | bytes, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "name: [a, b\norigin: 1\n"))
    assert "YAML syntax error" in problem.message
    assert "line 2" in problem.message


def test_yaml_tab_indent_is_a_syntax_error(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "name: a\nsafety:\n\tceiling_m: 1\n"))
    assert "YAML syntax error" in problem.message
    assert re.search(r"line \d+", problem.message)


def test_a_character_yaml_refuses_names_its_line(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "name: a\nb: c\nd: x\x00y\n"))
    assert problem.message.startswith("YAML syntax error: line 3: ")
    assert "#x0000" in problem.message


def test_duplicate_key_names_the_key_path_and_twice(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "name: a\nsafety:\n  floor_m: 1\n  floor_m: 2\n"))
    assert format_key_path(problem.path) == "safety.floor_m"
    assert "twice" in problem.message
    assert problem.line == 4
    assert str(problem).endswith("(line 4)")


def test_duplicate_key_in_a_list_item(tmp_path: Path) -> None:
    text = "subjects:\n  - id: a\n  - id: b\n    id: c\n"
    (problem,) = _load_problems(_write(tmp_path, text))
    assert format_key_path(problem.path) == "subjects[1].id"
    assert problem.line == 4


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    (problem,) = _load_problems(_write(tmp_path, text))
    assert "is empty" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    (problem,) = _load_problems(tmp_path / "nope.yaml")
    assert problem.message == "no such file"


def test_directory(tmp_path: Path) -> None:
    (problem,) = _load_problems(tmp_path)
    assert "is a directory" in problem.message


def test_non_utf8_bytes(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, b"name: caf\xe9\n"))
    assert "not UTF-8" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "? [a, b]\n: 1\n",  # a list as a key
        "{? {a: 1} : 2}\n",  # a mapping as a key
        "name: x\nsafety:\n  ? [1]\n  : 2\n",
    ],
    ids=["list-key", "mapping-key", "nested-list-key"],
)
def test_complex_keys_are_problems_not_crashes(tmp_path: Path, text: str) -> None:
    (problem,) = _load_problems(_write(tmp_path, text))
    assert "key" in problem.message


def test_several_documents_in_one_file(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "name: a\n---\nname: b\n"))
    assert "YAML syntax error" in problem.message


def test_python_tags_are_refused(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "name: !!python/object/apply:os.getcwd []\n"))
    assert "YAML syntax error" in problem.message


def test_scalar_top_level_in_a_file(tmp_path: Path) -> None:
    (problem,) = _load_problems(_write(tmp_path, "just words\n"))
    assert "expected a mapping at the top level" in problem.message


# Line numbers for problems found after parsing.

_ORBIT_LINES = ORBIT_SINGLE.read_text(encoding="utf-8").splitlines()


def _line_of(fragment: str) -> int:
    """1-based line of the first line of orbit_single.yaml that contains ``fragment``."""
    return next(i for i, line in enumerate(_ORBIT_LINES, 1) if fragment in line)


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = ORBIT_SINGLE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return _write(tmp_path, text.replace(old, new))


def test_unknown_key_in_a_file_reports_its_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  floor_m: 2 ", "  floor_m: 2\n  colour: red ")
    (problem,) = _load_problems(path)
    assert format_key_path(problem.path) == "safety.colour"
    assert problem.line == _line_of("  floor_m: 2 ") + 1
    assert str(problem) == f"{path}: safety.colour: {problem.message} (line {problem.line})"


def test_bad_value_in_a_file_reports_its_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "ceiling_m: 40 ", "ceiling_m: 40 m ")
    (problem,) = _load_problems(path)
    assert format_key_path(problem.path) == "safety.ceiling_m"
    assert problem.line == _line_of("ceiling_m: 40 ")


def test_missing_key_reports_the_line_of_its_parent(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  ceiling_m: 40 ", "  # no ceiling ")
    (problem,) = _load_problems(path)
    assert format_key_path(problem.path) == "safety.ceiling_m"
    assert problem.message == "is required but missing"
    assert problem.line == _line_of("safety:")


def test_dangling_reference_in_a_file_reports_its_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "- drone: solo", "- drone: ghost")
    (problem,) = _load_problems(path)
    assert format_key_path(problem.path) == "scenes[0].shots[0].drone"
    assert problem.line == _line_of("- drone: solo")


def test_infeasible_shot_in_a_file_reports_the_shot_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "{height_m: 6, rate_deg_s: 9}", "{height_m: 60, rate_deg_s: 9}")
    (problem,) = _load_problems(path)
    assert format_key_path(problem.path) == "scenes[0].shots[0]"
    assert problem.line == _line_of("- drone: solo")


def test_geometry_problem_in_a_file_reports_its_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "home: {north_m: -20, east_m: 0}", "home: {north_m: -90, east_m: 0}")
    (problem,) = _load_problems(path)
    assert format_key_path(problem.path) == "drones[0].home"
    assert problem.line == _line_of("home: {north_m: -20")
