"""Helpers for the safety-supervisor tests: fences, vehicles, adversarial policies, closed-loop flights.

Two vehicles fly under the supervisor:
- ``PointMass``: a deliberately simple, pessimistic multirotor: its velocity follows the command as
  a first-order lag of time constant ``tau_s``, its acceleration limited to ``accel_h_m_s2``
  horizontally (norm) and ``accel_v_m_s2`` vertically;
- the project's simulated vehicle (``dronecine_sim.vehicle``), jerk-limited, in still air.
Both integrate at 50 Hz while the supervisor runs at 10 Hz, its command held in between.

Whether a flight crossed a boundary is judged with shapely and plain arithmetic, not with the
supervisor's own geometry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from dronecine_sim.vehicle import VehicleCommand, VehicleModel, VehicleParamArrays, VehicleState

from dronecine.flight.safety import SafetyLimits, SafetySupervisor

PHYSICS_DT_S = 0.02  # 50 Hz
CONTROL_EVERY = 5  # supervisor at 10 Hz
CONTROL_PERIOD_S = PHYSICS_DT_S * CONTROL_EVERY

Fence = tuple[tuple[float, float], ...]
SQUARE_NE_M: Fence = ((-30.0, -30.0), (-30.0, 30.0), (30.0, 30.0), (30.0, -30.0))
# An L-shaped (non-convex) fence, listed clockwise in (north, east).
L_SHAPE_NE_M: Fence = ((-30.0, -30.0), (30.0, -30.0), (30.0, 0.0), (0.0, 0.0), (0.0, 30.0), (-30.0, 30.0))
# A triangle with an acute corner (about 22 degrees) at (40, 0).
ACUTE_NE_M: Fence = ((-40.0, -40.0), (40.0, 0.0), (-40.0, -10.0))
ROBOT_SKIES_NE_M: Fence = (
    (-130.0, -110.0),
    (-130.0, 110.0),
    (-40.0, 130.0),
    (130.0, 120.0),
    (130.0, -120.0),
    (-40.0, -130.0),
)
FENCES = {"square": SQUARE_NE_M, "l_shape": L_SHAPE_NE_M, "acute": ACUTE_NE_M, "robot_skies": ROBOT_SKIES_NE_M}


def limits(fence: Fence = SQUARE_NE_M, **overrides: float) -> SafetyLimits:
    values: dict = {
        "geofence_ne_m": fence,
        "ceiling_m": 40.0,
        "floor_m": 3.0,
        "min_separation_m": 8.0,
        "max_horizontal_speed_m_s": 9.0,
        "max_vertical_speed_m_s": 3.0,
        "max_yaw_rate_deg_s": 60.0,
    }
    values.update(overrides)
    return SafetyLimits(**values)


# --- judging a flight -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clearance:
    """The closest a flight came to each boundary (m; negative: it crossed)."""

    fence_m: float
    ceiling_m: float
    floor_m: float


def clearance(lim: SafetyLimits, track_ned_m: np.ndarray) -> Clearance:
    """``track_ned_m`` (..., 3) positions: how close they came to the fence (shapely), ceiling, floor."""
    points = track_ned_m.reshape(-1, 3)
    polygon = shapely.Polygon(lim.geofence_ne_m)
    inside = shapely.contains_xy(polygon, points[:, 0], points[:, 1])
    distance = shapely.distance(polygon.exterior, shapely.points(points[:, :2]))
    signed = np.where(inside, distance, -distance)
    height = -points[:, 2]
    return Clearance(
        fence_m=float(signed.min()),
        ceiling_m=float((lim.ceiling_m - height).min()),
        floor_m=float((height - lim.floor_m).min()),
    )


def closest_pair_m(track_ned_m: np.ndarray) -> float:
    """The smallest distance between any two drones over a track (steps, N, 3)."""
    n = track_ned_m.shape[1]
    gaps = [np.linalg.norm(track_ned_m[:, i] - track_ned_m[:, j], axis=1).min() for i in range(n) for j in range(i)]
    return float(min(gaps))


# --- starting states ---------------------------------------------------------------------------------


def inside_start(lim: SafetyLimits, rng: np.random.Generator) -> np.ndarray:
    """A random position inside every boundary's margin."""
    polygon = shapely.Polygon(lim.geofence_ne_m).buffer(-lim.margin_m)
    low_n, low_e, high_n, high_e = polygon.bounds
    while True:
        north, east = rng.uniform(low_n, high_n), rng.uniform(low_e, high_e)
        if shapely.contains_xy(polygon, north, east):
            height = rng.uniform(lim.floor_m + lim.margin_m, lim.ceiling_m - lim.margin_m)
            return np.array([north, east, -height])


