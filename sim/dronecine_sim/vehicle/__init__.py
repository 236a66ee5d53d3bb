"""The simulated camera drone: a multirotor velocity loop, wind gusts, a 2-axis gimbal, a camera.

Everything is batched over N drones (arrays with a leading dimension N, float64) and updated in
place, one time step ``dt`` at a time, with per-drone parameters (``VehicleParamArrays``) so each
drone can fly a randomised vehicle. Randomness comes only from the ``numpy.random.Generator``
passed in: one ``standard_normal((N, 3))`` draw per step.

The model, per drone and per step (``v`` own velocity, ``a`` own acceleration, ``d`` wind drift,
``w`` wind, ``p`` position, all NED; ``C`` the speed limits: horizontal norm ``<= V_h``, vertical
in ``[-V_up, V_down]``; ``A`` the acceleration limits: horizontal norm ``<= A_h``, ``|a_z| <= A_v``):

1. Setpoint. The command's (forward, right, down) velocity is turned by the yaw into NED, ``u``.
   The controller measures ground velocity, so it aims its own velocity at ``clamp_C(u - d)``.
2. Demand. ``a* = e * min(k, m_cap(|e|) / |e|)`` with ``e = clamp_C(u - d) - v`` and
   ``k = (1 - exp(-dt/tau)) / dt``: the exact first-order lag ``dv/dt = e / tau`` over one step,
   capped at the acceleration ``m_cap`` from which the jerk limit can still bring the acceleration
   to zero before ``v`` reaches the target (``m_cap dt / 2 + m_cap^2 / 2J = |e|``), so a step does not
   overshoot. Then ``a*`` is clamped to ``A``.
3. Jerk. ``a' = a + (a* - a) * min(1, J dt / |a* - a|)``: the 3-D jerk norm is at most ``J``.
4. Speed safety. ``a'`` is kept if braking from it at the jerk limit (``a`` shrinking by ``J dt``
   a step, keeping its direction) ends, in exact discrete arithmetic, at a velocity within ``C``;
   otherwise the drone brakes: ``a' = a * max(0, 1 - J dt / |a|)``. Braking keeps that end point,
   and ``C`` is convex, so ``v`` never leaves ``C`` while ``a`` respects ``A`` and ``J``.
5. ``a <- a'``, ``v <- v + a dt`` (semi-implicit Euler).
6. Wind, an Ornstein-Uhlenbeck process per drone and axis, exactly discretised:
   ``w <- w_mean + (w - w_mean) e^(-dt/tau_w) + sigma sqrt(1 - e^(-2 dt/tau_w)) N(0, 1)``
   (stationary std ``sigma``; vertical mean zero, vertical std its own). The wind carries the
   vehicle: the drift relaxes towards ``wind_gain * w`` with the vehicle's mass-over-drag time
   constant, ``d <- d + (wind_gain w - d)(1 - e^(-dt/tau_d))``. The controller sees the drift only
   through the ground velocity it measures, one step late, and cancels it through its lag and
   limits: a steady wind is rejected entirely (within the speed limits), gusts make the drone
   wander. The limits bound the own velocity ``v``: the ground speed ``|v + d|`` can exceed them
   by ``|d| <= wind_gain * max |w|`` (downwind; upwind it falls short, as with a real drone).
7. Position: ground velocity ``v_g = v + d``, ``p <- p + v_g dt``. The ground is ``down = 0``: a
   drone below it is put back on it, its downward velocity zeroed, and reported as crashed if it
   hit at a downward speed above ``crash_speed_m_s``.
8. Yaw: ``r <- r + (clamp(r_cmd, +-R) - r)(1 - e^(-dt/tau_yaw))``, ``yaw <- wrap(yaw + r dt)``.
9. Gimbal, pitch and yaw alike: the rate follows the clamped commanded rate with lag
   ``tau_g``, the angle integrates it and is clamped to its hard stops, where the rate is zeroed.
   Pitch is relative to the horizon (the gimbal stabilises it), yaw relative to the body.
   The body's tilt is not modelled; the camera looks along body yaw + gimbal yaw, gimbal pitch.
"""

from dronecine_sim.vehicle.dynamics import VehicleModel, step
from dronecine_sim.vehicle.errors import VehicleError, VehicleParamsError
from dronecine_sim.vehicle.param_arrays import VehicleParamArrays
from dronecine_sim.vehicle.params import VehicleParams, VehicleParamSpec, param_specs
from dronecine_sim.vehicle.randomise import ParamRanges, randomise
from dronecine_sim.vehicle.state import VehicleCommand, VehicleState

__all__ = [
    "ParamRanges",
    "VehicleCommand",
    "VehicleError",
    "VehicleModel",
    "VehicleParamArrays",
    "VehicleParamSpec",
    "VehicleParams",
    "VehicleParamsError",
    "VehicleState",
    "param_specs",
    "randomise",
    "step",
]
