"""The held-out evaluation: its scenarios, the planned resets they fly, the metrics, the report."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from dronecine_sim.envs.config import ShotEnvConfig
from dronecine_sim.envs.core import EpisodePlan, ShotSimulation
from dronecine_sim.envs.errors import EnvConfigError
from dronecine_sim.envs.shot_sampler import ShotChoice
from dronecine_sim.evaluation import (
    EVAL_SEED_OFFSET,
    EpisodeResults,
    EvalScenario,
    Wind,
    evaluate,
    held_out_scenarios,
    run_episodes,
)
from dronecine_sim.evaluation.errors import EvaluationError
from dronecine_sim.evaluation.plot import plot_report
from dronecine_sim.evaluation.runner import summarise
from dronecine_sim.evaluation.scenarios import episode_plans
from dronecine_sim.subjects import Script, SubjectError, random_scenario

from dronecine.control import ACTION, BaselineController
from dronecine.shots import MoveName

SHORT = ShotEnvConfig(episode_s=3.0)
METRICS = ("framing_error", "size_error", "in_frame", "jerk_rms", "episodes")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Constant:
    """A controller that always asks for the same action."""

    def __init__(self, *action: float) -> None:
        self.action = np.array(action, dtype=np.float32)

    def predict(self, observation: np.ndarray, episode_start: np.ndarray | None = None) -> np.ndarray:
        return np.tile(self.action, (np.shape(observation)[0], 1))


ZERO = Constant(*[0.0] * ACTION.size)
FLY_AWAY = Constant(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # full speed forward while yawing
DIVE = Constant(0.0, 0.0, 1.0, 0.0, 0.0, 0.0)  # full speed down: into the ground


# --- the scenarios ---------------------------------------------------------------------------------


def test_the_first_fourteen_scenarios_cover_every_move() -> None:
    scenarios = held_out_scenarios(14)
    assert len(scenarios) == 14
    assert {s.move for s in scenarios} == set(MoveName)


def test_252_scenarios_are_the_whole_product_without_repeats() -> None:
    scenarios = held_out_scenarios(252)
    combos = [(s.move, s.script, s.wind) for s in scenarios]
    assert len(set(combos)) == 252
    assert set(combos) == set(itertools.product(MoveName, Script, Wind))
    assert held_out_scenarios(253)[252] == scenarios[0]  # more episodes repeat the order
    assert held_out_scenarios(5) == scenarios[:5]


@pytest.mark.parametrize("episodes", [0, -3])
def test_no_episodes_is_an_error(episodes: int) -> None:
    with pytest.raises(EvaluationError, match=r"episodes must be at least 1"):
        held_out_scenarios(episodes)


def test_a_scenario_label_names_its_parts() -> None:
    assert EvalScenario(MoveName.ORBIT, Script.MEET, Wind.GUSTY).label == "orbit/meet/gusty"


def test_episode_plans_blow_the_scenarios_wind() -> None:
    scenarios = [
        EvalScenario(MoveName.ORBIT, Script.RUN, Wind.CALM),
        EvalScenario(MoveName.DOLLY, Script.STAND, Wind.GUSTY),
    ]
    calm, gusty = episode_plans(scenarios, np.random.default_rng(0))
    assert calm.shot.move is MoveName.ORBIT and calm.script is Script.RUN
    assert calm.wind == (0.0, 0.0, 0.0)
    assert gusty.shot.move is MoveName.DOLLY and gusty.script is Script.STAND
    assert np.hypot(gusty.wind[0], gusty.wind[1]) == pytest.approx(4.0)
    assert gusty.wind[2] == pytest.approx(1.5)


# --- the planned reset -----------------------------------------------------------------------------


def _plans() -> list[EpisodePlan]:
    return [
        EpisodePlan(ShotChoice(move=MoveName.ORBIT), Script.STAND, (3.0, -1.0, 1.5)),
        EpisodePlan(ShotChoice(move=MoveName.FLYBY), Script.CHASE),
        EpisodePlan(ShotChoice(move=MoveName.SPOTLIGHT), Script.WALK_WITH, (0.0, 2.0, 0.5)),
        EpisodePlan(ShotChoice(move=MoveName.HELIX), Script.SUDDEN_TURNS, (-4.0, 0.0, 0.0)),
    ]


def test_reset_planned_gives_each_drone_its_move_script_and_wind() -> None:
    plans = _plans()
    sim = ShotSimulation(len(plans), SHORT, autoreset=False)
    obs = sim.reset_planned(EVAL_SEED_OFFSET, plans)
    assert obs.shape[0] == len(plans)
    assert np.isfinite(obs).all()
    assert [sim.shots[i].move.name for i in range(len(plans))] == [p.shot.move for p in plans]
    np.testing.assert_array_equal(sim.subjects.script[: len(plans)], [int(p.script) for p in plans])
    params = sim.vehicle.params
    wind = np.array([p.wind for p in plans])
    np.testing.assert_array_equal(params.wind_mean_north_m_s, wind[:, 0])
    np.testing.assert_array_equal(params.wind_mean_east_m_s, wind[:, 1])
    np.testing.assert_array_equal(params.wind_sigma_m_s, wind[:, 2])
    np.testing.assert_allclose(params.wind_vertical_sigma_m_s, 0.4 * wind[:, 2])


def test_reset_planned_is_reproducible() -> None:
    plans = _plans()
    first = ShotSimulation(len(plans), SHORT, autoreset=False).reset_planned(7, plans)
    second = ShotSimulation(len(plans), SHORT, autoreset=False).reset_planned(7, plans)
    np.testing.assert_array_equal(first, second)
    other = ShotSimulation(len(plans), SHORT, autoreset=False).reset_planned(8, plans)
    assert not np.array_equal(first, other)


def test_reset_planned_needs_one_plan_per_drone() -> None:
    sim = ShotSimulation(4, SHORT, autoreset=False)
    with pytest.raises(EnvConfigError, match=r"3 episode plans for 4 drones"):
        sim.reset_planned(0, _plans()[:3])


def test_random_scenario_takes_the_subjects_scripts() -> None:
    scripts = [Script.MEET, Script.STAND, Script.RUN]
    scenario = random_scenario(np.random.default_rng(0), 3, subject_scripts=scripts)
    np.testing.assert_array_equal(scenario.params.script[:3], scripts)
    with pytest.raises(SubjectError, match=r"subject_scripts must be 3 Script values"):
        random_scenario(np.random.default_rng(0), 3, subject_scripts=[Script.MEET, Script.STAND])
    with pytest.raises(SubjectError, match=r"subject_scripts must be 3 Script values"):
        random_scenario(np.random.default_rng(0), 3, subject_scripts=[0, 1, 42])


# --- the metrics -----------------------------------------------------------------------------------

SPOTLIGHT_STANDING = [EvalScenario(MoveName.SPOTLIGHT, Script.STAND, Wind.CALM)] * 8
ORACLE_5S = ShotEnvConfig(perception="oracle", episode_s=5.0)


def test_the_baseline_frames_a_standing_subject_and_flying_away_does_not() -> None:
    seed = EVAL_SEED_OFFSET
    baseline = summarise(run_episodes(BaselineController(), SPOTLIGHT_STANDING, ORACLE_5S, seed))
    still = summarise(run_episodes(ZERO, SPOTLIGHT_STANDING, ORACLE_5S, seed))
    away = summarise(run_episodes(FLY_AWAY, SPOTLIGHT_STANDING, ORACLE_5S, seed))
    assert baseline["in_frame"] >= 0.95
    assert baseline["framing_error"] < 0.5 * still["framing_error"]
    assert baseline["framing_error"] < 0.2 * away["framing_error"]
    assert away["in_frame"] < 0.5
    assert away["size_error"] > baseline["size_error"]
    assert still["jerk_rms"] < away["jerk_rms"]
    for summary in (baseline, still, away):
        assert summary["episodes"] == 8
        assert summary["terminated"] == 0


def _by_hand(results: EpisodeResults, rows: np.ndarray) -> dict[str, float]:
    steps = results.steps[rows].sum()
    return {
        "framing_error": results.framing_sum[rows].sum() / steps,
        "size_error": results.size_sum[rows].sum() / steps,
        "in_frame": results.in_frame_steps[rows].sum() / steps,
        "jerk_rms": np.sqrt(results.jerk2_sum[rows].sum() / steps),
        "episodes": int(rows.sum()),
        "terminated": int(results.terminated[rows].sum()),
    }


def test_summarise_weights_the_episodes_by_their_steps() -> None:
    results = run_episodes(DIVE, SPOTLIGHT_STANDING, ORACLE_5S, EVAL_SEED_OFFSET)
    assert len(set(results.steps.tolist())) > 1  # episodes of different lengths: the weighting matters
    everyone = np.ones(8, dtype=bool)
    some = np.array([True, True, False, False, True, False, True, False])
    for rows, summary in ((everyone, summarise(results)), (some, summarise(results, some))):
        expected = _by_hand(results, rows)
        assert summary.keys() == expected.keys()
        for name, value in expected.items():
            assert summary[name] == pytest.approx(value, rel=1e-12), name


def test_a_terminated_episode_stops_counting() -> None:
    """The runner's sums are those of the steps up to and including the one that ended an episode,
    checked against the same simulation stepped here by hand."""
    seed, scenarios, config = EVAL_SEED_OFFSET, SPOTLIGHT_STANDING, ORACLE_5S
    results = run_episodes(DIVE, scenarios, config, seed)
    total = config.max_episode_steps
    assert results.terminated.any() and not results.terminated.all()
    np.testing.assert_array_equal(results.terminated, results.steps < total)
    assert summarise(results)["terminated"] == int(results.terminated.sum())

    e = len(scenarios)
    sim = ShotSimulation(e, config, autoreset=False)
    obs = sim.reset_planned(seed, episode_plans(scenarios, np.random.default_rng([seed, 7])))
    alive = np.ones(e, dtype=bool)
    framing, in_frame, steps = np.zeros(e), np.zeros(e), np.zeros(e)
    for _ in range(total):
        obs, _, terminated, _, info = sim.step(DIVE.predict(obs))
        framing[alive] += info["framing_error"][alive]
        in_frame[alive] += info["in_frame"][alive]
        steps[alive] += 1
        alive &= ~terminated
    np.testing.assert_array_equal(results.steps, steps)
    np.testing.assert_allclose(results.framing_sum, framing, rtol=1e-12)
    np.testing.assert_allclose(results.in_frame_steps, in_frame, rtol=1e-12)
    for k in range(e):
        n = int(results.steps[k])
        assert np.isfinite(results.drone_ned_m[:n, k]).all()
        assert np.isfinite(results.subject_ned_m[:n, k]).all()
        assert np.isnan(results.drone_ned_m[n:, k]).all()
        assert np.isnan(results.subject_ned_m[n:, k]).all()


def test_run_episodes_refuses_a_negative_seed() -> None:
    with pytest.raises(EvaluationError, match=r"seed must be within"):
        run_episodes(ZERO, SPOTLIGHT_STANDING, ORACLE_5S, -1)


# --- the comparison --------------------------------------------------------------------------------


def test_one_seed_gives_one_evaluation() -> None:
    policy, baseline = BaselineController(), BaselineController()  # stateful: reused on purpose
    first = evaluate(policy, baseline, 14, 0, SHORT)
    second = evaluate(policy, baseline, 14, 0, SHORT)
    assert first.summary == second.summary
    np.testing.assert_array_equal(first.policy.drone_ned_m, second.policy.drone_ned_m)
    other = evaluate(policy, baseline, 14, 1, SHORT)
    assert other.summary["baseline"] != first.summary["baseline"]


def test_the_report_holds_both_controllers_per_move(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    report = evaluate(
        ZERO,
        BaselineController(),
        14,
        3,
        SHORT,
        settings={"policy": "zero", "perception": "noisy"},
        on_step=lambda name, step, total: calls.append((name, step, total)),
    )
    summary = report.summary
    assert set(summary) == {"policy", "baseline", "per_move", "settings"}
    for name in ("policy", "baseline"):
        assert set(METRICS) <= set(summary[name])
        assert summary[name]["episodes"] == 14
    assert set(summary["per_move"]) == {m.value for m in MoveName}
    for per_move in summary["per_move"].values():
        assert set(per_move) == {"policy", "baseline"}
        for metrics in per_move.values():
            assert set(METRICS) <= set(metrics)
            assert metrics["episodes"] == 1
    assert summary["settings"] == {"episodes": 14, "seed": 3, "policy": "zero", "perception": "noisy"}
    assert summary["policy"]["jerk_rms"] != summary["baseline"]["jerk_rms"]
    total = SHORT.max_episode_steps
    assert calls[-1] == ("baseline", total, total)
    assert ("policy", total, total) in calls

    json_path = tmp_path / "out" / "eval.json"
    report.write_json(json_path)
    assert json.loads(json_path.read_text(encoding="utf-8")) == json.loads(json.dumps(summary))

    report_path = plot_report(report, tmp_path / "pictures" / "eval.png")
    data = report_path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000


def test_fewer_episodes_report_only_the_moves_flown() -> None:
    report = evaluate(ZERO, BaselineController(), 3, 0, SHORT)
    assert list(report.summary["per_move"]) == [m.value for m in list(MoveName)[:3]]
    assert report.summary["settings"] == {"episodes": 3, "seed": 0}


@pytest.mark.parametrize("seed", [-1, EVAL_SEED_OFFSET, 2**31 + 5])
def test_an_evaluation_seed_out_of_range_is_an_error(seed: int) -> None:
    with pytest.raises(EvaluationError, match=r"evaluation seed must be within 0\.\.2147483647"):
        evaluate(ZERO, BaselineController(), 14, seed, SHORT)
