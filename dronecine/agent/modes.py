"""What an onboard agent is doing."""

from __future__ import annotations

from enum import StrEnum


class AgentMode(StrEnum):
    PARKED = "parked"  # on the ground, motors off, before its take-off time
    TAKEOFF = "takeoff"  # climbing straight up from home
    TRANSIT = "transit"  # flying to its next marks (the pre-roll, between scenes, detours)
    FILMING = "filming"  # the policy flies the shot
    SEARCH = "search"  # the subject is lost while filming: holding position, the camera sweeping for it
    HOLD = "hold"  # hovering, camera on the subject (waiting for action, a scene without a shot, abort)
    RETURN = "return"  # flying home at its take-off height
    LAND = "land"  # descending over home (or where it is, a failsafe landing)
    LANDED = "landed"

    @property
    def flying(self) -> bool:
        return self not in (AgentMode.PARKED, AgentMode.LANDED)

    @property
    def on_shot(self) -> bool:
        """Whether the shot is being filmed, well or not (a search is part of the shot's footage)."""
        return self in (AgentMode.FILMING, AgentMode.SEARCH)

    @property
    def keeps_floor(self) -> bool:
        """Whether the safety floor applies: not while leaving or reaching the ground."""
        return self in (AgentMode.TRANSIT, AgentMode.FILMING, AgentMode.SEARCH, AgentMode.HOLD, AgentMode.RETURN)
