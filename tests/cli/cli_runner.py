"""Running ``dronecine`` in-process for the CLI tests, as a user would see it."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from dronecine.cli.main import app

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RUNNER = CliRunner()


class Result:
    """What a command printed, with any colour codes removed (a CI may force colour on)."""

    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.stdout = _ANSI.sub("", result.stdout)
        self.stderr = _ANSI.sub("", result.stderr)
        self.output = _ANSI.sub("", result.output)


def invoke(*args: str | Path) -> Result:
    """Run ``dronecine ARGS``; a user's error must never show a traceback, a bug re-raises here."""
    result = _RUNNER.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result)
