"""Camera frames for the onboard agent, behind one ``FrameSource`` protocol.

The agent code is the same in sim, SITL and real flight; only where the frames come from
changes. ``open_frame_source`` turns the spec a crew writes (a device index, a video file,
an RTSP/RTMP/HTTP URL, a GStreamer pipeline) into an ``OpenCVSource``; ``ArraySource`` serves
frames from memory for tests and the simulator.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine.perception.errors import FrameSourceError

logger = logging.getLogger(__name__)

ImageArray = NDArray[np.uint8]

STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "tcp", "srt"})
DEFAULT_OPEN_TIMEOUT_S = 10.0


@dataclass(frozen=True, eq=False)
class Frame:
    """One camera image and when it was taken.

    ``t_s`` is ``time.monotonic()`` at capture for live sources and the frame's position in the
    file for video files, so the tracker's motion model sees real time between frames either way.
    """

    image: ImageArray  # (H, W, 3) uint8, BGR (OpenCV order)
    t_s: float
    index: int  # 0 for the first frame this source delivered


@runtime_checkable
class FrameSource(Protocol):
    """Where the agent's frames come from; ``read`` returns None once there are no more."""

    @property
    def width_px(self) -> int: ...

    @property
    def height_px(self) -> int: ...

    @property
    def fps(self) -> float:
        """Nominal frame rate; 0.0 when the source does not say."""
        ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class FrameSourceBase:
    """What the implementations share: ``read`` numbering the frames (a first frame taken early, to check
    the source at open, is served first), context-manager and iteration support. An implementation
    supplies ``_next``: the next image and its time, or None at the end."""

    closed: bool = False
    _index: int = 0
    _pending: tuple[ImageArray, float] | None = None

    def _next(self) -> tuple[ImageArray, float] | None:
        raise NotImplementedError

    def _at_end(self) -> None:
        """Called when the source has no more frames."""

    def read(self) -> Frame | None:
        if self.closed:
            return None
        grabbed, self._pending = (self._pending, None) if self._pending is not None else (self._next(), None)
        if grabbed is None:
            self._at_end()
            return None
        image, t_s = grabbed
        frame = Frame(image, t_s, self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame


def check_bgr_image(image: object, what: str) -> ImageArray:
    """Check that ``image`` is an (H, W, 3) uint8 array; ``what`` names it in the error."""
    if not isinstance(image, np.ndarray):
        raise FrameSourceError(f"{what} is a {type(image).__name__}, expected a numpy array (H, W, 3) uint8 BGR")
    if image.dtype != np.uint8:
        raise FrameSourceError(f"{what} has dtype {image.dtype}, expected uint8 (H, W, 3) BGR")
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise FrameSourceError(f"{what} has shape {image.shape}, expected (H, W, 3) BGR")
    return image


class ArraySource(FrameSourceBase):
    """Frames from images in memory, timed ``start_t_s + index / fps``.

    Images are checked as they are read (the iterable may be a lazy renderer) and passed on
    without a copy. The first image is taken at construction to know the frame size.
    """

    def __init__(self, images: Iterable[ImageArray], fps: float, start_t_s: float = 0.0) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise FrameSourceError(f"ArraySource fps is {fps}, expected a positive number")
        self._fps = float(fps)
        self._start_t_s = float(start_t_s)
        self._images = iter(images)
        first = next(self._images, None)
        if first is None:
            raise FrameSourceError("ArraySource got no images, expected at least one")
        image = check_bgr_image(first, "ArraySource image 0")
        self._shape = image.shape
        self._pending = (image, self._start_t_s)

    @property
    def width_px(self) -> int:
        return int(self._shape[1])

    @property
    def height_px(self) -> int:
        return int(self._shape[0])

    @property
    def fps(self) -> float:
        return self._fps

    def _next(self) -> tuple[ImageArray, float] | None:
        raw = next(self._images, None)
        if raw is None:
            return None
        image = check_bgr_image(raw, f"ArraySource image {self._index}")
        if image.shape != self._shape:
            raise FrameSourceError(
                f"ArraySource image {self._index} has shape {image.shape}, expected {self._shape} like image 0"
            )
        return image, self._start_t_s + self._index / self._fps


class SourceKind(Enum):
    """What an ``OpenCVSource`` reads from; it decides how to open it and how to time frames."""

    DEVICE = "camera"
    FILE = "video file"
    STREAM = "stream"
    GSTREAMER = "GStreamer pipeline"


def parse_frame_source_spec(spec: str | int) -> tuple[SourceKind, int | str]:
    """Tell a device index, a GStreamer pipeline, a stream URL and a file path apart."""
    if isinstance(spec, bool) or not isinstance(spec, (int, str)):
        raise FrameSourceError(f"frame source spec {spec!r} is not a str or int")
    if isinstance(spec, int) or spec.strip().lstrip("-").isdigit():
        index = int(spec)
        if index < 0:
            raise FrameSourceError(f"camera index {index} is negative, expected 0, 1, ...")
        return SourceKind.DEVICE, index
    text = spec.strip()
    if not text:
        raise FrameSourceError("frame source spec is empty, expected a camera index, video file, URL or pipeline")
    if " ! " in text:
        return SourceKind.GSTREAMER, text
    if "://" in text and urlsplit(text).scheme.lower() in STREAM_SCHEMES:
        return SourceKind.STREAM, text
    return SourceKind.FILE, text


def redact_url(url: str) -> str:
    """The URL without its password, fit for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc))


class OpenCVSource(FrameSourceBase):
    """Frames from ``cv2.VideoCapture``: a camera, a video file, a network stream or a GStreamer pipeline.

    A video file is checked by decoding its first frame here, so a bad file fails at open and
    not in the middle of a shot.
    """

    def __init__(self, kind: SourceKind, target: int | str, open_timeout_s: float = DEFAULT_OPEN_TIMEOUT_S) -> None:
        self.kind = kind
        self.name = _describe(kind, target)
        self._last_t_s = -math.inf
        if kind is SourceKind.FILE and not Path(str(target)).expanduser().exists():
            raise FrameSourceError(f"{self.name} does not exist")
        if kind is SourceKind.FILE and Path(str(target)).expanduser().is_dir():
            raise FrameSourceError(f"{self.name} is a directory, expected a video file")
        if kind is SourceKind.GSTREAMER and not cv2.videoio_registry.hasBackend(cv2.CAP_GSTREAMER):
            raise FrameSourceError(
                f"could not open {self.name}: this OpenCV is built without GStreamer (see cv2.getBuildInformation())"
            )
        self._cap = self._open(kind, target, open_timeout_s)
        if not self._cap.isOpened():
            self._cap.release()
            raise FrameSourceError(_open_failure(kind, self.name))
        self._fps = _finite_or_zero(self._cap.get(cv2.CAP_PROP_FPS))
        self._width_px = int(_finite_or_zero(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)))
        self._height_px = int(_finite_or_zero(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        if kind is SourceKind.FILE:
            try:
                self._pending = self._next()
            finally:
                if self._pending is None:  # no frame, or _next raised: do not leak the capture
                    self._cap.release()
            if self._pending is None:
                raise FrameSourceError(f"{self.name} has no frame OpenCV can decode (not a video, or an unknown codec)")
        logger.info("opened %s: %dx%d at %.3g fps", self.name, self._width_px, self._height_px, self._fps)

    @staticmethod
    def _open(kind: SourceKind, target: int | str, open_timeout_s: float) -> cv2.VideoCapture:
        """Open the capture; OpenCV's own exceptions become ``FrameSourceError`` with their cause."""
        try:
            if kind is SourceKind.GSTREAMER:
                return cv2.VideoCapture(str(target), cv2.CAP_GSTREAMER)
            if kind is SourceKind.STREAM:
                timeout_ms = round(open_timeout_s * 1000)
                params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
                return cv2.VideoCapture(str(target), cv2.CAP_ANY, params)
            if kind is SourceKind.DEVICE:
                return cv2.VideoCapture(int(target), cv2.CAP_ANY)
            return cv2.VideoCapture(str(Path(str(target)).expanduser()), cv2.CAP_ANY)
        except cv2.error as exc:
            raise FrameSourceError(f"{_open_failure(kind, _describe(kind, target))}: {_one_line(exc)}") from exc

    @property
    def width_px(self) -> int:
        return self._width_px

    @property
    def height_px(self) -> int:
        return self._height_px

    @property
    def fps(self) -> float:
        return self._fps

    def _at_end(self) -> None:
        if self.kind is not SourceKind.FILE:
            logger.info("%s returned no frame after %d frames; treating it as closed", self.name, self._index)

    def _next(self) -> tuple[ImageArray, float] | None:
        """Read the next image and its time, or None at the end."""
        try:
            ok, raw = self._cap.read()
        except cv2.error as exc:
            raise FrameSourceError(f"reading {self.name} failed: {_one_line(exc)}") from exc
        if not ok or raw is None:
            return None
        t_s = time.monotonic() if self.kind is not SourceKind.FILE else self._file_time_s()
        image = check_bgr_image(_to_bgr(raw), f"frame {self._index} of {self.name}")
        if self._width_px <= 0 or self._height_px <= 0:  # some live backends only know the size after a frame
            self._height_px, self._width_px = image.shape[:2]
        return image, t_s

    def _file_time_s(self) -> float:
        """The decoded frame's position in the file; index / fps where the backend gives none that increases."""
        pos_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        if math.isfinite(pos_ms) and pos_ms >= 0 and pos_ms / 1000.0 > self._last_t_s:
            t_s = pos_ms / 1000.0
        else:
            t_s = self._index / self._fps if self._fps > 0 else float(self._index)
            t_s = max(t_s, math.nextafter(self._last_t_s, math.inf))
        self._last_t_s = t_s
        return t_s

    def close(self) -> None:
        if not self.closed:
            self._cap.release()
            self._pending = None
            logger.info("closed %s after %d frames", self.name, self._index)
        super().close()


def open_frame_source(spec: str | int, open_timeout_s: float = DEFAULT_OPEN_TIMEOUT_S) -> FrameSource:
    """Open a camera index ("0"), video file, stream URL ("rtsp://...") or GStreamer pipeline (has " ! ")."""
    kind, target = parse_frame_source_spec(spec)
    return OpenCVSource(kind, target, open_timeout_s)


def _describe(kind: SourceKind, target: int | str) -> str:
    if kind is SourceKind.STREAM:
        return f"{kind.value} {redact_url(str(target))}"
    if kind is SourceKind.GSTREAMER:
        return f"{kind.value} '{target}'"
    return f"{kind.value} {target}"


def _open_failure(kind: SourceKind, name: str) -> str:
    hints = {
        SourceKind.DEVICE: "no such device, or in use by another program?",
        SourceKind.FILE: "not a video, or a codec this OpenCV cannot decode?",
        SourceKind.STREAM: "unreachable, wrong path or credentials, or timed out?",
        SourceKind.GSTREAMER: "check the elements and that it ends in appsink; see cv2.getBuildInformation()",
    }
    return f"could not open {name} ({hints[kind]})"


def _to_bgr(raw: NDArray[np.generic]) -> NDArray[np.generic]:
    """Grey and BGRA images from some cameras become BGR; anything else is left for the check to reject."""
    if raw.ndim == 2 or (raw.ndim == 3 and raw.shape[2] == 1):
        return cv2.cvtColor(raw, cv2.COLOR_GRAY2BGR)
    if raw.ndim == 3 and raw.shape[2] == 4:
        return cv2.cvtColor(raw, cv2.COLOR_BGRA2BGR)
    return raw


def _finite_or_zero(value: float) -> float:
    return float(value) if math.isfinite(value) and value > 0 else 0.0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
