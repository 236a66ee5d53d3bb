"""The reference pointing puts the subject's box centre on the target; the framing rules pick the target."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shotkit import MOVE_NAMES, STILL, Walk, make_shot, move_params, seen_box

from dronecine.shots import Composition, Framing, MoveName, ShotSize, SubjectState, build_move
from dronecine.shots.framing import default_target_v

WALK = Walk(speed_m_s=1.4, turn_rate_deg_s=4.0, start_heading_deg=20.0)
TOLERANCE = 0.02


@pytest.mark.parametrize("name", MOVE_NAMES)
@pytest.mark.parametrize("size", list(ShotSize))
def test_reference_puts_the_box_centre_on_the_target(name: MoveName, size: ShotSize) -> None:
    anchor = WALK.state(0.0)
    for composition in Composition:
        shot = make_shot(build_move(name), size, Framing(composition=composition))
        for t in (0.0, 2.5, 7.0, 16.0, 33.0):
            ref, box = seen_box(shot, t, WALK.state(t), anchor)
            assert box is not None
            error = math.hypot(box.u - ref.target.u, box.v - ref.target.v)
            assert error < TOLERANCE, f"{composition} t={t}: box ({box.u:.3f}, {box.v:.3f}) vs {ref.target}"


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(MOVE_NAMES),
    data=st.data(),
    size=st.sampled_from(list(ShotSize)),
    composition=st.sampled_from(list(Composition)),
    t_s=st.floats(0.0, 60.0),
)
def test_reference_puts_the_box_centre_on_the_target_for_any_params(
    name: MoveName, data: st.DataObject, size: ShotSize, composition: Composition, t_s: float
) -> None:
    shot = make_shot(build_move(name, data.draw(move_params(name), label="params")), size, Framing(composition))
    ref, box = seen_box(shot, t_s, WALK.state(t_s), WALK.state(0.0))
    # A subject too close to fit in the frame has no box centre to place.
    assume(box is not None and box.h < 0.9 and ref.target.h < 0.9)
    error = math.hypot(box.u - ref.target.u, box.v - ref.target.v)
    assert error < TOLERANCE, f"box ({box.u:.3f}, {box.v:.3f}) vs {ref.target}"


@pytest.mark.parametrize(("composition", "u"), [("left_third", 1 / 3), ("centre", 1 / 2), ("right_third", 2 / 3)])
@pytest.mark.parametrize("name", ["follow", "orbit", "flyby", "profile"])
def test_thirds_for_a_still_subject(composition: str, u: float, name: str) -> None:
    shot = make_shot(build_move(name), ShotSize.MEDIUM_WIDE, Framing(Composition(composition)))
    subject = STILL.state(0.0)
    for t in (0.0, 3.0, 9.0):
        ref, box = seen_box(shot, t, subject, subject)
        assert ref.target.u == pytest.approx(u, abs=1e-12)
        assert box is not None and box.u == pytest.approx(u, abs=0.005)


def test_lead_room_is_ahead_of_the_subject() -> None:
    # A camera parked east of the subject (abeam of its heading at the start) looks west:
    # walking north, the subject moves to the image's right; walking south, to its left.
    abeam = build_move("orbit", {"radius_m": 8.0, "height_m": 3.0, "rate_deg_s": 0.0, "start_bearing_deg": 90.0})
    anchor = SubjectState.at(0.0, 0.0, 0.0)
    north = SubjectState.at(0.0, 0.0, 0.0, velocity_ned_m_s=(1.4, 0.0, 0.0))
    south = SubjectState.at(0.0, 0.0, 180.0, velocity_ned_m_s=(-1.4, 0.0, 0.0))
    for composition in Composition:
        framing = Framing(composition)
        shot = make_shot(abeam, ShotSize.MEDIUM_WIDE, framing)
        assert shot.reference(0.0, anchor, anchor).target.u == pytest.approx(composition.u)
        ref, box = seen_box(shot, 0.0, north, anchor)
        assert ref.target.u < composition.u - 0.05  # room ahead, on the right
        assert box is not None and box.u == pytest.approx(ref.target.u, abs=TOLERANCE)
        ref, box = seen_box(shot, 0.0, south, anchor)
        assert ref.target.u > composition.u + 0.05  # room ahead, on the left
        assert box is not None and box.u == pytest.approx(ref.target.u, abs=TOLERANCE)
        # A profile from the subject's right sees it walk to the right; from its left, to the left.
        for bearing_deg, sign in ((90.0, -1.0), (-90.0, 1.0)):
            profile = make_shot(build_move("profile", {"bearing_deg": bearing_deg}), ShotSize.MEDIUM_WIDE, framing)
            assert sign * (profile.reference(0.0, north, north).target.u - composition.u) > 0.05


@settings(max_examples=60, deadline=None)
@given(
    composition=st.sampled_from(list(Composition)),
    lead_room=st.floats(0.0, 1.0),
    lead_speed_m_s=st.floats(0.1, 5.0),
)
def test_lead_room_grows_smoothly_and_stays_in_frame(
    composition: Composition, lead_room: float, lead_speed_m_s: float
) -> None:
    framing = Framing(composition, lead_room=lead_room, lead_speed_m_s=lead_speed_m_s)
    speeds = np.linspace(-30.0, 30.0, 6001)
    u = framing.target_u(speeds)  # broadcasts; each element is what a float call gives
    assert [framing.target_u(float(s)) for s in speeds[::600]] == u[::600].tolist()
    assert u.min() >= 0.1 and u.max() <= 0.9
    assert np.all(np.diff(u) <= 1e-15)  # faster to the right: more room on the right
    assert framing.target_u(0.0) == composition.u
    # Lipschitz: tanh's slope is at most 1, so no jump even for a sudden change of speed.
    slope = lead_room / 6.0 / lead_speed_m_s
    assert np.abs(np.diff(u)).max() <= slope * (speeds[1] - speeds[0]) + 1e-12
    # tanh: 76% of the full lead at the lead speed, all of it (but the clamp) when fast.
    full = lead_room / 6.0
    expected = min(max(composition.u - full * math.tanh(1.0), 0.1), 0.9)
    assert framing.target_u(lead_speed_m_s) == pytest.approx(expected)
    assert framing.target_u(100.0 * lead_speed_m_s) == pytest.approx(max(composition.u - full, 0.1))
    assert framing.target_u(-100.0 * lead_speed_m_s) == pytest.approx(min(composition.u + full, 0.9))


def test_default_v_lower_third_for_small_sizes_and_eyes_on_upper_third_for_large() -> None:
    for h in (0.01, ShotSize.EXTREME_WIDE.target_height, ShotSize.WIDE.target_height, 0.15):
        assert default_target_v(h) == pytest.approx(2 / 3)
    eyes_below_top = 0.07
    for h in (0.4, ShotSize.FULL.target_height, ShotSize.MEDIUM.target_height, 0.9):
        top = default_target_v(h) - h / 2
        assert top + eyes_below_top * h == pytest.approx(1 / 3)
    # Between the two it blends: continuous in h, with a slope of at most 1.1.
    hs = np.linspace(0.0, 1.0, 10001)
    v = np.array([default_target_v(h) for h in hs])
    assert np.abs(np.diff(v)).max() <= 1.1 * (hs[1] - hs[0])
    # And a shot's reference uses it.
    shot = make_shot(build_move("follow", {"height_m": 3.0}), ShotSize.FULL)
    still = STILL.state(0.0)
    assert shot.reference(0.0, still, still).target.v == pytest.approx(default_target_v(0.45))


@pytest.mark.parametrize("headroom", [0.0, 0.05, 0.2, 0.5])
@pytest.mark.parametrize("h", [0.05, 0.3, 0.7])
def test_explicit_headroom_puts_the_box_top_there(headroom: float, h: float) -> None:
    assert Framing(headroom=headroom).target_v(h) == pytest.approx(headroom + h / 2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead_room": -0.01},
        {"lead_room": 1.01},
        {"lead_room": float("nan")},
        {"lead_speed_m_s": 0.0},
        {"headroom": -0.1},
        {"headroom": 0.6},
    ],
)
def test_framing_rejects_out_of_range_settings(kwargs: dict[str, float]) -> None:
    key = next(iter(kwargs))
    with pytest.raises(ValueError, match=key):
        Framing(**kwargs)


@pytest.mark.parametrize("lead_room", [0.0, 0.5, 1.0])
def test_framing_accepts_lead_room_in_range(lead_room: float) -> None:
    assert Framing(lead_room=lead_room).lead_room == lead_room


def test_steep_views_keep_the_camera_pointed_near_the_subject() -> None:
    # Seen from nearly overhead, a level camera can only put the subject off-centre by
    # turning away from it: the target's u then comes in, the camera never turns sideways,
    # and the box still lands on the target.
    move = build_move("rocket", {"start_height_m": 4.0, "climb_m_s": 2.5, "offset_m": 3.0})
    shot = make_shot(move, ShotSize.FULL, Framing(Composition.LEFT_THIRD))
    walker = Walk(speed_m_s=1.4, turn_rate_deg_s=0.0, start_heading_deg=0.0)
    anchor = walker.state(0.0)
    for t in (0.0, 5.0, 10.0, 20.0, 40.0):
        subject = walker.state(t)
        ref, box = seen_box(shot, t, subject, anchor)
        rel = subject.aim_point_ned_m - ref.position_ned_m
        bearing = math.degrees(math.atan2(rel[1], rel[0]))
        assert abs((ref.yaw_deg - bearing + 180.0) % 360.0 - 180.0) < 60.0, f"t={t}"
        assert box is not None and math.hypot(box.u - ref.target.u, box.v - ref.target.v) < TOLERANCE
    # High above, the target has come in from the third towards the centre.
    assert 1 / 3 < ref.target.u < 0.5
