"""The rough cut: one frame per step of every take, each from the right drone's video at the right frame."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from shoot_fixture import DT_S, FRAME_H, FRAME_W, decode_frame, write_shoot

from dronecine.edit import EditError, ShootRecording, Take, choose_takes, render_rough_cut


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> tuple[ShootRecording, list[Take]]:
    recording = ShootRecording.load(write_shoot(tmp_path_factory.mktemp("shoot")))
    return recording, choose_takes(recording)


def _frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    capture.release()
    return frames


def _expected(recording: ShootRecording, takes: list[Take]) -> list[tuple[str, int]]:
    expected = []
    for take in takes:
        first = recording.telemetry(take.drone).frame_at(take.start_s)
        expected += [(take.drone, first + i) for i in range(round(take.duration_s / DT_S))]
    return expected


def test_the_rough_cut_plays_the_takes_frames(cut) -> None:
    recording, takes = cut
    reports: list[tuple[int, int]] = []
    path = render_rough_cut(takes, recording, progress=lambda done, total: reports.append((done, total)))
    assert path == recording.out_dir / "rough_cut.mp4"
    frames = _frames(path)
    expected = _expected(recording, takes)
    assert len(frames) == len(expected) == 220
    assert frames[0].shape == (FRAME_H, FRAME_W, 3)
    assert [decode_frame(f) for f in frames] == expected
    assert reports[-1] == (220, 220) and len(reports) == len(takes)
    capture = cv2.VideoCapture(str(path))
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(1.0 / DT_S)
    capture.release()


def test_frames_are_resized_to_one_size_and_captioned(cut, tmp_path: Path) -> None:
    recording, takes = cut
    path = render_rough_cut(takes[1:3], recording, tmp_path / "cut.mp4", frame_size_px=(320, 180))
    frames = _frames(path)
    assert {f.shape for f in frames} == {(180, 320, 3)}
    small = [cv2.resize(f, (FRAME_W, FRAME_H), interpolation=cv2.INTER_AREA) for f in frames]
    assert [decode_frame(f) for f in small] == _expected(recording, takes[1:3])
    caption_corner = frames[0][150:, :60]
    assert caption_corner.min() < 40 and caption_corner.max() > 200  # white text on a black band


def test_a_take_that_goes_back_in_a_video_still_renders(cut, tmp_path: Path) -> None:
    recording, takes = cut
    companion = [t for t in takes if t.drone == "companion"]
    path = render_rough_cut(companion[::-1], recording, tmp_path / "back.mp4")
    assert [decode_frame(f) for f in _frames(path)] == _expected(recording, companion[::-1])


def test_a_missing_video_is_a_clear_error(tmp_path: Path) -> None:
    recording = ShootRecording.load(write_shoot(tmp_path / "shoot"))
    takes = choose_takes(recording)
    (tmp_path / "shoot" / "video" / "confidant.mp4").unlink()
    with pytest.raises(EditError, match=r"^video/confidant\.mp4: missing"):
        render_rough_cut(takes, recording)


def test_a_video_shorter_than_its_telemetry_is_a_clear_error(tmp_path: Path) -> None:
    recording = ShootRecording.load(write_shoot(tmp_path / "shoot"))
    takes = choose_takes(recording)
    video = tmp_path / "shoot" / "video" / "companion.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (FRAME_W, FRAME_H))
    for _ in range(50):
        writer.write(np.zeros((FRAME_H, FRAME_W, 3), np.uint8))
    writer.release()
    with pytest.raises(EditError, match=r"^video/companion\.mp4: ends after 50 frames"):
        render_rough_cut(takes, recording)


def test_an_empty_edit_is_a_clear_error(cut) -> None:
    recording, _ = cut
    with pytest.raises(EditError, match="no takes"):
        render_rough_cut([], recording)
