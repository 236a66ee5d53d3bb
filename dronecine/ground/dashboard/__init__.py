"""The ground station's dashboard: watch and command a shoot from a browser (docs/dashboard.md).

``set_view`` and ``live_frame`` build the page's data from a plan and a station; a ``LiveFeed``
carries frames to the server's thread and a ``ShootControl`` carries commands back. The web
application (``app.Dashboard``, ``app.create_app``) and its server (``serve.DashboardServer``)
import FastAPI and uvicorn: import them from their modules, where a dashboard is served.
"""

from dronecine.ground.dashboard.control import ControlAction, ControlRefusedError, ShootControl, StationControl
from dronecine.ground.dashboard.frames import LiveFeed, Phase, live_frame
from dronecine.ground.dashboard.replay import Replay
from dronecine.ground.dashboard.set_view import SET_FILE, set_view, subjects_at

__all__ = [
    "SET_FILE",
    "ControlAction",
    "ControlRefusedError",
    "LiveFeed",
    "Phase",
    "Replay",
    "ShootControl",
    "StationControl",
    "live_frame",
    "set_view",
    "subjects_at",
]