def envelope_velocity(lim: SafetyLimits, position_ned_m: np.ndarray, velocity_ned_m_s: np.ndarray) -> np.ndarray:
    """``velocity_ned_m_s`` shrunk (direction kept) until the braking model can stop it before every
    boundary's margin: the states from which the supervisor promises to keep the drone inside
    (a drone 1 m from the fence at full speed cannot be saved by anyone)."""
    polygon = shapely.Polygon(lim.geofence_ne_m)
    edges = [
        shapely.LineString([p, q])
        for p, q in zip(lim.geofence_ne_m, lim.geofence_ne_m[1:] + lim.geofence_ne_m[:1], strict=True)
    ]
    here = shapely.Point(position_ned_m[:2])
    height = -position_ned_m[2]
    v = np.array(velocity_ned_m_s, dtype=float)
    for _ in range(80):
        ok = shapely.contains(polygon, here)
        for edge in edges:
            nearest = np.array(edge.interpolate(edge.project(here)).coords[0])
            towards = nearest - position_ned_m[:2]
            distance = float(np.linalg.norm(towards))
            speed = float(v[:2] @ towards) / max(distance, 1e-12)
            ok = ok and lim.stopping_distance_m(speed) <= distance - lim.margin_m
        ok = ok and lim.stopping_distance_m(-v[2]) <= lim.ceiling_m - height - lim.margin_m
        ok = ok and lim.stopping_distance_m(v[2]) <= height - lim.floor_m - lim.margin_m
        if ok:
            return v
        v *= 0.8
    return np.zeros(3)


# --- adversarial policies ----------------------------------------------------------------------------

# (control step k, drone i, own position (3,), all positions (N, 3)) -> asked velocity (3,)
Policy = Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]
POLICY_KINDS = ("random", "fence", "vertex", "ceiling", "floor", "switch")


