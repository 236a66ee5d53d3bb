"""``dronecine shoot --sitl``: the mission flown by PX4 SITL instances instead of the simulator.

The same onboard agents (``dronecine.agent.AgentRuntime``) and ground station
(``dronecine.ground.serving.StationServer``) as in the field, in one process, over real MAVLink and
WebSocket sockets; the simulator only draws the mission's people for the cameras and the videos.
The outputs are the simulated shoot's (``docs/shoot_outputs.md``).
"""

from dronecine_sim.shoot.sitl.autopilots import autopilot_urls
from dronecine_sim.shoot.sitl.runner import SitlSettings, run_sitl_shoot

__all__ = ["SitlSettings", "autopilot_urls", "run_sitl_shoot"]
