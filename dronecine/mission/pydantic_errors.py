"""Turning pydantic's validation errors into one-line problems a camera crew can act on."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from dronecine.mission.base import describe_unit
from dronecine.mission.errors import KeyPath, Problem
from dronecine.mission.yaml_source import YamlSource

_NUMBER_ERRORS = {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float", "finite_number"}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
_BOUND_CTX = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}
_UNIT_SYMBOL = {
    "metres": " m",
    "seconds": " s",
    "degrees": " deg",
    "metres per second": " m/s",
    "degrees per second": " deg/s",
    "pixels": " px",
    "percent": " %",
    "hertz": " Hz",
}


def problems_from_validation(error: ValidationError, source: YamlSource) -> list[Problem]:
    problems = []
    seen: set[tuple[KeyPath, str]] = set()
    for detail in error.errors():
        path = _data_path(detail["loc"], source.data)
        ctx = detail.get("ctx") or {}
        if detail["type"] == "too_short" and _long_enough(detail):
            continue  # pydantic re-checks the length of a list whose items failed: not a problem of its own
        path = (*path, *ctx.get("subpath", ()))
        message = _message(detail, path)
        if (path, message) in seen:  # a union reports the same problem once per member
            continue
        seen.add((path, message))
        problems.append(Problem(source.file, path, message, source.line_of(path)))
    return problems


def _long_enough(detail: dict[str, Any]) -> bool:
    value = detail.get("input")
    return isinstance(value, list | tuple | dict) and len(value) >= (detail.get("ctx") or {}).get("min_length", 0)


def _data_path(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """Pydantic's location as a path through the document.

    Pydantic adds the member's tag after entering a discriminated union (``motion[1]`` then
    ``waypoints``) and names like ``function-after[...]`` for validators; neither is a key
    of the document, so both are dropped.
    """
    path: list[str | int] = []
    node = data
    just_entered = True
    for part in loc:
        if isinstance(part, str) and "[" in part:
            continue
        if just_entered and isinstance(node, dict) and part == node.get(_DISCRIMINATOR):
            just_entered = False
            continue
        path.append(str(part) if isinstance(node, dict) and not isinstance(part, str) else part)
        node = _child(node, part)
        just_entered = True
    return tuple(path)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


_DISCRIMINATOR = "script"  # the one tagged union in the mission schema: motion segments


def _message(detail: dict[str, Any], path: KeyPath) -> str:
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    unit = describe_unit(key)
    if kind == "missing":
        return "is required but missing"
    if kind in _NUMBER_ERRORS:
        if kind in {"int_type", "int_from_float", "int_parsing"}:
            return f"{value!r} is not a whole number (expected {unit})"
        if kind == "finite_number":
            return f"{value!r} is not a finite number (expected {unit})"
        return f"{value!r} is not a number (expected {unit}, written as a plain number)"
    if kind in _BOUNDS:
        limit = ctx.get(_BOUND_CTX[kind])
        return f"{value!r} is out of range (expected {_BOUNDS[kind]} {limit}{_UNIT_SYMBOL.get(unit, '')})"
    if kind in {"enum", "literal_error"}:
        return f"{value!r} is not allowed (expected {ctx.get('expected', '')})"
    if kind == "union_tag_invalid":
        discriminator = ctx.get("discriminator", "kind")
        return f"{ctx.get('tag')!r} is not a known {discriminator} (expected {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return f"needs {ctx.get('discriminator', 'a tag')} (one of the known kinds)"
    if kind in {"too_short", "too_long"}:
        bound = ("at least", ctx.get("min_length")) if kind == "too_short" else ("at most", ctx.get("max_length"))
        return f"has {ctx.get('actual_length')} items (expected {bound[0]} {bound[1]})"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{value!r} is not a mapping (expected keys and values)"
    if kind in {"list_type", "tuple_type"}:
        return f"{value!r} is not a list"
    if kind == "string_type":
        return f"{value!r} is not text"
    if kind in {"bool_type", "bool_parsing"}:
        return f"{value!r} is not true or false"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid name (expected letters, digits, '_' or '-')"
    if kind == "string_too_short":
        return "is empty"
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    return str(detail["msg"])
