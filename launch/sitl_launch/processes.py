"""Start processes in their own process groups, remember them, and stop exactly those.

Each process is started in a new session (so its process group holds it and everything it
spawns, such as the Gazebo server PX4's startup script launches) and recorded in a state file
with its PID, process group and kernel start time. ``stop`` signals only groups whose leader is
still the process we started (same PID *and* start time), SIGTERM first, SIGKILL after a grace
period, and is harmless to repeat.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from sitl_launch.errors import LaunchError, ProcessStartError

logger = logging.getLogger(__name__)

STATE_FILE = "sitl_state.json"
STATE_VERSION = 1


class Role(StrEnum):
    PX4 = "px4"
    AGENT = "agent"
    STATION = "station"


@dataclass(frozen=True)
class ProcessRecord:
    role: Role
    name: str
    pid: int
    pgid: int
    start_ticks: int | None  # /proc/<pid>/stat field 22: tells our process from a reused PID
    argv: tuple[str, ...]
    cwd: str
    log: str


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, pgid, start ticks) of ``pid`` from /proc, or None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[2]), int(fields[19])


def _has_proc() -> bool:
    return Path("/proc/self/stat").exists()


def is_ours(record: ProcessRecord) -> bool:
    """True while the recorded process is alive (not a zombie) and is the one we started."""
    if _has_proc():
        stat = _proc_stat(record.pid)
        if stat is None or stat[0] in {"Z", "X"}:
            return False
        return record.start_ticks is None or stat[2] == record.start_ticks
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process now has this PID
    return True


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group ``pgid``."""
    if not _has_proc():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None and stat[1] == pgid and stat[0] not in {"Z", "X"}:
                members.append(int(entry.name))
    return members


def spawn(
    role: Role, name: str, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path
) -> ProcessRecord:
    """Start ``argv`` in its own session, stdout and stderr appended to ``log_path``."""
    cwd.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        try:
            process = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise ProcessStartError(f"{name}: cannot start {argv[0]} ({error.strerror or error})") from error
    stat = _proc_stat(process.pid) if _has_proc() else None
    logger.info("started %s %s: pid %d, log %s", role.value, name, process.pid, log_path)
    return ProcessRecord(
        role, name, process.pid, process.pid, stat[2] if stat else None, tuple(argv), str(cwd), str(log_path)
    )


def write_state(run_dir: Path, records: Sequence[ProcessRecord], extra: Mapping[str, object]) -> Path:
    """Write the state file atomically (a crash never leaves half a file)."""
    path = run_dir / STATE_FILE
    payload = {"version": STATE_VERSION, **extra, "processes": [asdict(r) for r in records]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_state(run_dir: Path) -> tuple[dict[str, object], tuple[ProcessRecord, ...]] | None:
    """The state file's contents, or None if there is none."""
    path = run_dir / STATE_FILE
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as error:
        raise LaunchError(f"{path}: unreadable state file ({error}); stop the processes by hand") from error
    try:
        records = tuple(
            ProcessRecord(
                Role(p["role"]),
                p["name"],
                int(p["pid"]),
                int(p["pgid"]),
                p["start_ticks"],
                tuple(p["argv"]),
                p["cwd"],
                p["log"],
            )
            for p in payload["processes"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LaunchError(f"{path}: malformed state file ({error!r}); stop the processes by hand") from error
    return payload, records


@dataclass(frozen=True)
class StopReport:
    terminated: tuple[str, ...]  # stopped by SIGTERM
    killed: tuple[str, ...]  # needed SIGKILL
    already_gone: tuple[str, ...]


def stop_processes(records: Sequence[ProcessRecord], grace_s: float = 10.0) -> StopReport:
    """SIGTERM the process group of every recorded process still ours, SIGKILL what is left after ``grace_s``."""
    live = [r for r in records if is_ours(r)]
    gone = tuple(r.name for r in records if r not in live)
    for record in reversed(live):  # agents and station before the autopilots they talk to
        _signal_group(record, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(group_members(r.pgid) for r in live):
        time.sleep(0.05)
    stubborn = [r for r in live if group_members(r.pgid)]
    for record in stubborn:
        logger.warning("%s did not stop within %.1f s of SIGTERM: SIGKILL", record.name, grace_s)
        _signal_group(record, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(group_members(r.pgid) for r in stubborn):
        time.sleep(0.05)
    survivors = [r.name for r in stubborn if group_members(r.pgid)]
    if survivors:
        raise LaunchError(f"still running after SIGKILL: {', '.join(survivors)}")
    terminated = tuple(r.name for r in live if r not in stubborn)
    return StopReport(terminated, tuple(r.name for r in stubborn), gone)


def _signal_group(record: ProcessRecord, signum: signal.Signals) -> None:
    try:
        os.killpg(record.pgid, signum)
    except ProcessLookupError:
        logger.debug("%s: process group %d already gone", record.name, record.pgid)


def wait_for_boot(records: Sequence[ProcessRecord], marker: str, timeout_s: float, poll_s: float = 0.2) -> None:
    """Wait until every PX4 log shows ``marker``; a process that exits first is an error with its log tail."""
    pending = {r.name: r for r in records}
    deadline = time.monotonic() + timeout_s
    while pending:
        for name, record in list(pending.items()):
            text = _read_log(record.log)
            if marker in text:
                del pending[name]
            elif not is_ours(record):
                tail = " | ".join(line.strip() for line in text.splitlines()[-5:] if line.strip())
                raise ProcessStartError(f"{name} exited during boot (log {record.log}): {tail or 'no output'}")
        if pending and time.monotonic() > deadline:
            names = ", ".join(sorted(pending))
            raise ProcessStartError(
                f"{names}: no '{marker}' in the log after {timeout_s:g} s; is the PX4 build older than "
                "v1.11 (no px4-rc.params hook)? See the logs under the run directory"
            )
        if pending:
            time.sleep(poll_s)


def _read_log(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
