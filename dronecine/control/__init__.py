"""Control: what a policy sees and does, shared by the simulator and the onboard agent.

``ShotObserver`` builds the observation vector (``spaces.OBSERVATION``) from the tracker's report
and the drone's telemetry; ``setpoints_from_action`` turns the action vector (``spaces.ACTION``)
into velocity, yaw-rate and gimbal-rate setpoints. ``LearnedPolicy`` runs a trained policy from its
file (``PolicyFile``) with numpy alone.
"""

from dronecine.control.action import ActionScale, Setpoints, setpoints_from_action
from dronecine.control.baseline import BaselineController, BaselineGains
from dronecine.control.errors import ControlError, PolicyFileError
from dronecine.control.estimator import SubjectEstimator
from dronecine.control.learned import LearnedPolicy
from dronecine.control.observer import ShotObserver
from dronecine.control.own_state import OwnState
from dronecine.control.policy import Policy
from dronecine.control.policy_file import BUNDLED, PolicyFile, load_policy_file
from dronecine.control.spaces import ACTION, MOVE_ORDER, OBSERVATION, SPEC_VERSION, Field, Layout

__all__ = [
    "ACTION",
    "BUNDLED",
    "MOVE_ORDER",
    "OBSERVATION",
    "SPEC_VERSION",
    "ActionScale",
    "BaselineController",
    "BaselineGains",
    "ControlError",
    "Field",
    "Layout",
    "LearnedPolicy",
    "OwnState",
    "Policy",
    "PolicyFile",
    "PolicyFileError",
    "Setpoints",
    "ShotObserver",
    "SubjectEstimator",
    "load_policy_file",
    "setpoints_from_action",
]
