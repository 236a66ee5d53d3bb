"""Which autopilot each drone of a ``--sitl`` shoot flies: the ``connection`` the mission gives it."""

from __future__ import annotations

from dronecine_sim.shoot.errors import ShootError

from dronecine.flight.errors import LinkUrlError
from dronecine.flight.link_url import parse_link_url
from dronecine.mission.document import Mission

PX4_OFFBOARD_BASE_PORT = 14540  # PX4 SITL instance i sends its onboard/offboard-API link to 14540 + i


def autopilot_urls(mission: Mission) -> dict[str, str]:
    """Each drone's MAVLink URL; a ``ShootError`` names a drone left on ``sim://``, a bad URL, or two
    drones given the same autopilot."""
    urls: dict[str, str] = {}
    for instance, drone in enumerate(mission.drones):
        url = drone.connection
        if url.startswith("sim://"):
            raise ShootError(
                f"drone {drone.id!r}: its connection in the mission is sim://; --sitl flies PX4: give it its "
                f"SITL instance's MAVLink URL (udpin://0.0.0.0:{PX4_OFFBOARD_BASE_PORT + instance} for instance "
                f"{instance}, as launch/px4_sitl.py starts them)"
            )
        try:
            parse_link_url(url)
        except LinkUrlError as error:
            raise ShootError(f"drone {drone.id!r}: {error}") from error
        twin = next((other for other, seen in urls.items() if seen == url), None)
        if twin is not None:
            raise ShootError(f"drones {twin!r} and {drone.id!r} have the same connection {url}: one autopilot each")
        urls[drone.id] = url
    return urls
