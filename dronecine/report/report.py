"""The shoot report: ``report.html`` with its pictures in ``report/``, all links relative."""

from __future__ import annotations

import logging
import os
from collections import Counter
from pathlib import Path

from dronecine.edit import EventKind, SafetyReason, ShootRecording
from dronecine.edit.otio_edit import EDIT_FILE
from dronecine.edit.recording import EVENTS, PLAN, SHOT_LOG, SUMMARY, telemetry_file
from dronecine.edit.rough_cut import ROUGH_CUT_FILE
from dronecine.mission import Mission
from dronecine.report.contact_sheet import plot_contact_sheet
from dronecine.report.figures import plot_framing_timelines, plot_top_down
from dronecine.report.html import esc, figure, link, number, page, table

logger = logging.getLogger(__name__)

REPORT_FILE = "report.html"
PICTURES_DIR = "report"
MAX_EVENT_ROWS = 300
"""The events table lists at most this many safety interventions (the counts cover them all)."""


def write_report(recording: ShootRecording, mission: Mission, out_dir: Path | str | None = None) -> Path:
    """Write ``report.html`` (and its PNGs in ``report/``) into ``out_dir`` (default: the shoot's folder).

    ``mission`` gives the set (geofence, homes) and the scenes' descriptions; the figures come
    from the recording. Returns the path of the HTML file.
    """
    out = recording.out_dir if out_dir is None else Path(out_dir)
    pictures = out / PICTURES_DIR
    pictures.mkdir(parents=True, exist_ok=True)
    if mission.name != recording.summary.mission:
        logger.warning("mission %r is not the shoot's (%r)", mission.name, recording.summary.mission)
    top_down = plot_top_down(recording, mission, pictures / "top_down.png")
    timelines = plot_framing_timelines(recording, pictures / "framing_error.png", mission)
    sheet = plot_contact_sheet(recording, pictures / "contact_sheet.png")
    body = "\n".join(
        [
            _header(recording, mission),
            "<h2>Summary</h2>",
            _drone_table(recording),
            _shoot_table(recording, mission),
            "<h2>The set</h2>",
            figure(_rel(top_down, out), "From above: geofence, homes (triangles), trajectories, subjects dashed"),
            "<h2>Framing over time</h2>",
            figure(_rel(timelines, out), "Framing error per drone; dotted lines: scenes; shaded: not filming"),
            "<h2>Contact sheet</h2>",
            figure(_rel(sheet, out), "The middle frame of each drone's filming, per scene"),
            "<h2>Scenes</h2>",
            _scene_table(recording, mission),
            "<h2>Shots</h2>",
            _shot_table(recording),
            "<h2>Safety</h2>",
            _safety_section(recording),
            "<h2>Files</h2>",
            _files(recording, out),
        ]
    )
    path = out / REPORT_FILE
    path.write_text(page(f"{recording.summary.mission}: shoot report", body), encoding="utf-8")
    logger.info("wrote %s", path)
    return path


def _rel(target: Path, base: Path) -> str:
    return Path(os.path.relpath(target, base)).as_posix()


def _header(recording: ShootRecording, mission: Mission) -> str:
    summary = recording.summary
    speed_up = summary.speed_up
    pace = f" ({speed_up:.1f}× real time)" if speed_up is not None else ""
    lines = [
        f"<h1>{esc(summary.mission)}</h1>",
        f'<p class="meta">seed {summary.seed} · perception {esc(summary.perception)} · control step '
        f"{summary.dt_s:g} s · {len(recording.drones)} drones · {len(recording.scenes)} scenes · "
        f"{summary.sim_seconds:.1f} s simulated in {summary.wall_seconds:.1f} s of wall time{pace}</p>",
    ]
    if mission.name != summary.mission:
        lines.append(f'<p class="missing">The mission given ({esc(mission.name)}) is not the one this shoot flew.</p>')
    return "\n".join(lines)


def _drone_table(recording: ShootRecording) -> str:
    rows = []
    for figures in recording.summary.drones:
        telemetry = recording.telemetry(figures.drone)
        filmed_s = float(telemetry.filming.sum()) * recording.dt_s
        in_frame = None if figures.in_frame is None else 100.0 * figures.in_frame
        rows.append(
            [
                esc(figures.drone),
                number(filmed_s, 1),
                number(in_frame, 1),
                number(figures.framing_error),
                number(figures.size_error),
                number(figures.jerk_rms, 2),
                number(figures.safety_interventions),
            ]
        )
    headers = ["drone", "filming (s)", "in frame (%)", "framing error", "size error", "jerk RMS (m/s³)", "safety"]
    return table(headers, rows)


