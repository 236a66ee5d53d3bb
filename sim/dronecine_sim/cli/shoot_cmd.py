"""``dronecine shoot``: a whole mission flown in simulation, with footage, an edit and a report."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dronecine.cli.errors import report_user_errors
from dronecine.control import BUNDLED
from dronecine.flight.link_choice import LinkChoice
from dronecine.ground import ShootPlan, plan_shoot
from dronecine.ground.dashboard import SET_FILE, set_view
from dronecine.mission import Mission, load_mission
from dronecine.perception.detector import WEIGHTS_ENV
from dronecine_sim.perception import PerceptionChoice
from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.outputs import summary, write_json, write_plan
from dronecine_sim.shoot.post import post_production, recorded_outputs
from dronecine_sim.shoot.runner import run_shoot
from dronecine_sim.shoot.settings import ShootSettings
from dronecine_sim.shoot.sitl import SitlSettings, run_sitl_shoot

if TYPE_CHECKING:
    from dronecine_sim.shoot.serving import ServedShoot, ServedSitlShoot


@report_user_errors
def shoot_command(
    mission_file: Annotated[Path, typer.Argument(help="The mission YAML.", show_default=False)],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for everything the shoot makes (default: runs/NAME).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**31 - 1, help="Reproduces the shoot exactly.")] = 0,
    perception: Annotated[
        PerceptionChoice, typer.Option("--perception", help="How the drones see their subjects.")
    ] = PerceptionChoice.NOISY,
    policy: Annotated[
        str, typer.Option("--policy", help="Policy file flying the shots, 'bundled', or 'baseline'.")
    ] = BUNDLED,
    weights: Annotated[
        str | None, typer.Option("--weights", help=f"YOLO weights for --perception yolo (default: ${WEIGHTS_ENV}).")
    ] = None,
    video_width: Annotated[
        int, typer.Option("--video-width", help="Width of each drone's recorded view in pixels (0: no video).")
    ] = 480,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a shoot already in --out.")] = False,
    sitl: Annotated[
        bool,
        typer.Option(
            "--sitl", help="Fly PX4 SITL instances (each drone's connection in the mission) instead of the simulator."
        ),
    ] = False,
    sitl_speed: Annotated[
        float, typer.Option("--sitl-speed", help="With --sitl: PX4's PX4_SIM_SPEED_FACTOR (mission s per wall s).")
    ] = SitlSettings.time_scale,
    sitl_lead: Annotated[
        float,
        typer.Option("--sitl-lead-s", help="With --sitl: wall seconds from every drone ready to the first take-off."),
    ] = SitlSettings.lead_s,
    link: Annotated[LinkChoice, typer.Option("--link", help="With --sitl: the MAVLink library.")] = SitlSettings.link,
    assume_at_home: Annotated[
        bool,
        typer.Option(
            "--assume-at-home",
            help="With --sitl: trust each drone stands at its mission home, not its GPS (Gazebo worlds).",
        ),
    ] = False,
    fail_drone: Annotated[
        str | None,
        typer.Option(
            "--fail-drone",
            metavar="ID@T_S",
            help="Inject a failure: drone ID's link goes silent at mission time T_S (the station re-plans).",
        ),
    ] = None,
    abort_at: Annotated[
        float | None,
        typer.Option("--abort-at", metavar="T_S", help="Abort all at mission time T_S (the mission's abort_action)."),
    ] = None,
    battery: Annotated[
        float,
        typer.Option(
            "--battery",
            metavar="PERCENT",
            help="Every pack's charge at take-off; a low one exercises the battery return and the re-plan.",
        ),
    ] = ShootSettings.battery_percent,
    serve: Annotated[
        bool, typer.Option("--serve", help="Serve the dashboard: watch and command the shoot from a browser.")
    ] = False,
    host: Annotated[str, typer.Option("--host", help="The dashboard's address (with --serve).")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="The dashboard's port (with --serve; 0: any free one).")
    ] = 8000,
    speed: Annotated[
        float | None,
        typer.Option("--speed", help="With --serve: simulated seconds per wall second (default 1: as it would fly)."),
    ] = None,
    autostart: Annotated[
        bool, typer.Option("--autostart", help="With --serve: start at once instead of waiting for Start on the page.")
    ] = False,
) -> None:
    """Fly MISSION in simulation (offline, no PX4, no GPU): every drone's footage, telemetry, an edit
    (OpenTimelineIO and a rough cut) and an HTML report in --out."""
    flown_on = _sitl_settings(sitl, sitl_speed, sitl_lead, link, assume_at_home, fail_drone, abort_at, battery)
    if not serve and (speed is not None or autostart):
        raise ShootError("--speed and --autostart are for the dashboard: use them with --serve")
    if flown_on is not None and (speed is not None or autostart):
        raise ShootError(
            "--speed and --autostart are for the simulated shoot: with --sitl, PX4 sets the pace (--sitl-speed) "
            "and the shoot starts once every PX4 is ready"
        )
    loaded = load_mission(mission_file)
    mission = loaded.mission
    settings = ShootSettings(
        seed=seed,
        perception=perception.value,
        policy=policy,
        weights=weights,
        video_width_px=video_width,
        fail_drone=_failure(fail_drone),
        abort_at_s=abort_at,
        battery_percent=battery,
    )
    out_dir = out or Path("runs") / mission_file.stem
    plan = plan_shoot(mission)  # an infeasible plan stops here, before any folder is made
    _prepare(out_dir, overwrite)
    write_plan(out_dir, plan)
    view = set_view(plan)
    write_json(out_dir / SET_FILE, view)  # what a replay of this run draws the set from
    console = Console(highlight=False, stderr=True)
    for line in plan.predicted_visibility:
        console.print(f"note: {line}", markup=False)
    served = None
    if serve:
        from dronecine.ground.dashboard.serve import wait_for_interrupt
        from dronecine_sim.shoot.serving import ServedShoot, ServedSitlShoot  # fastapi and uvicorn only when serving

        if flown_on is None:
            served = ServedShoot(view, host, port, 1.0 if speed is None else speed, autostart)
        else:  # served once the station is up
            served = ServedSitlShoot(
                host, port, lambda url: console.print(f"dashboard: {url}", markup=False, soft_wrap=True)
            )
    try:
        if served is not None and flown_on is None:
            console.print(f"dashboard: {served.start()}", markup=False, soft_wrap=True)
            if not autostart:
                console.print("the shoot waits for Start on the dashboard")
        figures = _shoot(mission, plan, out_dir, settings, console, served, flown_on)
        _print_summary(figures, out_dir)
        if served is not None:
            served.show_replay(out_dir)
            console.print("the shoot is over: the dashboard replays it; Ctrl-C stops serving")
            wait_for_interrupt()
    finally:
        if served is not None:
            served.stop()


def _shoot(
    mission: Mission,
    plan: ShootPlan,
    out_dir: Path,
    settings: ShootSettings,
    console: Console,
    served: ServedShoot | ServedSitlShoot | None,
    sitl: SitlSettings | None = None,
) -> dict:
    """Fly (in simulation, or on PX4 SITL), then edit: the summary's figures."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("shooting", total=1.0, status="")
        started = time.perf_counter()

        def on_step(sim_s: float, total_s: float) -> None:
            wall = max(time.perf_counter() - started, 1e-9)
            status = (
                f"{sim_s - plan.preroll_s:6.1f} s of {total_s - plan.preroll_s:.0f} s  ({sim_s / wall:4.1f}x real time)"
            )
            progress.update(task, completed=sim_s / total_s, status=status)

        if sitl is not None:
            progress.update(task, description="flying PX4 SITL")
            run = run_sitl_shoot(mission, plan, out_dir, settings, sitl, progress=on_step, watcher=served)
        else:
            bridge = served.bridge if served is not None else None
            run = run_shoot(mission, plan, out_dir, settings, progress=on_step, dashboard=bridge)
        write_json(out_dir / "shot_log.json", run.measures.shot_log())
        outputs = recorded_outputs(out_dir, run.measures.drone_ids, settings.video_size is not None)
        write_json(out_dir / "summary.json", summary(plan, run, settings, outputs))  # what the edit reads
        post_task = progress.add_task("editing", total=1.0, status="")
        outputs |= post_production(
            out_dir, mission, on_progress=lambda f, what: progress.update(post_task, completed=f, status=what)
        )
    figures = summary(plan, run, settings, outputs)
    write_json(out_dir / "summary.json", figures)
    return figures


