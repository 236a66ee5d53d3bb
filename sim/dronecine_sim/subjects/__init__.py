"""Simulated people moved by seeded motion scripts, batched over M people in numpy.

The scripts are the mission's (stand, waypoints, run, stop_and_go, random_walk, sudden_turns,
walk_with, meet, chase; ``Script``), each with per-person parameters (``ScriptParams``, (M,)
arrays). ``Subjects(m)`` holds the state (positions on the ground in local NED metres,
velocities, the smoothed heading of travel, the body's heading, heights, the gait phase);
``reset`` (re)starts a subset, ``assign`` gives a subset new scripts where they stand, ``step``
advances everyone. Each person steers: the script's desired velocity, a seeded wobble, an
acceleration-capped first-order approach (walkers ~2 m/s^2, runners ~3 m/s^2), the heading
turning at most 30 deg/s. One ``numpy.random.Generator`` feeds all of it, a fixed number of
draws per call, so a seed reproduces a batch exactly.

``random_scenario`` draws episodes for the environments (N filmed subjects and their N
partners); ``from_mission`` plays a mission's motion segments like
``dronecine.mission.motion.nominal_paths``, noise on top; ``BoxObstacles`` keeps people out of
buildings.
"""

from dronecine_sim.subjects.errors import ScriptParamsError, SubjectError
from dronecine_sim.subjects.mission import MissionSubjects, from_mission
from dronecine_sim.subjects.obstacles import BoxObstacles, ObstacleField
from dronecine_sim.subjects.population import MAX_TURN_RATE_DEG_S, Subjects
from dronecine_sim.subjects.scenario import Scenario, random_scenario
from dronecine_sim.subjects.scripts import Script, ScriptParams, default_limits

__all__ = [
    "MAX_TURN_RATE_DEG_S",
    "BoxObstacles",
    "MissionSubjects",
    "ObstacleField",
    "Scenario",
    "Script",
    "ScriptParams",
    "ScriptParamsError",
    "SubjectError",
    "Subjects",
    "default_limits",
    "from_mission",
    "random_scenario",
]
