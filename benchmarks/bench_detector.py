"""The onboard perception's accuracy and speed: the bundled detector (or ``--weights``) on held-out
rendered frames and on the real photographs ultralytics ships, then detection + tracking frames per
second at 320 and 640 pixels, and the tracker's (and lock's) own cost per frame.

A script, not a test: ``python benchmarks/bench_detector.py [--weights W] [--frames N] [--seconds S]``.

1. Accuracy: a held-out dataset rendered with seed 1 (training used seed 0; people at least 10 px tall
   on the 640x360 frame), validated by ultralytics: precision, recall, mAP50, mAP50-95.
2. Real photographs: ``bus.jpg`` and ``zidane.jpg`` (people the detector has never seen: real ones).
3. Speed: a rendered crowd sequence through detector -> ByteTrack -> subject lock, at imgsz 320 and 640,
   with torch on every core of this machine. Target: 20 frames/s at 320; tracker + lock at most 2 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from dronecine_sim.detector import DatasetSettings, make_dataset
from dronecine_sim.detector.sequences import crowd_sequence

from dronecine.geometry import PinholeCamera
from dronecine.mission.subjects import AcquireRule
from dronecine.perception.detector import DetectorSettings, YoloDetector, resolve_weights
from dronecine.perception.offline import ultralytics_offline
from dronecine.perception.subject_lock import LockSettings, SubjectLock
from dronecine.perception.tracker import MultiObjectTracker


def accuracy(weights: Path, frames: int, imgsz: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = make_dataset(DatasetSettings(Path(tmp) / "heldout", train_frames=1, val_frames=frames, seed=1))
        model = ultralytics_offline().YOLO(str(weights), task="detect")
        metrics = model.val(data=str(data.data_yaml), imgsz=imgsz, batch=16, device="cpu", plots=False, verbose=False)
        box = metrics.box
        print(f"held-out rendered frames: {frames} frames, {data.boxes['val']} people, imgsz {imgsz}")
        print(
            f"  precision {box.mp:.3f}  recall {box.mr:.3f}  mAP50 {box.map50:.3f}  mAP50-95 {box.map:.3f}"
            f"   (target mAP50 >= 0.9)"
        )


def photographs(detector: YoloDetector, out: Path) -> None:
    """What it finds in real photographs (bus.jpg shows 4 people and a bus, zidane.jpg 2 people),
    drawn to ``out`` so that one can look."""
    import cv2

    assets = Path(ultralytics_offline().__file__).parent / "assets"
    out.mkdir(parents=True, exist_ok=True)
    for name in ("bus.jpg", "zidane.jpg"):
        image = cv2.imread(str(assets / name))
        found = detector.detect(image)
        for (x1, y1, x2, y2), score in zip(found.xyxy_px.astype(int), found.score, strict=True):
            colour = (0, 0, 255) if score >= 0.5 else (0, 200, 255)
            cv2.rectangle(image, (int(x1), int(y1)), (int(x2), int(y2)), colour, 2)
        cv2.imwrite(str(out / name.replace(".jpg", "_detections.png")), image)
        scores = np.sort(found.score)[::-1]
        print(
            f"  {name} ({image.shape[1]}x{image.shape[0]}): {len(found)} boxes at score >= {detector.settings.conf}, "
            f"{int((scores >= 0.5).sum())} at >= 0.5; top scores {[round(float(s), 2) for s in scores[:6]]}"
        )


def speed(weights: Path, imgsz: int, seconds: float) -> tuple[float, float, float]:
    detector = YoloDetector(DetectorSettings(weights, imgsz=imgsz))
    camera = PinholeCamera(84.0, 640, 360)
    frames = list(crowd_sequence(np.random.default_rng(2), camera, lookalikes=6).frames())
    tracker, lock = MultiObjectTracker(), SubjectLock(LockSettings(rule=AcquireRule.MOST_CENTRAL), 10.0)
    for frame in frames[:5]:  # warm-up: the first calls allocate
        lock.update(tracker.update(detector.detect(frame), frame), frame)
    detect_s, track_s = [], []
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        frame = frames[i % len(frames)]
        t0 = time.perf_counter()
        found = detector.detect(frame)
        t1 = time.perf_counter()
        lock.update(tracker.update(found, frame), frame)
        t2 = time.perf_counter()
        detect_s.append(t1 - t0)
        track_s.append(t2 - t1)
        i += 1
    detect, track = statistics.median(detect_s), statistics.median(track_s)
    return 1.0 / (detect + track), detect * 1e3, track * 1e3


def tracker_alone_ms(weights: Path, repeats: int = 20) -> float:
    """Tracker + lock per frame on stored detections: their own cost, without torch's threads
    competing for the cores between frames (which the end-to-end figure includes)."""
    detector = YoloDetector(DetectorSettings(weights, imgsz=320))
    camera = PinholeCamera(84.0, 640, 360)
    frames = list(crowd_sequence(np.random.default_rng(2), camera, lookalikes=6).frames())
    found = [detector.detect(frame) for frame in frames]
    tracker, lock = MultiObjectTracker(), SubjectLock(LockSettings(rule=AcquireRule.MOST_CENTRAL), 10.0)
    start = time.perf_counter()
    for _ in range(repeats):
        tracker.reset()
        lock.reset()
        for frame, detections in zip(frames, found, strict=True):
            lock.update(tracker.update(detections, frame), frame)
    per_frame = (time.perf_counter() - start) / (repeats * len(frames))
    print(
        f"  tracker + lock alone: {per_frame * 1e3:.2f} ms a frame ({np.mean([len(f) for f in found]):.1f} "
        "detections a frame; target <= 2 ms)"
    )
    return per_frame * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None, help="YOLO weights (default: the bundled detector)")
    parser.add_argument("--frames", type=int, default=500, help="held-out frames for the accuracy")
    parser.add_argument("--seconds", type=float, default=10.0, help="timing per image size")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "dronecine-photos")
    args = parser.parse_args()
    weights = resolve_weights(args.weights)
    print(f"weights: {weights} ({weights.stat().st_size / 1e6:.1f} MB); cores: {os.cpu_count()}")
    accuracy(weights, args.frames, 320)
    print(f"real photographs (ultralytics/assets), imgsz 640, drawn to {args.out}:")
    photographs(YoloDetector(DetectorSettings(weights, imgsz=640, conf=0.25)), args.out)
    print("end to end: detector -> ByteTrack -> subject lock on a rendered crowd (640x360 frames)")
    for imgsz in (320, 640):
        fps, detect_ms, track_ms = speed(weights, imgsz, args.seconds)
        print(
            f"  imgsz {imgsz}: {fps:6.1f} frames/s   detector {detect_ms:5.1f} ms   tracker + lock {track_ms:4.2f} ms"
            + ("   (target >= 20 frames/s)" if imgsz == 320 else "")
        )
    tracker_alone_ms(weights)


if __name__ == "__main__":
    main()
