"""Frame sources: a real video written and read back, the failures a crew will meet, ArraySource checks."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from dronecine.errors import DronecineError
from dronecine.perception.frames import (
    ArraySource,
    Frame,
    FrameSource,
    FrameSourceError,
    OpenCVSource,
    SourceKind,
    open_frame_source,
    parse_frame_source_spec,
)

WIDTH, HEIGHT, FPS, N_FRAMES = 64, 48, 10.0, 10
COLOURS_BGR = [(20 * i, 250 - 20 * i, (60 * i) % 256) for i in range(N_FRAMES)]


@pytest.fixture
def video_path(tmp_path: Path) -> Path:
    """A 10-frame MJPG AVI, one solid colour per frame, so decoding can be checked frame by frame."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (WIDTH, HEIGHT))
    if not writer.isOpened():
        pytest.skip("this OpenCV cannot write MJPG AVI")
    for colour in COLOURS_BGR:
        writer.write(np.full((HEIGHT, WIDTH, 3), colour, dtype=np.uint8))
    writer.release()
    return path


def _assert_one_line_error(excinfo: pytest.ExceptionInfo[FrameSourceError], *fragments: str) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_video_file_reads_back_every_frame_in_order(video_path: Path) -> None:
    source = open_frame_source(str(video_path))
    assert isinstance(source, FrameSource)
    assert (source.width_px, source.height_px) == (WIDTH, HEIGHT)
    assert source.fps == pytest.approx(FPS)
    frames: list[Frame] = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    assert len(frames) == N_FRAMES
    assert [f.index for f in frames] == list(range(N_FRAMES))
    assert np.all(np.diff([f.t_s for f in frames]) > 0)
    assert [f.t_s for f in frames] == pytest.approx([i / FPS for i in range(N_FRAMES)], abs=1e-3)
    for frame, colour in zip(frames, COLOURS_BGR, strict=True):
        assert frame.image.shape == (HEIGHT, WIDTH, 3)
        assert frame.image.dtype == np.uint8
        np.testing.assert_allclose(frame.image.reshape(-1, 3).mean(axis=0), colour, atol=12)
    assert source.read() is None  # stays at the end
    source.close()


def test_context_manager_closes_the_source(video_path: Path) -> None:
    with open_frame_source(video_path.as_posix()) as source:
        assert source.read() is not None
    assert isinstance(source, OpenCVSource)
    assert source.closed
    assert source.read() is None
    source.close()  # closing twice is harmless


def test_iterating_a_source_yields_all_frames(video_path: Path) -> None:
    with open_frame_source(str(video_path)) as source:
        assert isinstance(source, OpenCVSource)
        assert len(list(source)) == N_FRAMES


def test_missing_video_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.mp4"
    with pytest.raises(FrameSourceError) as excinfo:
        open_frame_source(str(missing))
    _assert_one_line_error(excinfo, f"video file {missing} does not exist")
    assert isinstance(excinfo.value, DronecineError)
    assert isinstance(excinfo.value, ValueError)


