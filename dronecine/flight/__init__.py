"""Flight: the safety supervisor between the policy and the flight link (and, later, the links).

``SafetySupervisor(SafetyLimits.from_mission(mission.safety))`` per drone; each control step
``supervisor.filter(...)`` returns the ``SafeCommand`` to send.
"""

from dronecine.flight.errors import FlightError, SafetyError
from dronecine.flight.geofence import Geofence
from dronecine.flight.limits import SafetyLimits, allowed_speed_m_s, planning_lag_s, stopping_distance_m
from dronecine.flight.safety import Intervention, SafeCommand, SafetySupervisor

__all__ = [
    "FlightError",
    "Geofence",
    "Intervention",
    "SafeCommand",
    "SafetyError",
    "SafetyLimits",
    "SafetySupervisor",
    "allowed_speed_m_s",
    "planning_lag_s",
    "stopping_distance_m",
]
