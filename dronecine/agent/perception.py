"""Where the onboard loop's tracker report comes from, behind one protocol.

``--frames`` picks it:

- ``camera:N`` (an OpenCV device), ``file:PATH`` (a video, one frame per control step), or a stream
  URL (``rtsp://…``, ``http://…``): frames through the YOLO detector, the tracker and the subject lock
  (``DetectorPerception``), in this package;
- any other name (``sim``, ``model``, ``NAME:ARG``) is a plugin of the ``dronecine.perception`` entry
  point: the simulator adds ``sim`` (its renderer posed by the drone's own telemetry, then the same
  detector, tracker and lock) and ``model`` (no frames: its perception noise model on the true boxes
  of the mission's subjects), so ``dronecine`` never imports the simulator.

The loop calls ``observe`` once per step during a shot, in a worker thread when ``in_thread`` (the
detector takes tens of milliseconds on a CPU: the event loop, which steps the agent and answers the
station, must not wait on it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from dronecine.agent.errors import AgentError
from dronecine.control import OwnState
from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.mission.document import Mission
from dronecine.mission.subjects import AcquireRule
from dronecine.perception import SubjectTrack
from dronecine.perception.detector import Detector, DetectorSettings, YoloDetector, resolve_weights
from dronecine.perception.frames import (
    STREAM_SCHEMES,
    FrameSource,
    OpenCVSource,
    SourceKind,
)
from dronecine.perception.pipeline import SubjectPipeline
from dronecine.perception.subject_lock import LockSettings

logger = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]
GROUP = "dronecine.perception"


@dataclass(frozen=True)
class PerceptionContext:
    """What a perception is made for: one drone of ``mission``, stepping every ``dt_s``.
    ``weights``: the detector's weights (None: ``resolve_weights``' order); ``seed``: for simulated noise."""

    mission: Mission
    drone_id: str
    dt_s: float
    weights: str | None = None
    seed: int = 0
    imgsz: int = 320

    @property
    def camera(self) -> PinholeCamera:
        return self.mission.drone(self.drone_id).camera.pinhole()


class AgentPerception(Protocol):
    """One drone's detector, tracker and lock (or what stands in for them)."""

    name: str
    in_thread: bool  # observe() is slow: the loop runs it in a worker thread

    def warm_up(self) -> None:
        """Do the slow first things (the detector's first inference) before the loop starts."""
        ...

    def reset(self) -> None:
        """A new shot (perhaps another subject): forget the old lock."""
        ...

    def observe(self, t_s: float, own: OwnState, subject_id: str, expected_feet_ned_m: FloatArray) -> SubjectTrack:
        """The tracker's report (N = 1) at mission time ``t_s``, the drone as ``own`` says (mission
        frame), its subject ``subject_id`` expected with its feet at ``expected_feet_ned_m``."""
        ...

    def close(self) -> None: ...


PerceptionFactory = Callable[[PerceptionContext, str], AgentPerception]


class LatestFrames:
    """Reads a live source in a thread and keeps only its newest frame: a camera at 30 fps read at
    10 Hz would otherwise hand the loop frames from its buffer, ever older."""

    def __init__(self, source: FrameSource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._frame: NDArray[np.uint8] | None = None
        self._fresh = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frames", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = self.source.read()
            if frame is None:
                break
            with self._lock:
                self._frame = frame.image
            self._fresh.set()
        self._fresh.set()  # wake a waiting reader: the source ended

    def latest(self, timeout_s: float) -> NDArray[np.uint8] | None:
        """The newest frame (waits up to ``timeout_s`` for the first); None if there is none."""
        self._fresh.wait(timeout_s)
        with self._lock:
            return self._frame

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.source.close()


class DetectorPerception:
    """Frames (``read`` gives the image for this step) through ``detector``, a tracker and a lock."""

    in_thread = True

    def __init__(
        self,
        name: str,
        read: Callable[[OwnState], NDArray[np.uint8] | None],
        detector: Detector,
        camera: PinholeCamera,
        frame_rate_hz: float,
        within_m: float,
        rule: AcquireRule = AcquireRule.NEAREST_EXPECTED,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._read = read
        self.pipeline = SubjectPipeline(detector, camera, frame_rate_hz, within_m, LockSettings(rule=rule))
        self._on_close = on_close

    def warm_up(self) -> None:
        camera = self.pipeline.camera
        blank = np.zeros((camera.height_px, camera.width_px, 3), np.uint8)
        self.pipeline.detector.detect(blank)  # loads the weights, builds the graph: a second or more on a CPU

    def reset(self) -> None:
        self.pipeline.reset()

    def observe(self, t_s: float, own: OwnState, subject_id: str, expected_feet_ned_m: FloatArray) -> SubjectTrack:
        image = self._read(own)
        if image is None:
            return SubjectTrack.unseen(1)
        pose = own.camera_pose()
        return self.pipeline.observe(
            image, CameraPose(pose.position_ned_m[0], pose.rotation_ned_from_camera[0]), expected_feet_ned_m
        )

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()


def make_detector(context: PerceptionContext) -> YoloDetector:
    """The YOLO detector of ``context`` (its weights, at ``imgsz``)."""
    return YoloDetector(DetectorSettings(weights=resolve_weights(context.weights), imgsz=context.imgsz))


def camera_perception(context: PerceptionContext, kind: SourceKind, target: int | str) -> DetectorPerception:
    """A real camera, video file or stream through the detector, tracker and lock."""
    source = OpenCVSource(kind, target)
    acquire = context.mission.subjects[0].acquire  # one lock for the drone: the first subject's rule
    camera = PinholeCamera(context.camera.hfov_deg, source.width_px, source.height_px)
    detector = make_detector(context)
    if kind == SourceKind.FILE:  # one frame per step: the file plays at the control rate

        def read(_own: OwnState) -> NDArray[np.uint8] | None:
            frame = source.read()
            return None if frame is None else frame.image

        closer: Callable[[], None] = source.close
    else:
        frames = LatestFrames(source)

        def read(_own: OwnState) -> NDArray[np.uint8] | None:
            return frames.latest(timeout_s=1.0)

        closer = frames.close
    return DetectorPerception(
        f"{kind.value} {target}", read, detector, camera, 1.0 / context.dt_s, acquire.within_m, acquire.rule, closer
    )


def open_perception(spec: str, context: PerceptionContext) -> AgentPerception:
    """The perception ``spec`` names (see the module's docstring); ``AgentError`` naming the choices."""
    text = spec.strip()
    name, _, argument = text.partition(":")
    if name == "camera":
        if not argument.isdigit():
            raise AgentError(f"--frames {spec!r}: expected camera:N with N a device index (0, 1, ...)")
        return camera_perception(context, SourceKind.DEVICE, int(argument))
    if name == "file":
        if not argument:
            raise AgentError(f"--frames {spec!r}: expected file:PATH")
        return camera_perception(context, SourceKind.FILE, argument)
    if "://" in text and name.lower() in STREAM_SCHEMES:
        return camera_perception(context, SourceKind.STREAM, text)
    plugins = {entry.name: entry for entry in entry_points(group=GROUP)}
    if name not in plugins:
        known = ", ".join(sorted([*plugins, "camera:N", "file:PATH", "rtsp://…"]))
        raise AgentError(f"--frames {spec!r} is not a frame source (expected one of: {known})")
    try:
        factory: PerceptionFactory = plugins[name].load()
    except ImportError as error:
        raise AgentError(f"--frames {name}: its plugin cannot be loaded ({error})") from error
    return factory(context, argument)
