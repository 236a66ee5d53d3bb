"""The edit rendered: the takes' frames one after the other, at one size, captioned."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2

from dronecine.edit.cutting import Take
from dronecine.edit.errors import EditError
from dronecine.edit.recording import ShootRecording
from dronecine.edit.video import ForwardVideoReader, Image

logger = logging.getLogger(__name__)

ROUGH_CUT_FILE = "rough_cut.mp4"
FOURCC = "mp4v"

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_WHITE = (255, 255, 255)

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(frames_written, frames_in_all)`` after each take."""


def caption_parts(take: Take) -> tuple[str, str, str]:
    """What a frame's caption says: scene, drone, camera move."""
    return (take.scene, take.drone, str(take.move))


def draw_caption(image: Image, parts: Sequence[str]) -> None:
    """Write ``parts`` small, separated by middle dots, white on a dark band in the bottom-left corner (in place).

    OpenCV's Hershey fonts have no middle dot, so the dots are drawn as small discs.
    """
    height = image.shape[0]
    scale = max(0.3, 0.5 * height / 480)
    thickness = 1 if height < 720 else 2
    sizes = [cv2.getTextSize(part, _FONT, scale, thickness) for part in parts]
    text_h = max(h for (_, h), _ in sizes)
    baseline = max(b for _, b in sizes)
    gap = max(6, round(text_h * 1.2))
    margin = max(2, height // 90)
    width = sum(w for (w, _), _ in sizes) + gap * (len(parts) - 1)
    bottom = height - margin - baseline
    cv2.rectangle(image, (0, bottom - text_h - 2 * margin), (width + 2 * margin, height), (0, 0, 0), -1)
    x = margin
    for index, (part, ((part_w, _), _)) in enumerate(zip(parts, sizes, strict=True)):
        cv2.putText(image, part, (x, bottom), _FONT, scale, _WHITE, thickness, cv2.LINE_AA)
        x += part_w
        if index < len(parts) - 1:
            centre = (x + gap // 2, bottom - round(0.4 * text_h))
            cv2.circle(image, centre, max(1, text_h // 7), _WHITE, -1, cv2.LINE_AA)
            x += gap


def render_rough_cut(
    takes: Sequence[Take],
    recording: ShootRecording,
    out_path: Path | None = None,
    *,
    frame_size_px: tuple[int, int] | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """Render ``takes`` into ``out_path`` (default ``rough_cut.mp4`` in the output folder); returns the path.

    Every frame is resized to ``frame_size_px`` (width, height; default: the first take's video
    size) and captioned with its take (scene · drone · move). The video runs at ``1 / dt_s`` frames per second, one
    frame per control step of the takes, so it has ``sum(round(take.duration_s / dt_s))`` frames.
    """
    if not takes:
        raise EditError("the edit has no takes: nothing to render")
    path = recording.out_dir / ROUGH_CUT_FILE if out_path is None else Path(out_path)
    total = sum(round(take.duration_s / recording.dt_s) for take in takes)
    readers = {
        drone: ForwardVideoReader(recording.video_path(drone), recording.video_file(drone))
        for drone in recording.drones
    }
    writer: cv2.VideoWriter | None = None
    size = frame_size_px
    written = 0
    try:
        for take in takes:
            reader = readers[take.drone]
            first = recording.telemetry(take.drone).frame_at(take.start_s)
            caption = caption_parts(take)
            for frame in range(first, first + round(take.duration_s / recording.dt_s)):
                image = reader.read(frame)
                if size is None:
                    size = (image.shape[1], image.shape[0])
                if writer is None:
                    writer = _open_writer(path, recording.frame_rate_hz, size)
                if (image.shape[1], image.shape[0]) != size:
                    image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
                draw_caption(image, caption)
                writer.write(image)
                written += 1
            if progress is not None:
                progress(written, total)
    finally:
        if writer is not None:
            writer.release()
        for reader in readers.values():
            reader.close()
    logger.info("wrote %s: %d takes, %d frames", path, len(takes), written)
    return path


def _open_writer(path: Path, rate_hz: float, size: tuple[int, int]) -> cv2.VideoWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC), rate_hz, size)
    if not writer.isOpened():
        raise EditError(f"{path}: cannot write an {FOURCC} video of {size[0]}x{size[1]} at {rate_hz:g} frames/s")
    return writer
