"""A top-down picture of a mission: the set, the subjects' nominal paths, every shot's camera path."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on drones or CI
import matplotlib.pyplot as plt
import numpy as np

from dronecine.mission.document import Mission
from dronecine.mission.motion import nominal_paths
from dronecine.mission.resolve import fly_shot


def plot_plan(mission: Mission, out: Path | str) -> Path:
    """Write a PNG of the mission seen from above (east right, north up) and return its path."""
    paths = nominal_paths(mission)
    fig, ax = plt.subplots(figsize=(9, 9), dpi=110)
    fence = np.array([p.as_tuple for p in mission.safety.geofence] + [mission.safety.geofence[0].as_tuple])
    ax.fill(fence[:, 1], fence[:, 0], color="#f2f2ee", zorder=0)
    ax.plot(fence[:, 1], fence[:, 0], color="#a33", lw=1.5, label="geofence")
    for subject_id, path in paths.items():
        ax.plot(path.position_ned_m[:, 1], path.position_ned_m[:, 0], "--", lw=1.2, color="#555", zorder=2)
        ax.annotate(subject_id, path.position_ned_m[0, [1, 0]], fontsize=9, color="#333")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    drone_colour = {d.id: colours[i % len(colours)] for i, d in enumerate(mission.drones)}
    for drone in mission.drones:
        ax.plot(
            drone.home.east_m, drone.home.north_m, "^", color=drone_colour[drone.id], ms=9, label=f"{drone.id} home"
        )
    for i, scene in enumerate(mission.scenes):
        for spec in scene.shots:
            camera = fly_shot(mission, i, spec, paths).positions_ned_m
            colour = drone_colour[spec.drone]
            ax.plot(camera[:, 1], camera[:, 0], color=colour, lw=1.6, zorder=3)
            ax.plot(camera[0, 1], camera[0, 0], "o", color=colour, ms=4, zorder=4)
            mid = camera[len(camera) // 2]
            ax.annotate(f"{i + 1}:{spec.move}", (mid[1], mid[0]), fontsize=7, color=colour)
    ax.set_aspect("equal")
    ax.set_xlabel("east (m)")
    ax.set_ylabel("north (m)")
    ax.set_title(f"{mission.name}: camera paths by scene (dashed: subjects)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    out_path = Path(out)
    fig.savefig(out_path, bbox_inches="tight")
    plt.close(fig)
    return out_path
