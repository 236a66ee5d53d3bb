"""The safety block: where drones may fly, how fast, how close, and what to do on failures."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from dronecine.mission.base import MissionModel, Number
from dronecine.mission.geo import NorthEast


class FailsafeAction(StrEnum):
    HOLD = "hold"
    RETURN = "return"
    LAND = "land"


class Safety(MissionModel):
    geofence: Annotated[
        tuple[NorthEast, ...],
        Field(min_length=3, description="polygon the drones must stay inside (vertices in order)"),
    ]
    ceiling_m: Annotated[Number, Field(gt=0.0, le=500.0, description="highest flight height above the origin")]
    floor_m: Annotated[Number, Field(ge=0.0, le=500.0, description="lowest height while filming (not for take-off)")]
    min_separation_m: Annotated[Number, Field(gt=0.0, le=200.0, description="closest two drones may come")]
    max_horizontal_speed_m_s: Annotated[Number, Field(gt=0.0, le=25.0)] = 8.0
    max_vertical_speed_m_s: Annotated[Number, Field(gt=0.0, le=10.0)] = 3.0
    max_yaw_rate_deg_s: Annotated[Number, Field(gt=0.0, le=360.0)] = 60.0
    subject_clearance_m: Annotated[
        Number, Field(gt=0.0, le=50.0, description="closest a drone may come to the subject it films")
    ] = 1.5
    person_clearance_m: Annotated[
        Number, Field(gt=0.0, le=50.0, description="closest a drone may come to anyone else (beyond their wandering)")
    ] = 2.5
    datalink_loss_action: FailsafeAction = FailsafeAction.RETURN
    datalink_loss_timeout_s: Annotated[Number, Field(gt=0.0, le=120.0)] = 5.0
    battery_return_percent: Annotated[Number, Field(ge=5.0, le=90.0)] = 30.0
    abort_action: FailsafeAction = FailsafeAction.HOLD
