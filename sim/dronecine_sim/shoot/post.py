"""After the flying: the edit (``edit.otio``), its rough cut (``rough_cut.mp4``) and the report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dronecine.edit import ShootRecording, choose_takes, render_rough_cut, write_otio
from dronecine.mission.document import Mission
from dronecine.report import write_report

logger = logging.getLogger(__name__)
ProgressCallback = Callable[[float, str], None]


def recorded_outputs(out_dir: Path, drone_ids: tuple[str, ...], video: bool) -> dict[str, Any]:
    """The files the flying wrote, relative to ``out_dir`` (the summary's ``outputs``)."""
    outputs: dict[str, Any] = {
        "plan": "plan.json",
        "telemetry": {d: f"telemetry/{d}.jsonl" for d in drone_ids},
        "subjects": "telemetry/subjects.jsonl",
        "events": "events.jsonl",
        "shot_log": "shot_log.json",
        "summary": "summary.json",
    }
    if video:
        outputs["video"] = {d: f"video/{d}.mp4" for d in drone_ids}
    return outputs


def post_production(out_dir: Path, mission: Mission, on_progress: ProgressCallback | None = None) -> dict[str, str]:
    """Cut, render and report from the files in ``out_dir``; returns the files it wrote (relative).
    Without videos there is nothing to cut: only the report is written; with no shot filmed the edit
    is empty and there is no rough cut."""
    report = lambda fraction, what: on_progress(fraction, what) if on_progress else None  # noqa: E731
    recording = ShootRecording.load(out_dir)
    written: dict[str, str] = {}
    if (out_dir / "video").is_dir():
        report(0.0, "choosing the takes")
        takes = choose_takes(recording)
        written["edit"] = write_otio(takes, recording).relative_to(out_dir).as_posix()
        if takes:
            cut = render_rough_cut(
                takes, recording, progress=lambda done, total: report(0.1 + 0.7 * done / max(total, 1), "rough cut")
            )
            written["rough_cut"] = cut.relative_to(out_dir).as_posix()
        else:  # aborted before action, say: the footage and the report are still worth having
            logger.warning("no shot was filmed: the edit is empty and there is no rough cut")
    report(0.85, "report")
    written["report"] = write_report(recording, mission).relative_to(out_dir).as_posix()
    report(1.0, "done")
    return written
