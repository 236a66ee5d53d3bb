"""The classical baseline: each loop pushes the right way, state resets, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from dronecine.control import ACTION, OBSERVATION, BaselineController, BaselineGains, ControlError


def _obs(n: int = 1, **fields: float | list[float]) -> np.ndarray:
    """A centred, framed, level observation with ``fields`` overriding."""
    obs = np.zeros((n, OBSERVATION.size), dtype=np.float32)
    obs[:, OBSERVATION.slice_of("target")] = [0.0, 0.0, 0.3]
    obs[:, OBSERVATION.slice_of("height")] = np.tanh(10.0 / 30.0)
    for name, value in fields.items():
        obs[:, OBSERVATION.slice_of(name)] = value
    return obs


def _act(obs: np.ndarray, name: str, controller: BaselineController | None = None) -> float:
    action = (controller or BaselineController()).predict(obs)
    return float(action[0, ACTION.slice_of(name)][0])


def test_a_framed_subject_on_its_reference_asks_for_nothing() -> None:
    action = BaselineController().predict(_obs())
    np.testing.assert_allclose(action, 0.0, atol=1e-6)


def test_box_right_of_its_target_pans_right_and_box_low_tilts_down() -> None:
    assert _act(_obs(box_offset=[0.1, 0.0]), "yaw_rate") > 0.05
    assert _act(_obs(box_offset=[-0.1, 0.0]), "yaw_rate") < -0.05
    assert _act(_obs(box_offset=[0.0, 0.1]), "gimbal_pitch_rate") < -0.05
    assert _act(_obs(box_offset=[0.0, -0.1]), "gimbal_pitch_rate") > 0.05


def test_a_subject_behind_a_camera_looking_straight_down_turns_the_drone_round() -> None:
    # Near nadir the subject behind sits low in the image with no sideways offset; only its ray's
    # azimuth (about 180 degrees) says that the camera must turn round, and a small offset picks the side.
    obs = _obs(box_offset=[0.02, 0.3], gimbal=[-89.0 / 90.0, 0.0])
    assert abs(_act(obs, "yaw_rate")) == pytest.approx(1.0)


def test_a_box_too_small_closes_in_and_too_big_backs_off() -> None:
    assert _act(_obs(box_size=-0.5), "velocity") > 0.0
    assert _act(_obs(box_size=0.5), "velocity") < 0.0


def test_it_flies_toward_the_reference_and_with_its_velocity() -> None:
    assert _act(_obs(reference_offset=[np.tanh(0.5), 0.0, 0.0]), "velocity") > 0.0
    ahead_right = BaselineController().predict(_obs(reference_velocity=[0.0, 0.4, 0.0]))
    assert ahead_right[0, 1] > 0.0


def test_without_a_box_it_points_at_the_shots_reference() -> None:
    lost = _obs(track_lost=1.0, pointing_error=[30.0 / 180.0, -10.0 / 90.0])
    action = BaselineController().predict(lost)
    assert action[0, ACTION.slice_of("yaw_rate")][0] > 0.0
    assert action[0, ACTION.slice_of("gimbal_pitch_rate")][0] < 0.0


def test_it_never_descends_below_its_floor() -> None:
    low = _obs(height=np.tanh(1.0 / 30.0), reference_offset=[0.0, 0.0, np.tanh(0.5)])  # reference 5 m lower
    down = BaselineController().predict(low)[0, ACTION.slice_of("velocity")][2]
    assert down < 0.0  # climbs back to the floor instead


def test_the_gimbal_recentres_while_the_body_turns_the_other_way() -> None:
    action = BaselineController().predict(_obs(gimbal=[0.0, 30.0 / 90.0]))[0]
    gimbal_yaw = action[ACTION.slice_of("gimbal_yaw_rate")][0]
    body_yaw = action[ACTION.slice_of("yaw_rate")][0]
    assert gimbal_yaw < 0.0
    assert body_yaw == pytest.approx(-gimbal_yaw, abs=1e-6)  # the camera itself does not turn


def test_the_integral_grows_with_a_steady_error_and_episode_start_resets_it() -> None:
    controller = BaselineController()
    obs = _obs(2, box_offset=[0.05, 0.0])
    first = controller.predict(obs)[:, ACTION.slice_of("yaw_rate")][:, 0]
    for _ in range(10):
        later = controller.predict(obs)[:, ACTION.slice_of("yaw_rate")][:, 0]
    assert (later > first + 0.01).all()
    restarted = controller.predict(obs, episode_start=np.array([True, False]))[:, ACTION.slice_of("yaw_rate")][:, 0]
    assert restarted[0] < restarted[1]
    assert restarted[0] == pytest.approx(first[0] + (later[0] - first[0]) / 10.0, rel=0.2)


def test_one_observation_gives_one_action_and_actions_stay_in_range() -> None:
    rng = np.random.default_rng(0)
    controller = BaselineController(BaselineGains(pan_p_per_s=50.0))
    assert controller.predict(_obs()[0]).shape == (ACTION.size,)
    wild = rng.uniform(-1.0, 1.0, (64, OBSERVATION.size)).astype(np.float32)
    action = BaselineController().predict(wild)
    assert action.dtype == np.float32
    assert np.isfinite(action).all()
    assert (np.abs(action) <= 1.0).all()


def test_a_wrong_observation_shape_names_what_was_expected() -> None:
    with pytest.raises(ControlError, match=rf"\(N, {OBSERVATION.size}\).*got \(3, 10\)"):
        BaselineController().predict(np.zeros((3, 10)))
    with pytest.raises(ControlError, match=r"dt_s > 0"):
        BaselineController(dt_s=0.0)
