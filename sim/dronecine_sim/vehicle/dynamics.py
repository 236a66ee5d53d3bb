"""The batched vehicle dynamics: velocity loop, wind, yaw, gimbal and ground contact, in place.

``VehicleModel(params, dt_s)`` precomputes the per-drone discretisation coefficients and
preallocates its scratch arrays once; ``VehicleModel.step`` then advances N drones without a
Python loop over them and with almost no allocation. ``step(...)`` is the one-call form (it
builds a model each call: fine for tests and scripts, not for a training loop).

The equations are in the package docstring (``dronecine_sim.vehicle``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.vehicle.errors import VehicleError
from dronecine_sim.vehicle.param_arrays import VehicleParamArrays
from dronecine_sim.vehicle.state import VehicleCommand, VehicleState

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_DEG = math.pi / 180.0
_TINY = 1e-300


class _Scratch:
    """Preallocated work arrays for one batch size. (N, 3) arrays are column-major, as the state's
    are, so that each axis is a contiguous (N,) column."""

    def __init__(self, n: int) -> None:
        self.target = np.empty((n, 3), order="F")
        self.error = np.empty((n, 3), order="F")
        self.accel = np.empty((n, 3), order="F")
        self.delta = np.empty((n, 3), order="F")
        self.end = np.empty((n, 3), order="F")
        self.vec = np.empty((n, 3), order="F")
        self.noise_axis_major = np.empty((3, n))  # what rng fills; its transpose is (N, 3)
        self.s = [np.empty(n) for _ in range(6)]
        self.b = [np.empty(n, dtype=bool) for _ in range(3)]


class VehicleModel:
    """The dynamics of N drones with per-drone parameters, at a fixed time step ``dt_s``."""

    def __init__(self, params: VehicleParamArrays, dt_s: float) -> None:
        if not (isinstance(dt_s, int | float) and math.isfinite(dt_s) and 0.0 < dt_s <= 1.0):
            raise VehicleError(f"time step dt_s = {dt_s!r} is out of range (expected 0 < dt_s <= 1 s)")
        self._dt = float(dt_s)
        self._scratch = _Scratch(params.n)
        self.set_params(params)

    @property
    def params(self) -> VehicleParamArrays:
        return self._params

    @property
    def dt_s(self) -> float:
        return self._dt

    @property
    def n(self) -> int:
        return self._params.n

    def set_params(self, params: VehicleParamArrays) -> None:
        """Fly with new parameters (same N). Change a drone's parameters only when resetting it:
        a drone accelerating beyond its new limits takes the jerk limit's time to come within them."""
        if hasattr(self, "_params") and params.n != self._params.n:
            raise VehicleError(f"new parameters are for {params.n} drones, the model flies {self._params.n}")
        self._params = params
        dt = self._dt
        p = params
        self._k_v = -np.expm1(-dt / p.velocity_tau_s) / dt
        self._vh = p.max_horizontal_speed_m_s
        self._vh2 = p.max_horizontal_speed_m_s**2
        self._v_up = -p.max_up_speed_m_s
        self._v_down = p.max_down_speed_m_s.copy()
        self._ah = p.max_horizontal_accel_m_s2
        self._av_low = -p.max_vertical_accel_m_s2
        self._av_high = p.max_vertical_accel_m_s2.copy()
        self._jdt = p.max_jerk_m_s3 * dt
        self._half_jdt = 0.5 * self._jdt
        self._half_jdt2 = self._half_jdt**2
        self._two_j = 2.0 * p.max_jerk_m_s3
        self._yaw_rate_max = p.max_yaw_rate_deg_s
        self._yaw_rate_min = -p.max_yaw_rate_deg_s
        self._alpha_yaw = -np.expm1(-dt / p.yaw_tau_s)
        self._gimbal_rate_max = p.gimbal_max_rate_deg_s
        self._gimbal_rate_min = -p.gimbal_max_rate_deg_s
        self._alpha_gimbal = -np.expm1(-dt / p.gimbal_tau_s)
        self._pitch_min, self._pitch_max = p.gimbal_pitch_min_deg, p.gimbal_pitch_max_deg
        self._gyaw_min, self._gyaw_max = p.gimbal_yaw_min_deg, p.gimbal_yaw_max_deg
        n = p.n
        self._wind_mean = np.asfortranarray(
            np.stack([p.wind_mean_north_m_s, p.wind_mean_east_m_s, np.zeros(n)], axis=1)
        )
        self._wind_sigma = np.asfortranarray(
            np.stack([p.wind_sigma_m_s, p.wind_sigma_m_s, p.wind_vertical_sigma_m_s], axis=1)
        )
        self._wind_decay = np.exp(-dt / p.wind_tau_s)[:, None]
        self._wind_noise_scale = self._wind_sigma * np.sqrt(-np.expm1(-2.0 * dt / p.wind_tau_s))[:, None]
        self._wind_gain = p.wind_gain[:, None].copy()
        self._alpha_drift = -np.expm1(-dt / p.wind_response_tau_s)[:, None]
        self._crash_speed = p.crash_speed_m_s

    # ------------------------------------------------------------------------------------------

    def step(self, state: VehicleState, command: VehicleCommand, rng: np.random.Generator) -> BoolArray:
        """Advance ``state`` by one time step in place; return which drones crashed into the ground.

        Draws exactly one standard normal array of shape ``(3, N)`` (axis-major: north for all
        drones, then east, then down) from ``rng`` per step, even in still air, so the random
        stream does not depend on the parameters.
        """
        self._check(state, command)
        self._step_velocity(state, command)
        self._step_wind(state, rng)
        crashed = self._step_position(state)
        self._step_yaw(state, command)
        self._step_gimbal(state, command)
        return crashed

    def _check(self, state: VehicleState, command: VehicleCommand) -> None:
        n = self._params.n
        if state.yaw_deg.shape[0] != n:
            raise VehicleError(f"the state holds {state.yaw_deg.shape[0]} drones, the model flies {n}")
        if (
            command.velocity_frd_m_s.shape != (n, 3)
            or command.yaw_rate_deg_s.shape != (n,)
            or command.gimbal_pitch_rate_deg_s.shape != (n,)
            or command.gimbal_yaw_rate_deg_s.shape != (n,)
        ):
            raise VehicleError(
                f"command arrays must have shapes ({n}, 3) and ({n},), got {command.velocity_frd_m_s.shape}, "
                f"{command.yaw_rate_deg_s.shape}, {command.gimbal_pitch_rate_deg_s.shape}, "
                f"{command.gimbal_yaw_rate_deg_s.shape}"
            )

    def _clamp_horizontal(self, vec: FloatArray, limit: FloatArray) -> None:
        """Scale the horizontal part of ``vec`` (N, 3) in place so its norm is at most ``limit``."""
        s0, s1 = self._scratch.s[0], self._scratch.s[1]
        x, y = vec[:, 0], vec[:, 1]
        np.multiply(x, x, out=s0)
        np.multiply(y, y, out=s1)
        np.add(s0, s1, out=s0)
        np.sqrt(s0, out=s0)
        np.maximum(s0, limit, out=s0)
        np.divide(limit, s0, out=s0)
        np.multiply(x, s0, out=x)
        np.multiply(y, s0, out=y)

    def _norm(self, vec: FloatArray, out: FloatArray) -> FloatArray:
        tmp = self._scratch.s[5]
        np.multiply(vec[:, 0], vec[:, 0], out=out)
        np.multiply(vec[:, 1], vec[:, 1], out=tmp)
        np.add(out, tmp, out=out)
        np.multiply(vec[:, 2], vec[:, 2], out=tmp)
        np.add(out, tmp, out=out)
        return np.sqrt(out, out=out)

    def _braking_gain(self, m: FloatArray, out: FloatArray) -> FloatArray:
        """D(m)/m: the velocity gained, per unit of acceleration, while an acceleration of norm ``m``
        is brought to zero at the jerk limit (D = dt * sum_k>=1 (m - k J dt)^+)."""
        count = self._scratch.s[4]
        np.divide(m, self._jdt, out=count)
        np.floor(count, out=count)
        np.multiply(count, m, out=out)  # n m
        tmp = self._scratch.s[5]
        np.add(count, 1.0, out=tmp)
        np.multiply(tmp, count, out=tmp)
        np.multiply(tmp, self._half_jdt, out=tmp)  # J dt n (n + 1) / 2
        np.subtract(out, tmp, out=out)
        np.multiply(out, self._dt, out=out)
        np.maximum(m, _TINY, out=tmp)
        return np.divide(out, tmp, out=out)

    def _inside(self, vec: FloatArray, out: BoolArray) -> BoolArray:
        """Whether each row of ``vec`` lies within the speed limits (the cylinder C)."""
        s0, s1 = self._scratch.s[4], self._scratch.s[5]
        other = self._scratch.b[2]
        np.multiply(vec[:, 0], vec[:, 0], out=s0)
        np.multiply(vec[:, 1], vec[:, 1], out=s1)
        np.add(s0, s1, out=s0)
        np.less_equal(s0, self._vh2, out=out)
        np.greater_equal(vec[:, 2], self._v_up, out=other)
        np.logical_and(out, other, out=out)
        np.less_equal(vec[:, 2], self._v_down, out=other)
        return np.logical_and(out, other, out=out)

    def _step_velocity(self, state: VehicleState, command: VehicleCommand) -> None:
        sc = self._scratch
        dt = self._dt
        s0, s1, s2, s3 = sc.s[0], sc.s[1], sc.s[2], sc.s[3]
        v = state.own_velocity_ned_m_s
        a = state.accel_ned_m_s2
        # Setpoint: body heading frame -> NED, minus the measured drift, clamped to the speed limits.
        target = sc.target
        np.multiply(state.yaw_deg, _DEG, out=s2)
        np.cos(s2, out=s3)
        np.sin(s2, out=s2)
        cmd = command.velocity_frd_m_s
        forward, right = cmd[:, 0], cmd[:, 1]
        np.multiply(forward, s3, out=target[:, 0])
        np.multiply(right, s2, out=s0)
        np.subtract(target[:, 0], s0, out=target[:, 0])
        np.multiply(forward, s2, out=target[:, 1])
        np.multiply(right, s3, out=s0)
        np.add(target[:, 1], s0, out=target[:, 1])
        target[:, 2] = cmd[:, 2]
        np.subtract(target, state.wind_drift_ned_m_s, out=target)
        self._clamp_horizontal(target, self._vh)
        np.maximum(target[:, 2], self._v_up, out=target[:, 2])
        np.minimum(target[:, 2], self._v_down, out=target[:, 2])
        # Demand: the exact first-order step, capped so the jerk limit can still stop it at the target.
        error = sc.error
        np.subtract(target, v, out=error)
        e_norm = self._norm(error, s2)
        np.multiply(e_norm, self._two_j, out=s0)
        np.add(s0, self._half_jdt2, out=s0)
        np.sqrt(s0, out=s0)
        np.subtract(s0, self._half_jdt, out=s0)  # m_cap
        np.maximum(e_norm, _TINY, out=s2)
        np.divide(s0, s2, out=s0)
        np.minimum(s0, self._k_v, out=s0)
        accel = sc.accel
        np.multiply(error, s0[:, None], out=accel)
        # Acceleration limits: horizontal norm, vertical.
        self._clamp_horizontal(accel, self._ah)
        np.maximum(accel[:, 2], self._av_low, out=accel[:, 2])
        np.minimum(accel[:, 2], self._av_high, out=accel[:, 2])
        # Jerk limit: the change of acceleration is at most J dt in norm.
        delta = sc.delta
        np.subtract(accel, a, out=delta)
        d_norm = self._norm(delta, s0)
        np.maximum(d_norm, self._jdt, out=s0)
        np.divide(self._jdt, s0, out=s0)
        np.multiply(delta, s0[:, None], out=delta)
        np.add(a, delta, out=accel)  # the candidate
        # Speed safety: accept the candidate if braking from it at the jerk limit stays within the
        # speed limits; otherwise brake (the last state's braking end point is within them).
        cand_norm = self._norm(accel, s1)
        gain = self._braking_gain(cand_norm, s0)
        np.add(gain, dt, out=gain)
        end = sc.end
        np.multiply(accel, gain[:, None], out=end)
        np.add(end, v, out=end)
        ok = self._inside(end, sc.b[0])
        if not ok.all():
            a_norm = self._norm(a, s1)
            gain = self._braking_gain(a_norm, s0)
            np.multiply(a, gain[:, None], out=end)
            np.add(end, v, out=end)
            was_safe = self._inside(end, sc.b[1])
            np.logical_not(was_safe, out=was_safe)
            np.logical_or(ok, was_safe, out=ok)  # a state already outside (after a reset) uses the candidate
            np.logical_not(ok, out=ok)  # now: the drones that brake
            np.maximum(a_norm, _TINY, out=s0)
            np.divide(self._jdt, s0, out=s0)
            np.subtract(1.0, s0, out=s0)
            np.maximum(s0, 0.0, out=s0)
            np.multiply(a, s0[:, None], out=sc.vec)
            np.copyto(accel, sc.vec, where=ok[:, None])
        np.copyto(a, accel)
        np.multiply(a, dt, out=sc.vec)
        np.add(v, sc.vec, out=v)

    def _step_wind(self, state: VehicleState, rng: np.random.Generator) -> None:
        sc = self._scratch
        rng.standard_normal(out=sc.noise_axis_major)
        noise = sc.noise_axis_major.T
        np.multiply(noise, self._wind_noise_scale, out=noise)
        wind = state.wind_ned_m_s
        np.subtract(wind, self._wind_mean, out=wind)
        np.multiply(wind, self._wind_decay, out=wind)
        np.add(wind, self._wind_mean, out=wind)
        np.add(wind, noise, out=wind)
        drift = state.wind_drift_ned_m_s
        np.multiply(wind, self._wind_gain, out=sc.vec)
        np.subtract(sc.vec, drift, out=sc.vec)
        np.multiply(sc.vec, self._alpha_drift, out=sc.vec)
        np.add(drift, sc.vec, out=drift)

    def _step_position(self, state: VehicleState) -> BoolArray:
        sc = self._scratch
        ground_velocity = state.velocity_ned_m_s
        np.add(state.own_velocity_ned_m_s, state.wind_drift_ned_m_s, out=ground_velocity)
        position = state.position_ned_m
        np.multiply(ground_velocity, self._dt, out=sc.vec)
        np.add(position, sc.vec, out=position)
        below = np.greater(position[:, 2], 0.0, out=sc.b[0])
        if not below.any():
            return np.zeros(self._params.n, dtype=bool)
        crashed = below & (ground_velocity[:, 2] > self._crash_speed)
        rows = np.flatnonzero(below)
        position[rows, 2] = 0.0
        for array in (state.own_velocity_ned_m_s, state.wind_drift_ned_m_s):
            array[rows, 2] = np.minimum(array[rows, 2], 0.0)
        ground_velocity[rows, 2] = state.own_velocity_ned_m_s[rows, 2] + state.wind_drift_ned_m_s[rows, 2]
        return crashed

    def _step_yaw(self, state: VehicleState, command: VehicleCommand) -> None:
        s0 = self._scratch.s[0]
        rate = state.yaw_rate_deg_s
        np.maximum(command.yaw_rate_deg_s, self._yaw_rate_min, out=s0)
        np.minimum(s0, self._yaw_rate_max, out=s0)
        np.subtract(s0, rate, out=s0)
        np.multiply(s0, self._alpha_yaw, out=s0)
        np.add(rate, s0, out=rate)
        yaw = state.yaw_deg
        np.multiply(rate, self._dt, out=s0)
        np.add(yaw, s0, out=yaw)
        _wrap_deg_inplace(yaw, s0)

    def _step_gimbal(self, state: VehicleState, command: VehicleCommand) -> None:
        self._gimbal_axis(
            state.gimbal_pitch_deg,
            state.gimbal_pitch_rate_deg_s,
            command.gimbal_pitch_rate_deg_s,
            self._pitch_min,
            self._pitch_max,
        )
        self._gimbal_axis(
            state.gimbal_yaw_deg,
            state.gimbal_yaw_rate_deg_s,
            command.gimbal_yaw_rate_deg_s,
            self._gyaw_min,
            self._gyaw_max,
        )

    def _gimbal_axis(
        self, angle: FloatArray, rate: FloatArray, rate_cmd: FloatArray, low: FloatArray, high: FloatArray
    ) -> None:
        s0, s1 = self._scratch.s[0], self._scratch.s[1]
        hit = self._scratch.b[0]
        np.maximum(rate_cmd, self._gimbal_rate_min, out=s0)
        np.minimum(s0, self._gimbal_rate_max, out=s0)
        np.subtract(s0, rate, out=s0)
        np.multiply(s0, self._alpha_gimbal, out=s0)
        np.add(rate, s0, out=rate)
        np.multiply(rate, self._dt, out=s0)
        np.add(angle, s0, out=s0)
        np.maximum(s0, low, out=s1)
        np.minimum(s1, high, out=s1)
        np.not_equal(s0, s1, out=hit)
        np.copyto(rate, 0.0, where=hit)  # a hard stop: the gimbal stops there
        np.copyto(angle, s1)

    # ------------------------------------------------------------------------------------------

    def reset(
        self,
        state: VehicleState,
        indices: ArrayLike,
        position_ned_m: ArrayLike,
        yaw_deg: ArrayLike,
        rng: np.random.Generator,
        gimbal_pitch_deg: ArrayLike = 0.0,
    ) -> None:
        """Restart the drones at ``indices`` in place: holding position, gimbal straight ahead at
        ``gimbal_pitch_deg``, in a wind drawn from its stationary distribution (one
        ``rng.standard_normal((k, 3))`` draw) to which the drift has settled, the own velocity
        cancelling it as far as the speed limits allow."""
        index = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        k = index.shape[0]
        p = self._params
        position = np.broadcast_to(np.asarray(position_ned_m, dtype=np.float64), (k, 3))
        yaw = np.broadcast_to(np.asarray(yaw_deg, dtype=np.float64), (k,))
        pitch = np.broadcast_to(np.asarray(gimbal_pitch_deg, dtype=np.float64), (k,))
        wind = self._wind_mean[index] + self._wind_sigma[index] * rng.standard_normal((k, 3))
        drift = self._wind_gain[index] * wind
        own = -drift
        h = np.sqrt(own[:, 0] ** 2 + own[:, 1] ** 2)
        own[:, :2] *= (self._vh[index] / np.maximum(h, self._vh[index]))[:, None]
        own[:, 2] = np.clip(own[:, 2], self._v_up[index], self._v_down[index])
        state.position_ned_m[index] = position
        state.own_velocity_ned_m_s[index] = own
        state.velocity_ned_m_s[index] = own + drift
        state.accel_ned_m_s2[index] = 0.0
        state.yaw_deg[index] = (yaw + 180.0) % 360.0 - 180.0
        state.yaw_rate_deg_s[index] = 0.0
        state.gimbal_pitch_deg[index] = np.clip(pitch, p.gimbal_pitch_min_deg[index], p.gimbal_pitch_max_deg[index])
        state.gimbal_yaw_deg[index] = 0.0
        state.gimbal_pitch_rate_deg_s[index] = 0.0
        state.gimbal_yaw_rate_deg_s[index] = 0.0
        state.wind_ned_m_s[index] = wind
        state.wind_drift_ned_m_s[index] = drift


def _wrap_deg_inplace(angle: FloatArray, tmp: FloatArray) -> None:
    """angle <- angle - 360 floor((angle + 180) / 360): wrapped to [-180, 180) (faster than remainder)."""
    np.add(angle, 180.0, out=tmp)
    np.multiply(tmp, 1.0 / 360.0, out=tmp)
    np.floor(tmp, out=tmp)
    np.multiply(tmp, 360.0, out=tmp)
    np.subtract(angle, tmp, out=angle)


def step(
    state: VehicleState,
    command: VehicleCommand,
    params: VehicleParamArrays,
    dt_s: float,
    rng: np.random.Generator,
) -> BoolArray:
    """Advance ``state`` by ``dt_s`` in place; return which drones crashed into the ground.

    Builds a ``VehicleModel`` each call; a loop should build one and call its ``step``.
    """
    return VehicleModel(params, dt_s).step(state, command, rng)