def _shoot_table(recording: ShootRecording, mission: Mission) -> str:
    summary = recording.summary
    rows = [
        [
            "closest two drones came (m)",
            number(summary.min_separation_m, 1),
            f"{mission.safety.min_separation_m:g} allowed",
        ],
        ["steps with drones too close", number(summary.separation_violations), ""],
        ["closest a drone came to a person (m)", number(summary.closest_person_m, 1), "feet to head"],
        ["geofence breaches", number(summary.geofence_breaches), ""],
        ["steps with a drone in another's frame", number(summary.mutual_visibility_violations), "when not allowed"],
        ["simulated (s)", number(summary.sim_seconds, 1), ""],
        ["wall time (s)", number(summary.wall_seconds, 1), ""],
        ["speed-up (× real time)", number(summary.speed_up, 1), ""],
    ]
    return table(["shoot", "value", ""], [[esc(a), b, esc(c)] for a, b, c in rows])


def _scene_table(recording: ShootRecording, mission: Mission) -> str:
    described = {scene.name: scene.description for scene in mission.scenes}
    rows = [
        [
            esc(scene.name),
            esc(scene.pace),
            number(scene.start_s, 1),
            number(scene.end_s, 1),
            esc(described.get(scene.name, "")),
        ]
        for scene in recording.scenes
    ]
    return table(["scene", "pace", "from (s)", "to (s)", "description"], rows, text_columns=2)


def _shot_table(recording: ShootRecording) -> str:
    rows = []
    for shot in sorted(recording.shots, key=lambda s: (s.scene_index, recording.drones.index(s.drone))):
        in_frame = None if shot.in_frame is None else 100.0 * shot.in_frame
        rows.append(
            [
                esc(shot.scene),
                esc(shot.drone),
                esc(shot.subject),
                esc(shot.move),
                esc(shot.size),
                esc(shot.priority),
                number(shot.start_s, 1),
                number(shot.end_s, 1),
                number(shot.filming_start_s, 1),
                number(shot.steps),
                number(shot.framing_error),
                number(shot.size_error),
                number(in_frame, 1),
                number(shot.jerk_rms, 2),
            ]
        )
    headers = [
        "scene",
        "drone",
        "subject",
        "move",
        "size",
        "priority",
        "from (s)",
        "to (s)",
        "on marks (s)",
        "steps",
        "framing error",
        "size error",
        "in frame (%)",
        "jerk RMS",
    ]
    return table(headers, rows, text_columns=6)


def _safety_section(recording: ShootRecording) -> str:
    drones = recording.drones
    steps: dict[str, Counter[SafetyReason]] = {
        t.drone: Counter(reason for step in t.safety for reason in step) for t in recording.drone_telemetry
    }
    events = [e for e in recording.events if e.kind is EventKind.SAFETY]
    per_drone_events = Counter(e.drone for e in events)
    reasons = [reason for reason in SafetyReason if any(steps[d][reason] for d in drones)]
    rows = [
        [esc(reason), *(number(steps[d][reason]) for d in drones), number(sum(steps[d][reason] for d in drones))]
        for reason in reasons
    ]
    rows.append(["<em>safety events</em>", *(number(per_drone_events[d]) for d in drones), number(len(events))])
    parts = [
        "<p>Steps at which the safety supervisor changed a drone's command, per reason (from the telemetry), "
        "and the safety events the shoot logged.</p>",
        table(["reason", *drones, "all"], rows),
    ]
    if events:
        shown = events[:MAX_EVENT_ROWS]
        event_rows = [[number(e.t_s, 1), esc(e.drone or "station"), esc(e.message)] for e in shown]
        parts.append(table(["t (s)", "drone", "message"], event_rows, text_columns=0))
        if len(events) > len(shown):
            parts.append(f"<p>… and {len(events) - len(shown)} more in {esc(EVENTS)}.</p>")
    else:
        parts.append("<p>No safety interventions were logged.</p>")
    incidents = [e for e in recording.events if e.kind in (EventKind.ABORT, EventKind.ERROR)]
    if incidents:
        parts.append("<h3>Aborts and errors</h3>")
        rows_incidents = [[number(e.t_s, 1), esc(e.drone or "station"), esc(e.kind), esc(e.message)] for e in incidents]
        parts.append(table(["t (s)", "drone", "kind", "message"], rows_incidents, text_columns=0))
    return "\n".join(parts)


def _files(recording: ShootRecording, out: Path) -> str:
    root = recording.out_dir

    def item(rel: str, text: str) -> str:
        return f"<li>{link(_rel(root / rel, out), text, (root / rel).is_file())}</li>"

    items = [item(recording.video_file(d), f"{d}: video") for d in recording.drones]
    items += [item(telemetry_file(d), f"{d}: telemetry") for d in recording.drones]
    items += [
        item(EDIT_FILE, "the edit (OpenTimelineIO)"),
        item(ROUGH_CUT_FILE, "the rough cut"),
        item(SHOT_LOG, "shot log"),
        item(EVENTS, "events"),
        item(SUMMARY, "summary"),
        item(PLAN, "the plan each drone was given"),
    ]
    return "<ul>\n" + "\n".join(items) + "\n</ul>"
