"""``dronecine agent``: one drone's onboard agent, flying a PX4 over MAVLink, its shots from the station."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from dronecine.agent.errors import AgentError
from dronecine.agent.events import AgentEvent, EventKind
from dronecine.agent.perception import PerceptionContext, open_perception
from dronecine.agent.runtime import AgentRuntime, RuntimeReport
from dronecine.agent.runtime_setup import RuntimeSettings
from dronecine.cli.errors import report_user_errors
from dronecine.control import BUNDLED
from dronecine.flight.link_choice import LinkChoice, make_link
from dronecine.flight.link_url import parse_link_url
from dronecine.ground.auth import read_token
from dronecine.ground.transport_ws import connect_websocket
from dronecine.mission import load_mission
from dronecine.perception.detector import WEIGHTS_ENV

_STYLE = {EventKind.ERROR: "red", EventKind.FAILSAFE: "yellow", EventKind.SAFETY: "yellow", EventKind.COMMAND: "cyan"}


@report_user_errors
def agent_command(
    mission_file: Annotated[Path, typer.Argument(help="The mission YAML (the same file as the station's).")],
    drone: Annotated[str, typer.Option("--drone", help="This drone's id in the mission.", show_default=False)],
    token_file: Annotated[
        Path, typer.Option("--token-file", help="The station's token (its --out folder's station.token).")
    ],
    url: Annotated[
        str | None,
        typer.Option("--url", help="MAVLink URL of the autopilot (default: the drone's connection in the mission)."),
    ] = None,
    station: Annotated[str, typer.Option("--station", help="The ground station's URL.")] = "ws://127.0.0.1:8765",
    link: Annotated[LinkChoice, typer.Option("--link", help="The MAVLink library.")] = LinkChoice.PYMAVLINK,
    frames: Annotated[
        str,
        typer.Option(
            "--frames", help="sim (rendered, SITL), model[:LEVEL] (no frames), camera:N, file:PATH or rtsp://..."
        ),
    ] = "sim",
    policy: Annotated[str, typer.Option("--policy", help="'bundled', 'baseline' or a policy file.")] = BUNDLED,
    weights: Annotated[
        str | None, typer.Option("--weights", help=f"YOLO weights (default: ${WEIGHTS_ENV}, else the bundled).")
    ] = None,
    rate_hz: Annotated[float, typer.Option("--rate-hz", help="The loop's rate (the policy's: 10 Hz).")] = 10.0,
    connect_timeout: Annotated[
        float, typer.Option("--connect-timeout-s", help="How long to wait for the autopilot's first heartbeat.")
    ] = 10.0,
    assume_at_home: Annotated[
        bool,
        typer.Option(
            "--assume-at-home", help="Trust the drone stands at its mission home, not its GPS (Gazebo worlds)."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the agent does.")] = False,
) -> None:
    """Fly one drone's part of the shoot: connect to its autopilot and to the ground station, take
    off when its timeline says, film its shots, come home and land."""
    console = Console(highlight=False, stderr=True)
    _configure_logging(console, verbose)
    mission = load_mission(mission_file).mission
    known = [d.id for d in mission.drones]
    if drone not in known:
        raise AgentError(f"drone {drone!r} is not in mission {mission.name!r} (its drones: {', '.join(known)})")
    url = url or mission.drone(drone).connection
    if url.startswith("sim://"):
        raise AgentError(f"{drone}'s connection in the mission is {url}: give the autopilot's MAVLink URL with --url")
    parse_link_url(url)  # a bad URL is one line now, not after the station
    if not station.startswith(("ws://", "wss://")):
        raise AgentError(f"--station {station!r} is not a WebSocket URL (expected ws://HOST:PORT)")
    token = read_token(token_file)
    settings = RuntimeSettings(
        rate_hz=rate_hz, policy=policy, connect_timeout_s=connect_timeout, home_from_gps=not assume_at_home
    )
    perception = open_perception(frames, PerceptionContext(mission, drone, settings.dt_s, weights=weights))
    runtime = AgentRuntime(mission, drone, make_link(link), perception, settings, on_event=_printer(console, drone))
    console.print(f"{escape(drone)}: autopilot {escape(url)}, station {escape(station)}, frames {escape(frames)}")
    try:
        report = asyncio.run(_run(runtime, url, station, token, console))
    except KeyboardInterrupt:
        console.print(f"{escape(drone)}: interrupted")
        raise typer.Exit(130) from None
    _print_report(console, report)


async def _run(runtime: AgentRuntime, url: str, station: str, token: str, console: Console) -> RuntimeReport:
    # Fail fast on an unreachable station, before waiting on the vehicle (the hello comes later).
    probe = await connect_websocket(station)
    await probe.close()
    with console.status(f"{runtime.drone_id}: connecting to the autopilot at {url}") as status:
        run = asyncio.get_running_loop().create_task(runtime.run(url, lambda: connect_websocket(station), token))
        try:
            while not run.done():
                status.update(_status_line(runtime))
                await asyncio.wait({run}, timeout=0.5)
        finally:
            if not run.done():
                run.cancel()
            await asyncio.gather(run, return_exceptions=True)
            await runtime.link.close()
        return run.result()


def _status_line(runtime: AgentRuntime) -> str:
    agent = runtime.agent
    if agent is None:
        return f"{runtime.drone_id}: connecting (autopilot, then station)"
    shot = f", {agent.shot.spec.move} on {agent.shot.subject_id}" if agent.shot is not None else ""
    return (
        f"{runtime.drone_id}: t={runtime.clock.now_s():7.1f} s  {runtime.phase.value}  {agent.mode.value}{shot}  "
        f"height {runtime.telemetry.height_m:.1f} m  overruns {runtime.overruns}"
    )


def _printer(console: Console, drone: str):
    def on_event(t_s: float, event: AgentEvent) -> None:
        style = _STYLE.get(event.kind, "")
        text = f"{drone} t={t_s:7.1f} {event.kind.value}: {escape(event.message)}"
        console.print(f"[{style}]{text}[/{style}]" if style else text)

    return on_event


def _print_report(console: Console, report: RuntimeReport) -> None:
    table = Table(title=f"{report.drone_id}: loop timing ({report.steps} steps, {report.overruns} overruns)")
    for column in ("stage", "count", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for s in report.stages:
        if s.count:
            table.add_row(s.stage, str(s.count), f"{s.p50_ms:.2f}", f"{s.p99_ms:.2f}", f"{s.max_ms:.2f}")
    console.print(table)
    how = "landed" if report.landed else ("never took off" if not report.took_off else f"ended {report.phase.value}")
    console.print(f"{report.drone_id}: {how}; {report.interventions} safety interventions")


def _configure_logging(console: Console, verbose: bool) -> None:
    handler = RichHandler(console=console, show_path=False, markup=False)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)
    if not verbose:
        logging.getLogger("dronecine.agent.runtime").setLevel(logging.ERROR)  # events are printed as they come
