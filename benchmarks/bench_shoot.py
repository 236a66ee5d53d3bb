"""How fast a whole shoot runs in simulation, against real time.

    python benchmarks/bench_shoot.py                 # robot_skies.yaml, noisy perception, videos
    python benchmarks/bench_shoot.py --yolo          # ... and with the real detector in the loop
    python benchmarks/bench_shoot.py --scale 20      # ... and a generated mission with 20 drones

Targets (issue 7): robot_skies at least 5x real time with ``noisy`` and 1x with ``yolo``; the
20-drone scale run at least 1x. Each line prints the simulated seconds, the wall seconds of the
flying (post-production apart) and the ratio, and whether the shoot kept every drone apart and inside.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import yaml
from dronecine_sim.shoot.runner import run_shoot
from dronecine_sim.shoot.settings import ShootSettings

from dronecine.ground import plan_shoot
from dronecine.mission.load import load_mission, validate_document
from dronecine.mission.yaml_source import YamlSource

REPO = Path(__file__).resolve().parents[1]


def scale_mission(drones: int) -> dict:
    """``drones`` camera drones in two rings orbiting two people 80 m apart, each taking off from
    its own spot on a wider ring straight out from where its orbit starts (paths never cross)."""
    base = yaml.safe_load((REPO / "missions" / "orbit_single.yaml").read_text(encoding="utf-8"))
    base["name"] = f"Scale test: {drones} drones"
    base["safety"]["geofence"] = [
        {"north_m": -150, "east_m": -150},
        {"north_m": -150, "east_m": 150},
        {"north_m": 150, "east_m": 150},
        {"north_m": 150, "east_m": -150},
    ]
    base["safety"].update(ceiling_m=60, floor_m=2, min_separation_m=6)
    centres = [(0.0, -40.0), (0.0, 40.0)]
    base["subjects"] = [
        {"id": f"p{k}", "start": {"north_m": n, "east_m": e}, "motion": [{"script": "stand"}]}
        for k, (n, e) in enumerate(centres)
    ]
    per_ring = math.ceil(drones / 2)
    base["drones"], shots = [], []
    for i in range(drones):
        ring, slot = i % 2, i // 2
        bearing = -180.0 + 360.0 * slot / per_ring
        north, east = centres[ring]
        rad = math.radians(bearing)
        home = {"north_m": round(north + 34 * math.cos(rad), 2), "east_m": round(east + 34 * math.sin(rad), 2)}
        base["drones"].append({"id": f"d{i:02d}", "connection": "sim://", "home": home, "character": "circler"})
        shots.append(
            {
                "drone": f"d{i:02d}",
                "subject": f"p{ring}",
                "move": "orbit",
                "size": "wide",
                "params": {
                    "radius_m": 20,
                    "height_m": 6 + 6 * (slot % 2),
                    "rate_deg_s": 4,
                    "start_bearing_deg": bearing,
                },
            }
        )
    base["scenes"] = [{"name": "rings", "duration_s": 60, "pace": "medium", "shots": shots}]
    return base


def measure(label: str, mission, settings: ShootSettings) -> None:
    plan = plan_shoot(mission)
    with tempfile.TemporaryDirectory() as folder:
        run = run_shoot(mission, plan, Path(folder), settings)
    m = run.measures
    ratio = run.sim_seconds / run.wall_seconds
    in_frame = min((d["in_frame"] or 0.0) for d in m.drone_figures().values())
    print(
        f"{label:34s} {run.sim_seconds:7.1f} s simulated in {run.wall_seconds:6.1f} s = {ratio:5.2f}x real time; "
        f"separation violations {m.separation_violations}, geofence breaches {m.geofence_breaches}, "
        f"lowest in frame {in_frame:.1%}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yolo", action="store_true", help="also run robot_skies with the real detector")
    parser.add_argument("--scale", type=int, default=0, help="also run a generated mission with this many drones")
    parser.add_argument("--video-width", type=int, default=480)
    args = parser.parse_args(argv)
    robot_skies = load_mission(REPO / "missions" / "robot_skies.yaml").mission
    measure("robot_skies, noisy, videos", robot_skies, ShootSettings(video_width_px=args.video_width))
    if args.yolo:
        measure(
            "robot_skies, yolo, videos", robot_skies, ShootSettings(perception="yolo", video_width_px=args.video_width)
        )
    if args.scale:
        mission = validate_document(YamlSource("scale.yaml", scale_mission(args.scale), {})).mission
        measure(f"{args.scale} drones, noisy, videos", mission, ShootSettings(video_width_px=args.video_width))
    return 0


if __name__ == "__main__":
    sys.exit(main())
