"""The shoot's finished files: ``plan.json`` before it flies; ``shot_log.json`` and ``summary.json`` after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dronecine_sim.shoot.errors import ShootError
from dronecine_sim.shoot.runner import ShootRun
from dronecine_sim.shoot.settings import ShootSettings

from dronecine.ground import ShootPlan

SUMMARY_VERSION = 1


def write_json(path: Path, data: Any) -> Path:
    try:
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise ShootError(f"{path}: cannot write ({error.strerror or error})") from error
    return path


def write_plan(out_dir: Path, plan: ShootPlan) -> Path:
    return write_json(out_dir / "plan.json", plan.to_json())


def summary(plan: ShootPlan, run: ShootRun, settings: ShootSettings, outputs: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``docs/shoot_outputs.md``'s ``summary.json`` (``sitl`` only for a ``--sitl`` shoot)."""
    m = run.measures
    figures = {
        "version": SUMMARY_VERSION,
        "mission": plan.mission.name,
        "seed": settings.seed,
        "perception": settings.perception,
        "policy": settings.policy,
        "dt_s": settings.dt_s,
        "drones": m.drone_figures(),
        "min_separation_m": round(m.min_separation_m, 3) if m.min_separation_m != float("inf") else None,
        "closest_person_m": round(m.closest_person_m, 3) if m.closest_person_m != float("inf") else None,
        "separation_violations": m.separation_violations,
        "geofence_breaches": m.geofence_breaches,
        "mutual_visibility_violations": m.mutual_visibility_violations,
        "sim_seconds": round(run.sim_seconds, 2),
        "wall_seconds": round(run.wall_seconds, 2),
        "speed_vs_real_time": round(run.sim_seconds / max(run.wall_seconds, 1e-9), 2),
        "station": run.station,
        "outputs": outputs,
    }
    if run.sitl is not None:
        figures["sitl"] = run.sitl
    return figures
