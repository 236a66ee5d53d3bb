"""``dronecine validate`` and ``dronecine mission schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from dronecine.cli.errors import report_user_errors
from dronecine.ground import PlanError, plan_shoot
from dronecine.mission import MissionError, load_mission, mission_json_schema
from dronecine.mission.plan_plot import plot_plan

mission_app = typer.Typer(help="Mission files: the schema for editors, a picture of the plan.", no_args_is_help=True)
_out = Console(highlight=False, soft_wrap=True)  # one line per file, whatever the terminal width


@report_user_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="Mission YAML files to check.", show_default=False)],
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Check mission files: schema, references, geometry, that every shot can be flown, and the plan
    (drones kept apart, every transit in time).

    Prints one line per problem (file: key path: what was expected); exits 2 if any file fails.
    """
    failed = False
    for file in files:
        try:
            loaded = load_mission(file)
        except MissionError as error:
            typer.echo(str(error), err=True)
            failed = True
            continue
        mission = loaded.mission
        try:
            plan_shoot(mission)  # separation and transit timing: what the shoot would refuse
        except PlanError as error:
            typer.echo(f"{file}: plan: {error}", err=True)
            failed = True
            continue
        for warning in loaded.warnings:
            typer.echo(f"warning: {warning}", err=True)
        failed = failed or (strict and bool(loaded.warnings))
        _out.print(
            f"[green]ok[/green] {escape(str(file))}: {escape(repr(mission.name))}, {_count(mission.scenes, 'scene')}, "
            f"{_count(mission.drones, 'drone')}, {_count(mission.subjects, 'subject')}, {mission.duration_s:g} s",
            markup=True,
        )
    if failed:
        raise typer.Exit(2)


def _count(items: tuple, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


@mission_app.command("schema")
@report_user_errors
def schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of mission files (for editors: yaml-language-server, VS Code)."""
    text = json.dumps(mission_json_schema(), indent=2)
    if out is None:
        typer.echo(text)
    else:
        try:
            out.write_text(text + "\n", encoding="utf-8")
        except OSError as error:  # a missing folder, a directory, no permission: the user's to fix
            typer.echo(f"{out}: cannot write ({error.strerror or error})", err=True)
            raise typer.Exit(1) from None
        _out.print(f"wrote {out}", markup=False)


@mission_app.command("plot")
@report_user_errors
def plot(
    file: Annotated[Path, typer.Argument(help="Mission YAML file.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG to write.")] = Path("plan.png"),
) -> None:
    """Draw the mission from above: geofence, subjects' paths and every shot's camera path."""
    loaded = load_mission(file)
    try:
        written = plot_plan(loaded.mission, out)
    except OSError as error:
        typer.echo(f"{out}: cannot write ({error.strerror or error})", err=True)
        raise typer.Exit(1) from None
    _out.print(f"wrote {written}", markup=False)
