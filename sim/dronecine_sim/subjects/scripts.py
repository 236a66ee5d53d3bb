"""Motion scripts and their per-person parameters, as arrays over a leading dimension M (people).

The scripts are the mission's (``dronecine.mission.subjects``): the enum is checked against
``MOTION_SCRIPTS`` on import and the parameter defaults are read from the segment models, so
neither can drift from the mission schema. Units are in the names; points are (north, east)
metres in the local NED frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.mission.subjects import (
    MOTION_SCRIPTS,
    Chase,
    Meet,
    RandomWalk,
    Run,
    Stand,
    StopAndGo,
    SuddenTurns,
    WalkWith,
    Waypoints,
)
from dronecine_sim.subjects.errors import ScriptParamsError, SubjectError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class Script(IntEnum):
    """A person's motion script; ``mission_name`` is its name in a mission YAML."""

    STAND = 0
    WAYPOINTS = 1
    RUN = 2
    STOP_AND_GO = 3
    RANDOM_WALK = 4
    SUDDEN_TURNS = 5
    WALK_WITH = 6  # follows the partner at a side offset
    MEET = 7  # walks up to the partner and stops at a distance
    CHASE = 8  # runs after the partner

    @property
    def mission_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_mission_name(cls, name: str) -> Script:
        try:
            return cls[name.upper()]
        except KeyError:
            raise SubjectError(
                f"unknown motion script {name!r} (expected one of {', '.join(MOTION_SCRIPTS)})"
            ) from None


if tuple(s.mission_name for s in Script) != MOTION_SCRIPTS:  # pragma: no cover - guards against drift
    raise SubjectError(f"Script enum {[s.mission_name for s in Script]} does not match the mission's {MOTION_SCRIPTS}")

SEGMENT_MODELS = {
    Script.STAND: Stand,
    Script.WAYPOINTS: Waypoints,
    Script.RUN: Run,
    Script.STOP_AND_GO: StopAndGo,
    Script.RANDOM_WALK: RandomWalk,
    Script.SUDDEN_TURNS: SuddenTurns,
    Script.WALK_WITH: WalkWith,
    Script.MEET: Meet,
    Script.CHASE: Chase,
}
PATH_SCRIPTS = (Script.WAYPOINTS, Script.RUN, Script.STOP_AND_GO)
WANDER_SCRIPTS = (Script.RANDOM_WALK, Script.SUDDEN_TURNS)
PARTNER_SCRIPTS = (Script.WALK_WITH, Script.MEET, Script.CHASE)

# ScriptParams field -> (the segment model's field per script, the default where no model has one).
_MODEL_FIELDS = {
    "speed_m_s": ("speed_m_s", 1.4),
    "radius_m": ("radius_m", 10.0),
    "turn_every_s": ("turn_every_s", 5.0),
    "max_turn_deg": ("max_turn_deg", 120.0),
    "walk_s": ("walk_s", 6.0),
    "stop_s": ("stop_s", 3.0),
    "side_m": ("side_m", 1.0),
    "stop_distance_m": ("stop_distance_m", 1.2),
}
# (minimum, maximum, minimum excluded) per float field.
_RANGES = {
    "speed_m_s": (0.0, 12.5, True),
    "radius_m": (0.0, 500.0, True),
    "turn_every_s": (0.0, 600.0, True),
    "max_turn_deg": (0.0, 180.0, True),
    "walk_s": (0.0, 600.0, True),
    "stop_s": (0.0, 600.0, True),
    "side_m": (-20.0, 20.0, False),
    "stop_distance_m": (0.0, 50.0, True),
    "noise": (0.0, 5.0, False),
    "max_speed_m_s": (0.0, 15.0, True),
    "max_accel_m_s2": (0.0, 10.0, True),
}
FLOAT_FIELDS = tuple(_RANGES)
# A walker accelerates at about 2 m/s^2, a runner at about 3; the cap leaves room for catching up.
WALK_ACCEL_M_S2 = 2.0
RUN_ACCEL_M_S2 = 3.0
RUN_ABOVE_M_S = 2.5
CATCH_UP_FACTOR = 1.3
WALK_WITH_MAX_SPEED_M_S = 6.0
STAND_MAX_SPEED_M_S = 1.0


