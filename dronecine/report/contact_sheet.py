"""The contact sheet: one frame per (scene, drone), from the middle of the drone's filming in that scene."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from matplotlib.figure import Figure

from dronecine.edit import EditError, ShootRecording
from dronecine.edit.video import ForwardVideoReader, Image

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTH_PX = 400


@dataclass(frozen=True, eq=False)
class ContactFrame:
    """A cell of the sheet. ``image`` (RGB) is None when the drone never filmed the scene or its video failed;
    ``note`` then says why."""

    scene_index: int
    drone: str
    frame: int | None
    t_s: float | None
    image: Image | None
    note: str


def middle_filming_frame(recording: ShootRecording, scene_index: int, drone: str) -> int | None:
    """The frame (= telemetry line) in the middle of the drone's filming steps of the scene."""
    telemetry = recording.telemetry(drone)
    steps = np.flatnonzero(telemetry.filming & (telemetry.scene_index == scene_index))
    return int(steps[len(steps) // 2]) if steps.size else None


def contact_frames(recording: ShootRecording) -> list[ContactFrame]:
    """Every (scene, drone) cell, read from the videos in frame order (each video read forward once)."""
    cells: dict[tuple[int, str], ContactFrame] = {}
    for drone in recording.drones:
        wanted = sorted(
            ((middle_filming_frame(recording, scene.index, drone), scene.index) for scene in recording.scenes),
            key=lambda item: (item[0] is None, item[0] or 0),
        )
        telemetry = recording.telemetry(drone)
        failure: str | None = None
        with ForwardVideoReader(recording.video_path(drone), recording.video_file(drone)) as reader:
            for frame, scene_index in wanted:
                if frame is None:
                    cells[scene_index, drone] = ContactFrame(scene_index, drone, None, None, None, "did not film")
                    continue
                t_s = float(telemetry.t_s[frame])
                image = None
                if failure is None:
                    try:
                        image = _thumbnail(reader.read(frame))
                    except EditError as error:
                        failure = str(error)
                        logger.warning("contact sheet: %s", failure)
                note = "" if image is not None else f"no picture: {failure}"
                cells[scene_index, drone] = ContactFrame(scene_index, drone, frame, t_s, image, note)
    return [cells[scene.index, drone] for scene in recording.scenes for drone in recording.drones]


def _thumbnail(image: Image) -> Image:
    height, width = image.shape[:2]
    if width > THUMBNAIL_WIDTH_PX:
        size = (THUMBNAIL_WIDTH_PX, max(1, round(height * THUMBNAIL_WIDTH_PX / width)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def plot_contact_sheet(recording: ShootRecording, out_path: Path) -> Path:
    """A grid of frames: a row per scene, a column per drone, each labelled with its shot and time."""
    cells = contact_frames(recording)
    rows, columns = max(1, len(recording.scenes)), len(recording.drones)
    fig = Figure(figsize=(3.3 * columns, 0.6 + 2.15 * rows), dpi=100)
    axes = fig.subplots(rows, columns, squeeze=False)
    for cell in cells:
        row = next(i for i, scene in enumerate(recording.scenes) if scene.index == cell.scene_index)
        ax = axes[row, recording.drones.index(cell.drone)]
        shot = recording.shot(cell.scene_index, cell.drone)
        title = cell.drone if shot is None else f"{cell.drone} · {shot.move} · {shot.size}"
        if cell.image is not None:
            ax.imshow(cell.image)
            title += f"\nt {cell.t_s:.1f} s, frame {cell.frame}"
        else:
            ax.set_facecolor("#eeeeee")
            ax.text(0.5, 0.5, cell.note, ha="center", va="center", fontsize=8, wrap=True, transform=ax.transAxes)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    for row, scene in enumerate(recording.scenes):
        axes[row, 0].set_ylabel(f"{scene.name}\n({scene.pace})", fontsize=9)
    fig.suptitle("Contact sheet: the middle of each drone's filming, per scene", fontsize=11)
    fig.tight_layout()
    fig.savefig(out_path, bbox_inches="tight")
    return out_path
