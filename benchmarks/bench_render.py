"""Time the OpenCV renderer (``dronecine_sim.render``) on one core, and save a sample frame per pose.

A script, not a test: ``python benchmarks/bench_render.py [--seconds S] [--out DIR]``. A world of six
buildings and four walking people, seen from a drone 40 m away: level, 30 degrees down and straight
down, at 640x360 and 1280x720. The camera drifts and the people walk every frame, as in an episode.
It pins OpenCV and the BLAS to one thread, and prints frames per second; the PNGs go to ``--out``
(default: a new temporary directory).
"""

from __future__ import annotations

import os

# One core: set before numpy and OpenCV load their thread pools.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from dronecine_sim.render import People, Renderer
from dronecine_sim.world import Buildings, World

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine.geometry.pointing import pointing_towards

SUBJECT_NED_M = np.array([0.0, 0.0, -0.9])
# Pose name -> (elevation of the camera above the subject seen from it (deg), range (m)).
POSES = {"level": (0.0, 40.0), "down30": (30.0, 40.0), "down90": (90.0, 40.0)}
RESOLUTIONS = ((640, 360), (1280, 720))


def _world() -> World:
    footprints = [
        (35.0, -20.0, 14.0, 22.0, 18.0),
        (30.0, 25.0, 16.0, 12.0, 26.0),
        (70.0, 0.0, 20.0, 30.0, 10.0),
        (-25.0, 30.0, 10.0, 10.0, 7.0),
        (-40.0, -35.0, 18.0, 12.0, 14.0),
        (5.0, -45.0, 12.0, 8.0, 22.0),
    ]
    return World(Buildings.from_footprints(footprints), seed=7)


def _people(t_s: float) -> People:
    """Four people walking round the subject's spot at 1.3 m/s, legs in step with their speed."""
    start = np.array([[0.0, 0.0], [3.0, 2.0], [-2.0, 4.0], [5.0, -3.0]])
    heading = np.array([20.0, 110.0, 200.0, 290.0])
    direction = np.column_stack([np.cos(np.radians(heading)), np.sin(np.radians(heading))])
    feet = np.column_stack([start + 1.3 * t_s * direction, np.zeros(4)])
    colours = [(40, 40, 200), (180, 90, 30), (40, 160, 60), (200, 200, 200)]
    return People.of(feet, heading, clothing_bgr=colours, gait_phase_rad=2.0 * np.pi * 0.9 * t_s, gait_amplitude=1.0)


def _pose(name: str, t_s: float) -> CameraPose:
    """The drone's camera for pose ``name`` at time ``t_s``: orbiting slowly, pointing at the subject."""
    elevation_deg, range_m = POSES[name]
    bearing = np.radians(200.0 + 3.0 * t_s)
    elevation = np.radians(elevation_deg)
    offset = range_m * np.array(
        [np.cos(elevation) * np.cos(bearing), np.cos(elevation) * np.sin(bearing), -np.sin(elevation)]
    )
    position = SUBJECT_NED_M + offset
    if elevation_deg >= 89.9:
        return CameraPose.from_angles(position, 200.0 + 3.0 * t_s, -90.0)
    yaw_deg, pitch_deg = pointing_towards(position, SUBJECT_NED_M)
    return CameraPose.from_angles(position, float(yaw_deg), float(pitch_deg))


def _rate(renderer: Renderer, name: str, seconds: float) -> float:
    frame = np.empty((renderer.camera.height_px, renderer.camera.width_px, 3), dtype=np.uint8)
    for i in range(10):  # warm up (the first frame lights the ground texture)
        renderer.render(_pose(name, i / 30.0), _people(i / 30.0), out=frame)
    frames = 0
    start = time.perf_counter()
    while True:
        for _ in range(20):
            t_s = frames / 30.0
            renderer.render(_pose(name, t_s), _people(t_s), out=frame)
            frames += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return frames / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--out", type=Path, default=None, help="folder for the sample PNGs (default: a temp dir)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="bench_render_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    world = _world()
    threads = cv2.getNumThreads()
    print(f"renderer: 6 buildings, 4 walking people, cv2 threads {threads}, {args.seconds:g} s per figure")
    print(f"{'pose':>8} " + " ".join(f"{w}x{h:<5} fps" for w, h in RESOLUTIONS))
    renderers = {}
    for width, height in RESOLUTIONS:
        start = time.perf_counter()
        renderers[width, height] = Renderer(world, PinholeCamera(70.0, width, height))
        print(f"  (renderer {width}x{height} built in {time.perf_counter() - start:.2f} s)")
    for name in POSES:
        rates = [_rate(renderers[size], name, args.seconds) for size in RESOLUTIONS]
        print(f"{name:>8} " + " ".join(f"{rate:>13.0f}" for rate in rates))
        png = out_dir / f"render_{name}_1280x720.png"
        cv2.imwrite(str(png), renderers[RESOLUTIONS[-1]].render(_pose(name, 1.0), _people(1.0)))
    print(f"sample frames: {out_dir}")


if __name__ == "__main__":
    main()
