"""Loading a mission: YAML, then schema, then references and geometry, then feasibility.

Each stage runs only if the one before passed (a dangling reference would make the
feasibility check meaningless). Every problem of the failing stage is reported, one line
each, in a single ``MissionError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dronecine.mission.checks import character_warnings, geometry_errors, reference_errors
from dronecine.mission.document import Mission
from dronecine.mission.errors import MissionError, Problem
from dronecine.mission.feasibility import feasibility_errors
from dronecine.mission.pydantic_errors import problems_from_validation
from dronecine.mission.yaml_source import YamlSource, read_yaml


@dataclass(frozen=True)
class LoadedMission:
    mission: Mission
    file: str
    warnings: tuple[Problem, ...]


def load_mission(path: Path | str) -> LoadedMission:
    """Read and validate a mission file; raises ``MissionError`` listing what is wrong."""
    return validate_document(read_yaml(path))


def validate_document(source: YamlSource) -> LoadedMission:
    if not isinstance(source.data, dict):
        kind = type(source.data).__name__
        raise MissionError(
            [Problem(source.file, (), f"expected a mapping at the top level (name, origin, ...), got {kind}")]
        )
    try:
        mission = Mission.model_validate(source.data)
    except ValidationError as error:
        raise MissionError(problems_from_validation(error, source)) from None
    for stage in (reference_errors, geometry_errors, feasibility_errors):
        problems = [Problem(source.file, path, message, source.line_of(path)) for path, message in stage(mission)]
        if problems:
            raise MissionError(problems)
    warnings = tuple(Problem(source.file, p, m, source.line_of(p)) for p, m in character_warnings(mission))
    return LoadedMission(mission, source.file, warnings)


def mission_json_schema() -> dict:
    """The JSON Schema of mission files, for editors to complete and check them."""
    schema = Mission.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dronecine mission"
    return schema
