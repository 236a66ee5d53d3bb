"""What each script asks for: a desired horizontal velocity per person, batched over a group of people.

Every function takes ``idx``, the indices of the people of its group, reads the whole batch's
(M, 2) positions and velocities (north, east, m and m/s) and writes the script's progress into
``ScriptMemory`` in place; it returns the desired velocities (k, 2) and whether each is done.
The semantics follow ``dronecine.mission.motion`` (the nominal paths): a path script moves a
"carrot" exactly as the nominal walker moves and the person steers to it, so with no noise the
person stays on the nominal path up to its acceleration lag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronecine_sim.subjects.scripts import Script

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

K_PATH_1_S = 0.8  # how fast a walker closes the gap to its carrot (with TAU_V_S: about critically damped)
K_WITH_1_S = 1.0  # ... to its place beside the partner
K_APPROACH_1_S = 0.6  # meet and chase slow down this fast as they reach their distance (overdamped with TAU_V_S)
WALK_WITH_CATCH_UP_M_S = 1.5  # as in mission/motion.py: the place beside the partner is caught up at a brisk walk
ARRIVED_M = 0.1  # meet and chase are done within this of their distance
CHASE_CLOSE_IN_M = 0.3  # a chaser aims this far inside its catch distance
CARROT_LEAD_S = 3.0  # the carrot waits once this far (plus 1.5 m) ahead, e.g. while its walker is held up by a wall
WANDER_TURN_SIGMA_DEG_S = 30.0  # random walk: the stationary std of the turn rate ...
WANDER_TURN_TAU_S = 2.0  # ... and its correlation time
K_HOME_1_S = 1.0  # random walk: how hard the heading is pulled home near the edge of the radius
DURATION_JITTER = 0.4  # stop-and-go and sudden-turn durations vary by up to this fraction times the noise
TAU_V_S = 0.3  # the first-order approach of the velocity to the desired one (then acceleration-capped)


@dataclass(eq=False)
class ScriptMemory:
    """Each person's progress through its script, (M,) or (M, 2) arrays updated in place."""

    carrot_ne_m: FloatArray  # path scripts: the nominal walker's point the person steers to
    waypoint_index: IntArray  # path scripts: the waypoint the carrot walks to
    lap_m: FloatArray  # path scripts: the length of a lap of the waypoints (for loops)
    timer_s: FloatArray  # stop_and_go: time left in the walk or stop; sudden_turns: until the next turn
    moving: NDArray[np.bool_]  # stop_and_go: walking (True) or stopped
    centre_ne_m: FloatArray  # wander scripts: where the script started
    intent_deg: FloatArray  # wander scripts: the direction the person means to walk
    turn_rate_deg_s: FloatArray  # random_walk: its wandering turn rate

    @classmethod
    def zeros(cls, m: int) -> ScriptMemory:
        return cls(
            np.zeros((m, 2)),
            np.zeros(m, dtype=np.int64),
            np.zeros(m),
            np.zeros(m),
            np.ones(m, dtype=bool),
            np.zeros((m, 2)),
            np.zeros(m),
            np.zeros(m),
        )


def wrap_deg(angle_deg: FloatArray) -> FloatArray:
    """Angles wrapped to [-180, 180] (faster than a float modulo)."""
    return angle_deg - 360.0 * np.round(angle_deg / 360.0)


def norm2(north: FloatArray, east: FloatArray) -> FloatArray:
    """The length of (north, east) vectors (faster than ``np.hypot``; no overflow at human scales)."""
    return np.sqrt(north * north + east * east)


def jitter(noise: FloatArray, uniform: FloatArray) -> FloatArray:
    """A duration factor 1 +- DURATION_JITTER * noise from uniforms in [0, 1), never below 0.2."""
    return np.maximum(1.0 + DURATION_JITTER * noise * (2.0 * uniform - 1.0), 0.2)


def lap_lengths(waypoints_ne_m: FloatArray, counts: IntArray) -> FloatArray:
    """The length (m) of a closed lap through each person's first ``counts`` waypoints."""
    width = waypoints_ne_m.shape[1]
    rows = np.arange(waypoints_ne_m.shape[0])
    nxt = np.roll(waypoints_ne_m, -1, axis=1)
    nxt[rows, np.maximum(counts - 1, 0)] = waypoints_ne_m[:, 0]  # the last point closes back to the first
    legs = np.hypot(*(nxt - waypoints_ne_m).transpose(2, 0, 1))
    return np.where(np.arange(width)[None, :] < counts[:, None], legs, 0.0).sum(axis=1)


