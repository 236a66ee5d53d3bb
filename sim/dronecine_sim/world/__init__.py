"""The world the drones fly in: flat ground at ``down = 0`` and axis-aligned box buildings.

All positions are local NED in metres. ``Buildings`` answers batched questions the simulator asks
every step: how much of a subject is hidden from a camera (``occluded_fraction``), how far a drone is
from the nearest wall (``clearance_m``, negative inside: a crash), whether points are ``inside``.
``World`` bundles the buildings with the ground's look and a seed; ``dronecine_sim.render`` draws it.
"""

from dronecine_sim.world.buildings import FACADE_PALETTE_BGR, Buildings
from dronecine_sim.world.errors import WorldError
from dronecine_sim.world.world import GroundStyle, World

__all__ = ["FACADE_PALETTE_BGR", "Buildings", "GroundStyle", "World", "WorldError"]
