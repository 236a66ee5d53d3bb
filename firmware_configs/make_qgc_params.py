#!/usr/bin/env python3
"""Generate the QGroundControl .params file from the commented airframe-style files.

    python firmware_configs/make_qgc_params.py                # rewrite qgc/dronecine_camera_drone.params
    python firmware_configs/make_qgc_params.py --check        # exit 1 if that file is out of date
    python firmware_configs/make_qgc_params.py --mission missions/robot_skies.yaml --drone watcher \\
        --sys-id 1 -o watcher.params                          # one drone: fence and link-loss from the mission

QGroundControl files carry no comments, so the commented files in px4/ are the source of truth.
"""

# ruff: noqa: T201 - a command-line entry point: printing its results is its job

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "launch"))  # the sitl_launch package

from sitl_launch.param_outputs import qgc_params_text
from sitl_launch.px4_params import QGC_FILE, camera_drone_settings, load_meta, with_overrides

from dronecine.errors import DronecineError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--out", type=Path, default=QGC_FILE, help="file to write (default: %(default)s)")
    parser.add_argument("--sys-id", type=int, default=1, help="the vehicle's MAV_SYS_ID (QGC checks it on load)")
    parser.add_argument("--mission", type=Path, default=None, help="apply this mission's fence and link-loss settings")
    parser.add_argument("--drone", default=None, help="the mission drone this file is for (with --mission)")
    parser.add_argument("--check", action="store_true", help="only check that --out is up to date")
    args = parser.parse_args(argv)
    try:
        meta = load_meta()
        settings = camera_drone_settings(meta, with_companion_link=True)
        source = "firmware_configs/px4/dronecine_camera_drone + dronecine_companion_link"
        if args.mission is not None:
            from sitl_launch.plan import mission_param_overrides

            from dronecine.mission import load_mission

            mission = load_mission(args.mission).mission
            drone = next((d for d in mission.drones if d.id == args.drone), None)
            if drone is None:
                ids = ", ".join(d.id for d in mission.drones)
                print(f"--drone {args.drone!r}: not a drone of {args.mission} (drones: {ids})", file=sys.stderr)
                return 2
            base = {s.name: float(s.value) for s in settings}
            overrides = mission_param_overrides(mission, drone, base)
            settings = with_overrides(settings, overrides, meta, f"mission {args.mission.name}")
            source += f", mission {args.mission.name} drone {drone.id}"
        text = qgc_params_text(settings, meta, sys_id=args.sys_id, source=source)
    except DronecineError as error:
        print(str(error), file=sys.stderr)
        return error.exit_code
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run firmware_configs/make_qgc_params.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(settings)} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
