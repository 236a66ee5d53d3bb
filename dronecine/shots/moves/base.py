"""What every camera move is: a reference generator relative to the subject."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from dronecine.shots.subject import SubjectState

# Camera height above ground (m) -> horizontal distance (m) that gives the shot's size.
AutoDistance = Callable[[float], float]


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
        self, t_s: float, subject: SubjectState, anchor: SubjectState, auto_distance: AutoDistance
    ) -> NDArray[np.float64]:
        """Camera position minus the subject's (feet) position, NED metres."""

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]


def around(heading_deg: float, bearing_deg: float, distance_m: float, height_m: float) -> NDArray[np.float64]:
    """Offset at ``bearing_deg`` from ``heading_deg``, ``distance_m`` away, ``height_m`` up."""
    angle = math.radians(heading_deg + bearing_deg)
    return np.array([distance_m * math.cos(angle), distance_m * math.sin(angle), -height_m])


def direction(heading_deg: float, bearing_deg: float) -> NDArray[np.float64]:
    """Horizontal unit vector at ``bearing_deg`` from ``heading_deg``."""
    angle = math.radians(heading_deg + bearing_deg)
    return np.array([math.cos(angle), math.sin(angle), 0.0])


def or_auto(value: float | None, auto_distance: AutoDistance, height_m: float) -> float:
    return auto_distance(height_m) if value is None else value
