"""Every camera move gives a continuous reference: no jumps in position, pointing or image target."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from shotkit import MOVE_NAMES, Track, Walk, auto_distance, make_shot, move_params, offsets, sample, spikes

from dronecine.geometry import PERSON_HEIGHT_M
from dronecine.shots import CameraMove, MoveName, Shot, ShotSize, build_move

DT_S = 0.02
TIMES = np.arange(0.0, 40.0 + DT_S / 2, DT_S)
WALK = Walk(speed_m_s=1.4, turn_rate_deg_s=4.0, start_heading_deg=20.0)
MAX_TARGET_STEP = 0.02  # u, v, h in one dt
GIMBAL_RATE_DEG_S = 90.0  # the mission's default gimbal rate limit


def speed_bound_m_s(shot: Shot, walk: Walk, duration_s: float) -> float:
    """The fastest the camera can legitimately move for this move's parameters (m/s)."""
    move = shot.move
    subject = walk.speed_m_s
    turn = math.radians(abs(walk.turn_rate_deg_s))

    def dist(value: float | None, height_m: float) -> float:
        return auto_distance(shot, height_m) if value is None else value

    p = dataclasses.asdict(move)
    name = move.name
    if name in (MoveName.FOLLOW, MoveName.LEAD, MoveName.PROFILE):
        return subject + dist(p["distance_m"], p["height_m"]) * turn
    if name is MoveName.ORBIT:
        return subject + dist(p["radius_m"], p["height_m"]) * math.radians(abs(p["rate_deg_s"]))
    if name is MoveName.HELIX:
        widest = dist(p["radius_m"], p["height_m"]) + p["widen_m_s"] * duration_s
        return subject + widest * math.radians(abs(p["rate_deg_s"])) + p["widen_m_s"] + p["climb_m_s"]
    if name is MoveName.BOOMERANG:
        near = dist(p["radius_m"], p["height_m"])
        phase_rate = 2.0 * math.pi / p["period_s"]
        swing = near * p["far_ratio"] * phase_rate
        return subject + swing + (near * (p["far_ratio"] - 1.0) + p["climb_m"]) * phase_rate / 2.0
    if name is MoveName.REVEAL:
        end = dist(p["distance_m"], p["height_m"])
        change = end * (p["start_ratio"] - 1.0) + abs(p["height_m"] - p["start_height_m"])
        return subject + 1.5 * change / p["duration_s"]  # smoothstep's steepest slope is 1.5
    if name is MoveName.ROCKET:
        return subject + p["climb_m_s"]
    if name is MoveName.SPOTLIGHT:
        return 0.0
    # dronie, crane, flyby, dolly, truck: a speed along a path
    return subject + abs(p["speed_m_s"])


