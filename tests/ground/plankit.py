"""Missions for the planner, the agent and the shoot tests: small, quick to fly, built in code."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import cv2
import yaml

from dronecine.mission import Mission
from dronecine.mission.load import validate_document
from dronecine.mission.yaml_source import YamlSource

REPO = Path(__file__).resolve().parents[2]
ROBOT_SKIES = REPO / "missions" / "robot_skies.yaml"
_ORBIT = yaml.safe_load((REPO / "missions" / "orbit_single.yaml").read_text(encoding="utf-8"))


def duet_document(scene_s: float = 20.0) -> dict[str, Any]:
    """Two drones, two people (ada stands, bob walks up to her), two scenes of ``scene_s``."""
    doc = copy.deepcopy(_ORBIT)
    doc["name"] = "Duet"
    doc["subjects"].append(
        {
            "id": "bob",
            "start": {"north_m": 12, "east_m": 12},
            "heading_deg": -135,
            "motion": [{"script": "meet", "subject": "ada", "speed_m_s": 1.2, "stop_distance_m": 1.5}],
        }
    )
    doc["characters"]["close"] = {
        "sizes": ["full"],
        "moves": ["profile", "orbit"],
        "distance_m": {"min": 3, "max": 10},
        "height_m": {"min": 2.5, "max": 5},
    }
    doc["drones"].append(
        {"id": "duo", "connection": "sim://", "home": {"north_m": -20, "east_m": 12}, "character": "close"}
    )
    doc["scenes"] = [
        {
            "name": "arrival",
            "duration_s": scene_s,
            "pace": "slow",
            "shots": [
                {
                    "drone": "solo",
                    "subject": "ada",
                    "move": "orbit",
                    "size": "wide",
                    "params": {"height_m": 8, "rate_deg_s": 6},
                },
                {"drone": "duo", "subject": "bob", "move": "follow", "size": "medium_wide", "params": {"height_m": 3}},
            ],
        },
        {
            "name": "together",
            "duration_s": scene_s,
            "pace": "fast",
            "shots": [
                {
                    "drone": "solo",
                    "subject": "ada",
                    "move": "spotlight",
                    "size": "wide",
                    "params": {"height_m": 10, "bearing_deg": -90},
                },
            ],
        },
    ]
    return doc


def load(doc: dict[str, Any]) -> Mission:
    return validate_document(YamlSource("test.yaml", doc, {})).mission


def write(doc: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def shoot_duet(folder: Path, scene_s: float, *options: str) -> tuple[Path, str]:
    """``dronecine shoot`` of the duet (scenes ``scene_s`` long) into ``folder/out``, 160 px videos;
    the folder and what the command printed. Fails the test if the command fails."""
    from typer.testing import CliRunner

    from dronecine.cli.main import app

    mission = write(duet_document(scene_s=scene_s), folder / "duet.yaml")
    out = folder / "out"
    result = CliRunner().invoke(app, ["shoot", str(mission), "--out", str(out), "--video-width", "160", *options])
    assert result.exit_code == 0, result.output
    return out, result.output


def make_agent(mission: Mission, timeline, policy=None, failsafe=None, dt_s: float = 0.1):
    """The onboard agent the agent and station tests fly: the baseline controller (or ``policy``),
    the mission's limits with a quarter-metre margin, cruising at 3.6 m/s and climbing at 1.4."""
    from dronecine.agent import OnboardAgent
    from dronecine.control import BaselineController, ShotObserver
    from dronecine.flight.safety import SafetyLimits
    from dronecine.mission.motion import nominal_paths

    camera = mission.drone(timeline.drone_id).camera.pinhole()
    return OnboardAgent(
        timeline,
        policy if policy is not None else BaselineController(dt_s=dt_s),
        ShotObserver(1, camera, dt_s),
        SafetyLimits.from_mission(mission.safety, margin_m=0.25),
        nominal_paths(mission),
        cruise_m_s=3.6,
        climb_m_s=1.4,
        failsafe=failsafe,
    )


def video_frames(path: Path) -> int:
    """How many frames the video at ``path`` holds, decoded as a player would."""
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.grab():
        count += 1
    capture.release()
    return count
