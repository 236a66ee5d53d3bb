"""Many drones at once: ShotBatch gives, drone by drone, exactly what Shot.reference gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shotkit import (
    CAMERA,
    MOVE_NAMES,
    Walk,
    auto_distance,
    make_shot,
    move_params,
    offsets,
    scalar_offsets,
    seen_box,
)

from dronecine.geometry import PERSON_HEIGHT_M, PinholeCamera
from dronecine.shots import (
    MOVES,
    CameraReferences,
    Composition,
    Framing,
    MoveName,
    Shot,
    ShotBatch,
    ShotError,
    ShotSize,
    SubjectState,
    build_move,
    param_specs,
)

TOLERANCE = 1e-9


def random_shot(rng: np.random.Generator, name: MoveName) -> Shot:
    """Move ``name`` with random valid parameters ('auto' ones left out half the time), size and framing."""
    params = {
        spec.name: float(rng.uniform(spec.minimum, spec.maximum))
        for spec in param_specs(MOVES[name])
        if spec.default is not None or rng.random() < 0.5
    }
    framing = Framing(
        Composition(rng.choice(list(Composition))),
        lead_room=float(rng.uniform(0.0, 1.0)),
        lead_speed_m_s=float(rng.uniform(0.1, 5.0)),
        headroom=None if rng.random() < 0.5 else float(rng.uniform(0.0, 0.5)),
    )
    return make_shot(build_move(name, params), ShotSize(rng.choice(list(ShotSize))), framing)


def random_subjects(rng: np.random.Generator, times: np.ndarray) -> tuple[SubjectState, SubjectState]:
    """(now, at the shot start) for one walking subject per drone, ``times[i]`` into drone i's shot."""
    walks = [
        Walk(float(rng.uniform(0.0, 3.0)), float(rng.uniform(-10.0, 10.0)), float(rng.uniform(-180.0, 180.0)))
        for _ in times
    ]
    now = SubjectState.stack([w.state(float(t)) for w, t in zip(walks, times, strict=True)])
    return now, SubjectState.stack([w.state(0.0) for w in walks])


def assert_matches_scalar(
    refs: CameraReferences, shots: list[Shot], times: np.ndarray, now: SubjectState, start: SubjectState
) -> None:
    for i, shot in enumerate(shots):
        one = shot.reference(float(times[i]), now.select(i), start.select(i))
        where = f"drone {i}: {shot.move!r}"
        np.testing.assert_allclose(refs.position_ned_m[i], one.position_ned_m, rtol=0, atol=TOLERANCE, err_msg=where)
        np.testing.assert_allclose(refs.offset_ned_m[i], one.offset_ned_m, rtol=0, atol=TOLERANCE, err_msg=where)
        assert abs((refs.yaw_deg[i] - one.yaw_deg + 180.0) % 360.0 - 180.0) < TOLERANCE, where
        assert refs.pitch_deg[i] == pytest.approx(one.pitch_deg, abs=TOLERANCE), where
        for name, value in (("u", refs.target_u[i]), ("v", refs.target_v[i]), ("h", refs.target_h[i])):
            assert value == pytest.approx(getattr(one.target, name), abs=TOLERANCE), f"{where} target {name}"


@pytest.mark.parametrize("seed", range(4))
def test_every_move_mixed_in_one_batch_matches_the_scalar_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    names = [name for name in MOVE_NAMES for _ in range(6)]
    rng.shuffle(names)  # drones not sorted by move: the batch must put them back in order
    shots = [random_shot(rng, name) for name in names]
    times = rng.uniform(0.0, 60.0, len(shots))
    now, start = random_subjects(rng, times)
    refs = ShotBatch(shots).reference(times, now, start)
    assert refs.position_ned_m.shape == (len(shots), 3) and refs.yaw_deg.shape == (len(shots),)
    assert_matches_scalar(refs, shots, times, now, start)


