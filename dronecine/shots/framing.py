"""Framing: where in the image the subject's box centre should be (u*, v*).

Rule of thirds horizontally, lead room that follows the subject's motion across the
image, and headroom that depends on the shot size: small subjects stand on the lower
third line, large ones have their eyes on the upper third line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.shots.arrays import scalar_or_array

# Eyes sit about 7% of body height below the top of a standing person's box.
_EYES_BELOW_TOP = 0.07
_LEAD_ROOM_SHIFT = 1.0 / 6.0  # a full lead moves the subject from the centre to a third line
_U_LIMITS = (0.1, 0.9)


class Composition(StrEnum):
    LEFT_THIRD = "left_third"
    CENTRE = "centre"
    RIGHT_THIRD = "right_third"

    @property
    def u(self) -> float:
        return {Composition.LEFT_THIRD: 1.0 / 3.0, Composition.CENTRE: 0.5, Composition.RIGHT_THIRD: 2.0 / 3.0}[self]


@dataclass(frozen=True)
class Framing:
    """How to place the subject in the frame.

    composition: the horizontal anchor (left third, centre, right third).
    lead_room: 0..1, how far the subject is pushed back from its direction of motion across
        the image; 1 moves it a full sixth of the frame (centre to third line).
    lead_speed_m_s: the lateral speed at which lead room reaches 76% (tanh 1) of its full
        amount. The shift grows smoothly with speed, so a subject that stops or turns
        does not make the target jump.
    headroom: space between the top of the box and the top of the frame (fraction of the
        frame height); None picks it from the shot size.
    """

    composition: Composition = Composition.CENTRE
    lead_room: float = 1.0
    lead_speed_m_s: float = 1.0
    headroom: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.lead_room <= 1.0:
            raise ValueError(f"lead_room {self.lead_room} is out of range (expected 0..1)")
        if self.lead_speed_m_s <= 0.0:
            raise ValueError(f"lead_speed_m_s {self.lead_speed_m_s} must be positive")
        if self.headroom is not None and not 0.0 <= self.headroom <= 0.5:
            raise ValueError(f"headroom {self.headroom} is out of range (expected 0..0.5)")

    @property
    def headroom_or_nan(self) -> float:
        """``headroom`` as a number: NaN when the shot size picks it (what ``headroom_target_v`` takes)."""
        return np.nan if self.headroom is None else self.headroom

    def target_u(self, lateral_speed_m_s: ArrayLike) -> float | NDArray[np.float64]:
        """u* for a subject moving ``lateral_speed_m_s`` to the image's right (negative: left)."""
        u = lead_target_u(self.composition.u, self.lead_room, self.lead_speed_m_s, lateral_speed_m_s)
        return scalar_or_array(u)

    def target_v(self, target_height: ArrayLike) -> float | NDArray[np.float64]:
        """v* for a box of height ``target_height`` (fraction of the frame)."""
        return scalar_or_array(headroom_target_v(self.headroom_or_nan, target_height))


# The framing rules on numbers rather than a Framing, so that a batch of drones, each with its
# own framing, runs them as arrays (one element per drone); Framing's methods call them too.


def lead_target_u(
    composition_u: ArrayLike, lead_room: ArrayLike, lead_speed_m_s: ArrayLike, lateral_speed_m_s: ArrayLike
) -> NDArray[np.float64]:
    """u*: the composition's column, pushed back from the subject's motion across the image."""
    lead = lead_room * _LEAD_ROOM_SHIFT * np.tanh(np.divide(lateral_speed_m_s, lead_speed_m_s))
    # minimum(maximum()) rather than clip: the same, at a fraction of the cost on scalars.
    return np.minimum(np.maximum(np.subtract(composition_u, lead), _U_LIMITS[0]), _U_LIMITS[1])


def headroom_target_v(headroom: ArrayLike, target_height: ArrayLike) -> NDArray[np.float64]:
    """v*: the box top at ``headroom`` below the frame's top, or where the size puts it (headroom NaN)."""
    by_headroom = np.add(headroom, np.divide(target_height, 2.0))
    return np.where(np.isnan(headroom), default_target_v(target_height), by_headroom)


def default_target_v(target_height: ArrayLike) -> float | NDArray[np.float64]:
    """Small subjects stand on the lower third line; from h = 0.4 up, the eyes sit on the
    upper third line; in between the two blend linearly (so v* is continuous in h)."""
    lower_third = 2.0 / 3.0
    eyes_on_upper_third = 1.0 / 3.0 + (0.5 - _EYES_BELOW_TOP) * target_height
    small, large = 0.15, 0.4
    # The blend is exactly 0 (1) at and below (above) the ends, giving each line exactly.
    blend = np.minimum(np.maximum((target_height - small) / (large - small), 0.0), 1.0)
    return scalar_or_array((1.0 - blend) * lower_third + blend * eyes_on_upper_third)
