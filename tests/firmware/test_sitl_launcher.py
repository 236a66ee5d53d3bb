"""The launcher command against a fake PX4 build: what it starts, how, and that stop kills it all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from launchkit import (
    LAUNCHER,
    MISSION,
    launcher_env,
    make_fake_px4_build,
    param_sets,
    process_alive,
    read_record,
)
from sitl_launch.plan import local_to_geo

from dronecine.mission import load_mission


def run_launcher(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LAUNCHER), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def px4_dir(tmp_path: Path) -> Path:
    return make_fake_px4_build(tmp_path)


@pytest.fixture
def run_dir(tmp_path: Path):
    run = tmp_path / "run"
    yield run
    # Never leave processes behind, whatever the test did.
    run_launcher("stop", "--run-dir", str(run), "--grace-s", "1", env=launcher_env(None))


def _start(run_dir: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return run_launcher("start", str(MISSION), "--run-dir", str(run_dir), "--boot-timeout-s", "30", *extra, env=env)


@pytest.mark.slow
def test_start_runs_one_px4_per_drone_and_stop_kills_them_all(px4_dir, run_dir):
    env = launcher_env(px4_dir)
    started = _start(run_dir, env, "--port-base", "24540")
    assert started.returncode == 0, started.stderr
    mission = load_mission(MISSION).mission
    work_dirs = [run_dir / "px4" / f"{i}_{d.id}" for i, d in enumerate(mission.drones)]
    records = [read_record(w) for w in work_dirs]
    binary = px4_dir / "build" / "px4_sitl_default" / "bin" / "px4"
    for instance, (drone, work_dir, record) in enumerate(zip(mission.drones, work_dirs, records, strict=True)):
        assert record["argv"][1:] == ["-i", str(instance), "-d", str(binary.parent.parent / "etc")]
        assert Path(record["cwd"]) == work_dir.resolve()
        assert record["pgid"] == record["pid"]  # its own process group, so stop reaches its children
        env_seen = record["env"]
        assert env_seen["PX4_SIM_MODEL"] == "sihsim_quadx" and env_seen["PX4_SYS_AUTOSTART"] == "10040"
        assert env_seen["DRONECINE_OFFBOARD_PORT"] == str(24540 + instance)
        home = local_to_geo(mission.origin, drone.home.north_m, drone.home.east_m)
        assert float(env_seen["PX4_HOME_LAT"]) == pytest.approx(home.latitude_deg, abs=1e-8)
        assert float(env_seen["PX4_HOME_LON"]) == pytest.approx(home.longitude_deg, abs=1e-8)
        assert record["rc_status"] == 0
        applied = param_sets(work_dir)
        assert applied["MNT_MODE_IN"] == "4" and applied["COM_OF_LOSS_T"] == "0.5"
        assert applied["GF_MAX_VER_DIST"] == "70.0"  # the mission's 60 m ceiling + 10 m
        assert "MAV_SYS_ID" not in applied  # PX4's rcS sets instance + 1
        assert process_alive(record["pid"]) and process_alive(record["child_pid"])
    state = json.loads((run_dir / "sitl_state.json").read_text(encoding="utf-8"))
    assert [p["pid"] for p in state["processes"]] == [r["pid"] for r in records]

    listed = run_launcher("status", "--run-dir", str(run_dir), env=env)
    assert listed.stdout.count("running") == 3

    stopped = run_launcher("stop", "--run-dir", str(run_dir), env=env)
    assert stopped.returncode == 0 and "stopped 3 process(es)" in stopped.stdout
    for record in records:
        assert not process_alive(record["pid"]) and not process_alive(record["child_pid"])
    again = run_launcher("stop", "--run-dir", str(run_dir), env=env)
    assert again.returncode == 0 and "nothing running" in again.stdout


@pytest.mark.slow
def test_gazebo_instances_get_pose_world_and_gz_paths(px4_dir, run_dir):
    env = launcher_env(px4_dir)
    started = _start(run_dir, env, "--model", "gz_x500", "--only", "companion", "watcher", "--gz-server-wait-s", "0")
    assert started.returncode == 0, started.stderr
    mission = load_mission(MISSION).mission
    drones = {d.id: d for d in mission.drones}
    first = read_record(run_dir / "px4" / "0_companion")["env"]
    second = read_record(run_dir / "px4" / "1_watcher")["env"]
    assert first["PX4_SIM_MODEL"] == "gz_x500" and first["PX4_SYS_AUTOSTART"] == "4001"
    assert first["PX4_GZ_WORLD"] == "default" and first["HEADLESS"] == "1"
    assert "PX4_GZ_STANDALONE" not in first and second["PX4_GZ_STANDALONE"] == "1"
    watcher = drones["watcher"].home
    assert second["PX4_GZ_MODEL_POSE"] == f"{watcher.east_m:g},{watcher.north_m:g}"
    assert first["PX4_GZ_MODELS"] == f"{px4_dir}/Tools/simulation/gz/models"
    assert first["GZ_SIM_RESOURCE_PATH"].endswith(f"{px4_dir}/Tools/simulation/gz/worlds")


@pytest.mark.slow
def test_agents_start_from_the_template_and_stop_with_the_rest(px4_dir, run_dir):
    env = launcher_env(px4_dir)
    script = "import sys, time; print(sys.argv[1:], flush=True); time.sleep(600)"
    agent = f"{sys.executable} -c '{script}' {{drone_id}} {{offboard_url}}"
    started = _start(run_dir, env, "--only", "watcher", "--agent-cmd", agent)
    assert started.returncode == 0, started.stderr
    state = json.loads((run_dir / "sitl_state.json").read_text(encoding="utf-8"))
    roles = [p["role"] for p in state["processes"]]
    assert roles == ["px4", "agent"]
    agent_pid = state["processes"][1]["pid"]
    assert process_alive(agent_pid)
    stopped = run_launcher("stop", "--run-dir", str(run_dir), env=env)
    assert "stopped 2 process(es)" in stopped.stdout
    assert not process_alive(agent_pid)
    log = (run_dir / "logs" / "agent_watcher.log").read_text(encoding="utf-8")
    assert "['watcher', 'udpin://0.0.0.0:14540']" in log


@pytest.mark.slow
def test_stop_kills_what_ignores_sigterm(px4_dir, run_dir):
    env = launcher_env(px4_dir, FAKE_PX4_IGNORE_TERM="1")
    assert _start(run_dir, env, "--only", "watcher").returncode == 0
    record = read_record(run_dir / "px4" / "0_watcher")
    stopped = run_launcher("stop", "--run-dir", str(run_dir), "--grace-s", "0.5", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert not process_alive(record["pid"]) and not process_alive(record["child_pid"])


@pytest.mark.slow
def test_a_second_start_while_running_is_refused(px4_dir, run_dir):
    env = launcher_env(px4_dir)
    assert _start(run_dir, env, "--only", "watcher").returncode == 0
    again = _start(run_dir, env, "--only", "watcher")
    assert again.returncode == 2
    assert "already has 1 running processes" in again.stderr and "stop" in again.stderr


@pytest.mark.slow
def test_a_px4_that_does_not_know_a_required_param_fails_the_start_cleanly(px4_dir, run_dir):
    env = launcher_env(px4_dir, FAKE_PX4_UNKNOWN_PARAMS="COM_OBL_RC_ACT,MNT_RANGE_PITCH")
    failed = _start(run_dir, env, "--only", "watcher", "companion")
    assert failed.returncode == 2
    assert "exited during boot" in failed.stderr and "COM_OBL_RC_ACT is unknown to this PX4 build" in failed.stderr
    for work_dir in (run_dir / "px4").iterdir():
        record = read_record(work_dir)
        assert not process_alive(record["pid"]) and not process_alive(record["child_pid"])


def test_bad_px4_dir_is_one_clear_line(tmp_path, run_dir):
    unset = _start(run_dir, launcher_env(None))
    assert unset.returncode == 2 and unset.stderr.startswith("PX4_DIR is not set")
    (tmp_path / "not_built").mkdir()
    not_built = _start(run_dir, launcher_env(tmp_path / "not_built"))
    assert not_built.returncode == 2
    assert len(not_built.stderr.strip().splitlines()) == 1
    assert "build/px4_sitl_default/bin/px4" in not_built.stderr and "make px4_sitl" in not_built.stderr
    assert not run_dir.exists()


def test_invalid_mission_and_too_many_drones_are_refused(px4_dir, tmp_path, run_dir):
    env = launcher_env(px4_dir)
    broken = tmp_path / "broken.yaml"
    broken.write_text(MISSION.read_text(encoding="utf-8").replace("ceiling_m: 60", "ceiling_ft: 60"), encoding="utf-8")
    bad = run_launcher("start", str(broken), "--run-dir", str(run_dir), env=env)
    assert bad.returncode == 2 and "broken.yaml: safety.ceiling_ft" in bad.stderr
    many = _start(run_dir, env, "--max-instances", "2")
    assert many.returncode == 2 and "too many drones: 3 to launch, at most 2" in many.stderr
    unknown = _start(run_dir, env, "--param", "MNT_MODE_IN=9")
    assert unknown.returncode == 2 and "--param: MNT_MODE_IN: 9 is above PX4's maximum 5" in unknown.stderr
    assert not run_dir.exists()
