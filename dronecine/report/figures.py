"""The report's pictures of the flight: the set from above, and framing error over time per drone.

Drawn on ``matplotlib.figure.Figure`` objects (the Agg canvas, files only): no pyplot, no global state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from dronecine.edit import DroneMode, DroneTelemetry, ShootRecording
from dronecine.edit.telemetry import true_runs
from dronecine.mission import Mission

DRONE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
SUBJECT_COLOURS = ("#444444", "#8a5a2b", "#6a3d9a", "#b15928")
TRANSIT_COLOUR = "#f6d7a7"
IDLE_COLOUR = "#e3e3e3"
GEOFENCE_COLOUR = "#aa3333"
DPI = 110


def drone_colours(recording: ShootRecording, mission: Mission | None = None) -> dict[str, str]:
    """One colour per drone, in the mission's drone order (as the plan picture), then the recording's."""
    order = [d.id for d in mission.drones] if mission is not None else []
    order += [d for d in recording.drones if d not in order]
    return {drone: DRONE_COLOURS[i % len(DRONE_COLOURS)] for i, drone in enumerate(order)}


def plot_top_down(recording: ShootRecording, mission: Mission, out_path: Path) -> Path:
    """The set seen from above (east right, north up): geofence, homes, trajectories, subjects dashed."""
    colours = drone_colours(recording, mission)
    fig = Figure(figsize=(8.5, 8.5), dpi=DPI)
    ax = fig.subplots()
    fence = np.array([p.as_tuple for p in mission.safety.geofence] + [mission.safety.geofence[0].as_tuple])
    ax.fill(fence[:, 1], fence[:, 0], color="#f4f4ef", zorder=0)
    ax.plot(fence[:, 1], fence[:, 0], color=GEOFENCE_COLOUR, lw=1.5, label="geofence")
    ax.plot(0.0, 0.0, "+", color="#555555", ms=10, zorder=2)
    for index, track in enumerate(recording.subjects.tracks):
        colour = SUBJECT_COLOURS[index % len(SUBJECT_COLOURS)]
        ax.plot(track.east_m, track.north_m, "--", color=colour, lw=1.3, zorder=2, label=f"{track.subject} (subject)")
        ax.plot(track.east_m[-1], track.north_m[-1], "o", color=colour, ms=4, zorder=2)
        ax.annotate(track.subject, (track.east_m[0], track.north_m[0]), fontsize=9, color=colour, zorder=5)
    homes = {drone.id: drone.home for drone in mission.drones}
    for telemetry in recording.drone_telemetry:
        colour = colours[telemetry.drone]
        ax.plot(telemetry.east_m, telemetry.north_m, color=colour, lw=0.9, alpha=0.7, zorder=3)
        filming = telemetry.filming
        ax.plot(
            np.where(filming, telemetry.east_m, np.nan),
            np.where(filming, telemetry.north_m, np.nan),
            color=colour,
            lw=2.4,
            zorder=4,
            label=f"{telemetry.drone}",
        )
        home = homes.get(telemetry.drone)
        if home is not None:
            ax.plot(home.east_m, home.north_m, "^", color=colour, mec="black", ms=10, zorder=5)
    ax.plot([], [], "^", color="white", mec="black", ms=8, label="home")
    ax.set_aspect("equal")
    ax.set_xlabel("east (m)")
    ax.set_ylabel("north (m)")
    ax.set_title(f"{recording.summary.mission}: the set from above (thick: filming, thin: flying)")
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.grid(alpha=0.3)
    fig.savefig(out_path, bbox_inches="tight")
    return out_path


def _shade_modes(ax: Axes, telemetry: DroneTelemetry) -> None:
    """Transit spans in orange, other non-filming spans (take-off, hold, return, ...) in grey."""
    transit = telemetry.mode_mask(DroneMode.TRANSIT)
    idle = ~telemetry.filming & ~transit
    half = telemetry.dt_s / 2.0
    for mask, colour in ((transit, TRANSIT_COLOUR), (idle, IDLE_COLOUR)):
        for start, stop in true_runs(mask):
            ax.axvspan(telemetry.t_s[start] - half, telemetry.t_s[stop - 1] + half, color=colour, lw=0, zorder=0)


def plot_framing_timelines(recording: ShootRecording, out_path: Path, mission: Mission | None = None) -> Path:
    """Framing error against mission time, one row per drone, scenes marked, non-filming spans shaded."""
    colours = drone_colours(recording, mission)
    drones: Sequence[DroneTelemetry] = recording.drone_telemetry
    fig = Figure(figsize=(11.0, 1.0 + 2.1 * len(drones)), dpi=DPI)
    axes = fig.subplots(len(drones), 1, sharex=True, squeeze=False)[:, 0]
    finite = np.concatenate([t.framing_error[np.isfinite(t.framing_error)] for t in drones])
    top = max(0.05, float(np.percentile(finite, 99)) * 1.15) if finite.size else 0.2
    for row, (ax, telemetry) in enumerate(zip(axes, drones, strict=True)):
        _shade_modes(ax, telemetry)
        ax.plot(telemetry.t_s, telemetry.framing_error, color=colours[telemetry.drone], lw=1.2, zorder=3)
        lost = telemetry.filming & ~telemetry.in_frame
        if lost.any():
            ax.plot(telemetry.t_s[lost], np.full(int(lost.sum()), top * 0.97), "|", color="#cc0000", ms=6, zorder=4)
        for scene in recording.scenes:
            ax.axvline(scene.start_s, color="#333333", ls=":", lw=1, zorder=2)
            if row == 0:
                ax.text(scene.start_s, top * 1.02, f" {scene.name} ({scene.pace})", fontsize=8, va="bottom", ha="left")
        if recording.scenes:
            ax.axvline(recording.scenes[-1].end_s, color="#333333", ls=":", lw=1, zorder=2)
        ax.set_ylim(0.0, top)
        ax.set_ylabel(f"{telemetry.drone}\nframing error", fontsize=9)
        ax.grid(alpha=0.25, zorder=1)
    axes[-1].set_xlabel("mission time (s); 0 is action")
    handles = [
        Patch(color=TRANSIT_COLOUR, label="transit"),
        Patch(color=IDLE_COLOUR, label="not filming (take-off, hold, return, ...)"),
        Patch(color="#cc0000", label="subject out of frame"),
    ]
    fig.suptitle("Framing error per drone (normalised image units; lower is better)", y=1.0)
    fig.tight_layout()
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8, frameon=False)
    fig.savefig(out_path, bbox_inches="tight")
    return out_path
