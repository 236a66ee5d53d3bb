"""``dronecine ground``: the ground station of one shoot, served over WebSockets to the drones' agents."""

from __future__ import annotations

import asyncio
import logging
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from dronecine.cli.errors import report_user_errors
from dronecine.ground import plan_shoot
from dronecine.ground.errors import GroundError
from dronecine.ground.serving import StationServer
from dronecine.ground.station_state import StationEvent, WallClock
from dronecine.mission import load_mission

logger = logging.getLogger(__name__)
DEFAULT_LEAD_S = 30.0  # from the station's start to the first take-off: time to start the agents


@report_user_errors
def ground_command(
    mission_file: Annotated[Path, typer.Argument(help="The mission YAML.", show_default=False)],
    host: Annotated[str, typer.Option("--host", help="Address to serve on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to serve on (0: any free one).")] = 8765,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for the token and the logs (default: runs/ground-NAME).")
    ] = None,
    lead: Annotated[
        float,
        typer.Option("--lead-s", help="Seconds from now to the first take-off (the agents connect meanwhile)."),
    ] = DEFAULT_LEAD_S,
    serve: Annotated[
        bool, typer.Option("--serve", help="Serve the dashboard on --host: watch and command the drones.")
    ] = False,
    dashboard_port: Annotated[
        int, typer.Option("--dashboard-port", min=0, max=65535, help="The dashboard's port (0: any free one).")
    ] = 8000,
) -> None:
    """Serve the shoot's ground station: plan the mission, hand each agent its timeline, watch the
    drones and re-plan when one is lost. Writes station.token (0600) and events/commands logs to --out;
    stops when every drone is down after its part, or on Ctrl-C."""
    console = Console(highlight=False, stderr=True)
    logging.basicConfig(
        level=logging.WARNING, handlers=[RichHandler(console=console, show_path=False, markup=False)], force=True
    )
    if not (math.isfinite(lead) and 0.0 <= lead <= 3600.0):
        raise GroundError(f"--lead-s {lead!r} is out of range (expected 0..3600 s)")
    mission = load_mission(mission_file).mission
    plan = plan_shoot(mission)
    folder = out or Path("runs") / f"ground-{_slug(mission.name)}"
    clock = WallClock(action_in_s=plan.preroll_s + lead)
    server = StationServer(plan, folder, clock)
    dashboard = (host, dashboard_port) if serve else None
    try:
        asyncio.run(_serve(server, host, port, console, dashboard))
    except KeyboardInterrupt:
        console.print("station: stopped (Ctrl-C)")
        raise typer.Exit(130) from None


async def _serve(
    server: StationServer, host: str, port: int, console: Console, dashboard: tuple[str, int] | None
) -> None:
    from dronecine.ground.dashboard.field import FieldDashboard  # fastapi and uvicorn only when serving it

    bound = await server.start(host, port)
    served = FieldDashboard(server, asyncio.get_running_loop(), *dashboard) if dashboard is not None else None
    plan = server.plan
    server.station.add_listener(on_event=lambda e: _print_event(console, e))
    console.print(
        f"station of {escape(repr(plan.mission.name))} on ws://{host}:{bound}; token in {server.token_path}\n"
        f"start each agent: dronecine agent MISSION --drone ID --station ws://{host}:{bound} "
        f"--token-file {server.token_path}\n"
        f"first take-off at t={-plan.preroll_s:.0f} s, in {server.clock.now_s() * -1 - plan.preroll_s:.0f} s"
    )
    try:
        if served is not None:
            console.print(f"dashboard: {served.start()}", markup=False, soft_wrap=True)
        with Live(_table(server), console=console, refresh_per_second=2, transient=False) as live:
            while not server.finished():
                await asyncio.sleep(0.5)
                live.update(_table(server))
        console.print("station: every drone is down: the shoot is over")
    finally:
        if served is not None:
            await served.stop()
        await server.stop()


def _table(server: StationServer) -> Table:
    now = server.clock.now_s()
    table = Table(title=f"t = {now:.1f} s (action at 0, end at {server.plan.end_s:.0f})")
    for column in ("drone", "status", "link", "mode", "shot", "height m", "battery %", "heard s ago"):
        table.add_column(column)
    for drone_id, live in server.station.live.items():
        state = live.state
        shot = f"{state.shot.scene}: {state.shot.move}" if state is not None and state.shot is not None else ""
        table.add_row(
            drone_id,
            live.status.value,
            "up" if live.connected else "down",
            state.mode.value if state is not None else "",
            shot,
            f"{max(-state.position_ned_m[2], 0.0):.1f}" if state is not None else "",
            f"{state.battery_percent:.0f}" if state is not None and state.battery_percent is not None else "",
            f"{now - live.heard_t_s:.1f}" if live.heard_t_s is not None else "",
        )
    return table


def _print_event(console: Console, event: StationEvent) -> None:
    who = event.drone_id or "station"
    console.print(f"t={event.t_s:7.1f} {escape(who)} {event.kind.value}: {escape(event.message)}")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "mission"
