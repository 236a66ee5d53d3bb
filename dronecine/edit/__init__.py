"""Post-production of a shoot: read its output folder, choose the edit, write it as OTIO and render it.

``ShootRecording.load(out_dir)`` reads what a shoot wrote (docs/shoot_outputs.md);
``choose_takes(recording)`` cuts between the drones by shot quality and each scene's pace;
``write_otio(takes, recording)`` writes ``edit.otio``; ``render_rough_cut(takes, recording)``
renders ``rough_cut.mp4``.
"""

from dronecine.edit.cutting import DEFAULT_CUTTING, CuttingParams, PaceRule, Take, choose_takes
from dronecine.edit.errors import EditError, RecordingError
from dronecine.edit.logs import DroneSummary, Event, ShootSummary, ShotEntry
from dronecine.edit.otio_edit import build_timeline, write_otio
from dronecine.edit.recording import SceneSpan, ShootRecording
from dronecine.edit.rough_cut import render_rough_cut
from dronecine.edit.telemetry import NO_SCENE, DroneTelemetry, SubjectTrack, SubjectTracks
from dronecine.edit.vocabulary import DroneMode, EventKind, SafetyReason, TrackState

__all__ = [
    "DEFAULT_CUTTING",
    "NO_SCENE",
    "CuttingParams",
    "DroneMode",
    "DroneSummary",
    "DroneTelemetry",
    "EditError",
    "Event",
    "EventKind",
    "PaceRule",
    "RecordingError",
    "SafetyReason",
    "SceneSpan",
    "ShootRecording",
    "ShootSummary",
    "ShotEntry",
    "SubjectTrack",
    "SubjectTracks",
    "Take",
    "TrackState",
    "build_timeline",
    "choose_takes",
    "render_rough_cut",
    "write_otio",
]
