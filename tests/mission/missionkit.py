"""Shared helpers for the mission tests: the base documents and one-call validation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dronecine.mission import LoadedMission, MissionError, Problem
from dronecine.mission.load import validate_document
from dronecine.mission.yaml_source import YamlSource

REPO = Path(__file__).resolve().parents[2]
MISSIONS = REPO / "missions"
ORBIT_SINGLE = MISSIONS / "orbit_single.yaml"
FILE = "x.yaml"

_BASE: dict[str, Any] = yaml.safe_load(ORBIT_SINGLE.read_text(encoding="utf-8"))


def base() -> dict[str, Any]:
    """A fresh deep copy of missions/orbit_single.yaml as plain data."""
    return copy.deepcopy(_BASE)


def rich_base() -> dict[str, Any]:
    """orbit_single plus a second subject that walks and meets ada, a second drone and a second scene."""
    doc = base()
    doc["subjects"].append(
        {
            "id": "bob",
            "start": {"north_m": 10, "east_m": 10},
            "motion": [
                {"script": "waypoints", "waypoints": [{"north_m": 10, "east_m": -10}], "speed_m_s": 1.4},
                {"script": "meet", "subject": "ada", "stop_distance_m": 2},
            ],
        }
    )
    doc["drones"].append(
        {"id": "duo", "connection": "sim://", "home": {"north_m": -20, "east_m": 20}, "character": "circler"}
    )
    doc["scenes"].append(
        {
            "name": "walk",
            "duration_s": 20,
            "shots": [
                {"drone": "solo", "subject": "bob", "move": "orbit", "params": {"radius_m": 10, "rate_deg_s": 6}},
                {"drone": "duo", "subject": "ada", "move": "orbit", "params": {"radius_m": 14, "start_bearing_deg": 0}},
            ],
        }
    )
    return doc


def with_bob(doc: dict[str, Any]) -> dict[str, Any]:
    """Add a second, standing subject ``bob`` (so motion scripts have someone else to refer to)."""
    doc["subjects"].append({"id": "bob", "start": {"north_m": 10, "east_m": 10}, "motion": [{"script": "stand"}]})
    return doc


def validate(doc: Any) -> LoadedMission:
    return validate_document(YamlSource(FILE, doc, {}))


def problems_of(mutate: Callable[[dict[str, Any]], Any], doc: dict[str, Any] | None = None) -> tuple[Problem, ...]:
    """Apply ``mutate`` to a copy of the base (it may mutate in place or return a replacement)
    and return the problems validation reports; fails if the document validates."""
    doc = base() if doc is None else doc
    replaced = mutate(doc)
    data = doc if replaced is None else replaced
    try:
        validate(data)
    except MissionError as error:
        return error.problems
    raise AssertionError("the mutated document validated, expected a MissionError")


def assert_one_line(problem: Problem, file: str = FILE) -> None:
    text = str(problem)
    assert text.splitlines() == [text], f"not one line: {text!r}"
    assert text.startswith(f"{file}: "), text
