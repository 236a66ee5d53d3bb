"""The edit as an OpenTimelineIO timeline: one video track, one clip per take, a marker per scene."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import opentimelineio as otio

from dronecine.edit.cutting import Take
from dronecine.edit.errors import EditError
from dronecine.edit.recording import ShootRecording

logger = logging.getLogger(__name__)

EDIT_FILE = "edit.otio"
METADATA_KEY = "dronecine"


def _frames(count: float, rate_hz: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(count, rate_hz)


def build_timeline(takes: Sequence[Take], recording: ShootRecording) -> otio.schema.Timeline:
    """The timeline of ``takes`` (in order, back to back) over the drones' videos.

    Clip media are ``ExternalReference``s to the videos by their path relative to the output
    folder, available over the whole video; a clip's source range is its take's frames (frame
    ``k`` is line ``k`` of the drone's telemetry). Times are in frames at ``1 / dt_s``.
    """
    rate_hz = recording.frame_rate_hz
    timeline = otio.schema.Timeline(name=recording.summary.mission)
    timeline.metadata[METADATA_KEY] = {"dt_s": recording.dt_s, "seed": recording.summary.seed}
    track = otio.schema.Track(name="drones", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    paces = {scene.index: scene.pace for scene in recording.scenes}
    record_frame = 0
    scene_seen: set[int] = set()
    for take in takes:
        telemetry = recording.telemetry(take.drone)
        first = telemetry.frame_at(take.start_s)
        count = round(take.duration_s / recording.dt_s)
        if first < 0 or first + count > telemetry.steps:
            raise EditError(
                f"take {take.label} ({take.start_s:g}-{take.end_s:g} s) is outside {take.drone}'s "
                f"{telemetry.steps} frames"
            )
        media = otio.schema.ExternalReference(
            target_url=recording.video_file(take.drone),
            available_range=otio.opentime.TimeRange(_frames(0, rate_hz), _frames(telemetry.steps, rate_hz)),
        )
        clip = otio.schema.Clip(
            name=take.label,
            media_reference=media,
            source_range=otio.opentime.TimeRange(_frames(first, rate_hz), _frames(count, rate_hz)),
        )
        clip.metadata[METADATA_KEY] = {
            "scene": take.scene,
            "scene_index": take.scene_index,
            "drone": take.drone,
            "move": str(take.move),
            "size": str(take.size),
            "score": round(take.score, 4),
            "start_s": take.start_s,
            "end_s": take.end_s,
        }
        track.append(clip)
        if take.scene_index not in scene_seen:
            scene_seen.add(take.scene_index)
            marker = otio.schema.Marker(
                name=take.scene,
                marked_range=otio.opentime.TimeRange(_frames(record_frame, rate_hz), _frames(0, rate_hz)),
                color=otio.schema.MarkerColor.GREEN,
            )
            pace = paces.get(take.scene_index)
            marker.metadata[METADATA_KEY] = {"scene_index": take.scene_index, "pace": str(pace) if pace else None}
            track.markers.append(marker)
        record_frame += count
    return timeline


def write_otio(takes: Sequence[Take], recording: ShootRecording, out_path: Path | None = None) -> Path:
    """Write the edit to ``out_path`` (default ``edit.otio`` in the output folder); returns the path.

    The media paths are relative to the output folder, so the file belongs there.
    """
    path = recording.out_dir / EDIT_FILE if out_path is None else Path(out_path)
    timeline = build_timeline(takes, recording)
    try:
        otio.adapters.write_to_file(timeline, str(path))
    except (OSError, otio.exceptions.OTIOError) as error:
        raise EditError(f"{path}: cannot write the edit ({error})") from error
    logger.info("wrote %s: %d clips", path, len(takes))
    return path
