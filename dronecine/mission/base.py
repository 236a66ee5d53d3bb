"""The base of every mission model: frozen, and strict about keys and numbers.

Unknown keys are rejected by a before-validator (rather than pydantic's bare
``extra_forbidden``) so the error can list the keys that are allowed and notice a key
written with the wrong unit (``ceiling_ft`` where ``ceiling_m`` is meant).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# Units that mission keys use, longest first so "_m_s" wins over "_s".
UNIT_SUFFIXES = {
    "_deg_s": "degrees per second",
    "_m_s": "metres per second",
    "_percent": "percent",
    "_deg": "degrees",
    "_px": "pixels",
    "_hz": "hertz",
    "_m": "metres",
    "_s": "seconds",
}


# Units people write that dronecine does not use; recognised only to say "wrong unit".
_FOREIGN_UNITS = (
    "_ft",
    "_feet",
    "_km",
    "_cm",
    "_mm",
    "_mi",
    "_mph",
    "_kmh",
    "_kph",
    "_kn",
    "_knots",
    "_rad",
    "_rad_s",
    "_ms",
    "_min",
    "_h",
    "_fps",
    "_ft_s",
    "_pct",
)


def key_stem(key: str) -> str:
    """The key without its unit: ``ceiling_m`` and ``ceiling_ft`` are both ``ceiling``."""
    for suffix in sorted((*UNIT_SUFFIXES, *_FOREIGN_UNITS), key=len, reverse=True):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


class MissionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = [field.alias or name for name, field in cls.model_fields.items()]
        for key in data:
            if key in allowed:
                continue
            where = (key if isinstance(key, str) else str(key),)  # an int key is not a list index
            same_stem = [name for name in allowed if isinstance(key, str) and key_stem(name) == key_stem(key)]
            if same_stem:
                expected = same_stem[0]
                message = f"{key!r} has the wrong unit (expected {expected}, in {describe_unit(expected)})"
                raise PydanticCustomError("wrong_unit", "{message}", {"message": message, "subpath": where})
            message = f"{key!r} is not a known key here (expected one of: {', '.join(allowed)})"
            raise PydanticCustomError("unknown_key", "{message}", {"message": message, "subpath": where})
        return data


def describe_unit(key: str) -> str:
    for suffix, words in UNIT_SUFFIXES.items():
        if key.endswith(suffix):
            return words
    return "a number"


# Numbers in a mission are strict: "30 m" or true is not a number (pydantic would coerce them),
# and finite: .nan and .inf are YAML floats, but no distance, time or speed.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