def test_text_file_named_mp4_is_rejected(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    with pytest.raises(FrameSourceError) as excinfo:
        open_frame_source(str(fake))
    _assert_one_line_error(excinfo, str(fake), "not a video")


def test_directory_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(FrameSourceError) as excinfo:
        open_frame_source(str(tmp_path))
    _assert_one_line_error(excinfo, "is a directory")


def test_absent_camera_is_a_clean_error() -> None:
    with pytest.raises(FrameSourceError) as excinfo:
        open_frame_source("97")
    _assert_one_line_error(excinfo, "could not open camera 97", "no such device")


def test_failing_gstreamer_pipeline_is_a_clean_error() -> None:
    with pytest.raises(FrameSourceError) as excinfo:
        open_frame_source("nosuchelement_xyz ! videoconvert ! appsink")
    _assert_one_line_error(excinfo, "could not open GStreamer pipeline 'nosuchelement_xyz", "cv2.getBuildInformation()")


def test_unreachable_stream_error_hides_the_password() -> None:
    # Port 1 on localhost refuses at once, so this does not wait for the open timeout.
    with pytest.raises(FrameSourceError) as excinfo:
        open_frame_source("rtsp://pilot:s3cret@127.0.0.1:1/cam", open_timeout_s=1.0)
    message = _assert_one_line_error(excinfo, "could not open stream rtsp://pilot:***@127.0.0.1:1/cam")
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0", (SourceKind.DEVICE, 0)),
        (2, (SourceKind.DEVICE, 2)),
        (" 1 ", (SourceKind.DEVICE, 1)),
        ("rtsp://10.0.0.5:8554/live", (SourceKind.STREAM, "rtsp://10.0.0.5:8554/live")),
        ("HTTPS://cam.local/mjpg", (SourceKind.STREAM, "HTTPS://cam.local/mjpg")),
        ("udpsrc port=5600 ! decodebin ! appsink", (SourceKind.GSTREAMER, "udpsrc port=5600 ! decodebin ! appsink")),
        (
            "rtspsrc location=rtsp://x/y ! decodebin ! appsink",
            (SourceKind.GSTREAMER, "rtspsrc location=rtsp://x/y ! decodebin ! appsink"),
        ),
        ("clips/take 1.mp4", (SourceKind.FILE, "clips/take 1.mp4")),
    ],
)
def test_spec_kinds(spec: str | int, expected: tuple[SourceKind, int | str]) -> None:
    assert parse_frame_source_spec(spec) == expected


@pytest.mark.parametrize("spec", ["-1", -3, "", "   ", True, 1.5])
def test_bad_specs_are_rejected(spec: object) -> None:
    with pytest.raises(FrameSourceError):
        parse_frame_source_spec(spec)  # type: ignore[arg-type]


def test_array_source_times_frames_from_fps() -> None:
    images = [np.full((4, 6, 3), i, dtype=np.uint8) for i in range(3)]
    with ArraySource(images, fps=20.0, start_t_s=1.0) as source:
        assert isinstance(source, FrameSource)
        assert (source.width_px, source.height_px, source.fps) == (6, 4, 20.0)
        frames = list(source)
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.t_s for f in frames] == pytest.approx([1.0, 1.05, 1.1])
    assert all(f.image is img for f, img in zip(frames, images, strict=True))
    assert source.closed
    assert source.read() is None


def test_array_source_reads_a_lazy_iterable() -> None:
    source = ArraySource((np.zeros((2, 2, 3), np.uint8) for _ in range(4)), fps=5.0)
    assert len(list(source)) == 4


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (np.zeros((4, 6, 3), dtype=np.float32), "dtype float32"),
        (np.zeros((4, 6), dtype=np.uint8), "shape (4, 6)"),
        (np.zeros((4, 6, 4), dtype=np.uint8), "shape (4, 6, 4)"),
        ([[0, 0, 0]], "is a list"),
    ],
)
def test_array_source_rejects_bad_images(bad: object, fragment: str) -> None:
    with pytest.raises(FrameSourceError) as excinfo:
        ArraySource([bad], fps=10.0)  # type: ignore[list-item]
    _assert_one_line_error(excinfo, "ArraySource image 0", fragment)


def test_array_source_rejects_a_later_bad_image_when_read() -> None:
    good = np.zeros((4, 6, 3), np.uint8)
    source = ArraySource([good, np.zeros((4, 6, 3), np.int16)], fps=10.0)
    assert source.read() is not None
    with pytest.raises(FrameSourceError) as excinfo:
        source.read()
    _assert_one_line_error(excinfo, "ArraySource image 1", "dtype int16")


def test_array_source_rejects_a_size_change() -> None:
    source = ArraySource([np.zeros((4, 6, 3), np.uint8), np.zeros((5, 6, 3), np.uint8)], fps=10.0)
    source.read()
    with pytest.raises(FrameSourceError) as excinfo:
        source.read()
    _assert_one_line_error(excinfo, "image 1 has shape (5, 6, 3)")


@pytest.mark.parametrize("fps", [0.0, -5.0, float("nan")])
def test_array_source_needs_a_positive_fps(fps: float) -> None:
    with pytest.raises(FrameSourceError, match="fps"):
        ArraySource([np.zeros((2, 2, 3), np.uint8)], fps=fps)


def test_array_source_needs_an_image() -> None:
    with pytest.raises(FrameSourceError, match="no images"):
        ArraySource([], fps=10.0)