def _pair_max(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """The larger of each sample and the next: a rate bound for the step between them."""
    return np.maximum(x[:-1], x[1:])


def target_step_bounds(track: Track, speed_bound: float, walk: Walk) -> dict[str, NDArray[np.float64]]:
    """The most u*, v* and h* may change in each step: 0.02, or more when the geometry is fast.

    h* of a move that changes range is the subject's apparent size: it changes at
    h * (range rate) / range. v* follows h* with a slope of at most 1.1 (default_target_v).
    u* follows the lead room (slope 1/6 per m/s of lateral speed) and the camera's swing
    around the subject (line-of-sight rate <= relative speed / horizontal range).
    """
    slant = np.linalg.norm(track.position - track.subject - [0.0, 0.0, -PERSON_HEIGHT_M / 2.0], axis=1)
    relative_speed = speed_bound + walk.speed_m_s
    h_rate = track.h * relative_speed / slant
    sight_rate = relative_speed / np.maximum(track.horizontal_range, 1e-3) + math.radians(abs(walk.turn_rate_deg_s))
    u_rate = walk.speed_m_s * sight_rate / 6.0
    h_step = np.maximum(MAX_TARGET_STEP, 1.05 * _pair_max(h_rate) * DT_S)
    return {
        "u": np.maximum(MAX_TARGET_STEP, 1.5 * _pair_max(u_rate) * DT_S),
        "v": np.maximum(MAX_TARGET_STEP, 1.1 * h_step),
        "h": h_step,
    }


def continuity_problems(
    track: Track, speed_bound: float, target_bounds: dict[str, NDArray[np.float64]] | None
) -> list[str]:
    """What is wrong with a sampled reference: steps beyond the bounds, and jumps (spikes)."""
    problems = []
    steps = np.linalg.norm(np.diff(track.position, axis=0), axis=1)
    if steps.max() > speed_bound * DT_S * 1.01 + 1e-9:
        i = int(steps.argmax())
        problems.append(f"position step {steps[i]:.3f} m at t={track.times[i]:.2f} s > {speed_bound:.2f} m/s * dt")
    for i in spikes(steps, floor=0.01)[:3]:
        problems.append(f"position jump {steps[i]:.3f} m at t={track.times[i]:.2f} s")
    for label, angle in (("yaw", np.unwrap(track.yaw, period=360.0)), ("pitch", track.pitch)):
        for i in spikes(np.diff(angle), floor=0.5)[:3]:
            problems.append(f"{label} jump {np.diff(angle)[i]:.2f} deg at t={track.times[i]:.2f} s")
    for label in ("u", "v", "h"):
        changes = np.abs(np.diff(getattr(track, label)))
        if target_bounds is not None and (changes > target_bounds[label]).any():
            i = int(np.argmax(changes - target_bounds[label]))
            problems.append(
                f"target {label} step {changes[i]:.4f} > {target_bounds[label][i]:.4f} at t={track.times[i]:.2f} s"
            )
        for i in spikes(changes, floor=0.002)[:3]:
            problems.append(f"target {label} jump {changes[i]:.4f} at t={track.times[i]:.2f} s")
    return problems


def _check(move: CameraMove, size: ShotSize, *, strict_target: bool) -> Track:
    shot = make_shot(move, size)
    track = sample(shot, WALK, TIMES)
    bound = speed_bound_m_s(shot, WALK, float(TIMES[-1]))
    # The reference's position is the subject's plus the move's offset.
    np.testing.assert_allclose(track.position, track.subject + track.offset, atol=1e-9)
    flat = {k: np.full(len(TIMES) - 1, MAX_TARGET_STEP) for k in "uvh"}
    problems = continuity_problems(track, bound, flat if strict_target else target_step_bounds(track, bound, WALK))
    assert not problems, f"{move!r} ({size}):\n" + "\n".join(problems)
    return track


@pytest.mark.parametrize("name", MOVE_NAMES)
def test_default_move_is_continuous(name: MoveName) -> None:
    track = _check(build_move(name), ShotSize.FULL, strict_target=True)
    # With its defaults, every move stays within what the default gimbal can turn.
    for angle in (np.unwrap(track.yaw, period=360.0), track.pitch):
        assert np.abs(np.diff(angle)).max() / DT_S <= GIMBAL_RATE_DEG_S


def _far_from_overhead(move: CameraMove, size: ShotSize) -> bool:
    # A camera that passes straight over the subject must swing its yaw half a turn: geometry, not a jump.
    rel = offsets(make_shot(move, size), WALK, TIMES[::5])
    return bool(np.hypot(rel[:, 0], rel[:, 1]).min() > 0.5)


@pytest.mark.parametrize("name", MOVE_NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.data(), size=st.sampled_from(list(ShotSize)))
def test_camera_path_with_any_valid_params_is_continuous(name: MoveName, data: st.DataObject, size: ShotSize) -> None:
    """The camera's path alone (what the reference adds to the subject's position), cheap to sample."""
    move = build_move(name, data.draw(move_params(name), label="params"))
    shot = make_shot(move, size)
    rel = offsets(shot, WALK, TIMES)
    steps = np.linalg.norm(np.diff(WALK.position_ned_m(TIMES) + rel, axis=0), axis=1)
    bound = speed_bound_m_s(shot, WALK, float(TIMES[-1]))
    assert steps.max() <= bound * DT_S * 1.01 + 1e-9, f"{steps.max():.3f} m in one step, bound {bound:.2f} m/s"
    assert spikes(steps, floor=0.01).size == 0, f"jump at t={TIMES[spikes(steps, floor=0.01)[0]]:.2f} s"


@pytest.mark.parametrize("name", MOVE_NAMES)
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data(), size=st.sampled_from(list(ShotSize)))
def test_reference_with_any_valid_params_is_continuous(name: MoveName, data: st.DataObject, size: ShotSize) -> None:
    """Position, pointing and image target together (each sample costs a full reference)."""
    move = build_move(name, data.draw(move_params(name), label="params"))
    assume(_far_from_overhead(move, size))
    _check(move, size, strict_target=False)


def test_the_checks_catch_a_one_metre_jump_and_pointing_and_target_steps() -> None:
    shot = make_shot(build_move("follow"), ShotSize.FULL)
    times = TIMES[:500]
    track = sample(shot, WALK, times)
    bound = speed_bound_m_s(shot, WALK, 10.0)
    flat = {k: np.full(len(times) - 1, MAX_TARGET_STEP) for k in "uvh"}
    assert continuity_problems(track, bound, flat) == []

    def jumped(field: str, delta: float | list[float]) -> Track:
        values = getattr(track, field).copy()
        values[300:] += np.asarray(delta)
        return dataclasses.replace(track, **{field: values})

    assert any("position" in p for p in continuity_problems(jumped("position", [0.0, 1.0, 0.0]), bound, None))
    # Even a fast orbit's bound would not hide a 1 m jump on top of a slow move.
    assert any("position jump" in p for p in continuity_problems(jumped("position", [0.6, 0.0, 0.0]), 100.0, None))
    assert any("yaw" in p for p in continuity_problems(jumped("yaw", 3.0), bound, None))
    assert any("pitch" in p for p in continuity_problems(jumped("pitch", -2.0), bound, None))
    assert any("target u" in p for p in continuity_problems(jumped("u", 0.03), bound, flat))
    # The derived bounds for fast geometry stay tight for a walking subject: 0.02.
    assert np.allclose(target_step_bounds(track, bound, WALK)["u"], MAX_TARGET_STEP)
    assert any("target h" in p for p in continuity_problems(jumped("h", 0.01), bound, None))


def test_steep_view_pointing_has_no_jumps() -> None:
    # Found by hypothesis: 1 m beside a climbing subject, the view turns nearly top-down, where
    # a thousandth of the frame is a degree of yaw; the pointing must not step when the
    # correction from body centre to box centre gets small.
    move = build_move("rocket", {"start_height_m": 2.0, "climb_m_s": 1.0, "offset_m": 1.0, "bearing_deg": 0.0})
    times = np.arange(10.0, 20.0, DT_S)
    track = sample(make_shot(move, ShotSize.EXTREME_WIDE), WALK, times)
    bound = speed_bound_m_s(make_shot(move, ShotSize.EXTREME_WIDE), WALK, 20.0)
    assert continuity_problems(track, bound, None) == []
    yaw_steps = np.abs(np.diff(np.unwrap(track.yaw, period=360.0)))
    assert yaw_steps.max() < 0.1
