"""Reading a shoot's JSON files with one-line errors that name the file, the line and the key."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from dronecine.edit.errors import RecordingError

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Where:
    """A place in a shoot's files: the file (relative to the output folder), and a line or an entry."""

    file: str
    line: int | None = None
    entry: int | None = None

    def error(self, problem: str) -> RecordingError:
        return RecordingError(self.file, problem, line=self.line, entry=self.entry)


def _open_text(root: Path, rel: str) -> str:
    path = root / rel
    if not path.is_file():
        raise RecordingError(rel, f"missing (looked in {root})")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RecordingError(rel, f"cannot be read ({error})") from error


def read_json(root: Path, rel: str) -> Any:
    """The parsed JSON of ``root / rel``."""
    text = _open_text(root, rel)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordingError(rel, f"not JSON ({error.msg} at line {error.lineno})") from error


def read_jsonl(root: Path, rel: str) -> list[tuple[Where, Mapping[str, Any]]]:
    """Each non-blank line of a JSON-lines file, parsed, with where it came from (lines count from 1)."""
    rows = []
    for number, line in enumerate(_open_text(root, rel).splitlines(), start=1):
        if not line.strip():
            continue
        where = Where(rel, line=number)
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise where.error("not JSON") from error
        rows.append((where, as_mapping(value, where)))
    return rows


def as_mapping(value: Any, where: Where) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"expected a JSON object, got {_kind(value)}")
    return value


def as_list(value: Any, where: Where) -> list[Any]:
    if not isinstance(value, list):
        raise where.error(f"expected a JSON list, got {_kind(value)}")
    return value


def require(obj: Mapping[str, Any], key: str, where: Where) -> Any:
    if key not in obj:
        raise where.error(f"missing key {key!r}")
    return obj[key]


def number(obj: Mapping[str, Any], key: str, where: Where) -> float:
    value = optional_number(obj, key, where)
    if value is None:
        raise where.error(f"{key!r} must be a number, got null")
    return value


def optional_number(obj: Mapping[str, Any], key: str, where: Where) -> float | None:
    value = require(obj, key, where)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(f"{key!r} must be a number, got {_kind(value)}")
    if not math.isfinite(value):
        raise where.error(f"{key!r} must be a finite number, got {value}")
    return float(value)


def integer(obj: Mapping[str, Any], key: str, where: Where) -> int:
    value = optional_integer(obj, key, where)
    if value is None:
        raise where.error(f"{key!r} must be a whole number, got null")
    return value


def optional_integer(obj: Mapping[str, Any], key: str, where: Where) -> int | None:
    value = require(obj, key, where)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"{key!r} must be a whole number, got {_kind(value)}")
    return value


def text(obj: Mapping[str, Any], key: str, where: Where) -> str:
    value = optional_text(obj, key, where)
    if value is None:
        raise where.error(f"{key!r} must be a string, got null")
    return value


def optional_text(obj: Mapping[str, Any], key: str, where: Where) -> str | None:
    value = require(obj, key, where)
    if value is not None and not isinstance(value, str):
        raise where.error(f"{key!r} must be a string, got {_kind(value)}")
    return value


def optional_boolean(obj: Mapping[str, Any], key: str, where: Where) -> bool | None:
    value = require(obj, key, where)
    if value is not None and not isinstance(value, bool):
        raise where.error(f"{key!r} must be true, false or null, got {_kind(value)}")
    return value


def choice(obj: Mapping[str, Any], key: str, kind: type[E], where: Where) -> E:
    value = optional_choice(obj, key, kind, where)
    if value is None:
        raise where.error(f"{key!r} must be one of {_names(kind)}, got null")
    return value


def optional_choice(obj: Mapping[str, Any], key: str, kind: type[E], where: Where) -> E | None:
    value = optional_text(obj, key, where)
    return None if value is None else enum_value(value, kind, where, key)


def enum_value(value: Any, kind: type[E], where: Where, key: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise where.error(f"{key!r} must be one of {_names(kind)}, got {value!r}") from None


def _names(kind: type[StrEnum]) -> str:
    return ", ".join(member.value for member in kind)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else f"a string of {len(value)} characters"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)
