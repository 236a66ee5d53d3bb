"""The ``dronecine`` command and its sub-commands."""

from __future__ import annotations

from typing import Annotated

import typer

from dronecine import __version__
from dronecine.cli.agent_cmd import agent_command
from dronecine.cli.dashboard_cmd import dashboard_command
from dronecine.cli.ground_cmd import ground_command
from dronecine.cli.mission_cmds import mission_app, validate
from dronecine.cli.moves_cmd import moves
from dronecine.cli.plugins import register_plugins

app = typer.Typer(
    name="dronecine",
    help="Autonomous drone cinematography: validate missions, list camera moves, run shoots.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command()(validate)
app.command()(moves)
app.add_typer(mission_app, name="mission")
app.command("agent")(agent_command)
app.command("ground")(ground_command)
app.command("dashboard")(dashboard_command)
register_plugins(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dronecine {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Autonomous drone cinematography: validate missions, list camera moves, run shoots."""


def run() -> None:
    """Console-script entry point."""
    app()
