"""Which MAVLink library a flight link is built on: pymavlink (always installed) or MAVSDK (optional)."""

from __future__ import annotations

import enum

from dronecine.flight.errors import LinkError
from dronecine.flight.link import FlightLink


class LinkChoice(enum.StrEnum):
    PYMAVLINK = "pymavlink"
    MAVSDK = "mavsdk"


def make_link(choice: LinkChoice) -> FlightLink:
    """The flight link; MAVSDK's is imported only when asked for (it is optional)."""
    if choice == LinkChoice.MAVSDK:
        try:
            from dronecine.flight.mavsdk_link import MavsdkLink
        except ImportError as error:
            raise LinkError(f"--link mavsdk is not available here ({error}): use --link pymavlink") from error
        return MavsdkLink()
    from dronecine.flight.pymavlink_link import PymavlinkLink

    return PymavlinkLink()
