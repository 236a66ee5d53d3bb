"""Flight: the safety supervisor between the policy and the flight link, and the links.

``SafetySupervisor(SafetyLimits.from_mission(mission.safety))`` per drone; each control step
``supervisor.filter(...)`` returns the ``SafeCommand`` to send. The links (``PymavlinkLink``,
``MavsdkLink``: ``dronecine.flight.link.FlightLink``) are imported on first use, so that the
supervisor alone does not load pymavlink's dialect or MAVSDK's native library.
"""

from dronecine.flight.errors import FlightError, SafetyError
from dronecine.flight.geofence import Geofence
from dronecine.flight.limits import SafetyLimits, allowed_speed_m_s, planning_lag_s, stopping_distance_m
from dronecine.flight.people import PersonZone
from dronecine.flight.safety import Intervention, SafeCommand, SafetySupervisor

_LAZY = {
    "MavsdkLink": "dronecine.flight.mavsdk_link",
    "PymavlinkLink": "dronecine.flight.pymavlink_link",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FlightError",
    "Geofence",
    "Intervention",
    "MavsdkLink",
    "PersonZone",
    "PymavlinkLink",
    "SafeCommand",
    "SafetyError",
    "SafetyLimits",
    "SafetySupervisor",
    "allowed_speed_m_s",
    "planning_lag_s",
    "stopping_distance_m",
]