@pytest.mark.parametrize("seed", range(2))
def test_image_targets_are_the_references_without_their_pointing(seed: int) -> None:
    # The simulator's reward takes its targets from image_targets: they must be the references' own.
    rng = np.random.default_rng(seed)
    shots = [random_shot(rng, name) for name in MOVE_NAMES for _ in range(3)]
    times = rng.uniform(0.0, 60.0, len(shots))
    now, start = random_subjects(rng, times)
    batch = ShotBatch(shots)
    refs, targets = batch.reference(times, now, start), batch.image_targets(times, now, start)
    for name in ("position_ned_m", "target_u", "target_v", "target_h"):
        np.testing.assert_array_equal(getattr(targets, name), getattr(refs, name), err_msg=name)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), count=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_any_shots_match_the_scalar_reference(data: st.DataObject, count: int, seed: int) -> None:
    shots = []
    for _ in range(count):
        name = data.draw(st.sampled_from(MOVE_NAMES), label="move")
        move = build_move(name, data.draw(move_params(name), label="params"))
        size = data.draw(st.sampled_from(list(ShotSize)), label="size")
        composition = data.draw(st.sampled_from(list(Composition)), label="composition")
        headroom = data.draw(st.one_of(st.none(), st.floats(0.0, 0.5)), label="headroom")
        shots.append(make_shot(move, size, Framing(composition, headroom=headroom)))
    rng = np.random.default_rng(seed)
    times = np.array(data.draw(st.lists(st.floats(0.0, 120.0), min_size=count, max_size=count), label="times"))
    now, start = random_subjects(rng, times)
    assert_matches_scalar(ShotBatch(shots).reference(times, now, start), shots, times, now, start)


def test_subjects_partly_behind_the_camera_keep_their_pointing_as_the_scalar_does() -> None:
    # A tall subject close to the camera: the box cannot be placed (part of it is behind the
    # camera), the corrections stop, drone by drone, beside drones whose corrections go on.
    tall = make_shot(build_move("follow", {"distance_m": 3.34, "height_m": 7.09, "bearing_deg": -18.5}))
    shots = [tall, make_shot(build_move("orbit")), tall]
    heights = np.array([9.79, PERSON_HEIGHT_M, PERSON_HEIGHT_M])
    now = SubjectState(np.zeros((3, 3)), np.zeros((3, 3)), np.zeros(3), heights)
    times = np.array([4.7, 2.0, 4.7])
    assert seen_box(tall, 4.7, now.select(0), now.select(0))[1] is None
    assert seen_box(tall, 4.7, now.select(2), now.select(2))[1] is not None
    refs = ShotBatch(shots, subject_height_m=heights).reference(times, now, now)
    assert_matches_scalar(refs, shots, times, now, now)


def test_shared_time_and_subject_broadcast_to_every_drone() -> None:
    rng = np.random.default_rng(7)
    shots = [random_shot(rng, name) for name in MOVE_NAMES]
    subject = Walk().state(3.0)
    start = Walk().state(0.0)
    refs = ShotBatch(shots).reference(3.0, subject, start)
    times = np.full(len(shots), 3.0)
    now, anchor = SubjectState.stack([subject] * len(shots)), SubjectState.stack([start] * len(shots))
    assert_matches_scalar(refs, shots, times, now, anchor)


@pytest.mark.parametrize("same_moves", [True, False])
def test_set_shots_changes_only_those_drones(same_moves: bool) -> None:
    rng = np.random.default_rng(11)
    names = [MOVE_NAMES[i % len(MOVE_NAMES)] for i in range(40)]
    shots = [random_shot(rng, name) for name in names]
    times = rng.uniform(0.0, 40.0, len(shots))
    now, start = random_subjects(rng, times)
    batch = ShotBatch(shots)
    before = batch.reference(times, now, start)
    changed = [3, 17, 30]
    # Same move class (written through to the group) or another one (the groups are rebuilt).
    new_names = [names[i] if same_moves else names[i + 1] for i in changed]
    new_shots = [random_shot(rng, name) for name in new_names]
    batch.set_shots(changed, new_shots)
    after = batch.reference(times, now, start)
    for i, shot in zip(changed, new_shots, strict=True):
        shots[i] = shot
    assert batch.shots == tuple(shots)
    assert_matches_scalar(after, shots, times, now, start)
    kept = np.setdiff1d(np.arange(len(shots)), changed)
    for name in ("position_ned_m", "yaw_deg", "pitch_deg", "target_u", "target_v", "target_h"):
        np.testing.assert_array_equal(getattr(after, name)[kept], getattr(before, name)[kept])
    assert not np.allclose(after.position_ned_m[changed], before.position_ned_m[changed])


def test_set_shots_then_reference_again_stays_consistent() -> None:
    # Several resets in a row, some between references and some not, across move classes.
    rng = np.random.default_rng(3)
    shots = [random_shot(rng, MOVE_NAMES[i % 5]) for i in range(20)]
    batch = ShotBatch(shots)
    times = rng.uniform(0.0, 30.0, len(shots))
    now, start = random_subjects(rng, times)
    for step in range(6):
        drones = rng.choice(len(shots), size=3, replace=False)
        new = [random_shot(rng, MOVE_NAMES[int(rng.integers(len(MOVE_NAMES)))]) for _ in drones]
        batch.set_shots(drones, new)
        for i, shot in zip(drones, new, strict=True):
            shots[int(i)] = shot
        if step % 2:
            assert_matches_scalar(batch.reference(times, now, start), shots, times, now, start)
    assert_matches_scalar(batch.reference(times, now, start), shots, times, now, start)


