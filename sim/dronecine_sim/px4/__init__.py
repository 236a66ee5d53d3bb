"""A PX4-like MAVLink vehicle for tests: PX4 as a MAVLink client sees it, on the simulator's model.

``Px4Vehicle(Px4VehicleConfig(instance=0, port=0, time_scale=4.0))`` runs one drone on UDP loopback
(start/stop/restart, ``port``, ``snapshot()``); ``LossyRelay`` sits between a link and the vehicle
to drop, delay and corrupt datagrams. ``python -m dronecine_sim.px4 --port 14580 --instance 0`` runs
one by hand (QGroundControl, mavproxy). What it models and where it differs from PX4:
``docs/flight_link.md``.
"""

from dronecine_sim.px4.core import Battery, Landed
from dronecine_sim.px4.errors import Px4ParamError, Px4SimError
from dronecine_sim.px4.modes import Px4Mode
from dronecine_sim.px4.relay import LossyRelay, RelayConfig
from dronecine_sim.px4.telemetry import Origin
from dronecine_sim.px4.vehicle import Px4Vehicle, Px4VehicleConfig, VehicleSnapshot

__all__ = [
    "Battery",
    "Landed",
    "LossyRelay",
    "Origin",
    "Px4Mode",
    "Px4ParamError",
    "Px4SimError",
    "Px4Vehicle",
    "Px4VehicleConfig",
    "RelayConfig",
    "VehicleSnapshot",
]
