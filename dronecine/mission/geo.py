"""Places: the mission origin and points of the local NED frame."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dronecine.mission.base import MissionModel, Number


class Origin(MissionModel):
    """The origin of the local frame: where north_m = east_m = 0, on the ground."""

    latitude_deg: Annotated[Number, Field(ge=-90.0, le=90.0, description="WGS84 latitude")]
    longitude_deg: Annotated[Number, Field(ge=-180.0, le=180.0, description="WGS84 longitude")]
    altitude_m: Annotated[Number, Field(ge=-500.0, le=9000.0, description="ground altitude above mean sea level")]


class NorthEast(MissionModel):
    """A point on the ground of the local frame, metres from the origin."""

    north_m: Annotated[Number, Field(ge=-100_000.0, le=100_000.0)]
    east_m: Annotated[Number, Field(ge=-100_000.0, le=100_000.0)]

    @property
    def as_tuple(self) -> tuple[float, float]:
        return (self.north_m, self.east_m)


LocalFrame = Literal["local_ned"]