def _sitl_settings(
    sitl: bool,
    speed: float,
    lead_s: float,
    link: LinkChoice,
    assume_at_home: bool,
    fail_drone: str | None,
    abort_at: float | None,
    battery: float,
) -> SitlSettings | None:
    """The ``--sitl`` settings (None: the simulator flies); simulator-only options are refused with it."""
    if not sitl:
        if (speed, lead_s, link) != (SitlSettings.time_scale, SitlSettings.lead_s, SitlSettings.link) or assume_at_home:
            raise ShootError(
                "--sitl-speed, --sitl-lead-s, --link and --assume-at-home are for PX4 SITL: use them with --sitl"
            )
        return None
    injected = [
        name
        for name, given in (("--fail-drone", fail_drone is not None), ("--abort-at", abort_at is not None),
                            ("--battery", battery != ShootSettings.battery_percent))
        if given
    ]  # fmt: skip
    if injected:
        raise ShootError(
            f"{', '.join(injected)}: simulator only, not with --sitl (fail PX4 from QGroundControl or its "
            "shell; abort from the dashboard, --serve)"
        )
    return SitlSettings(time_scale=speed, lead_s=lead_s, link=link, home_from_gps=not assume_at_home)


def _failure(option: str | None) -> tuple[str, float] | None:
    """``--fail-drone ID@T_S`` as (drone, t_s)."""
    if option is None:
        return None
    drone_id, _, when = option.rpartition("@")
    try:
        t_s = float(when)
    except ValueError:
        t_s = math.nan
    if not drone_id or not math.isfinite(t_s):
        raise ShootError(f"--fail-drone {option!r}: expected ID@T_S, a drone and a mission time (e.g. watcher@60)")
    return drone_id, t_s


