"""Drones, their cameras and gimbals, and the characters that give each its cinematic rules."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from dronecine.geometry import PinholeCamera
from dronecine.mission.base import MissionModel, Number
from dronecine.mission.geo import NorthEast
from dronecine.shots import Composition, Framing, MoveName, ShotSize

# MAVSDK/pymavlink-style connection URLs dronecine accepts.
_CONNECTION = re.compile(r"^(udpin|udpout|udp|tcpin|tcpout|tcp)://[^:/\s]+:\d{1,5}$|^serial://[^:\s]+(:\d+)?$|^sim://$")
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class Camera(MissionModel):
    hfov_deg: Annotated[Number, Field(ge=10.0, le=170.0)] = 84.0
    width_px: Annotated[int, Field(ge=64, le=8192, strict=True)] = 1920
    height_px: Annotated[int, Field(ge=64, le=8192, strict=True)] = 1080
    fps_hz: Annotated[Number, Field(gt=0.0, le=240.0)] = 30.0

    def pinhole(self) -> PinholeCamera:
        return PinholeCamera(self.hfov_deg, self.width_px, self.height_px)


class Gimbal(MissionModel):
    pitch_min_deg: Annotated[Number, Field(ge=-135.0, le=0.0)] = -90.0
    pitch_max_deg: Annotated[Number, Field(ge=-90.0, le=90.0)] = 30.0
    yaw_min_deg: Annotated[Number, Field(ge=-360.0, le=0.0)] = -180.0
    yaw_max_deg: Annotated[Number, Field(ge=0.0, le=360.0)] = 180.0
    max_rate_deg_s: Annotated[Number, Field(gt=0.0, le=720.0)] = 90.0

    @model_validator(mode="after")
    def _ordered(self) -> Gimbal:
        if self.pitch_min_deg >= self.pitch_max_deg:
            raise ValueError(f"pitch_min_deg {self.pitch_min_deg:g} must be below pitch_max_deg {self.pitch_max_deg:g}")
        return self


class Drone(MissionModel):
    id: Identifier
    connection: str = Field("sim://", description="udpin://host:port, tcp://host:port, serial://dev:baud, or sim://")
    home: NorthEast
    camera: Camera = Camera()
    gimbal: Gimbal = Gimbal()
    character: str

    @field_validator("connection")
    @classmethod
    def _url(cls, value: str) -> str:
        if not _CONNECTION.match(value):
            raise ValueError(
                f"{value!r} is not a connection URL (expected udpin://HOST:PORT, udpout://HOST:PORT, "
                "tcp://HOST:PORT, serial://DEVICE:BAUD or sim://)"
            )
        return value


class Band(MissionModel):
    """A range of values; the unit is the parent key's (``height_m: {min: 3, max: 10}``)."""

    min: Number
    max: Number

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self

    def contains(self, value: float) -> bool:
        return self.min <= value <= self.max


class FramingSpec(MissionModel):
    composition: Composition = Composition.CENTRE
    lead_room: Annotated[Number, Field(ge=0.0, le=1.0)] = 1.0
    headroom: Annotated[Number | None, Field(ge=0.0, le=0.5)] = None

    def framing(self) -> Framing:
        return Framing(composition=self.composition, lead_room=self.lead_room, headroom=self.headroom)


class Character(MissionModel):
    """A drone's cinematic personality: the rules it films by when a shot leaves it free."""

    description: str = ""
    sizes: Annotated[tuple[ShotSize, ...], Field(min_length=1)]
    moves: Annotated[tuple[MoveName, ...], Field(min_length=1)]
    distance_m: Band
    height_m: Band
    smoothness: Annotated[Number, Field(ge=0.0, le=1.0, description="1: the gentlest accelerations")] = 0.7
    boldness: Annotated[Number, Field(ge=0.0, le=1.0, description="1: the fastest, widest moves")] = 0.5
    framing: FramingSpec = FramingSpec()

    @field_validator("height_m")
    @classmethod
    def _above_ground(cls, band: Band) -> Band:
        if band.min < 1.5:
            raise ValueError(f"min {band.min:g} is below the lowest filming height (expected at least 1.5 m)")
        return band