def steer_path(
    idx: IntArray,
    pos: FloatArray,
    pace_m_s: FloatArray,
    par: Mapping[str, np.ndarray],
    mem: ScriptMemory,
    uniform: FloatArray,
    dt_s: float,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """waypoints, run, stop_and_go: the carrot walks the waypoints at the pace (0 while stopped),
    the person steers to it with the carrot's velocity as feed-forward."""
    pace = pace_m_s[idx]
    stop_and_go = par["script"][idx] == Script.STOP_AND_GO
    if stop_and_go.any():
        j = idx[stop_and_go]
        expired = mem.timer_s[j] <= 1e-9
        if expired.any():
            k = j[expired]
            mem.moving[k] = ~mem.moving[k]
            base = np.where(mem.moving[k], par["walk_s"][k], par["stop_s"][k])
            mem.timer_s[k] += base * jitter(par["noise"][k], uniform[k])
        pace[stop_and_go] *= mem.moving[j]
        mem.timer_s[j] -= dt_s
    here = pos[idx]
    old = mem.carrot_ne_m[idx]
    lag = norm2(old[:, 0] - here[:, 0], old[:, 1] - here[:, 1])
    lead = 1.5 + CARROT_LEAD_S * par["speed_m_s"][idx]
    budget = np.minimum(pace * dt_s, np.maximum(lead - lag, 0.0))
    _advance_carrots(idx, budget, par, mem)
    new = mem.carrot_ne_m[idx]
    desired = (new - old) / dt_s + K_PATH_1_S * (old - here)
    done = (mem.waypoint_index[idx] >= par["waypoint_count"][idx]) & ~par["loop"][idx]
    return desired, done


def _advance_carrots(idx: IntArray, budget: FloatArray, par: Mapping[str, np.ndarray], mem: ScriptMemory) -> None:
    """Move each carrot ``budget`` metres along its waypoints, as the nominal walker moves."""
    counts = par["waypoint_count"]
    active = idx[(budget > 0.0) & (mem.waypoint_index[idx] < counts[idx])]
    left = np.zeros(counts.shape[0])
    left[idx] = budget
    for _ in range(2 * par["waypoints_ne_m"].shape[1] + 2):  # bounded: each pass reaches a waypoint or ends
        if active.size == 0:
            return
        goal = par["waypoints_ne_m"][active, mem.waypoint_index[active]]
        gap = goal - mem.carrot_ne_m[active]
        distance = norm2(gap[:, 0], gap[:, 1])
        reach = distance <= left[active]
        short = ~reach
        if short.any():
            k = active[short]
            mem.carrot_ne_m[k] += gap[short] * (left[k] / distance[short])[:, None]
            left[k] = 0.0
        k = active[reach]
        mem.carrot_ne_m[k] = goal[reach]
        left[k] -= distance[reach]
        mem.waypoint_index[k] += 1
        wrap = k[(mem.waypoint_index[k] >= counts[k]) & par["loop"][k]]
        if wrap.size:
            mem.waypoint_index[wrap] = 0
            lap = mem.lap_m[wrap]
            # Whole laps bring the carrot back here; a loop of one point goes nowhere.
            left[wrap] = np.where(lap > 1e-9, np.fmod(left[wrap], np.maximum(lap, 1e-9)), 0.0)
        active = k[(left[k] > 0.0) & (mem.waypoint_index[k] < counts[k])]


def steer_wander(
    idx: IntArray,
    pos: FloatArray,
    vel: FloatArray,
    pace_m_s: FloatArray,
    par: Mapping[str, np.ndarray],
    mem: ScriptMemory,
    shock: FloatArray,
    uniform_event: FloatArray,
    uniform_turn: FloatArray,
    dt_s: float,
) -> FloatArray:
    """random_walk (a wandering heading pulled home near the edge) and sudden_turns (straight, then a
    sharp turn every few seconds); both turn back sharply when they would leave their radius."""
    rel = pos[idx] - mem.centre_ne_m[idx]
    distance = norm2(rel[:, 0], rel[:, 1])
    radius = par["radius_m"][idx]
    intent = mem.intent_deg[idx]
    home = np.degrees(np.arctan2(-rel[:, 1], -rel[:, 0]))
    error = wrap_deg(home - intent)
    walk = par["script"][idx] == Script.RANDOM_WALK
    if walk.any():
        j = idx[walk]
        decay = np.exp(-dt_s / WANDER_TURN_TAU_S)
        rate = mem.turn_rate_deg_s[j] * decay + WANDER_TURN_SIGMA_DEG_S * np.sqrt(1.0 - decay**2) * shock[j]
        mem.turn_rate_deg_s[j] = rate
        edge = np.clip((distance[walk] - 0.5 * radius[walk]) / (0.5 * radius[walk]), 0.0, 1.0)
        intent[walk] += (rate + edge * K_HOME_1_S * error[walk]) * dt_s
    turns = ~walk
    if turns.any():
        j = idx[turns]
        mem.timer_s[j] -= dt_s
        fire = mem.timer_s[j] <= 1e-9
        if fire.any():
            k = j[fire]
            u = uniform_turn[k] - 0.5  # sign and size from one draw: |turn| in [0.5, 1] x max_turn
            intent[np.flatnonzero(turns)[fire]] += np.sign(u) * (0.5 + np.abs(u)) * par["max_turn_deg"][k]
            mem.timer_s[k] += par["turn_every_s"][k] * jitter(par["noise"][k], uniform_event[k])
    # Turn back, sharply, when braking from here would end beyond the radius.
    speed = norm2(vel[idx, 0], vel[idx, 1])
    margin = speed * TAU_V_S + speed**2 / (2.0 * par["max_accel_m_s2"][idx]) + 0.1
    outward = np.abs(wrap_deg(home - intent)) > 72.5  # heading within ~17 degrees of straight away, or further
    guard = (distance > radius - margin) & outward
    intent[guard] = home[guard] + 90.0 * (uniform_turn[idx[guard]] - 0.5)
    intent = wrap_deg(intent)
    mem.intent_deg[idx] = intent
    heading = np.radians(intent)
    pace = pace_m_s[idx]
    return np.column_stack([pace * np.cos(heading), pace * np.sin(heading)])


def steer_walk_with(
    idx: IntArray, pos: FloatArray, vel: FloatArray, heading_deg: FloatArray, par: Mapping[str, np.ndarray]
) -> FloatArray:
    """walk_with: the partner's velocity plus closing on the place ``side_m`` to the partner's right
    (of its smoothed heading), no faster than the partner plus a brisk walk."""
    partner = par["partner"][idx]
    psi = np.radians(heading_deg[partner])
    side = par["side_m"][idx]
    target = pos[partner] + np.column_stack([-side * np.sin(psi), side * np.cos(psi)])
    partner_velocity = vel[partner]
    desired = partner_velocity + K_WITH_1_S * (target - pos[idx])
    cap = norm2(partner_velocity[:, 0], partner_velocity[:, 1]) + WALK_WITH_CATCH_UP_M_S
    norm = norm2(desired[:, 0], desired[:, 1])
    return desired * np.minimum(1.0, cap / np.maximum(norm, 1e-12))[:, None]


def steer_approach(
    idx: IntArray, pos: FloatArray, vel: FloatArray, pace_m_s: FloatArray, par: Mapping[str, np.ndarray]
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """meet (walk to ``stop_distance_m`` from the partner, slowing down, then stand) and chase (run at
    the partner, keeping up with it once close; caught within ``stop_distance_m``)."""
    partner = par["partner"][idx]
    gap = pos[partner] - pos[idx]
    distance = norm2(gap[:, 0], gap[:, 1])
    towards = gap / np.maximum(distance, 1e-9)[:, None]
    stop = par["stop_distance_m"][idx]
    aim = stop - CHASE_CLOSE_IN_M * (par["script"][idx] == Script.CHASE)  # a chaser means to catch, not to trail
    # The partner's speed away (negative: towards) is added, so two people meeting each other close
    # in together at K_APPROACH_1_S, without overshooting their distance, and a chaser keeps up.
    away = np.einsum("ij,ij->i", vel[partner], towards)
    speed = np.clip(K_APPROACH_1_S * (distance - aim) + away, 0.0, pace_m_s[idx])
    return towards * speed[:, None], distance <= stop + ARRIVED_M
