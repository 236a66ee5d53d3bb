"""``dronecine shoot --sitl`` on robot_skies.yaml, with the PX4-like test vehicle standing in for PX4
SITL: one vehicle process per drone (``python -m dronecine_sim.px4``, at the drone's home, sped up
as SIH would be with ``PX4_SIM_SPEED_FACTOR``), and the shoot flying them over MAVLink on loopback.

    python benchmarks/bench_shoot_sitl.py                    # 3x, noisy perception
    python benchmarks/bench_shoot_sitl.py --speed 1 --yolo   # real time, YOLO on the rendered frames

Prints, per drone, what the simulated shoot's benchmark prints (in frame, framing error, RMS jerk)
and what the agents did (overruns, safety interventions), the closest the drones came, the breaches,
and the mission seconds flown per wall second. Against real PX4 the same command runs with the
launcher's instances instead (README, "Testing against PX4 SITL").
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from cpu_steal import StealMeter

from dronecine.agent.local_frame import geodetic_from_ned
from dronecine.mission import load_mission

REPO = Path(__file__).resolve().parents[1]
_PORT = re.compile(r"on udp [\d.]+:(\d+)")


def start_vehicles(mission_path: Path, speed: float) -> tuple[list[subprocess.Popen], dict[str, int]]:
    """One test vehicle process per drone, booted at its home; their UDP ports by drone."""
    mission = load_mission(mission_path).mission
    processes, ports = [], {}
    for instance, drone in enumerate(mission.drones):
        lat, lon = geodetic_from_ned(mission.origin, drone.home.north_m, drone.home.east_m)
        argv = [
            sys.executable, "-m", "dronecine_sim.px4", "--port", "0", "--instance", str(instance),
            "--time-scale", str(speed), "--home-lat", repr(lat), "--home-lon", repr(lon),
            "--home-alt", str(mission.origin.altitude_m),
            # PX4's failsafe return climbs to RTL_RETURN_ALT: keep it under the ceiling, as the launcher does
            "--param", f"RTL_RETURN_ALT={max(mission.safety.ceiling_m - 5.0, 0.0)}",
        ]  # fmt: skip
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        processes.append(process)
        line = process.stdout.readline()
        found = _PORT.search(line)
        if found is None:
            raise SystemExit(f"vehicle {drone.id} did not start: {line!r}")
        ports[drone.id] = int(found.group(1))
    return processes, ports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mission", type=Path, default=REPO / "missions" / "robot_skies.yaml")
    parser.add_argument("--speed", type=float, default=3.0, help="the vehicles' and the shoot's time scale")
    parser.add_argument("--yolo", action="store_true", help="YOLO on rendered frames instead of the noise model")
    parser.add_argument("--video-width", type=int, default=320)
    parser.add_argument("--keep", type=Path, default=None, help="write the shoot here instead of a temporary folder")
    args = parser.parse_args()
    perception = "yolo" if args.yolo else "noisy"
    with tempfile.TemporaryDirectory(prefix="bench_sitl_") as folder:
        processes, ports = start_vehicles(args.mission, args.speed)
        try:
            doc = yaml.safe_load(args.mission.read_text(encoding="utf-8"))
            for drone in doc["drones"]:
                drone["connection"] = f"udpout://127.0.0.1:{ports[drone['id']]}"
            mission = Path(folder) / args.mission.name
            mission.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            out = args.keep or Path(folder) / "out"
            command = [
                str(Path(sys.executable).with_name("dronecine")), "shoot", str(mission), "--sitl",
                "--sitl-speed", str(args.speed), "--out", str(out), "--video-width", str(args.video_width),
                "--perception", perception, "--overwrite",
            ]  # fmt: skip
            started = time.perf_counter()
            with StealMeter() as steal:
                result = subprocess.run(command, check=False, capture_output=True, text=True)
            wall = time.perf_counter() - started
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)
        if result.returncode != 0:
            print(result.stderr[-3000:])
            return result.returncode
        summary = json.loads((out / "summary.json").read_text())
    print(f"{args.mission.name} on {len(ports)} PX4-like vehicles at {args.speed:g}x, perception {perception}")
    print(
        f"{'drone':<10} {'in frame':>9} {'framing':>8} {'size':>6} {'jerk':>6} {'safety':>7} {'overruns':>8} "
        f"{'stream holds':>12} landed"
    )
    for drone_id, d in summary["drones"].items():
        agent = summary["sitl"]["agents"][drone_id]
        stream = agent.get("stream") or {"hold_sent": 0, "released": False}
        holds = f"{stream['hold_sent']}" + (" released" if stream["released"] else "")
        if d["in_frame"] is None:  # it never filmed: say why instead of figures
            print(f"{drone_id:<10} {'-':>9} {'-':>8} {'-':>6} {'-':>6} {'-':>7} {agent['overruns']:>8d} {holds:>12} "
                  f"{agent['landed']}  error: {agent['error']}")  # fmt: skip
            continue
        print(
            f"{drone_id:<10} {d['in_frame']:>9.1%} {d['framing_error']:>8.3f} {d['size_error']:>6.3f} "
            f"{d['jerk_rms']:>6.2f} {d['safety_interventions']:>7d} {agent['overruns']:>8d} {holds:>12} "
            f"{agent['landed']}"
        )
    print(
        f"closest {summary['min_separation_m']} m, separation violations {summary['separation_violations']}, "
        f"geofence breaches {summary['geofence_breaches']}, lost {list(summary['station']['lost'])}, "
        f"out {list(summary['station']['out'])}, late samples {summary['sitl']['late_samples']}"
    )
    print(
        f"{summary['sim_seconds']:.1f} mission s recorded; the whole command took {wall:.1f} s "
        f"(flying {summary['wall_seconds']:.1f} s: {summary['sim_seconds'] / summary['wall_seconds']:.2f}x, "
        f"target {args.speed:g}x); host CPU steal {steal.describe()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
