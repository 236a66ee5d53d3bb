"""The shot language: sizes, framing and camera moves as reference generators.

A ``Shot`` combines a ``CameraMove`` (where the camera goes, relative to the subject), a
``ShotSize`` (how big the subject appears) and a ``Framing`` (where in the image it sits);
``Shot.reference(t_s, subject, anchor)`` gives the camera's desired position, pointing and
image target at any time; ``ShotBatch.reference`` gives them for many drones at once.
"""

from dronecine.shots.batch import ShotBatch
from dronecine.shots.framing import Composition, Framing
from dronecine.shots.moves import MOVES, CameraMove, MoveName, build_move
from dronecine.shots.params import ParamSpec, ShotError, param_specs
from dronecine.shots.reference import CameraReferences, ShotSettings
from dronecine.shots.shot import CameraReference, ImageTarget, Shot
from dronecine.shots.sizes import ShotSize
from dronecine.shots.subject import SubjectState

__all__ = [
    "MOVES",
    "CameraMove",
    "CameraReference",
    "CameraReferences",
    "Composition",
    "Framing",
    "ImageTarget",
    "MoveName",
    "ParamSpec",
    "Shot",
    "ShotBatch",
    "ShotError",
    "ShotSettings",
    "ShotSize",
    "SubjectState",
    "build_move",
    "param_specs",
]
