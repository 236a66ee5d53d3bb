"""The distribution of shots an episode draws from, so that one policy learns every move.

Each episode draws a move (uniformly), a size, a composition and lead room, and each of the move's
parameters from a range around its default that a crew would use (the mission schema allows far
wider ones). Distances stay "auto", so the size decides them. ``ShotChoice`` pins any of these
through ``reset(options=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from dronecine.geometry import PinholeCamera
from dronecine.shots import Composition, Framing, MoveName, Shot, ShotError, ShotSize, build_move, param_specs
from dronecine.shots.moves import MOVES

SIZE_WEIGHTS: dict[ShotSize, float] = {
    ShotSize.EXTREME_WIDE: 0.05,
    ShotSize.WIDE: 0.25,
    ShotSize.MEDIUM_WIDE: 0.3,
    ShotSize.FULL: 0.3,
    ShotSize.MEDIUM: 0.1,
}
_ANGLE_NAMES = ("bearing_deg", "start_bearing_deg", "side_deg")
_RATE_RANGE_DEG_S = (6.0, 20.0)
_SIGNED_SPEEDS = ("speed_m_s",)  # a truck slides either way
_HEIGHT_SPREAD = (0.6, 1.6)
_SPREAD = (0.7, 1.4)
# From high up a person cannot fill the frame (the view turns top-down before the box gets tall):
# close sizes start low, so that their target height is reachable.
_CLOSE_SIZES = (ShotSize.FULL, ShotSize.MEDIUM)
_CLOSE_HEIGHT_CAP_M = 4.0
_STEP = {"m": 0.5, "deg": 5.0, "deg/s": 1.0, "m/s": 0.1, "s": 0.5}


@dataclass(frozen=True)
class ShotChoice:
    """What ``reset(options=...)`` may fix; anything left None is drawn."""

    move: MoveName | None = None
    size: ShotSize | None = None
    composition: Composition | None = None
    lead_room: float | None = None
    params: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_options(cls, options: Mapping[str, object] | None) -> ShotChoice:
        """Read ``{"move": "orbit", "size": "full", "composition": ..., "lead_room": ..., "params": {...}}``."""
        if not options:
            return cls()
        known = {"move", "size", "composition", "lead_room", "params"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ShotError(f"unknown reset option {unknown[0]!r} (expected some of: {', '.join(sorted(known))})")
        try:
            move = None if options.get("move") is None else MoveName(options["move"])
            size = None if options.get("size") is None else ShotSize(options["size"])
            composition = None if options.get("composition") is None else Composition(options["composition"])
        except ValueError as error:
            raise ShotError(f"bad reset option: {error}") from None
        lead = options.get("lead_room")
        params = options.get("params") or {}
        if not isinstance(params, Mapping):
            raise ShotError(f"reset option 'params' must be a mapping of move parameters, got {params!r}")
        return cls(move, size, composition, None if lead is None else float(lead), dict(params))  # type: ignore[arg-type]


def draw_shot(rng: np.random.Generator, camera: PinholeCamera, choice: ShotChoice = ShotChoice()) -> Shot:
    """One shot from the training distribution, with ``choice``'s fixed parts."""
    moves = tuple(MoveName)
    move_name = choice.move or moves[int(rng.integers(len(moves)))]
    sizes = tuple(SIZE_WEIGHTS)
    weights = np.array([SIZE_WEIGHTS[s] for s in sizes])
    size = choice.size or sizes[int(rng.choice(len(sizes), p=weights / weights.sum()))]
    compositions = tuple(Composition)
    composition = choice.composition or compositions[int(rng.integers(len(compositions)))]
    lead_room = float(rng.uniform(0.0, 1.0)) if choice.lead_room is None else choice.lead_room
    params = _draw_params(rng, move_name, _CLOSE_HEIGHT_CAP_M if size in _CLOSE_SIZES else None)
    params.update(choice.params)
    move = build_move(move_name.value, params)
    shot = Shot(move=move, size=size, framing=Framing(composition=composition, lead_room=lead_room), camera=camera)
    # Fix the "auto" distances once, here: a batch would otherwise solve them at every reset.
    return shot.resolve_auto()


def _draw_params(rng: np.random.Generator, move: MoveName, height_cap_m: float | None) -> dict[str, float]:
    params: dict[str, float] = {}
    for spec in param_specs(MOVES[move]):
        if spec.default is None:
            continue  # auto: the size sets it
        if spec.name in _ANGLE_NAMES:
            value = rng.uniform(-180.0, 180.0)
        elif spec.name == "rate_deg_s":
            value = rng.uniform(*_RATE_RANGE_DEG_S) * rng.choice((-1.0, 1.0))
        else:
            low, high = _HEIGHT_SPREAD if "height" in spec.name else _SPREAD
            value = spec.default * rng.uniform(low, high)
            if height_cap_m is not None and "height" in spec.name:
                value = min(value, height_cap_m)
            if spec.name in _SIGNED_SPEEDS and spec.minimum < 0.0:
                value *= rng.choice((-1.0, 1.0))
        # Round as a crew would write it (and so that the auto-distance solver's cache hits).
        value = round(value / _STEP[spec.unit]) * _STEP[spec.unit] if spec.unit in _STEP else value
        params[spec.name] = float(min(max(value, spec.minimum), spec.maximum))
        if not math.isfinite(params[spec.name]):
            raise ShotError(f"drew a non-finite {spec.name} for {move.value}")
    return params
