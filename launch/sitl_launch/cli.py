"""``launch/px4_sitl.py``: start, stop and list PX4 SITL instances for a mission."""

# ruff: noqa: T201 - a command-line entry point: printing its results is its job

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from dronecine.errors import DronecineError
from sitl_launch.launcher import LaunchOptions, start, status, stop
from sitl_launch.px4_build import DEFAULT_BUILD_TARGET, find_build

DEFAULT_RUN_DIR = Path("runs/sitl")

_EPILOG = """\
examples:
  export PX4_DIR=~/PX4-Autopilot          # after `make px4_sitl` there
  launch/px4_sitl.py start missions/robot_skies.yaml              # 3 headless SIH quadrotors
  launch/px4_sitl.py start missions/robot_skies.yaml --model gz_x500 --gui
  launch/px4_sitl.py status
  launch/px4_sitl.py stop

agent/station templates get {drone_id} {instance} {sys_id} {offboard_url} {offboard_port}
{gcs_port} {mission} {run_dir} {model} (station: {drones} instead of the per-drone ones), e.g.
(start `dronecine ground MISSION --out runs/sitl/ground` first: the agents read its token):
  --agent-cmd "dronecine agent {mission} --drone {drone_id} --url {offboard_url} --frames sim
               --token-file {run_dir}/ground/station.token"
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="px4_sitl.py",
        description="Start PX4 SITL instances (SIH or Gazebo) from your own PX4 build, one per mission drone.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("start", help="start one PX4 instance per drone of a mission")
    up.add_argument("mission", type=Path, help="mission YAML (validated like `dronecine validate`)")
    up.add_argument("--px4-dir", default=None, help="PX4-Autopilot checkout with a SITL build (default: $PX4_DIR)")
    up.add_argument("--build-target", default=DEFAULT_BUILD_TARGET, help="build/<target> to use (%(default)s)")
    up.add_argument("--model", default="sihsim_quadx", help="PX4 SITL model: sihsim_quadx (headless SIH), gz_x500...")
    up.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="working dirs, logs, state (%(default)s)")
    up.add_argument("--only", nargs="+", metavar="DRONE", default=(), help="launch only these drones")
    up.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="override a parameter")
    up.add_argument("--no-params", action="store_true", help="do not apply the camera-drone parameters")
    up.add_argument("--port-base", type=int, default=14540, help="offboard-API port of instance 0 (PX4: 14540)")
    up.add_argument("--gcs-port", type=int, default=14550, help="ground station port (PX4: 14550)")
    up.add_argument("--max-instances", type=int, default=20, help="refuse more drones than this (%(default)s)")
    up.add_argument("--gz-world", default="default", help="Gazebo world (gz models only)")
    up.add_argument("--gui", action="store_true", help="show the Gazebo GUI (gz models only)")
    up.add_argument("--gz-server-wait-s", type=float, default=15.0, help="wait after instance 0 starts Gazebo")
    up.add_argument("--fresh", action="store_true", help="delete the instances' old parameters and logs first")
    up.add_argument("--boot-timeout-s", type=float, default=60.0, help="wait this long for every PX4 to boot")
    up.add_argument("--no-wait", action="store_true", help="do not wait for the instances to boot")
    up.add_argument("--agent-cmd", default=None, help="command template started once per drone (default: none)")
    up.add_argument("--station-cmd", default=None, help="command template for the ground station (default: none)")

    down = sub.add_parser("stop", help="stop everything a start in this run dir started")
    down.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR)
    down.add_argument("--grace-s", type=float, default=10.0, help="SIGTERM, then SIGKILL after this long")

    show = sub.add_parser("status", help="list the started processes and whether they still run")
    show.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR)
    return parser


def _param_overrides(items: list[str]) -> dict[str, float]:
    overrides = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise SystemExit(f"--param {item!r}: expected NAME=NUMBER, e.g. MNT_MODE_OUT=0")
    return overrides


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when it lies under it (shorter to read)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        if args.command == "start":
            build = find_build(
                args.px4_dir if args.px4_dir is not None else os.environ.get("PX4_DIR"), args.build_target
            )
            options = LaunchOptions(
                mission_path=args.mission,
                run_dir=args.run_dir,
                model=args.model,
                only=tuple(args.only),
                params=_param_overrides(args.param),
                apply_params=not args.no_params,
                offboard_base=args.port_base,
                gcs_port=args.gcs_port,
                max_instances=args.max_instances,
                gz_world=args.gz_world,
                gui=args.gui,
                gz_server_wait_s=args.gz_server_wait_s,
                boot_timeout_s=args.boot_timeout_s,
                wait_boot=not args.no_wait,
                fresh=args.fresh,
                agent_cmd=args.agent_cmd,
                station_cmd=args.station_cmd,
            )
            plans = start(build, options)
            for plan in plans:
                print(
                    f"px4[{plan.instance}] {plan.drone_id}: MAV_SYS_ID {plan.sys_id}, "
                    f"agent link {plan.ports.agent_url}, "
                    f"GCS udp {plan.ports.gcs_remote}, log {_shown(plan.log_path)}"
                )
            print(f"started {len(plans)} PX4 SITL instance(s); stop with: {sys.argv[0]} stop --run-dir {args.run_dir}")
        elif args.command == "stop":
            report = stop(args.run_dir, grace_s=args.grace_s)
            stopped = report.terminated + report.killed
            print(f"stopped {len(stopped)} process(es)" if stopped else f"nothing running in {args.run_dir}")
        else:
            rows = status(args.run_dir)
            for record, alive in rows:
                print(f"{'running' if alive else 'stopped'}\t{record.pid}\t{record.name}\t{record.log}")
            if not rows:
                print(f"nothing started in {args.run_dir}")
    except DronecineError as error:
        print(str(error), file=sys.stderr)
        return error.exit_code
    return 0
