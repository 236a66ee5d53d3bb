"""Typed errors of the SITL launcher: one line each, naming what is wrong and what to do."""

from __future__ import annotations

from dronecine.errors import DronecineError


class LaunchError(DronecineError):
    """The launch cannot go ahead as asked (bad PX4 build, mission, options or state)."""

    exit_code = 2


class Px4BuildError(LaunchError):
    """PX4_DIR is missing or is not a PX4 SITL build."""


class ParamFileError(LaunchError):
    """A parameter file (airframe-style or QGroundControl) breaks a rule; one problem per line."""

    def __init__(self, problems: list[str]) -> None:
        if not problems:
            raise ValueError("ParamFileError needs at least one problem")
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


class ProcessStartError(LaunchError):
    """A started process died or never finished booting."""
