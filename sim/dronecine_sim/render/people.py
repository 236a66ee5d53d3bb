"""The people a frame shows: K people as arrays, each an upright figure standing on the ground."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import PERSON_HEIGHT_M
from dronecine_sim.render.errors import RenderError

DEFAULT_CLOTHING_BGR = (40, 40, 200)
DEFAULT_SKIN_BGR = (120, 155, 200)
DEFAULT_HAIR_BGR = (30, 40, 55)


@dataclass(frozen=True, eq=False)
class People:
    """K people, as arrays with a leading dimension K.

    ``position_ned_m`` (K, 3): where the feet are (NED, m; ``down`` 0 on the ground). ``heading_deg``
    (K,): where they face (compass, 0 = north). ``height_m`` (K,): their height (0.5..2.5); the body
    scales with it (``dronecine.geometry.person`` models a 1.75 m person as a 0.25 m radius cylinder).
    ``clothing_bgr`` (K, 3) uint8: the top's colour. Optional, filled in when None: ``trousers_bgr`` (a
    dark version of the clothing), ``skin_bgr``, ``hair_bgr`` (K, 3) uint8; ``gait_phase_rad`` (K,), the
    walking cycle's phase (legs and arms swing with its sine; 0), and ``gait_amplitude`` (K,), 1 for a
    brisk walk (legs swing 12 degrees each way), 0 standing still (0). Arrays are converted, checked and
    made read-only; ``People.of`` also broadcasts scalars and single colours.
    """

    position_ned_m: NDArray[np.float64]
    heading_deg: NDArray[np.float64]
    height_m: NDArray[np.float64]
    clothing_bgr: NDArray[np.uint8]
    trousers_bgr: NDArray[np.uint8] | None = None
    skin_bgr: NDArray[np.uint8] | None = None
    hair_bgr: NDArray[np.uint8] | None = None
    gait_phase_rad: NDArray[np.float64] | None = None
    gait_amplitude: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        position = np.array(self.position_ned_m, dtype=float)
        if position.ndim != 2 or position.shape[1] != 3:
            raise RenderError(f"people position_ned_m must be (K, 3), got {position.shape}")
        k = position.shape[0]
        clothing = _colours(self.clothing_bgr, "clothing_bgr", k)
        if self.trousers_bgr is None:
            trousers = (clothing.astype(float) * 0.35 + np.array([40.0, 30.0, 25.0])).astype(np.uint8)
        else:
            trousers = _colours(self.trousers_bgr, "trousers_bgr", k)
        values = {
            "position_ned_m": position,
            "heading_deg": _scalars(self.heading_deg, "heading_deg", k),
            "height_m": _scalars(self.height_m, "height_m", k),
            "clothing_bgr": clothing,
            "trousers_bgr": trousers,
            "skin_bgr": _colours(DEFAULT_SKIN_BGR if self.skin_bgr is None else self.skin_bgr, "skin_bgr", k),
            "hair_bgr": _colours(DEFAULT_HAIR_BGR if self.hair_bgr is None else self.hair_bgr, "hair_bgr", k),
            "gait_phase_rad": _scalars(
                0.0 if self.gait_phase_rad is None else self.gait_phase_rad, "gait_phase_rad", k
            ),
            "gait_amplitude": _scalars(
                0.0 if self.gait_amplitude is None else self.gait_amplitude, "gait_amplitude", k
            ),
        }
        if not (np.isfinite(position).all() and np.isfinite(values["heading_deg"]).all()):
            raise RenderError("people positions and headings must be finite")
        height = values["height_m"]
        if not ((height >= 0.5) & (height <= 2.5)).all():
            raise RenderError(f"people height_m must lie in 0.5..2.5, got {height.tolist()}")
        amplitude = values["gait_amplitude"]
        if not ((amplitude >= 0.0) & (amplitude <= 1.0)).all():
            raise RenderError(f"people gait_amplitude must lie in 0..1, got {amplitude.tolist()}")
        for name, value in values.items():
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @classmethod
    def of(
        cls,
        position_ned_m: ArrayLike,
        heading_deg: ArrayLike = 0.0,
        height_m: ArrayLike = PERSON_HEIGHT_M,
        clothing_bgr: ArrayLike = DEFAULT_CLOTHING_BGR,
        trousers_bgr: ArrayLike | None = None,
        skin_bgr: ArrayLike | None = None,
        hair_bgr: ArrayLike | None = None,
        gait_phase_rad: ArrayLike = 0.0,
        gait_amplitude: ArrayLike = 0.0,
    ) -> People:
        """People at ``position_ned_m`` (K, 3), or one person at (3,); every other field broadcasts to K."""
        position = np.array(position_ned_m, dtype=float)
        if position.shape == (3,):
            position = position[None, :]
        return cls(
            position,
            heading_deg,
            height_m,
            clothing_bgr,
            trousers_bgr,
            skin_bgr,
            hair_bgr,
            gait_phase_rad,
            gait_amplitude,
        )

    @classmethod
    def none(cls) -> People:
        """Nobody."""
        return cls.of(np.zeros((0, 3)))

    def __len__(self) -> int:
        return self.position_ned_m.shape[0]


def _scalars(value: ArrayLike, name: str, k: int) -> NDArray[np.float64]:
    try:
        return np.broadcast_to(np.asarray(value, dtype=float), (k,)).copy()
    except ValueError:
        raise RenderError(f"people {name} must broadcast to ({k},), got shape {np.shape(value)}") from None


def _colours(value: ArrayLike, name: str, k: int) -> NDArray[np.uint8]:
    array = np.asarray(value)
    if array.size and (not np.isfinite(array).all() or array.min() < 0 or array.max() > 255):
        raise RenderError(f"people {name} must be BGR values in 0..255")
    try:
        return np.broadcast_to(array.astype(np.uint8), (k, 3)).copy()
    except ValueError:
        raise RenderError(f"people {name} must broadcast to ({k}, 3), got shape {array.shape}") from None
