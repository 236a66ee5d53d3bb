"""The mission bridge: a validated ``Mission``'s subjects as simulated people playing their motion segments.

Segments play in order with the semantics of ``dronecine.mission.motion.nominal_paths``: a segment
with a duration ends once that long has passed; one without ends when its script is done (path
walked, partner met or caught) or never (stand, wanders, walk_with); the next starts where the
person is; after the last, the person stands. The simulator adds its noise on top (``noise`` 0:
none). Unlike the nominal path, a wander (random_walk, sudden_turns) really wanders, and does not
jump back to its centre when it ends.
"""

from __future__ import annotations

import numpy as np

from dronecine.mission.document import Mission
from dronecine.mission.load import LoadedMission
from dronecine.mission.subjects import Subject
from dronecine_sim.subjects.errors import SubjectError
from dronecine_sim.subjects.obstacles import ObstacleField
from dronecine_sim.subjects.population import Subjects
from dronecine_sim.subjects.scripts import Script, ScriptParams

_SEGMENT_FIELDS = (
    "speed_m_s",
    "radius_m",
    "turn_every_s",
    "max_turn_deg",
    "walk_s",
    "stop_s",
    "side_m",
    "stop_distance_m",
)


class MissionSubjects:
    """A mission's subjects in a ``Subjects`` batch (person i is ``ids[i]``), stepped along their segments.

    ``t_s`` is the time since the mission start; ``segment`` (M,) each person's current segment
    (one past the last: standing after the script). ``subjects`` holds the state to read.
    """

    def __init__(
        self,
        ids: tuple[str, ...],
        segments: tuple[tuple[ScriptParams, ...], ...],
        durations: tuple[tuple[float | None, ...], ...],
        subjects: Subjects,
    ) -> None:
        self.ids = ids
        self.subjects = subjects
        self._segments = segments
        self._durations = durations
        self.segment = np.zeros(len(ids), dtype=np.int64)
        self._elapsed_s = np.zeros(len(ids))
        self.t_s = 0.0

    def index(self, subject_id: str) -> int:
        """The person index of the mission subject ``subject_id``."""
        try:
            return self.ids.index(subject_id)
        except ValueError:
            raise SubjectError(f"no subject {subject_id!r} in this mission (subjects: {', '.join(self.ids)})") from None

    def step(self, dt_s: float, rng: np.random.Generator) -> None:
        """Switch the people whose segment has ended to their next one, then advance everyone ``dt_s``."""
        switched: list[int] = []
        for person, durations in enumerate(self._durations):
            k = int(self.segment[person])
            if k >= len(durations) - 1:
                continue  # the closing stand lasts for ever
            duration = durations[k]
            if duration is not None and self._elapsed_s[person] >= duration - 1e-9:
                self._elapsed_s[person] = 0.0
            elif duration is None and self.subjects.done[person]:
                self._elapsed_s[person] = dt_s  # as the nominal path: the next segment began a step ago
            else:
                continue
            self.segment[person] = k + 1
            switched.append(person)
        if switched:
            rows = ScriptParams.concat([self._segments[p][int(self.segment[p])] for p in switched])
            self.subjects.assign(np.array(switched), rows, rng)
        self.subjects.step(dt_s, rng)
        self._elapsed_s += dt_s
        self.t_s += dt_s


def from_mission(
    mission: Mission | LoadedMission,
    rng: np.random.Generator,
    noise: float = 1.0,
    obstacles: ObstacleField | None = None,
) -> MissionSubjects:
    """The people of a validated mission (or a loaded one) at their starts, on their first segments,
    ready to ``step``; ``noise`` scales everyone's wobble (0: the nominal scripts)."""
    if isinstance(mission, LoadedMission):
        mission = mission.mission
    if not isinstance(mission, Mission):
        raise SubjectError(f"from_mission needs a validated Mission, got {type(mission).__name__}")
    ids = tuple(s.id for s in mission.subjects)
    index = {sid: i for i, sid in enumerate(ids)}
    segments, durations = [], []
    for subject in mission.subjects:
        rows, times = _segments(subject, index, noise)
        segments.append(rows)
        durations.append(times)
    people = Subjects(len(ids), obstacles)
    start = np.array([[s.start.north_m, s.start.east_m] for s in mission.subjects], dtype=np.float64)
    heading = np.array([float(s.heading_deg) for s in mission.subjects])
    height = np.array([float(s.height_m) for s in mission.subjects])
    first = ScriptParams.concat([rows[0] for rows in segments])
    people.reset(np.arange(len(ids)), first, start, heading, rng, height)
    return MissionSubjects(ids, tuple(segments), tuple(durations), people)


def _segments(
    subject: Subject, index: dict[str, int], noise: float
) -> tuple[tuple[ScriptParams, ...], tuple[float | None, ...]]:
    """One row of parameters per motion segment, then a closing stand; and their durations."""
    rows, times = [], []
    for segment in subject.motion:
        values: dict[str, object] = {name: getattr(segment, name) for name in _SEGMENT_FIELDS if hasattr(segment, name)}
        if hasattr(segment, "catch_distance_m"):
            values["stop_distance_m"] = segment.catch_distance_m
        if hasattr(segment, "waypoints"):
            values["waypoints_ne_m"] = [[w.north_m, w.east_m] for w in segment.waypoints]
        if hasattr(segment, "subject"):
            if segment.subject not in index or segment.subject == subject.id:
                raise SubjectError(f"subject {subject.id!r} follows {segment.subject!r}, which is not another subject")
            values["partner"] = index[segment.subject]
        script = Script.from_mission_name(segment.script)
        loop = getattr(segment, "loop", False)
        rows.append(ScriptParams.make(script, noise=noise, loop=loop, **values))  # type: ignore[arg-type]
        times.append(segment.duration_s)
    rows.append(ScriptParams.make(Script.STAND, noise=noise))
    times.append(None)
    return tuple(rows), tuple(times)
