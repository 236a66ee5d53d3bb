"""The edit as OpenTimelineIO: it loads back, and its clips are the takes' frames of the right videos."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest
from shoot_fixture import DT_S, SCENES, step_times, write_shoot

from dronecine.edit import ShootRecording, Take, choose_takes, write_otio


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[ShootRecording, list[Take], otio.schema.Timeline]:
    recording = ShootRecording.load(write_shoot(tmp_path_factory.mktemp("shoot")))
    takes = choose_takes(recording)
    path = write_otio(takes, recording)
    assert path == recording.out_dir / "edit.otio"
    return recording, takes, otio.adapters.read_from_file(str(path))


def test_the_timeline_loads_back_with_one_clip_per_take(edited) -> None:
    recording, takes, timeline = edited
    assert timeline.name == recording.summary.mission
    assert len(timeline.video_tracks()) == 1
    clips = list(timeline.find_clips())
    assert len(clips) == len(takes)
    total_frames = sum(round(t.duration_s / DT_S) for t in takes)
    assert timeline.duration() == otio.opentime.RationalTime(total_frames, 1.0 / DT_S)


def test_clip_source_ranges_are_the_takes_frames(edited) -> None:
    recording, takes, timeline = edited
    first_t_s = float(step_times(SCENES)[0])
    for clip, take in zip(timeline.find_clips(), takes, strict=True):
        source = clip.source_range
        assert source.start_time.rate == pytest.approx(1.0 / DT_S)
        assert source.start_time.value == round((take.start_s - first_t_s) / DT_S)
        assert source.duration.value == round(take.duration_s / DT_S)
        media = clip.media_reference
        assert isinstance(media, otio.schema.ExternalReference)
        assert media.target_url == f"video/{take.drone}.mp4"
        assert (recording.out_dir / media.target_url).is_file()
        assert media.available_range.start_time.value == 0
        assert media.available_range.duration.value == recording.telemetry(take.drone).steps
        assert clip.name == f"{take.scene} · {take.drone} · {take.move}"
        meta = clip.metadata["dronecine"]
        assert (meta["scene"], meta["drone"], meta["move"]) == (take.scene, take.drone, str(take.move))
        assert meta["score"] == pytest.approx(take.score, abs=1e-4)


def test_markers_open_each_scene(edited) -> None:
    _, takes, timeline = edited
    track = timeline.video_tracks()[0]
    markers = [(m.name, m.marked_range.start_time.value) for m in track.markers]
    first_of_meeting = 0
    first_of_run = sum(round(t.duration_s / DT_S) for t in takes if t.scene == "meeting")
    assert markers == [("meeting", first_of_meeting), ("the_run", first_of_run)]
    assert [m.metadata["dronecine"]["pace"] for m in track.markers] == ["slow", "fast"]


def test_the_edit_can_go_elsewhere(tmp_path: Path, edited) -> None:
    recording, takes, _ = edited
    path = write_otio(takes[:2], recording, tmp_path / "short.otio")
    assert len(list(otio.adapters.read_from_file(str(path)).find_clips())) == 2
