"""Post-production errors: a shoot folder that cannot be read, a video that cannot be cut."""

from __future__ import annotations

from dronecine.errors import DronecineError


class EditError(DronecineError):
    """The edit cannot be made (a video that ends early, an output that cannot be written)."""


class RecordingError(EditError):
    """A file of a shoot's output folder is missing or malformed.

    The message is one line naming the file (relative to the output folder), the line or
    entry when there is one, and the problem: ``telemetry/watcher.jsonl line 12: not JSON``.
    """

    def __init__(self, file: str, problem: str, *, line: int | None = None, entry: int | None = None) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        self.entry = entry
        where = file
        if line is not None:
            where += f" line {line}"
        if entry is not None:
            where += f" entry {entry}"
        super().__init__(f"{where}: {problem}")
