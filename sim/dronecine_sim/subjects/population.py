"""``Subjects``: the state of M simulated people and the batched step that moves them by their scripts.

Per step (``dt_s``) and person: the script gives a desired horizontal velocity (``steering``); a
seeded wobble scales its pace and turns it slightly; obstacles, if any, deflect it along their
walls; it is capped at ``max_speed_m_s``; the velocity approaches it as a first-order lag
(``TAU_V_S``) whose change is capped at ``max_accel_m_s2``; the position integrates the velocity
(semi-implicit Euler) on the ground (down = 0). Then the smoothed heading turns towards the
direction of travel at most ``MAX_TURN_RATE_DEG_S`` (as ``dronecine.mission.motion`` does), the
body faster, and the walk phase advances with the distance walked.

Randomness: ``step`` draws exactly ``random((6, M))``, ``reset`` ``random((5, k))`` and ``assign``
``random((2, k))`` for k people, whatever their scripts, so a seed reproduces a batch exactly.
The wobbles are Ornstein-Uhlenbeck processes driven by unit-variance uniform shocks (cheaper
than normal draws; a wobble need not be Gaussian).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.subjects.errors import SubjectError
from dronecine_sim.subjects.obstacles import ObstacleField
from dronecine_sim.subjects.scripts import PATH_SCRIPTS, WANDER_SCRIPTS, Script, ScriptParams
from dronecine_sim.subjects.steering import (
    TAU_V_S,
    ScriptMemory,
    jitter,
    lap_lengths,
    norm2,
    steer_approach,
    steer_path,
    steer_walk_with,
    steer_wander,
    wrap_deg,
)

FloatArray = NDArray[np.float64]

MAX_TURN_RATE_DEG_S = 30.0  # the smoothed heading, as in mission/motion.py
BODY_TURN_RATE_DEG_S = 180.0
MOVING_M_S = 0.1  # below this the heading holds (as in mission/motion.py)
SPEED_WOBBLE = 0.06  # std of the pace factor at noise 1 (clipped to +-0.25) ...
SPEED_WOBBLE_TAU_S = 2.0  # ... and its correlation time
HEADING_WOBBLE_DEG = 6.0  # std of the turn of the desired velocity at noise 1 ...
HEADING_WOBBLE_TAU_S = 1.5  # ... and its correlation time
_SHOCK = np.sqrt(12.0)  # a uniform on [-0.5, 0.5) times this has unit variance
_GROUPS = {
    "path": PATH_SCRIPTS,
    "wander": WANDER_SCRIPTS,
    "with": (Script.WALK_WITH,),
    "approach": (Script.MEET, Script.CHASE),
}


def stride_m(speed_m_s: FloatArray) -> FloatArray:
    """The length (m) of a full gait cycle (two steps) at ``speed_m_s``: ~1.5 m walking, ~2.7 m running."""
    return 0.9 + 0.45 * speed_m_s


class Subjects:
    """M people on the ground, each moved by its own motion script (see the module docstring).

    State, float64, updated in place (read it, do not write it):
    ``position_ned_m`` (M, 3) feet on the ground (down = 0); ``velocity_ned_m_s`` (M, 3);
    ``heading_deg`` (M,) the smoothed direction of travel (0 north, 90 east, within [-180, 180]);
    ``body_heading_deg`` (M,) where the body faces; ``height_m`` (M,); ``walk_phase`` (M,) gait
    cycles in [0, 1), advancing with the distance walked; ``done`` (M,) bool, the script has
    finished (path walked, partner met or caught); ``script_time_s`` (M,) since the script began.
    A new ``Subjects`` has everyone standing at the origin; ``reset`` places people.
    """

    def __init__(self, m: int, obstacles: ObstacleField | None = None) -> None:
        if int(m) < 1:
            raise SubjectError(f"number of people {m} must be at least 1")
        m = int(m)
        self.m = m
        self.obstacles = obstacles
        # Column-major, so the (north, east) columns the step works on are contiguous.
        self.position_ned_m = np.zeros((m, 3), order="F")
        self.velocity_ned_m_s = np.zeros((m, 3), order="F")
        self.heading_deg = np.zeros(m)
        self.body_heading_deg = np.zeros(m)
        self.height_m = np.full(m, 1.75)
        self.walk_phase = np.zeros(m)
        self.done = np.zeros(m, dtype=bool)
        self.script_time_s = np.zeros(m)
        standing = ScriptParams.make(Script.STAND, m=m)
        # Writable copies of everyone's current parameters (ScriptParams' arrays are read-only).
        self._par: dict[str, np.ndarray] = {
            f.name: getattr(standing, f.name).copy() for f in dataclasses.fields(standing)
        }
        self._mem = ScriptMemory.zeros(m)
        self._wobble = np.zeros((2, m))  # speed, heading: unit-variance Ornstein-Uhlenbeck states
        self._groups: dict[str, np.ndarray] = {}
        self._regroup()

    @property
    def script(self) -> NDArray[np.int8]:
        """Each person's current script code (a ``Script``), a copy."""
        return self._par["script"].copy()

    @property
    def params(self) -> ScriptParams:
        """Everyone's current script parameters (a read-only snapshot)."""
        return ScriptParams(**self._par)  # type: ignore[arg-type]

    def reset(
        self,
        indices: ArrayLike,
        params: ScriptParams,
        position_ne_m: ArrayLike,
        heading_deg: ArrayLike,
        rng: np.random.Generator,
        height_m: ArrayLike = 1.75,
    ) -> None:
        """(Re)start the people at ``indices`` at rest at ``position_ne_m`` (k, 2) (or (k, 3), down
        ignored) facing ``heading_deg``, with ``params`` (k people; partners are indices among all M)."""
        index = self._indices(indices)
        k = index.shape[0]
        position = np.asarray(position_ne_m, dtype=np.float64)
        if position.ndim != 2 or position.shape[0] != k or position.shape[1] not in (2, 3):
            raise SubjectError(f"start positions must have shape ({k}, 2), got {position.shape}")
        heading = _column(heading_deg, k, "heading_deg")
        height = _column(height_m, k, "height_m")
        if not (np.isfinite(position).all() and np.isfinite(heading).all()):
            raise SubjectError("start positions and headings must be finite")
        if ((height <= 0.3) | (height > 5.0) | ~np.isfinite(height)).any():
            raise SubjectError("heights must be within (0.3, 5] m")
        self._check(index, params)
        uniform = rng.random((5, k))
        self.position_ned_m[index, :2] = position[:, :2]
        self.position_ned_m[index, 2] = 0.0
        self.velocity_ned_m_s[index] = 0.0
        self.heading_deg[index] = wrap_deg(heading)
        self.body_heading_deg[index] = wrap_deg(heading)
        self.height_m[index] = height
        self.walk_phase[index] = uniform[0]
        self._wobble[:, index] = _SHOCK * (uniform[1:3] - 0.5)
        if self.obstacles is not None:  # a start inside a building moves to its wall
            here, still = self.position_ned_m[index, :2], np.zeros((k, 2))
            self.obstacles.push_out(here, still)
            self.position_ned_m[index, :2] = here
        self._assign(index, params, uniform[3:])

    def assign(self, indices: ArrayLike, params: ScriptParams, rng: np.random.Generator) -> None:
        """Give the people at ``indices`` new scripts where they are, keeping their motion (a mission's
        next segment): a path starts from its first waypoint, a wander is centred here."""
        index = self._indices(indices)
        self._check(index, params)
        self._assign(index, params, rng.random((2, index.shape[0])))

    def _check(self, index: np.ndarray, params: ScriptParams) -> None:
        k = index.shape[0]
        if not isinstance(params, ScriptParams):
            raise SubjectError(f"script parameters must be a ScriptParams, got {type(params).__name__}")
        if params.m != k:
            raise SubjectError(f"script parameters are for {params.m} people but {k} indices were given")
        partner = params.partner
        bad = (partner >= self.m) | (partner == index)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SubjectError(
                f"person {int(index[i])}'s partner {int(partner[i])} must be another of the {self.m} people"
            )

    def _assign(self, index: np.ndarray, params: ScriptParams, uniform: FloatArray) -> None:
        width = params.waypoints_ne_m.shape[1]
        if width > self._par["waypoints_ne_m"].shape[1]:
            grown = np.zeros((self.m, width, 2))
            grown[:, : self._par["waypoints_ne_m"].shape[1]] = self._par["waypoints_ne_m"]
            self._par["waypoints_ne_m"] = grown
        for name, array in self._par.items():
            if name == "waypoints_ne_m":
                array[index] = 0.0
                array[index, :width] = params.waypoints_ne_m
            else:
                array[index] = getattr(params, name)
        mem, here = self._mem, self.position_ned_m[index, :2]
        mem.carrot_ne_m[index] = here
        mem.centre_ne_m[index] = here
        mem.waypoint_index[index] = 0
        mem.lap_m[index] = lap_lengths(params.waypoints_ne_m, params.waypoint_count)
        mem.moving[index] = True
        scripts = params.script
        first = np.where(scripts == Script.SUDDEN_TURNS, params.turn_every_s, params.walk_s)
        mem.timer_s[index] = first * jitter(params.noise, uniform[0])
        mem.intent_deg[index] = self.heading_deg[index]
        mem.turn_rate_deg_s[index] = 0.0
        self.done[index] = False
        self.script_time_s[index] = 0.0
        self._regroup()

    def step(self, dt_s: float, rng: np.random.Generator) -> None:
        """Advance everyone by ``dt_s`` seconds (0 < dt_s <= 1)."""
        if not 0.0 < dt_s <= 1.0:
            raise SubjectError(f"time step {dt_s!r} s must be within (0, 1]")
        m, par, mem = self.m, self._par, self._mem
        draws = rng.random((6, m))
        shock = _SHOCK * (draws[:3] - 0.5)  # unit variance
        uniform = draws[3:]
        decay = np.exp(-dt_s / np.array([SPEED_WOBBLE_TAU_S, HEADING_WOBBLE_TAU_S]))[:, None]
        self._wobble *= decay
        self._wobble += np.sqrt(1.0 - decay**2) * shock[:2]
        noise = par["noise"]
        pace = par["speed_m_s"] * (1.0 + np.clip(noise * SPEED_WOBBLE * self._wobble[0], -0.25, 0.25))
        pos, vel = self.position_ned_m[:, :2], self.velocity_ned_m_s[:, :2]
        desired = np.zeros((m, 2))
        done = np.zeros(m, dtype=bool)
        groups = self._groups
        if "path" in groups:
            i = groups["path"]
            desired[i], done[i] = steer_path(i, pos, pace, par, mem, uniform[0], dt_s)
        if "wander" in groups:
            i = groups["wander"]
            desired[i] = steer_wander(i, pos, vel, pace, par, mem, shock[2], uniform[0], uniform[1], dt_s)
        if "with" in groups:
            i = groups["with"]
            desired[i] = steer_walk_with(i, pos, vel, self.heading_deg, par)
        if "approach" in groups:
            i = groups["approach"]
            desired[i], done[i] = steer_approach(i, pos, vel, pace, par)
        # Wobble the direction, cap the speed, keep out of obstacles.
        turn = np.radians(HEADING_WOBBLE_DEG) * noise * self._wobble[1]
        cos, sin = np.cos(turn), np.sin(turn)
        north = cos * desired[:, 0] - sin * desired[:, 1]
        east = sin * desired[:, 0] + cos * desired[:, 1]
        norm = norm2(north, east)
        scale = np.minimum(1.0, par["max_speed_m_s"] / np.maximum(norm, 1e-12))
        desired[:, 0], desired[:, 1] = north * scale, east * scale
        if self.obstacles is not None:
            desired = self.obstacles.deflect(pos, desired)
        # First-order approach with an acceleration cap, then semi-implicit Euler.
        change = (desired - vel) * (1.0 - np.exp(-dt_s / TAU_V_S))
        size = norm2(change[:, 0], change[:, 1])
        change *= np.minimum(1.0, par["max_accel_m_s2"] * dt_s / np.maximum(size, 1e-12))[:, None]
        vel += change
        pos += vel * dt_s
        if self.obstacles is not None:
            self.obstacles.push_out(pos, vel)
        self._turn(dt_s, pos, vel, done)
        self.done[:] = done
        self.script_time_s += dt_s

    def _turn(self, dt_s: float, pos: FloatArray, vel: FloatArray, done: NDArray[np.bool_]) -> None:
        """Heading and body heading towards the travel (or, met or caught, towards the partner); gait."""
        speed = norm2(vel[:, 0], vel[:, 1])
        travel = np.degrees(np.arctan2(vel[:, 1], vel[:, 0]))
        goal = np.where(speed > MOVING_M_S, travel, self.heading_deg)
        body_goal = np.where(speed > 2.0 * MOVING_M_S, travel, self.body_heading_deg)
        if "approach" in self._groups:
            i = self._groups["approach"]
            arrived = i[done[i] & (speed[i] <= MOVING_M_S)]
            gap = pos[self._par["partner"][arrived]] - pos[arrived]
            goal[arrived] = body_goal[arrived] = np.degrees(np.arctan2(gap[:, 1], gap[:, 0]))
        self.heading_deg[:] = _turn_towards(self.heading_deg, goal, MAX_TURN_RATE_DEG_S * dt_s)
        self.body_heading_deg[:] = _turn_towards(self.body_heading_deg, body_goal, BODY_TURN_RATE_DEG_S * dt_s)
        self.walk_phase += speed * dt_s / stride_m(speed)
        self.walk_phase %= 1.0

    def _indices(self, indices: ArrayLike) -> np.ndarray:
        index = np.atleast_1d(np.asarray(indices))
        if index.ndim != 1 or index.size == 0 or not np.issubdtype(index.dtype, np.integer):
            raise SubjectError(f"indices must be a non-empty 1-D integer array, got {index.dtype} {index.shape}")
        index = index.astype(np.intp)
        if ((index < 0) | (index >= self.m)).any() or np.unique(index).size != index.size:
            raise SubjectError(f"indices must be distinct and within 0..{self.m - 1}")
        return index

    def _regroup(self) -> None:
        scripts = self._par["script"]
        self._groups = {}
        for name, members in _GROUPS.items():
            found = np.flatnonzero(np.isin(scripts, members))
            if found.size:
                self._groups[name] = found


def _turn_towards(heading_deg: FloatArray, goal_deg: FloatArray, limit_deg: float) -> FloatArray:
    return wrap_deg(heading_deg + np.clip(wrap_deg(goal_deg - heading_deg), -limit_deg, limit_deg))


def _column(value: ArrayLike, k: int, name: str) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    try:
        return np.broadcast_to(array, (k,)).copy()
    except ValueError:
        raise SubjectError(f"{name} has shape {array.shape} (expected ({k},))") from None
