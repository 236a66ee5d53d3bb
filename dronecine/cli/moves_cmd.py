"""``dronecine moves``: every camera move with its parameters, units and defaults."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dronecine.shots import MOVES, param_specs


def moves(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List every camera move with its parameters (units, ranges, defaults)."""
    if as_json:
        listing = {
            name.value: {
                "summary": move.summary(),
                "params": [
                    {
                        "name": p.name,
                        "unit": p.unit,
                        "default": p.default,
                        "min": p.minimum,
                        "max": p.maximum,
                        "doc": p.doc,
                    }
                    for p in param_specs(move)
                ],
            }
            for name, move in MOVES.items()
        }
        typer.echo(json.dumps(listing, indent=2))
        return
    console = Console(highlight=False)
    for name, move in MOVES.items():
        table = Table(title=f"[bold]{name.value}[/bold]: {move.summary()}", title_justify="left", expand=False)
        for column in ("parameter", "unit", "default", "range", "meaning"):
            table.add_column(column)
        for p in param_specs(move):
            table.add_row(p.name, p.unit or "-", p.default_text, f"{p.minimum:g}..{p.maximum:g}", p.doc)
        console.print(table)
