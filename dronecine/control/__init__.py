"""Control: what a policy sees and does, shared by the simulator and the onboard agent.

``ShotObserver`` builds the observation vector (``spaces.OBSERVATION``) from the tracker's report
and the drone's telemetry; ``setpoints_from_action`` turns the action vector (``spaces.ACTION``)
into velocity, yaw-rate and gimbal-rate setpoints.
"""

from dronecine.control.action import ActionScale, Setpoints, setpoints_from_action
from dronecine.control.errors import ControlError
from dronecine.control.estimator import SubjectEstimator
from dronecine.control.observer import ShotObserver
from dronecine.control.own_state import OwnState
from dronecine.control.spaces import ACTION, MOVE_ORDER, OBSERVATION, SPEC_VERSION, Field, Layout

__all__ = [
    "ACTION",
    "MOVE_ORDER",
    "OBSERVATION",
    "SPEC_VERSION",
    "ActionScale",
    "ControlError",
    "Field",
    "Layout",
    "OwnState",
    "Setpoints",
    "ShotObserver",
    "SubjectEstimator",
    "setpoints_from_action",
]
