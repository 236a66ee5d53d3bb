"""Reading a mission YAML: the data, where each key sits (for line numbers), duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dronecine.mission.errors import KeyPath, MissionError, Problem


@dataclass(frozen=True)
class YamlSource:
    file: str
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """The line of the deepest key of ``path`` that the file has."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def read_yaml(path: Path | str) -> YamlSource:
    """Parse a YAML file, rejecting syntax errors and duplicate keys as one-line MissionErrors."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissionError([Problem(file, (), "no such file")]) from None
    except IsADirectoryError:
        raise MissionError([Problem(file, (), "is a directory, not a mission file")]) from None
    except UnicodeDecodeError as error:
        raise MissionError([Problem(file, (), f"is not UTF-8 text ({error.reason} at byte {error.start})")]) from None
    except OSError as error:
        raise MissionError([Problem(file, (), f"cannot be read ({error.strerror})")]) from None
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as error:  # a character YAML does not allow anywhere (NUL, most control characters)
        raise MissionError([_syntax_problem(file, error, text)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise MissionError([Problem(file, (), "is empty (expected a mission mapping with name, origin, ...)")])
        lines: dict[KeyPath, int] = {}
        problems: list[Problem] = []
        _index(node, (), lines, problems, file)
        if problems:
            raise MissionError(problems)
        data = loader.construct_document(node)
        if data is None:
            raise MissionError([Problem(file, (), "is empty (expected a mission mapping with name, origin, ...)")])
    except yaml.YAMLError as error:
        raise MissionError([_syntax_problem(file, error, text)]) from None
    finally:
        loader.dispose()
    return YamlSource(file, data, lines)


def _syntax_problem(file: str, error: yaml.YAMLError, text: str) -> Problem:
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error)
    if mark is not None:
        where = f"line {mark.line + 1}, column {mark.column + 1}: "
    elif isinstance(error, yaml.reader.ReaderError):
        where = f"line {text.count(chr(10), 0, error.position) + 1}: "
    else:
        where = ""
    return Problem(file, (), f"YAML syntax error: {where}{(reason.splitlines() or [''])[0]}")


def _index(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list[Problem], file: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                message = f"has {kind} as a key (expected a plain name as every key)"
                problems.append(Problem(file, path, message, key_node.start_mark.line + 1))
                continue
            key = key_node.value
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        (*path, key),
                        "is given twice (the second would silently win)",
                        key_node.start_mark.line + 1,
                    )
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, problems, file)
