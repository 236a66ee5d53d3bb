"""Mission YAML: a whole shoot as validated, frozen objects.

``load_mission(path)`` reads a mission file and checks it in stages (YAML, schema,
references and geometry, feasibility of every shot); any problem raises ``MissionError``
whose lines each name the file, the key path and what was expected.
"""

from dronecine.mission.document import SCHEMA_VERSION, Mission
from dronecine.mission.errors import MissionError, Problem, format_key_path
from dronecine.mission.load import LoadedMission, load_mission, mission_json_schema
from dronecine.mission.motion import SubjectPath, nominal_paths
from dronecine.mission.resolve import build_shot

__all__ = [
    "SCHEMA_VERSION",
    "LoadedMission",
    "Mission",
    "MissionError",
    "Problem",
    "SubjectPath",
    "build_shot",
    "format_key_path",
    "load_mission",
    "mission_json_schema",
    "nominal_paths",
]
