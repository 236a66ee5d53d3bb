"""``dronecine dashboard``: replay a finished shoot in the browser, from its run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dronecine.cli.errors import report_user_errors


@report_user_errors
def dashboard_command(
    run_dir: Annotated[Path, typer.Argument(help="A shoot's --out folder (runs/NAME).", show_default=False)],
    host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to serve on (0: any free one).")] = 8000,
) -> None:
    """Serve the dashboard's replay of a finished shoot (map, cards, timeline, cameras, with a
    scrubber) until Ctrl-C. To watch and command a shoot live: dronecine shoot/ground --serve."""
    # fastapi and uvicorn load only for the commands that serve
    from dronecine.ground.dashboard import Replay
    from dronecine.ground.dashboard.app import Dashboard
    from dronecine.ground.dashboard.serve import DashboardServer, wait_for_interrupt

    console = Console(highlight=False, stderr=True)
    replay = Replay.load(run_dir)
    # A replay takes no command: the token only satisfies the page (it is never accepted).
    server = DashboardServer(Dashboard(replay.set_view, token="", replay=replay), host, port)
    server.start()
    console.print(f"dashboard: {server.url(with_token=False)} replays {run_dir}; Ctrl-C stops serving", markup=False)
    try:
        wait_for_interrupt()
        console.print("dashboard: stopped")
    finally:
        server.stop()
