"""Missions for the planner, the agent and the shoot tests: small, quick to fly, built in code."""

from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import threading
import time
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


def fly_agent(mission: Mission, drone_id: str, policy=None, failsafe=None, dt_s: float = 0.1, lag_s: float = 0.3):
    """Fly ``drone_id``'s whole timeline with ``make_agent`` on a simple vehicle (a first-order velocity
    lag of ``lag_s``, the gimbal integrated) while the tracker sees its subject, on the mission's
    nominal path, whenever the camera can project it. Returns the plan, the timeline and the log of
    (t_s, mode, position (3,), AgentOutput) per step."""
    import numpy as np

    from dronecine.geometry.person import project_person_boxes
    from dronecine.ground import plan_shoot
    from dronecine.mission.motion import nominal_paths
    from dronecine.perception import SubjectTrack, TrackStatus

    plan, paths = plan_shoot(mission), nominal_paths(mission)
    timeline = plan.timeline(drone_id)
    camera = mission.drone(drone_id).camera.pinhole()
    agent = make_agent(mission, timeline, policy, failsafe, dt_s=dt_s)
    vehicle = LaggedVehicle(timeline.home_ned_m, lag_s)
    log = []
    for k in range(round((plan.end_s + plan.preroll_s) / dt_s)):
        t_s = -plan.preroll_s + k * dt_s
        own = vehicle.own_state()
        subject = paths[agent.shot.subject_id if agent.shot is not None else timeline.shots[0].subject_id]
        box = project_person_boxes(camera, own.camera_pose(), subject.state_at(max(t_s, 0.0)).position_ned_m[None],
                                   subject.height_m)  # fmt: skip
        seen = np.isfinite(box).all()
        track = SubjectTrack(
            np.where(seen, box, np.nan),
            np.array([TrackStatus.DETECTED if seen else TrackStatus.LOST], np.int8),
            np.zeros(1),
        )
        out = agent.step(t_s, own, track, np.empty((0, 3)))
        vehicle.fly(out, dt_s)
        log.append((t_s, out.mode, vehicle.position_ned_m.copy(), out))
    return plan, timeline, log


class LaggedVehicle:
    """The agent tests' simple vehicle: velocity follows the command with a first-order lag of ``lag_s``,
    it never goes below the ground, and yaw and the gimbal (pitch -90..30 deg, yaw +-90 deg) integrate
    their rates."""

    def __init__(self, home_ned_m, lag_s: float) -> None:
        import numpy as np

        self.position_ned_m = np.array(home_ned_m, dtype=float)
        self.velocity_ned_m_s = np.zeros(3)
        self.lag_s = lag_s
        self.yaw_deg, self.gimbal_pitch_deg, self.gimbal_yaw_deg = 0.0, 0.0, 0.0

    def own_state(self):
        import numpy as np

        from dronecine.control import OwnState

        return OwnState(
            self.position_ned_m[None],
            self.velocity_ned_m_s[None],
            np.array([self.yaw_deg]),
            np.array([self.gimbal_pitch_deg]),
            np.array([self.gimbal_yaw_deg]),
        )

    def fly(self, out, dt_s: float) -> None:
        """One period of the agent's output ``out`` (an ``AgentOutput``)."""
        import numpy as np

        self.velocity_ned_m_s += (out.velocity_ned_m_s - self.velocity_ned_m_s) * dt_s / self.lag_s
        self.position_ned_m = self.position_ned_m + self.velocity_ned_m_s * dt_s
        self.position_ned_m[2] = min(self.position_ned_m[2], 0.0)
        self.yaw_deg += out.yaw_rate_deg_s * dt_s
        self.gimbal_pitch_deg = float(np.clip(self.gimbal_pitch_deg + out.gimbal_pitch_rate_deg_s * dt_s, -90.0, 30.0))
        self.gimbal_yaw_deg = float(np.clip(self.gimbal_yaw_deg + out.gimbal_yaw_rate_deg_s * dt_s, -90.0, 90.0))


def video_frames(path: Path) -> int:
    """How many frames the video at ``path`` holds, decoded as a player would."""
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.grab():
        count += 1
    capture.release()
    return count


class ServedCommand:
    """``dronecine ARGS`` with ``--serve`` in a subprocess, as a crew runs it: a thread keeps its output
    lines; ``url`` is the dashboard address it prints (waited for up to ``url_timeout_s``)."""

    def __init__(self, args: list[str], url_timeout_s: float = 120.0) -> None:
        command = [sys.executable, "-c", "from dronecine.cli.main import run; run()", *args]
        env = os.environ | {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url(url_timeout_s)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def _wait_for_url(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for line in self.lines:
                if found := re.search(r"dashboard: (http://\S+)", line):
                    return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise AssertionError("the command printed no dashboard address:\n" + self.output)

    def stop(self, timeout_s: float = 20.0) -> int:
        """Ctrl-C (killed if it does not end in ``timeout_s``); its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