@pytest.mark.parametrize("subject_height_m", [PERSON_HEIGHT_M, 1.2])
@pytest.mark.parametrize("name", MOVE_NAMES)
def test_resolve_auto_gives_the_same_references(name: MoveName, subject_height_m: float) -> None:
    shot = make_shot(build_move(name), ShotSize.MEDIUM_WIDE)
    resolved = shot.resolve_auto(subject_height_m)
    assert all(getattr(resolved.move, spec.name) is not None for spec in param_specs(MOVES[name]))
    walk = Walk()
    start = dataclasses.replace(walk.state(0.0), height_m=subject_height_m)
    for t in (0.0, 5.0, 20.0):
        now = dataclasses.replace(walk.state(t), height_m=subject_height_m)
        ref, expected = resolved.reference(t, now, start), shot.reference(t, now, start)
        np.testing.assert_array_equal(ref.position_ned_m, expected.position_ned_m)
        assert (ref.yaw_deg, ref.pitch_deg, ref.target) == (expected.yaw_deg, expected.pitch_deg, expected.target)
    assert resolved.resolve_auto(subject_height_m) is resolved  # nothing left to resolve


def test_resolve_auto_takes_the_distance_at_the_move_height_parameter() -> None:
    crane = make_shot(build_move("crane", {"start_height_m": 2.0, "end_height_m": 15.0}), ShotSize.WIDE)
    assert crane.resolve_auto().move.distance_m == auto_distance(crane, 15.0)  # the higher end
    dronie = make_shot(build_move("dronie", {"start_height_m": 4.0}), ShotSize.FULL)
    assert dronie.resolve_auto().move.start_distance_m == auto_distance(dronie, 4.0)


def test_a_move_batch_gives_each_element_its_scalar_offset() -> None:
    radii, heights, rates = np.array([5.0, 9.0, 20.0]), np.array([3.0, 8.0, 40.0]), np.array([12.0, -30.0, 0.0])
    batch = MOVES[MoveName.ORBIT](radius_m=radii, height_m=heights, rate_deg_s=rates, start_bearing_deg=180.0)
    times = np.array([0.0, 4.0, 9.5])
    now, start = random_subjects(np.random.default_rng(1), times)
    offsets = batch.offset_ned_m(times, now, start, lambda height_m: pytest.fail("no auto distance"))
    for i in range(3):
        one = build_move("orbit", {"radius_m": radii[i], "height_m": heights[i], "rate_deg_s": rates[i]})
        expected = one.offset_ned_m(float(times[i]), now.select(i), start.select(i), lambda height_m: 0.0)
        np.testing.assert_array_equal(offsets[i], expected)


@pytest.mark.parametrize("name", MOVE_NAMES)
@settings(max_examples=10, deadline=None)
@given(data=st.data(), size=st.sampled_from(list(ShotSize)))
def test_a_move_over_an_array_of_times_gives_its_scalar_offsets(
    name: MoveName, data: st.DataObject, size: ShotSize
) -> None:
    # What the cheap path checks in test_moves_continuity and test_moves_floor use.
    shot = make_shot(build_move(name, data.draw(move_params(name), label="params")), size)
    walk = Walk(speed_m_s=1.4, turn_rate_deg_s=4.0, start_heading_deg=20.0)
    times = np.linspace(0.0, 90.0, 37)
    np.testing.assert_allclose(offsets(shot, walk, times), scalar_offsets(shot, walk, times), rtol=0, atol=TOLERANCE)


def test_a_move_batch_with_auto_distances_asks_to_resolve_them() -> None:
    batch = MOVES[MoveName.FOLLOW](distance_m=None, height_m=np.array([3.0, 5.0]))
    subjects = SubjectState.stack([Walk().state(0.0)] * 2)
    with pytest.raises(ShotError, match="resolve"):
        batch.offset_ned_m(np.zeros(2), subjects, subjects, lambda height_m: 1.0)


def test_batch_errors_name_the_problem() -> None:
    shot = make_shot(build_move("orbit"))
    with pytest.raises(ShotError, match="at least one shot"):
        ShotBatch([])
    with pytest.raises(ShotError, match="camera"):
        ShotBatch([shot, dataclasses.replace(shot, camera=PinholeCamera(60.0, 640, 480))])
    batch = ShotBatch([shot, shot])
    with pytest.raises(ShotError, match="one shot per drone"):
        batch.set_shots([0, 1], [shot])
    with pytest.raises(IndexError):
        batch.set_shots([2], [shot])
    assert len(batch) == 2 and batch.camera == CAMERA
