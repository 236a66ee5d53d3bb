"""The root of dronecine's typed errors.

Each capability defines its own subclasses (``MissionError``, ``ShotError``, ...). The CLI
turns any ``DronecineError`` into one line on stderr and a non-zero exit; anything else is
a bug and keeps its traceback.
"""


class DronecineError(Exception):
    """An error the user can act on; its message is one line that names the problem."""

    exit_code: int = 1
