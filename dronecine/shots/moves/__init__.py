"""Every camera move, by name."""

from __future__ import annotations

from collections.abc import Mapping

from dronecine.shots.moves.aerial import Crane, Dronie, Reveal, Rocket
from dronecine.shots.moves.base import AutoDistance, CameraMove, MoveName
from dronecine.shots.moves.lines import Dolly, Flyby, Spotlight, Truck
from dronecine.shots.moves.orbits import Boomerang, Helix, Orbit
from dronecine.shots.moves.tracking import Follow, Lead, Profile
from dronecine.shots.params import ShotError, build_params

MOVES: Mapping[MoveName, type[CameraMove]] = {
    move.name: move
    for move in (
        Follow,
        Lead,
        Profile,
        Orbit,
        Dronie,
        Rocket,
        Helix,
        Boomerang,
        Reveal,
        Flyby,
        Crane,
        Dolly,
        Truck,
        Spotlight,
    )
}


def build_move(name: str, params: Mapping[str, object] | None = None) -> CameraMove:
    """The move called ``name`` with the given parameters (the rest at their defaults).

    Raises ShotError naming the bad move or parameter.
    """
    try:
        move_name = MoveName(name)
    except ValueError:
        expected = ", ".join(m.value for m in MoveName)
        raise ShotError(f"{name!r} is not a camera move (expected one of: {expected})") from None
    return build_params(MOVES[move_name], move_name.value, params or {})


__all__ = [
    "MOVES",
    "AutoDistance",
    "Boomerang",
    "CameraMove",
    "Crane",
    "Dolly",
    "Dronie",
    "Flyby",
    "Follow",
    "Helix",
    "Lead",
    "MoveName",
    "Orbit",
    "Profile",
    "Reveal",
    "Rocket",
    "Spotlight",
    "Truck",
    "build_move",
]
