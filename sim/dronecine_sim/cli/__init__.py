"""The simulator's sub-commands of ``dronecine`` (``train``, ``eval``, ``shoot``, ``detector``), registered through the
``dronecine.commands`` entry point so that ``dronecine`` itself never imports the simulator."""

from __future__ import annotations

import typer

from dronecine_sim.cli.detector_cmd import detector_app
from dronecine_sim.cli.eval_cmd import evaluate_command
from dronecine_sim.cli.shoot_cmd import shoot_command
from dronecine_sim.cli.train_cmd import train_command


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("eval")(evaluate_command)
    app.command("shoot")(shoot_command)
    app.add_typer(detector_app, name="detector")
