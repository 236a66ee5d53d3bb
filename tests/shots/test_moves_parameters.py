"""Each camera move does what its parameters say: radius, height, rates, speeds, timing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shotkit import CAMERA, STILL, Walk, auto_distance, make_shot, sample, seen_box, states

from dronecine.geometry import CameraPose, project_person
from dronecine.shots import ShotSize, build_move
from dronecine.shots.sizes import box_height_from

TURNING = Walk(speed_m_s=1.4, turn_rate_deg_s=5.0, start_heading_deg=30.0)
STRAIGHT = Walk(speed_m_s=1.4, turn_rate_deg_s=0.0, start_heading_deg=-60.0)
TIMES = np.arange(0.0, 60.0, 0.25)


def heading_unit(heading_deg: float | np.ndarray) -> np.ndarray:
    h = np.radians(heading_deg)
    return np.stack([np.cos(h), np.sin(h)], axis=-1)


@pytest.mark.parametrize(("radius_m", "height_m"), [(12.0, 8.0), (None, 8.0), (4.0, 2.0)])
def test_orbit_keeps_its_radius_and_height_around_a_moving_subject(radius_m: float | None, height_m: float) -> None:
    params = {"height_m": height_m} | ({} if radius_m is None else {"radius_m": radius_m})
    shot = make_shot(build_move("orbit", params), ShotSize.MEDIUM_WIDE)
    track = sample(shot, TURNING, TIMES)
    expected = auto_distance(shot, height_m) if radius_m is None else radius_m
    np.testing.assert_allclose(track.horizontal_range, expected, rtol=1e-9)
    np.testing.assert_allclose(track.height, height_m, rtol=1e-9)


@pytest.mark.parametrize("rate_deg_s", [12.0, -20.0, 45.0])
def test_orbit_turns_at_its_rate_clockwise_from_above_when_positive(rate_deg_s: float) -> None:
    move = build_move("orbit", {"radius_m": 10.0, "rate_deg_s": rate_deg_s, "start_bearing_deg": 180.0})
    track = sample(make_shot(move), TURNING, TIMES)
    slope, start = np.polyfit(track.times, track.bearing_deg, 1)
    assert slope == pytest.approx(rate_deg_s, abs=1e-6)
    # Bearing increasing = north to east = clockwise seen from above (NED).
    assert np.sign(np.diff(track.bearing_deg)).tolist() == [np.sign(rate_deg_s)] * (len(TIMES) - 1)
    # It starts behind the subject (bearing 180 from its heading at the start).
    assert (start - TURNING.start_heading_deg) % 360.0 == pytest.approx(180.0, abs=1e-6)


def test_helix_widens_and_climbs_at_its_rates() -> None:
    params = {"radius_m": 6.0, "height_m": 3.0, "widen_m_s": 0.5, "climb_m_s": 0.8, "rate_deg_s": 15.0}
    track = sample(make_shot(build_move("helix", params)), TURNING, TIMES)
    np.testing.assert_allclose(track.horizontal_range, 6.0 + 0.5 * TIMES, rtol=1e-9)
    np.testing.assert_allclose(track.height, 3.0 + 0.8 * TIMES, rtol=1e-9)
    assert np.polyfit(TIMES, track.bearing_deg, 1)[0] == pytest.approx(15.0)


def test_dronie_flies_away_and_up_at_its_speed() -> None:
    move = build_move("dronie", {"speed_m_s": 3.0, "elevation_deg": 30.0, "ease_s": 2.0})
    shot = make_shot(move, ShotSize.FULL)
    track = sample(shot, STRAIGHT, TIMES)
    rng = np.linalg.norm(track.offset, axis=1)
    assert np.all(np.diff(rng) > 0.0)
    assert np.all(np.diff(track.height) > 0.0)
    assert track.height[0] == pytest.approx(3.0)
    assert track.horizontal_range[0] == pytest.approx(auto_distance(shot, 3.0))
    # After the ease, the camera moves away from the subject at 3 m/s, climbing at 30 degrees.
    cruise = TIMES >= 2.0
    speed = np.linalg.norm(np.diff(track.offset[cruise], axis=0), axis=1) / 0.25
    np.testing.assert_allclose(speed, 3.0, rtol=1e-9)
    climb = np.diff(track.height[cruise]) / 0.25
    np.testing.assert_allclose(climb, 3.0 * math.sin(math.radians(30.0)), rtol=1e-9)


def test_rocket_climbs_at_its_rate_after_the_ease_beside_the_subject() -> None:
    move = build_move("rocket", {"start_height_m": 4.0, "climb_m_s": 2.5, "offset_m": 3.0, "ease_s": 2.0})
    track = sample(make_shot(move), TURNING, TIMES[TIMES <= 30.0])
    np.testing.assert_allclose(track.horizontal_range, 3.0, rtol=1e-9)
    rate = np.diff(track.height) / 0.25
    after = track.times[:-1] >= 2.0
    np.testing.assert_allclose(rate[after], 2.5, rtol=1e-9)
    assert np.all(rate[~after] < 2.5) and np.all(rate[~after] > 0.0)  # easing in
    assert track.height[0] == pytest.approx(4.0)


@pytest.mark.parametrize(("start_m", "end_m"), [(2.0, 12.0), (20.0, 5.0)])
def test_crane_reaches_its_end_height_and_holds(start_m: float, end_m: float) -> None:
    move = build_move("crane", {"start_height_m": start_m, "end_height_m": end_m, "speed_m_s": 1.0, "ease_s": 2.0})
    shot = make_shot(move, ShotSize.WIDE)
    track = sample(shot, TURNING, TIMES)
    # A trapezoid: |rise| / speed at full speed plus the ease (half of it at each end).
    done_s = abs(end_m - start_m) / 1.0 + 2.0
    done = done_s <= TIMES
    np.testing.assert_allclose(track.height[done], end_m, rtol=0, atol=1e-9)
    moving = track.height[~done]
    assert np.all((moving - start_m) * (end_m - start_m) >= 0.0)
    assert np.all(np.abs(np.diff(track.height[~done])) > 0.0)
    assert abs(track.height[~done][-1] - end_m) > 1e-3  # not there before it is due
    np.testing.assert_allclose(track.horizontal_range, auto_distance(shot, max(start_m, end_m)), rtol=1e-9)


@pytest.mark.parametrize("start_ratio", [2.0, 0.5])
def test_dolly_moves_along_the_line_of_sight_and_ends_at_its_distance(start_ratio: float) -> None:
    move = build_move("dolly", {"distance_m": 8.0, "start_ratio": start_ratio, "speed_m_s": 1.5, "ease_s": 2.0})
    track = sample(make_shot(move), STRAIGHT, TIMES)
    rng = track.horizontal_range
    assert rng[0] == pytest.approx(8.0 * start_ratio)
    done = abs(8.0 * start_ratio - 8.0) / 1.5 + 2.0 <= TIMES
    np.testing.assert_allclose(rng[done], 8.0, rtol=1e-12)
    change = np.diff(rng[~done])
    assert np.all(change < 0.0) if start_ratio > 1.0 else np.all(change > 0.0)
    # Along the line of sight: the bearing from the subject never changes.
    np.testing.assert_allclose(track.bearing_deg, track.bearing_deg[0], atol=1e-9)


@pytest.mark.parametrize("speed_m_s", [1.5, -4.0])
def test_truck_slides_sideways_at_its_speed(speed_m_s: float) -> None:
    move = build_move("truck", {"distance_m": 10.0, "speed_m_s": speed_m_s, "ease_s": 2.0})
    track = sample(make_shot(move), STILL, TIMES)
    shift = track.offset[:, :2] - track.offset[0, :2]
    towards_subject = -track.offset[0, :2] / np.linalg.norm(track.offset[0, :2])
    camera_right = np.array([-towards_subject[1], towards_subject[0]])  # looking at the subject
    np.testing.assert_allclose(shift @ towards_subject, 0.0, atol=1e-9)  # perpendicular to the line of sight
    assert np.all(np.sign(shift[1:] @ camera_right) == np.sign(speed_m_s))
    cruise = TIMES >= 2.0
    speed = np.linalg.norm(np.diff(shift[cruise], axis=0), axis=1) / 0.25
    np.testing.assert_allclose(speed, abs(speed_m_s), rtol=1e-9)
    np.testing.assert_allclose(track.height, 3.0)


def test_spotlight_camera_stays_put_while_the_subject_walks() -> None:
    track = sample(make_shot(build_move("spotlight", {"distance_m": 15.0})), TURNING, TIMES)
    np.testing.assert_allclose(track.position, np.broadcast_to(track.position[0], track.position.shape), atol=1e-9)
    assert np.ptp(track.horizontal_range) > 10.0  # while the subject did walk
    assert np.ptp(np.unwrap(track.yaw, period=360.0)) > 20.0  # and the camera turned to follow it


@pytest.mark.parametrize(("pass_m", "closest_s"), [(6.0, 5.0), (15.0, 22.5)])
def test_flyby_passes_closest_at_its_time_and_distance(pass_m: float, closest_s: float) -> None:
    move = build_move("flyby", {"pass_distance_m": pass_m, "closest_s": closest_s, "speed_m_s": 4.0})
    times = np.arange(0.0, 40.0, 0.05)
    track = sample(make_shot(move), STRAIGHT, times)
    rng = track.horizontal_range
    assert times[rng.argmin()] == pytest.approx(closest_s, abs=1e-9)
    assert rng.min() == pytest.approx(pass_m, rel=1e-9)
    # The closing speed is the flyby's: range^2 = pass^2 + (speed * (t - closest))^2.
    np.testing.assert_allclose(rng, np.hypot(pass_m, 4.0 * (times - closest_s)), rtol=1e-9)


def test_boomerang_returns_after_its_period_and_swings_out_halfway() -> None:
    params = {"radius_m": 5.0, "far_ratio": 2.5, "height_m": 3.0, "climb_m": 6.0, "period_s": 30.0}
    move = build_move("boomerang", params)
    times = np.arange(0.0, 60.0 + 0.01, 0.1)
    track = sample(make_shot(move), STILL, times)
    at = {t: round(t / 0.1) for t in (0.0, 15.0, 30.0, 60.0)}
    np.testing.assert_allclose(track.position[at[30.0]], track.position[at[0.0]], atol=1e-9)
    np.testing.assert_allclose(track.position[at[60.0]], track.position[at[0.0]], atol=1e-9)
    first_loop = times <= 30.0
    assert track.horizontal_range[first_loop].argmax() == at[15.0]
    assert track.horizontal_range[at[15.0]] == pytest.approx(2.5 * 5.0)
    assert track.height[at[15.0]] == pytest.approx(9.0)
    assert track.horizontal_range[at[0.0]] == pytest.approx(5.0)


@pytest.mark.parametrize(("name", "bearing_deg"), [("follow", 180.0), ("lead", 0.0), ("profile", 90.0)])
def test_tracking_moves_hold_their_place_relative_to_the_heading(name: str, bearing_deg: float) -> None:
    track = sample(make_shot(build_move(name, {"distance_m": 7.0})), TURNING, TIMES)
    heading = np.array([s.heading_deg for s in states(TURNING, TIMES)])
    expected = 7.0 * heading_unit(heading + bearing_deg)
    np.testing.assert_allclose(track.offset[:, :2], expected, atol=1e-9)
    if name == "follow":  # behind: opposite to the direction of travel
        velocity = np.array([s.velocity_ned_m_s[:2] for s in states(TURNING, TIMES)])
        assert np.all(np.einsum("ij,ij->i", track.offset[:, :2], velocity) < 0.0)


@pytest.mark.parametrize(
    ("name", "height_m", "size"),
    [
        ("follow", 3.0, ShotSize.FULL),
        ("follow", 3.0, ShotSize.MEDIUM_WIDE),
        ("follow", 3.0, ShotSize.WIDE),
        ("follow", 2.5, ShotSize.MEDIUM),
        ("lead", 3.0, ShotSize.FULL),
        ("profile", 2.5, ShotSize.FULL),
        ("orbit", 8.0, ShotSize.WIDE),
        ("orbit", 4.0, ShotSize.MEDIUM_WIDE),
    ],
)
def test_auto_distance_gives_the_shot_size(name: str, height_m: float, size: ShotSize) -> None:
    shot = make_shot(build_move(name, {"height_m": height_m}), size)
    anchor = TURNING.state(0.0)
    for t in (0.0, 4.0, 11.0, 25.0):
        ref, box = seen_box(shot, t, TURNING.state(t), anchor)
        assert box is not None
        assert ref.target.h == size.target_height
        assert box.h == pytest.approx(size.target_height, rel=0.10), f"t={t}"


def test_auto_distance_out_of_reach_gives_the_largest_the_height_allows() -> None:
    # From 8 m up a person never fills 45% of the frame: the auto distance is where it looks largest.
    shot = make_shot(build_move("follow", {"height_m": 8.0}), ShotSize.FULL)
    best = auto_distance(shot, 8.0)
    largest = box_height_from(CAMERA, best, 8.0)
    assert largest < ShotSize.FULL.target_height
    for factor in (0.8, 0.9, 1.1, 1.25):
        assert box_height_from(CAMERA, best * factor, 8.0) < largest
    ref, box = seen_box(shot, 0.0, STILL.state(0.0), STILL.state(0.0))
    assert box is not None and box.h == pytest.approx(largest, rel=0.05)
    assert ref.target.h == ShotSize.FULL.target_height  # the size asked for, not reached


def test_seen_box_uses_the_reference_pose() -> None:
    # The helper is what the tests above rely on: check it against a direct projection.
    shot = make_shot(build_move("orbit", {"radius_m": 9.0}), ShotSize.WIDE)
    subject = TURNING.state(3.0)
    ref, box = seen_box(shot, 3.0, subject, TURNING.state(0.0))
    pose = CameraPose.from_angles(ref.position_ned_m, ref.yaw_deg, ref.pitch_deg)
    assert box == project_person(CAMERA, pose, subject.position_ned_m)
