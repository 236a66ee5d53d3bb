"""``dronecine train`` and ``dronecine eval``: the simulator's commands, plugged into ``dronecine``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_runner import invoke
from dronecine_sim.training.settings import TrainSettings
from dronecine_sim.training.train import train

from dronecine.shots import MoveName

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METRICS = {"framing_error", "size_error", "in_frame", "jerk_rms", "episodes"}


@pytest.fixture(scope="module")
def tiny_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A policy trained for 512 steps (a few seconds): it need not fly well, only be a real file."""
    settings = TrainSettings(
        out_dir=tmp_path_factory.mktemp("cli-train") / "run",
        total_steps=512,
        n_envs=8,
        n_steps=32,
        batch_size=64,
        n_epochs=1,
        eval_every_steps=256,
        checkpoint_every_steps=256,
        eval_episodes=2,
        max_minutes=None,
    )
    return train(settings, progress_bar=False).policy_path


def test_help_lists_the_simulator_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("train", "eval", "validate"):
        assert re.search(rf"^\s*│?\s*{command}\s", result.stdout, re.MULTILINE), command


def test_eval_with_a_missing_policy_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent.npz"
    result = invoke("eval", "--policy", missing, "--json", tmp_path / "e.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{missing}: no such file"]
    assert not (tmp_path / "e.json").exists()


def test_eval_with_yolo_and_missing_weights_names_them(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pt"
    result = invoke("eval", "--perception", "yolo", "--weights", missing, "--json", tmp_path / "e.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"--weights: weights file {missing} does not exist"]
    assert not (tmp_path / "e.json").exists()


def test_eval_with_an_unknown_perception_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("eval", "--perception", "perfect", "--json", tmp_path / "e.json")
    assert result.exit_code == 2
    assert "perfect" in result.output


def test_eval_writes_the_results_and_a_picture(tiny_policy: Path, tmp_path: Path) -> None:
    json_path = tmp_path / "out" / "e.json"
    result = invoke("eval", "--policy", tiny_policy, "--episodes", "14", "--json", json_path)
    assert result.exit_code == 0, result.output
    summary = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(summary) == {"policy", "baseline", "per_move", "settings"}
    for name in ("policy", "baseline"):
        assert set(summary[name]) >= METRICS
        assert summary[name]["episodes"] == 14
    assert set(summary["per_move"]) == {m.value for m in MoveName}
    for per_move in summary["per_move"].values():
        assert set(per_move["policy"]) >= METRICS and set(per_move["baseline"]) >= METRICS
    assert summary["settings"] == {"episodes": 14, "seed": 0, "policy": str(tiny_policy), "perception": "noisy"}
    picture = json_path.with_suffix(".png")
    assert picture.read_bytes().startswith(PNG_SIGNATURE)
    assert "held-out evaluation" in result.stdout
    assert "framing error" in result.stdout
    assert f"results: {json_path}   picture: {picture}" in result.stdout


def test_eval_png_goes_where_asked(tiny_policy: Path, tmp_path: Path) -> None:
    json_path, png_path = tmp_path / "e.json", tmp_path / "pictures" / "mine.png"
    result = invoke(
        "eval", "--policy", tiny_policy, "--episodes", "2", "--seed", "9", "--perception", "oracle",
        "--json", json_path, "--png", png_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert png_path.read_bytes().startswith(PNG_SIGNATURE)
    assert not json_path.with_suffix(".png").exists()
    summary = json.loads(json_path.read_text(encoding="utf-8"))
    assert summary["settings"]["seed"] == 9
    assert summary["settings"]["perception"] == "oracle"
    assert list(summary["per_move"]) == [m.value for m in list(MoveName)[:2]]


def test_eval_refuses_a_seed_out_of_range(tmp_path: Path) -> None:
    result = invoke("eval", "--seed", str(2**31), "--json", tmp_path / "e.json")
    assert result.exit_code == 2
    assert "--seed" in result.output


@pytest.mark.parametrize("extra", [[], ["--minutes", "0"]])
def test_train_into_a_used_directory_needs_resume(tmp_path: Path, extra: list[str]) -> None:
    out = tmp_path / "run"
    (out / "checkpoints").mkdir(parents=True)
    (out / "checkpoints" / "ppo_256_steps.zip").write_bytes(b"")
    result = invoke("train", "--out", out, "--no-progress", *extra)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "already holds a training run (latest ppo_256_steps.zip)" in line
    assert "--resume" in line
    assert sorted(p.name for p in out.rglob("*")) == ["checkpoints", "ppo_256_steps.zip"]  # nothing written


def test_train_resume_without_a_run_is_one_line(tmp_path: Path) -> None:
    result = invoke("train", "--out", tmp_path / "fresh", "--resume", "--no-progress")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "--resume" in line and "no checkpoint" in line
