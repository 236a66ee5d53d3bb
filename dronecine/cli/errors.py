"""The CLI's one error boundary: a user's mistake is one line and an exit code, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from dronecine.errors import DronecineError

P = ParamSpec("P")
R = TypeVar("R")


def report_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``DronecineError`` raised by ``command`` into its message on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except DronecineError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper
