"""Reading a drone's video forward, frame by frame (seeking in mp4 files is not exact; grabbing is)."""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np
from numpy.typing import NDArray

from dronecine.edit.errors import EditError

logger = logging.getLogger(__name__)

Image = NDArray[np.uint8]


class ForwardVideoReader:
    """Frames of one video by index, read in order: later frames are reached with ``grab()``;
    asking for an earlier frame reopens the file (slow, but correct)."""

    def __init__(self, path: Path, name: str) -> None:
        self._path = path
        self._name = name
        self._capture: cv2.VideoCapture | None = None
        self._next = 0

    def _open(self) -> cv2.VideoCapture:
        if not self._path.is_file():
            raise EditError(f"{self._name}: missing (looked in {self._path.parent})")
        capture = cv2.VideoCapture(str(self._path))
        if not capture.isOpened():
            raise EditError(f"{self._name}: cannot be opened as a video")
        self._next = 0
        return capture

    def read(self, frame: int) -> Image:
        """Frame ``frame`` (0 is the first) as a BGR image."""
        if frame < 0:
            raise EditError(f"{self._name}: no frame {frame} (frames count from 0)")
        if self._capture is None or frame < self._next:
            if self._capture is not None:
                logger.debug("%s: reopened to go back from frame %d to %d", self._name, self._next, frame)
                self._capture.release()
            self._capture = self._open()
        while self._next < frame:
            if not self._capture.grab():
                raise EditError(f"{self._name}: ends after {self._next} frames, frame {frame} was asked for")
            self._next += 1
        ok, image = self._capture.read()
        if not ok:
            raise EditError(f"{self._name}: ends after {self._next} frames, frame {frame} was asked for")
        self._next += 1
        return image

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def __enter__(self) -> ForwardVideoReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
