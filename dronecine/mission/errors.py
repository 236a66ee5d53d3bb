"""Mission errors: each problem is one line naming the file, the key path and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dronecine.errors import DronecineError

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """('scenes', 2, 'shots', 0, 'move') -> 'scenes[2].shots[0].move'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not isinstance(part, str) or not part.isprintable() or not part:
            text += f"[{part!r}]"  # e.g. a key with a line break: quoted, so the problem stays one line
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful, for warnings) in a mission file."""

    file: str
    path: KeyPath
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = format_key_path(self.path)
        text = f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"
        return f"{text} (line {self.line})" if self.line else text


class MissionError(DronecineError):
    """A mission that cannot fly as written. ``problems`` lists every problem found."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("MissionError needs at least one problem")
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