def _prepare(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ShootError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise ShootError(f"{out_dir}: already holds files (an earlier shoot?); pass --overwrite or another --out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ShootError(f"{out_dir}: cannot create the folder ({error.strerror or error})") from error


def _print_summary(figures: dict, out_dir: Path) -> None:
    console = Console(highlight=False)
    how = "flown on PX4 SITL" if "sitl" in figures else "simulated"
    table = Table(
        title=f"{figures['mission']}: {figures['sim_seconds']:.0f} s {how} in {figures['wall_seconds']:.1f} s"
    )
    for column in ("drone", "in frame", "framing error", "size error", "RMS jerk (m/s³)", "safety"):
        table.add_column(column, justify="left" if column == "drone" else "right")
    for drone_id, d in figures["drones"].items():
        if d["in_frame"] is None:
            table.add_row(drone_id, "-", "-", "-", "-", str(d["safety_interventions"]))
            continue
        table.add_row(
            drone_id,
            f"{d['in_frame']:.1%}",
            f"{d['framing_error']:.3f}",
            f"{d['size_error']:.3f}",
            f"{d['jerk_rms']:.2f}",
            str(d["safety_interventions"]),
        )
    console.print(table)
    console.print(
        f"closest drones {figures['min_separation_m']} m, separation violations {figures['separation_violations']}, "
        f"geofence breaches {figures['geofence_breaches']}, "
        f"drones seen unasked {figures['mutual_visibility_violations']} steps, "
        f"closest to a person {figures['closest_person_m']} m"
    )
    console.print(f"outputs in {out_dir}/: report {figures['outputs'].get('report', '-')}")
