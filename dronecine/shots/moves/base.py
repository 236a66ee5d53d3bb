"""What every camera move is: a reference generator relative to the subject."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.shots.arrays import ned_vectors
from dronecine.shots.params import ShotError, param_specs
from dronecine.shots.subject import SubjectState

# Camera height above ground (m) -> horizontal distance (m) that gives the shot's size.
AutoDistance = Callable[[float], float]
# A time, a height, a bearing...: a float for one drone, an array (N,) for a batch of them.
Scalars = float | NDArray[np.float64]


class MoveName(StrEnum):
    FOLLOW = "follow"
    LEAD = "lead"
    PROFILE = "profile"
    ORBIT = "orbit"
    DRONIE = "dronie"
    ROCKET = "rocket"
    HELIX = "helix"
    BOOMERANG = "boomerang"
    REVEAL = "reveal"
    FLYBY = "flyby"
    CRANE = "crane"
    DOLLY = "dolly"
    TRUCK = "truck"
    SPOTLIGHT = "spotlight"


@dataclass(frozen=True)
class CameraMove(ABC):
    """A camera move: where the camera should be, relative to the subject, at time ``t_s``.

    Every move also works on arrays: a "move batch" is an instance whose parameter fields are
    (N,) arrays, called with ``t_s`` (N,) and batched subjects, and it returns offsets (N, 3).
    Its 'auto' distances must be resolved first (``resolve_auto``), as they come from a
    scalar solver.

    Bearings are relative to a subject's heading (0 in front of it, 90 to its right, 180
    behind it). Moves that track the subject's heading use the current ``subject``; the
    others use ``anchor``, the subject's state when the shot started, so that a subject
    turning does not swing the whole move around. Heights are above the ground.
    """

    name: ClassVar[MoveName]
    # True when the subject's distance stays put, so the shot size sets the target height h*;
    # moves that change the range by design (a dronie, a dolly) make h* follow their geometry.
    keeps_range: ClassVar[bool] = True

    @abstractmethod
    def offset_ned_m(
        self, t_s: Scalars, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        """Camera position minus the subject's (feet) position, NED metres: (3,), or (N, 3) for a batch."""

    @property
    def auto_height_m(self) -> Scalars:
        """The camera height at which an 'auto' distance is taken (m): a height parameter, never
        the live height, so that a shot can be resolved once (``resolve_auto``)."""
        return self.height_m  # type: ignore[attr-defined]  # moves without one override this

    def or_auto(self, value: Scalars | None, auto_distance: AutoDistance) -> Scalars:
        """``value``, or for 'auto' (None) the distance that gives the shot size from ``auto_height_m``."""
        if value is not None:
            return value
        height_m = self.auto_height_m
        if np.ndim(height_m) != 0:
            raise ShotError("a move batch has 'auto' distances: resolve its shots first (Shot.resolve_auto)")
        return auto_distance(float(height_m))  # a float: the solver caches on it

    def resolve_auto(self, auto_distance: AutoDistance) -> Self:
        """This move with every 'auto' distance replaced by metres (itself when it has none)."""
        auto = [
            spec.name for spec in param_specs(type(self)) if spec.default is None and getattr(self, spec.name) is None
        ]
        if not auto:
            return self
        distance_m = auto_distance(float(self.auto_height_m))
        return dataclasses.replace(self, **dict.fromkeys(auto, distance_m))

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]


def around(
    heading_deg: ArrayLike, bearing_deg: ArrayLike, distance_m: ArrayLike, height_m: ArrayLike
) -> NDArray[np.float64]:
    """Offset at ``bearing_deg`` from ``heading_deg``, ``distance_m`` away, ``height_m`` up."""
    angle = np.radians(np.add(heading_deg, bearing_deg))
    north, east = np.multiply(distance_m, np.cos(angle)), np.multiply(distance_m, np.sin(angle))
    return ned_vectors(north, east, np.negative(height_m))


def direction(heading_deg: ArrayLike, bearing_deg: ArrayLike) -> NDArray[np.float64]:
    """Horizontal unit vector at ``bearing_deg`` from ``heading_deg``."""
    angle = np.radians(np.add(heading_deg, bearing_deg))
    return ned_vectors(np.cos(angle), np.sin(angle), 0.0)
