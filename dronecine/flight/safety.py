"""The safety supervisor: between the policy and the flight link, it can only make a command safer.

One ``SafetySupervisor`` per drone. Each control step ``filter`` takes the policy's NED velocity
and yaw-rate command, the drone's position and velocity, and the other drones' positions, and
returns a ``SafeCommand``: the command unchanged when it is safe, else a safe command near it,
with the rules that changed it (``Intervention``, each logged at DEBUG with its reason). The rules:

1. Speed caps: the horizontal velocity is scaled (direction kept) to ``max_horizontal_speed_m_s``,
   the vertical clipped to ``max_vertical_speed_m_s``, the yaw rate to ``max_yaw_rate_deg_s``.
   A non-finite velocity command becomes a hover (``SPEED``), a non-finite yaw rate zero (``YAW_RATE``).
2.-4. Boundaries: the ceiling, the floor (while filming), every geofence edge, every other drone,
   and every person (``dronecine.flight.people``) each limit the velocity component ``n . v``
   towards them (``n`` the unit direction that brings the drone closer to that boundary) to a
   budget ``b``: with ``D`` the distance left before the boundary's margin and ``u = n . v_now``
   the drone's current speed towards it,

       v_D = allowed_speed(D)               if D >= 0  (stops within D: see ``dronecine.flight.limits``)
           = D / response_lag_s             if D < 0   (inside the margin or beyond: move back)
       b   = v_D - (u - v_D)                if u > v_D (lead: a drone still faster than allowed is told
           = v_D                            otherwise   to brake harder, as its velocity loop lags)
       b   = max(b, -return speed)

   A fence edge's distance is to the nearest point of the edge (so corners and non-convex fences
   work); for another drone ``D = (distance - min_separation_m - margin_m) / 2``: both drones are
   supervised alike, so each takes half the closing budget; for a person ``D = distance -
   clearance_m`` (no margin: the clearance is the margin, and a close shot's subject is 2 m away),
   ``u`` is the closing speed (the person's own speed towards the drone included) and the person's
   approach is taken off the budget: someone walking at a hovering drone makes it back away.
   Outside the fence the nearest edge's
   budget is negative and sideways speed is held at zero: the drone flies straight back in.
5. Braking comes first: while the drone approaches a boundary faster than allowed (``u > v_D``),
   the command is drawn towards the drone's current velocity (fully once 1 m/s too fast) on the
   axes the boundary lies along (horizontal for a fence edge, vertical for the ceiling or floor,
   both for another drone) before the budgets apply, so that the vehicle's acceleration, limited in
   norm, goes to braking rather than to the turn the policy asks for at the same time.

The velocity is then projected onto all the half-spaces ``n . v <= b`` and the speed caps together
(alternating projections). If they conflict (a drone cornered between boundaries it is beyond),
the recoveries give way: first the separations' and the people's (to ``b >= 0``), then all; a velocity that still
violates a ``b >= 0`` budget is scaled towards a hover, which satisfies them all.

A non-finite position or velocity (bad telemetry) gets a hover command (``INVALID_STATE``).

The guarantee holds for vehicles within the braking model: a velocity lag (plus one control period,
plus a jerk-limited vehicle's acceleration ramp) within ``response_lag_s`` and a deceleration of at
least ``braking_accel_m_s2`` (see ``planning_lag_s``), starting from a state the model can stop.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.flight.errors import SafetyError
from dronecine.flight.geofence import Geofence
from dronecine.flight.limits import SafetyLimits, allowed_speed_m_s, planning_lag_s, stopping_distance_m
from dronecine.flight.ned import ned_vector
from dronecine.flight.people import PersonZone

_log = logging.getLogger(__name__)

__all__ = [
    "Intervention",
    "PersonZone",
    "SafeCommand",
    "SafetyLimits",
    "SafetySupervisor",
    "allowed_speed_m_s",
    "planning_lag_s",
    "stopping_distance_m",
]

_LEAD_GAIN = 1.0  # how much harder than allowed a drone still too fast is told to brake
_TOL_M_S = 1e-9  # a budget exceeded by less than this is met
_MAX_ITERATIONS = 64  # alternating projections before a stage gives up
_COINCIDENT_M = 1e-6  # another drone this close: no direction to it, separate vertically
_BRAKE_FIRST_M_S = 1.0  # approaching a boundary this much too fast, the command starts from the current velocity


class Intervention(StrEnum):
    """A rule that changed a command (values used in logs)."""

    SPEED = "speed"
    YAW_RATE = "yaw_rate"
    GEOFENCE = "geofence"
    CEILING = "ceiling"
    FLOOR = "floor"
    SEPARATION = "separation"
    PERSON = "person"
    INVALID_STATE = "invalid_state"


_ORDER = {kind: i for i, kind in enumerate(Intervention)}


@dataclass(frozen=True, eq=False)
class SafeCommand:
    """The command to fly: NED velocity (3,) (read-only), yaw rate, and the rules that changed it."""

    velocity_ned_m_s: NDArray[np.float64]
    yaw_rate_deg_s: float
    interventions: tuple[Intervention, ...]  # empty when the command passed unchanged

    @property
    def changed(self) -> bool:
        return bool(self.interventions)


class _Boundary:
    """One boundary's budget for this step: ``n . v <= budget`` with ``n`` (north, east, down) the unit
    direction towards it. ``excess`` is how much faster than allowed the drone approaches it now."""

    __slots__ = (
        "budget",
        "distance_m",
        "excess",
        "index",
        "kind",
        "label",
        "n_down",
        "n_east",
        "n_north",
        "speed_now_m_s",
    )

    def __init__(
        self,
        kind: Intervention,
        n_north: float,
        n_east: float,
        n_down: float,
        budget: float,
        excess: float,
        distance_m: float,
        speed_now_m_s: float,
        label: str,
        index: int = -1,
    ) -> None:
        self.kind = kind
        self.n_north, self.n_east, self.n_down = n_north, n_east, n_down
        self.budget = budget
        self.excess = excess
        self.distance_m = distance_m
        self.speed_now_m_s = speed_now_m_s
        self.label = label  # with ``index`` (the edge or drone, -1 for none): formatted only for logs
        self.index = index

    def __str__(self) -> str:
        return f"{self.label} {self.index}" if self.index >= 0 else self.label

    def holding(self) -> _Boundary:
        """This boundary with a recovery (negative budget) relaxed to zero: hold, do not worsen."""
        if self.budget >= 0.0:
            return self
        return _Boundary(
            self.kind,
            self.n_north,
            self.n_east,
            self.n_down,
            0.0,
            self.excess,
            self.distance_m,
            self.speed_now_m_s,
            self.label,
            self.index,
        )


def _others(value: ArrayLike) -> list[list[float]]:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SafetyError(f"others_ned_m must be an (M, 3) array of positions, got {value!r}", "others_ned_m") from exc
    if array.size == 0:
        return []
    if array.ndim != 2 or array.shape[1] != 3:
        raise SafetyError(f"others_ned_m must have shape (M, 3), got {array.shape}", "others_ned_m")
    return array.tolist()


def _finite(values: Sequence[float]) -> bool:
    return all(math.isfinite(x) for x in values)


class SafetySupervisor:
    """Filters one drone's velocity and yaw-rate commands so it stays within ``limits``."""

    def __init__(self, limits: SafetyLimits) -> None:
        if not isinstance(limits, SafetyLimits):
            raise SafetyError(f"limits must be SafetyLimits, got {type(limits).__name__}", "limits")
        self._limits = limits
        self._fence = Geofence(limits.geofence_ne_m)
        self._vh = limits.max_horizontal_speed_m_s
        self._vv = limits.max_vertical_speed_m_s
        self._yaw = limits.max_yaw_rate_deg_s
        self._lag = limits.response_lag_s
        self._lag2 = limits.response_lag_s**2
        self._two_over_a = 2.0 / limits.braking_accel_m_s2
        self._margin = limits.margin_m
        self._return_h = min(limits.return_speed_m_s, self._vh)
        self._return_v = min(limits.return_speed_m_s, self._vv)
        self._return_3d = min(self._return_h, self._return_v)
        self._counts = dict.fromkeys(Intervention, 0)
        self._calls = 0

    @property
    def limits(self) -> SafetyLimits:
        return self._limits

    @property
    def geofence(self) -> Geofence:
        return self._fence

    @property
    def counts(self) -> dict[Intervention, int]:
        """How many ``filter`` calls each rule changed the command in (a copy)."""
        return dict(self._counts)

    @property
    def calls(self) -> int:
        """How many commands ``filter`` has seen."""
        return self._calls

    def reset_counts(self) -> None:
        self._counts = dict.fromkeys(Intervention, 0)
        self._calls = 0

    def margins(self, position_ned_m: ArrayLike) -> dict[str, float]:
        """Distances (m) to the boundaries: ``fence_m`` to the nearest fence edge (negative outside),
        ``ceiling_m`` below the ceiling, ``floor_m`` above the floor (negative beyond them)."""
        north, east, down = ned_vector(position_ned_m, "position_ned_m").tolist()
        height = -down
        return {
            "fence_m": self._fence.signed_distance_m(north, east),
            "ceiling_m": self._limits.ceiling_m - height,
            "floor_m": height - self._limits.floor_m,
        }

    # ------------------------------------------------------------------------------------------

    def filter(
        self,
        velocity_ned_m_s: ArrayLike,
        yaw_rate_deg_s: float,
        position_ned_m: ArrayLike,
        velocity_now_ned_m_s: ArrayLike,
        others_ned_m: ArrayLike = (),
        *,
        enforce_floor: bool = True,
        people: Sequence[PersonZone] = (),
    ) -> SafeCommand:
        """The safest command nearest to the one asked for (see the module docstring).

        ``others_ned_m`` holds the other drones' positions (M, 3) as last reported (M may be 0);
        ``enforce_floor=False`` during take-off and landing; ``people`` the people to keep clear of
        (one whose position or velocity is not finite is skipped).
        """
        command = ned_vector(velocity_ned_m_s, "velocity_ned_m_s").tolist()
        position = ned_vector(position_ned_m, "position_ned_m").tolist()
        velocity_now = ned_vector(velocity_now_ned_m_s, "velocity_now_ned_m_s").tolist()
        others = _others(others_ned_m)
        if not all(isinstance(person, PersonZone) for person in people):
            raise SafetyError("people must be PersonZone instances (dronecine.flight.people)", "people")
        try:
            yaw_rate = float(yaw_rate_deg_s)
        except (TypeError, ValueError) as exc:
            raise SafetyError(f"yaw_rate_deg_s must be a number, got {yaw_rate_deg_s!r}", "yaw_rate_deg_s") from exc
        self._calls += 1
        debug = _log.isEnabledFor(logging.DEBUG)
        touched: set[Intervention] = set()

        if not _finite(command):
            touched.add(Intervention.SPEED)
            if debug:
                _log.debug("speed: non-finite velocity command %s -> hover", command)
            command = [0.0, 0.0, 0.0]
        if not math.isfinite(yaw_rate):
            touched.add(Intervention.YAW_RATE)
            if debug:
                _log.debug("yaw_rate: non-finite yaw rate command %r -> 0", yaw_rate)
            yaw_rate = 0.0
        elif abs(yaw_rate) > self._yaw:
            touched.add(Intervention.YAW_RATE)
            if debug:
                _log.debug("yaw_rate: %.3g deg/s beyond the limit %.3g deg/s", yaw_rate, self._yaw)
            yaw_rate = math.copysign(self._yaw, yaw_rate)

        if not (_finite(position) and _finite(velocity_now)):
            touched.add(Intervention.INVALID_STATE)
            _log.debug("invalid_state: position %s or velocity %s not finite -> hover", position, velocity_now)
            return self._finish([0.0, 0.0, 0.0], yaw_rate, touched)

        vn, ve, vd = command
        clamped = self._clamp_speed(vn, ve, vd)
        if clamped != (vn, ve, vd):
            touched.add(Intervention.SPEED)
            if debug:
                _log.debug("speed: command (%.3g, %.3g, %.3g) m/s beyond the speed limits", vn, ve, vd)
        velocity = clamped

        limits_now = self._boundaries(position, velocity_now, others, enforce_floor)
        limits_now += self._people(position, velocity_now, people)
        velocity = self._brake_first(velocity, velocity_now, limits_now, touched, debug)
        vn, ve, vd = velocity
        if any(c.n_north * vn + c.n_east * ve + c.n_down * vd > c.budget + _TOL_M_S for c in limits_now):
            velocity = self._resolve(velocity, limits_now, touched, debug)
        return self._finish(list(velocity), yaw_rate, touched)

    # ------------------------------------------------------------------------------------------

    def _finish(self, velocity: list[float], yaw_rate: float, touched: set[Intervention]) -> SafeCommand:
        for kind in touched:
            self._counts[kind] += 1
        array = np.array(velocity, dtype=np.float64)
        array.flags.writeable = False
        return SafeCommand(array, yaw_rate, tuple(sorted(touched, key=_ORDER.__getitem__)))

    def _clamp_speed(self, vn: float, ve: float, vd: float) -> tuple[float, float, float]:
        horizontal = math.hypot(vn, ve)
        if horizontal > self._vh:
            scale = self._vh / horizontal
            vn, ve = vn * scale, ve * scale
        if vd > self._vv:
            vd = self._vv
        elif vd < -self._vv:
            vd = -self._vv
        return vn, ve, vd

    def _boundary(
        self,
        kind: Intervention,
        normal: tuple[float, float, float],
        distance_m: float,
        speed_now_m_s: float,
        return_speed_m_s: float,
        label: str,
        index: int = -1,
    ) -> _Boundary:
        """The budget towards a boundary ``distance_m`` before its margin (negative: inside the margin
        or beyond), approached at ``speed_now_m_s`` now (see the module docstring)."""
        if distance_m >= 0.0:
            allowed = 2.0 * distance_m / (self._lag + math.sqrt(self._lag2 + distance_m * self._two_over_a))
        else:
            allowed = distance_m / self._lag
        budget = allowed
        if speed_now_m_s > allowed:
            budget -= _LEAD_GAIN * (speed_now_m_s - allowed)
        budget = max(budget, -return_speed_m_s)
        return _Boundary(kind, *normal, budget, speed_now_m_s - allowed, distance_m, speed_now_m_s, label, index)

    def _boundaries(
        self,
        position: list[float],
        velocity_now: list[float],
        others: list[list[float]],
        enforce_floor: bool,
    ) -> list[_Boundary]:
        """Every boundary that could limit a command within the speed caps, or that the drone is
        approaching too fast."""
        limits = self._limits
        north, east, down = position
        now_n, now_e, now_d = velocity_now
        height = -down
        result = [
            self._boundary(
                Intervention.CEILING,
                (0.0, 0.0, -1.0),
                limits.ceiling_m - self._margin - height,
                -now_d,
                self._return_v,
                "ceiling",
            )
        ]
        if enforce_floor:
            result.append(
                self._boundary(
                    Intervention.FLOOR,
                    (0.0, 0.0, 1.0),
                    height - limits.floor_m - self._margin,
                    now_d,
                    self._return_v,
                    "floor",
                )
            )
        # Geofence: inside, every edge; outside, the nearest edge (towards which the drone returns).
        inside, edges = self._fence.edges(north, east)
        if inside:
            for i, (edge_distance, n_north, n_east) in enumerate(edges):
                boundary = self._boundary(
                    Intervention.GEOFENCE,
                    (n_north, n_east, 0.0),
                    edge_distance - self._margin,
                    n_north * now_n + n_east * now_e,
                    self._return_h,
                    "edge",
                    i,
                )
                if boundary.budget < self._vh or boundary.excess > 0.0:
                    result.append(boundary)
        else:
            i = min(range(len(edges)), key=lambda k: edges[k][0])
            edge_distance, n_north, n_east = edges[i]
            label = "outside the fence, nearest edge"
            result.append(
                self._boundary(
                    Intervention.GEOFENCE,
                    (n_north, n_east, 0.0),
                    -edge_distance - self._margin,
                    n_north * now_n + n_east * now_e,
                    self._return_h,
                    label,
                    i,
                )
            )
            # Straight back in, towards the nearest point of the fence: no sideways speed (which
            # near a corner could carry the drone along the outside of the other edge).
            for sign in (1.0, -1.0):
                side = sign * (n_north * now_e - n_east * now_n)
                result.append(
                    _Boundary(Intervention.GEOFENCE, -sign * n_east, sign * n_north, 0.0, 0.0, 0.0, 0.0, side, label, i)
                )
        # Separation: each other drone, half the closing budget each.
        for j, (o_north, o_east, o_down) in enumerate(others):
            if not (math.isfinite(o_north) and math.isfinite(o_east) and math.isfinite(o_down)):
                _log.debug("separation: drone %d's position is not finite; ignored", j)
                continue
            dn, de, dd = o_north - north, o_east - east, o_down - down
            gap = math.sqrt(dn * dn + de * de + dd * dd)
            # Exactly on top of each other there is no direction to it: treat it as below (climb).
            normal = (dn / gap, de / gap, dd / gap) if gap > _COINCIDENT_M else (0.0, 0.0, 1.0)
            boundary = self._boundary(
                Intervention.SEPARATION,
                normal,
                0.5 * (gap - limits.min_separation_m - self._margin),
                normal[0] * now_n + normal[1] * now_e + normal[2] * now_d,
                self._return_3d,
                "drone",
                j,
            )
            if boundary.budget < self._vh + self._vv or boundary.excess > 0.0:
                result.append(boundary)
        return result

    def _people(
        self, position: list[float], velocity_now: list[float], people: Sequence[PersonZone]
    ) -> list[_Boundary]:
        """Each person's boundary, where it could limit a command or the drone closes in too fast."""
        result = []
        for j, person in enumerate(people):
            if not person.known:
                _log.debug("person %d's position or velocity is not finite; ignored", j)
                continue
            normal, gap = person.towards(position)
            approach = person.closing_speed_m_s(normal)
            toward_now = normal[0] * velocity_now[0] + normal[1] * velocity_now[1] + normal[2] * velocity_now[2]
            distance = gap - person.clearance_m
            closing = toward_now + approach
            boundary = self._boundary(Intervention.PERSON, normal, distance, closing, self._return_3d, "person", j)
            boundary.budget -= approach  # a budget on the drone's own velocity: the person's approach is spent
            if boundary.budget < self._vh + self._vv or boundary.excess > 0.0:
                result.append(boundary)
        return result

    def _brake_first(
        self,
        velocity: tuple[float, float, float],
        velocity_now: list[float],
        boundaries: list[_Boundary],
        touched: set[Intervention],
        debug: bool,
    ) -> tuple[float, float, float]:
        """While the drone approaches a boundary faster than allowed, the command is drawn towards
        the drone's current velocity (fully once ``_BRAKE_FIRST_M_S`` too fast) on the axes that
        boundary lies along (horizontal, vertical, or both), so that the budgets alone decide how
        it changes there: the vehicle's acceleration is limited in norm, and a policy turning the
        drone at the same time would take it from the braking."""
        worst = None
        horizontal = vertical = 0.0
        for b in boundaries:
            if b.excess > 0.0:
                if b.n_north != 0.0 or b.n_east != 0.0:
                    horizontal = max(horizontal, b.excess)
                if b.n_down != 0.0:
                    vertical = max(vertical, b.excess)
                if worst is None or b.excess > worst.excess:
                    worst = b
        if worst is None:
            return velocity
        w_h = min(1.0, horizontal / _BRAKE_FIRST_M_S)
        w_v = min(1.0, vertical / _BRAKE_FIRST_M_S)
        vn, ve, vd = velocity
        now_n, now_e, now_d = self._clamp_speed(*velocity_now)
        kept = self._clamp_speed(vn + w_h * (now_n - vn), ve + w_h * (now_e - ve), vd + w_v * (now_d - vd))
        if abs(kept[0] - vn) + abs(kept[1] - ve) + abs(kept[2] - vd) > _TOL_M_S:
            touched.add(worst.kind)
            if debug:
                _log.debug(
                    "%s: %s: approached %.3g m/s faster than allowed; command (%.3g, %.3g, %.3g) drawn "
                    "towards the current velocity -> (%.3g, %.3g, %.3g) m/s",
                    worst.kind,
                    worst,
                    worst.excess,
                    vn,
                    ve,
                    vd,
                    *kept,
                )
        return kept

    def _resolve(
        self,
        velocity: tuple[float, float, float],
        boundaries: list[_Boundary],
        touched: set[Intervention],
        debug: bool,
    ) -> tuple[float, float, float]:
        """Project ``velocity`` onto every budget and the speed caps; relax recoveries if they conflict."""
        if debug:
            for b in boundaries:
                asked = b.n_north * velocity[0] + b.n_east * velocity[1] + b.n_down * velocity[2]
                if asked > b.budget + _TOL_M_S:
                    _log.debug(
                        "%s: %s: %.3g m/s towards it asked, %.3g m/s allowed "
                        "(%.3g m before its margin, moving %.3g m/s towards it)",
                        b.kind,
                        b,
                        asked,
                        b.budget,
                        b.distance_m,
                        b.speed_now_m_s,
                    )
        stages = [boundaries]
        shared = (Intervention.SEPARATION, Intervention.PERSON)  # the boundaries that move
        if any(b.kind in shared and b.budget < 0.0 for b in boundaries):
            stages.append([b.holding() if b.kind in shared else b for b in boundaries])
        if any(b.budget < 0.0 for b in stages[-1]):
            stages.append([b.holding() for b in boundaries])
        result = velocity
        for stage, stage_boundaries in enumerate(stages):
            result, converged = self._project(velocity, stage_boundaries, touched)
            if converged:
                if stage:
                    _log.debug("boundaries conflict: recoveries relaxed (stage %d)", stage)
                return result
        # All budgets >= 0 now, so a hover meets them all: scale towards it until every one is met.
        vn, ve, vd = result
        scale = 1.0
        for b in stages[-1]:
            toward = b.n_north * vn + b.n_east * ve + b.n_down * vd
            if toward > b.budget:
                scale = min(scale, b.budget / toward)
        _log.debug("boundaries conflict: projections did not converge; velocity scaled by %.3g", scale)
        return vn * scale, ve * scale, vd * scale

    def _project(
        self,
        velocity: tuple[float, float, float],
        boundaries: list[_Boundary],
        touched: set[Intervention],
    ) -> tuple[tuple[float, float, float], bool]:
        """Alternating projections onto the half-spaces ``n . v <= budget`` and the speed caps."""
        vn, ve, vd = velocity
        for _ in range(_MAX_ITERATIONS):
            for b in boundaries:
                excess = b.n_north * vn + b.n_east * ve + b.n_down * vd - b.budget
                if excess > 0.0:
                    vn, ve, vd = vn - excess * b.n_north, ve - excess * b.n_east, vd - excess * b.n_down
                    touched.add(b.kind)
            vn, ve, vd = self._clamp_speed(vn, ve, vd)
            if all(b.n_north * vn + b.n_east * ve + b.n_down * vd <= b.budget + _TOL_M_S for b in boundaries):
                return (vn, ve, vd), True
        return (vn, ve, vd), False