def script_default(script: Script, field: str) -> float:
    """The default of ``field`` for ``script``: the mission segment model's, else a common one."""
    model_field, fallback = _MODEL_FIELDS[field]
    if script is Script.CHASE and field == "stop_distance_m":
        model_field = "catch_distance_m"
    info = SEGMENT_MODELS[script].model_fields.get(model_field)
    return float(info.default) if info is not None and info.default is not None else fallback


@dataclass(frozen=True, eq=False)
class ScriptParams:
    """Each person's script and its parameters: (M,) arrays, waypoints padded to (M, W, 2).

    ``speed_m_s`` is the script's pace (walking, running, meeting, chasing, wandering);
    ``radius_m`` bounds ``random_walk`` and ``sudden_turns`` around where the script starts;
    ``partner`` is the index (among all people) of whom ``walk_with``, ``meet`` and ``chase``
    follow, -1 for none; ``side_m`` is the ``walk_with`` offset to the partner's right (negative:
    left); ``stop_distance_m`` is where ``meet`` stops and ``chase`` catches. ``noise`` scales the
    seeded wobble (1: a person's usual, 0: none, so paths follow the nominal scripts).
    ``max_speed_m_s`` and ``max_accel_m_s2`` bound the horizontal velocity and its change.
    Build with ``make``, which broadcasts and fills the defaults; fields are read-only copies.
    """

    script: NDArray[np.int8]
    speed_m_s: FloatArray
    radius_m: FloatArray
    turn_every_s: FloatArray
    max_turn_deg: FloatArray
    walk_s: FloatArray
    stop_s: FloatArray
    partner: IntArray
    side_m: FloatArray
    stop_distance_m: FloatArray
    waypoints_ne_m: FloatArray  # (M, W, 2); rows beyond waypoint_count are padding
    waypoint_count: IntArray
    loop: NDArray[np.bool_]
    noise: FloatArray
    max_speed_m_s: FloatArray
    max_accel_m_s2: FloatArray

    def __post_init__(self) -> None:
        script = np.array(self.script, dtype=np.int8, ndmin=1)
        m = script.shape[0]
        if script.ndim != 1 or m < 1:
            raise ScriptParamsError(f"scripts must have shape (M,) with M >= 1, got {script.shape}", "script", m)
        if ((script < 0) | (script >= len(Script))).any():
            raise ScriptParamsError(f"script codes must be 0..{len(Script) - 1}", "script", script.tolist())
        values: dict[str, np.ndarray] = {"script": script}
        for name in (*FLOAT_FIELDS, "partner", "waypoint_count", "loop"):
            dtype = np.int64 if name in {"partner", "waypoint_count"} else bool if name == "loop" else np.float64
            values[name] = np.array(getattr(self, name), dtype=dtype)
        values["waypoints_ne_m"] = np.array(self.waypoints_ne_m, dtype=np.float64)
        for name, array in values.items():
            expected = (m, *array.shape[1:]) if name == "waypoints_ne_m" else (m,)
            if array.shape != expected or (name == "waypoints_ne_m" and (array.ndim != 3 or array.shape[2] != 2)):
                raise ScriptParamsError(
                    f"script parameter {name} has shape {array.shape} (expected {expected})", name, array.shape
                )
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        self._validate()

    def _validate(self) -> None:
        for name, (low, high, open_low) in _RANGES.items():
            value = getattr(self, name)
            bad = ~(np.isfinite(value) & ((value > low) if open_low else (value >= low)) & (value <= high))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                bracket = "(" if open_low else "["
                raise ScriptParamsError(
                    f"script parameter {name}[{i}] = {float(value[i])!r} is out of range "
                    f"(expected {bracket}{low:g}, {high:g}])",
                    name,
                    float(value[i]),
                )
        needs_path = np.isin(self.script, PATH_SCRIPTS)
        counts, width = self.waypoint_count, self.waypoints_ne_m.shape[1]
        bad = (counts < needs_path.astype(np.int64)) | (counts > width)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ScriptParamsError(
                f"waypoint_count[{i}] = {int(counts[i])} must be 1..{width} for {Script(self.script[i]).mission_name}",
                "waypoint_count",
                int(counts[i]),
            )
        used = np.arange(width)[None, :] < counts[:, None]
        if not np.isfinite(self.waypoints_ne_m[used]).all() or (np.abs(self.waypoints_ne_m[used]) > 1e5).any():
            raise ScriptParamsError("waypoints must be finite and within 100 km of the origin", "waypoints_ne_m", None)
        bad = (self.partner < -1) | (np.isin(self.script, PARTNER_SCRIPTS) & (self.partner < 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ScriptParamsError(
                f"partner[{i}] = {int(self.partner[i])} must be a person's index "
                f"for {Script(self.script[i]).mission_name}",
                "partner",
                int(self.partner[i]),
            )

    @property
    def m(self) -> int:
        """The number of people."""
        return int(self.script.shape[0])

    @classmethod
    def make(
        cls,
        script: ArrayLike | Script | str,
        *,
        m: int | None = None,
        speed_m_s: ArrayLike | None = None,
        radius_m: ArrayLike | None = None,
        turn_every_s: ArrayLike | None = None,
        max_turn_deg: ArrayLike | None = None,
        walk_s: ArrayLike | None = None,
        stop_s: ArrayLike | None = None,
        partner: ArrayLike = -1,
        side_m: ArrayLike | None = None,
        stop_distance_m: ArrayLike | None = None,
        waypoints_ne_m: ArrayLike | Sequence[ArrayLike] | None = None,
        loop: ArrayLike = False,
        noise: ArrayLike = 1.0,
        max_speed_m_s: ArrayLike | None = None,
        max_accel_m_s2: ArrayLike | None = None,
    ) -> ScriptParams:
        """Parameters for M people: scalars broadcast, ``None`` takes each script's mission default.

        ``script`` is one script (with ``m``) or M of them (``Script`` members, codes or mission names).
        ``waypoints_ne_m`` is one (W, 2) list for everyone, an (M, W, 2) array, or M lists of
        (north, east) points of any lengths (padded). The limits default to a walker's or a
        runner's (``default_limits``).
        """
        scripts = _script_codes(script, m)
        n = scripts.shape[0]
        values: dict[str, object] = {"script": scripts}
        given = {
            "speed_m_s": speed_m_s,
            "radius_m": radius_m,
            "turn_every_s": turn_every_s,
            "max_turn_deg": max_turn_deg,
            "walk_s": walk_s,
            "stop_s": stop_s,
            "side_m": side_m,
            "stop_distance_m": stop_distance_m,
        }
        for name, value in given.items():
            if value is None:
                table = np.array([script_default(s, name) for s in Script])
                values[name] = table[scripts]
            else:
                values[name] = _broadcast(value, n, name)
        values["partner"] = _broadcast(partner, n, "partner", np.int64)
        values["loop"] = _broadcast(loop, n, "loop", bool)
        values["noise"] = _broadcast(noise, n, "noise")
        values["waypoints_ne_m"], values["waypoint_count"] = pad_waypoints(waypoints_ne_m, n)
        default_speed, default_accel = default_limits(scripts, values["speed_m_s"])  # type: ignore[arg-type]
        values["max_speed_m_s"] = (
            default_speed if max_speed_m_s is None else _broadcast(max_speed_m_s, n, "max_speed_m_s")
        )
        values["max_accel_m_s2"] = (
            default_accel if max_accel_m_s2 is None else _broadcast(max_accel_m_s2, n, "max_accel_m_s2")
        )
        return cls(**values)  # type: ignore[arg-type]

    def take(self, indices: ArrayLike) -> ScriptParams:
        """The parameters of the people at ``indices`` (in that order)."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        return ScriptParams(**{f.name: getattr(self, f.name)[index] for f in dataclasses.fields(self)})

    def with_partner(self, partner: ArrayLike) -> ScriptParams:
        """A copy with the partner indices replaced (for placing people into a larger batch)."""
        return dataclasses.replace(self, partner=_broadcast(partner, self.m, "partner", np.int64))

    @classmethod
    def concat(cls, parts: Sequence[ScriptParams]) -> ScriptParams:
        """The people of ``parts`` one after another (waypoints padded to the widest)."""
        if not parts:
            raise SubjectError("cannot concatenate no script parameters")
        width = max(p.waypoints_ne_m.shape[1] for p in parts)
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            arrays = [getattr(p, f.name) for p in parts]
            if f.name == "waypoints_ne_m":
                arrays = [np.pad(a, ((0, 0), (0, width - a.shape[1]), (0, 0))) for a in arrays]
            values[f.name] = np.concatenate(arrays)
        return cls(**values)  # type: ignore[arg-type]


def default_limits(script: ArrayLike, speed_m_s: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """A walker's or a runner's (max speed m/s, max acceleration m/s^2) for each person's script and pace.

    Scripts with a pace may go ``CATCH_UP_FACTOR`` times faster to catch up with their plan;
    ``walk_with`` keeps up with whoever it walks with (up to ``WALK_WITH_MAX_SPEED_M_S``);
    above ``RUN_ABOVE_M_S`` people accelerate like runners.
    """
    scripts = np.asarray(script)
    speed = np.asarray(speed_m_s, dtype=np.float64)
    max_speed = np.maximum(CATCH_UP_FACTOR * speed, 0.5)
    max_speed = np.where(scripts == Script.STAND, STAND_MAX_SPEED_M_S, max_speed)
    max_speed = np.where(scripts == Script.WALK_WITH, WALK_WITH_MAX_SPEED_M_S, max_speed)
    max_speed = np.minimum(max_speed, 15.0)
    accel = np.where(max_speed > RUN_ABOVE_M_S * CATCH_UP_FACTOR, RUN_ACCEL_M_S2, WALK_ACCEL_M_S2)
    accel = np.where(scripts == Script.WALK_WITH, RUN_ACCEL_M_S2, accel)
    return max_speed, accel


def pad_waypoints(waypoints_ne_m: ArrayLike | Sequence[ArrayLike] | None, m: int) -> tuple[FloatArray, IntArray]:
    """Waypoints as a padded (M, W, 2) array and the (M,) counts; see ``ScriptParams.make``."""
    if waypoints_ne_m is None:
        return np.zeros((m, 1, 2)), np.zeros(m, dtype=np.int64)
    try:
        array = np.asarray(waypoints_ne_m, dtype=np.float64)
    except ValueError:
        array = None  # ragged: one list per person
    if array is not None and array.ndim == 2 and array.shape[1] == 2:
        return np.broadcast_to(array, (m, *array.shape)).copy(), np.full(m, array.shape[0], dtype=np.int64)
    if array is not None and array.ndim == 3 and array.shape[0] == m and array.shape[2] == 2:
        return array.copy(), np.full(m, array.shape[1], dtype=np.int64)
    rows = [np.asarray(row, dtype=np.float64).reshape(-1, 2) for row in waypoints_ne_m]  # type: ignore[union-attr]
    if len(rows) != m:
        raise ScriptParamsError(
            f"waypoints are given for {len(rows)} people, expected {m}", "waypoints_ne_m", len(rows)
        )
    width = max(1, *(r.shape[0] for r in rows))
    padded = np.zeros((m, width, 2))
    for i, row in enumerate(rows):
        padded[i, : row.shape[0]] = row
    return padded, np.array([r.shape[0] for r in rows], dtype=np.int64)


def _script_codes(script: ArrayLike | Script | str, m: int | None) -> NDArray[np.int8]:
    if isinstance(script, str | Script):
        items: list = [script]
    else:
        items = list(np.atleast_1d(np.asarray(script, dtype=object)))
    try:
        codes = np.array(
            [Script.from_mission_name(s) if isinstance(s, str) else Script(int(s)) for s in items], dtype=np.int8
        )
    except SubjectError as error:  # an unknown name: its message says which names there are
        raise ScriptParamsError(str(error), "script", None) from None
    except (TypeError, ValueError):
        raise ScriptParamsError(
            f"scripts must be Script members, codes or mission names, got {items!r:.80}", "script", None
        ) from None
    if m is not None:
        if codes.shape[0] not in (1, m):
            raise ScriptParamsError(f"{codes.shape[0]} scripts given for {m} people", "script", codes.shape[0])
        codes = np.broadcast_to(codes, (m,)).copy()
    return codes


def _broadcast(value: ArrayLike, n: int, name: str, dtype: type = np.float64) -> np.ndarray:
    array = np.asarray(value, dtype=dtype)
    try:
        return np.broadcast_to(array, (n,)).copy()
    except ValueError:
        raise ScriptParamsError(
            f"script parameter {name} has shape {array.shape} (expected ({n},))", name, array.shape
        ) from None