def adversary(kind: str, lim: SafetyLimits, rng: np.random.Generator) -> Policy:
    """A policy that tries to leave: random commands up to 50 m/s (some absurd, some NaN), or always
    at the nearest point of the fence, at a vertex (corner), up at the ceiling, down at the floor,
    or switching between random and at the fence every 0.7 s."""
    exterior = shapely.Polygon(lim.geofence_ne_m).exterior
    randoms = rng.uniform(-50.0, 50.0, (600, 3))
    randoms[rng.random(600) < 0.05] *= 20.0  # 1000 m/s
    randoms[rng.random(600) < 0.02] = np.nan
    hold = int(rng.integers(1, 15))
    vertex = np.array(lim.geofence_ne_m[int(rng.integers(len(lim.geofence_ne_m)))])
    climb = float(rng.choice([-50.0, 0.0, 50.0]))

    def at_fence(position: np.ndarray) -> np.ndarray:
        nearest = np.array(exterior.interpolate(exterior.project(shapely.Point(position[:2]))).coords[0])
        towards = nearest - position[:2]
        return np.array([*(50.0 * towards / max(np.linalg.norm(towards), 1e-9)), climb])

    def policy(k: int, i: int, position: np.ndarray, everyone: np.ndarray) -> np.ndarray:
        if kind == "random":
            return randoms[(k // hold + 37 * i) % len(randoms)]
        if kind == "fence":
            return at_fence(position)
        if kind == "vertex":
            towards = vertex - position[:2]
            return np.array([*(50.0 * towards / max(np.linalg.norm(towards), 1e-9)), climb])
        if kind == "ceiling":
            return np.array([*randoms[k // hold % len(randoms), :2] * 0.2, -50.0])
        if kind == "floor":
            return np.array([*randoms[k // hold % len(randoms), :2] * 0.2, 50.0])
        return randoms[k % len(randoms)] if (k // 7) % 2 else at_fence(position)

    return policy


def at_each_other(k: int, i: int, position: np.ndarray, everyone: np.ndarray) -> np.ndarray:
    """Full tilt (50 m/s) at the next drone."""
    towards = everyone[(i + 1) % len(everyone)] - position
    return 50.0 * towards / max(float(np.linalg.norm(towards)), 1e-9)


# --- vehicles and flights ------------------------------------------------------------------------------


@dataclass
class PointMass:
    """N drones: positions and velocities (N, 3), first-order lag with acceleration limits."""

    position_ned_m: np.ndarray
    velocity_ned_m_s: np.ndarray
    tau_s: float = 0.5
    accel_h_m_s2: float = 3.0
    accel_v_m_s2: float = 2.5

    def step(self, command_ned_m_s: np.ndarray, dt_s: float = PHYSICS_DT_S) -> None:
        accel = (command_ned_m_s - self.velocity_ned_m_s) / self.tau_s
        horizontal = np.hypot(accel[:, 0], accel[:, 1])
        accel[:, :2] *= np.minimum(1.0, self.accel_h_m_s2 / np.maximum(horizontal, 1e-12))[:, None]
        accel[:, 2] = np.clip(accel[:, 2], -self.accel_v_m_s2, self.accel_v_m_s2)
        self.position_ned_m += self.velocity_ned_m_s * dt_s + 0.5 * accel * dt_s * dt_s
        self.velocity_ned_m_s += accel * dt_s


def _supervise(
    supervisors: list[SafetySupervisor],
    policy: Policy,
    k: int,
    positions: np.ndarray,
    velocities: np.ndarray,
    command: np.ndarray,
    yaw_rates: np.ndarray,
    rng: np.random.Generator,
) -> None:
    for i, supervisor in enumerate(supervisors):
        others = np.delete(positions, i, axis=0)
        asked = policy(k, i, positions[i], positions)
        safe = supervisor.filter(asked, rng.uniform(-200.0, 200.0), positions[i], velocities[i], others)
        command[i] = safe.velocity_ned_m_s
        yaw_rates[i] = safe.yaw_rate_deg_s


def fly_point_masses(
    vehicle: PointMass, supervisors: list[SafetySupervisor], policy: Policy, seconds: float, rng: np.random.Generator
) -> np.ndarray:
    """Fly the supervised drones; their positions at every physics step, (steps + 1, N, 3)."""
    n = len(supervisors)
    steps = round(seconds / PHYSICS_DT_S)
    track = np.empty((steps + 1, n, 3))
    track[0] = vehicle.position_ned_m
    command, yaw_rates = np.zeros((n, 3)), np.zeros(n)
    for step in range(steps):
        if step % CONTROL_EVERY == 0:
            positions = vehicle.position_ned_m.copy()
            velocities = vehicle.velocity_ned_m_s.copy()
            _supervise(supervisors, policy, step // CONTROL_EVERY, positions, velocities, command, yaw_rates, rng)
        vehicle.step(command)
        track[step + 1] = vehicle.position_ned_m
    return track


def sim_state(positions_ned_m: np.ndarray, velocities_ned_m_s: np.ndarray, yaw_deg: np.ndarray) -> VehicleState:
    """Simulated drones in still air at these positions, moving at these velocities."""
    state = VehicleState.at_rest(positions_ned_m, yaw_deg=yaw_deg)
    state.own_velocity_ned_m_s[:] = velocities_ned_m_s
    state.velocity_ned_m_s[:] = velocities_ned_m_s
    return state


def fly_sim(
    params: VehicleParamArrays,
    state: VehicleState,
    supervisors: list[SafetySupervisor],
    policy: Policy,
    seconds: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Fly the project's simulated vehicles under the supervisors (yaw rates random too); positions
    at every physics step, (steps + 1, N, 3). The supervisor's NED velocity is turned into the
    body-frame (FRD) setpoint with the current yaw at every physics step, as a flight link streaming
    NED setpoints does."""
    model = VehicleModel(params, PHYSICS_DT_S)
    n = len(supervisors)
    steps = round(seconds / PHYSICS_DT_S)
    track = np.empty((steps + 1, n, 3))
    track[0] = state.position_ned_m
    command_ned, yaw_rates = np.zeros((n, 3)), np.zeros(n)
    command = VehicleCommand.zeros(n)
    for step in range(steps):
        if step % CONTROL_EVERY == 0:
            positions = state.position_ned_m.copy()
            velocities = state.velocity_ned_m_s.copy()
            _supervise(supervisors, policy, step // CONTROL_EVERY, positions, velocities, command_ned, yaw_rates, rng)
            command.yaw_rate_deg_s[:] = yaw_rates
        yaw = np.radians(state.yaw_deg)
        cos, sin = np.cos(yaw), np.sin(yaw)
        frd = command.velocity_frd_m_s
        frd[:, 0] = cos * command_ned[:, 0] + sin * command_ned[:, 1]
        frd[:, 1] = -sin * command_ned[:, 0] + cos * command_ned[:, 1]
        frd[:, 2] = command_ned[:, 2]
        crashed = model.step(state, command, rng)
        if crashed.any():
            raise AssertionError(f"a drone crashed into the ground at t = {(step + 1) * PHYSICS_DT_S:.2f} s")
        track[step + 1] = state.position_ned_m
    return track
