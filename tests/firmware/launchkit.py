"""Helpers for the firmware-config and SITL-launcher tests: import path, a fake PX4 build.

The fake ``px4`` binary is a small Python script that behaves like the parts of PX4 SITL the
launcher relies on: it records its argv, working directory and environment, sources the
``px4-rc.params`` it finds through PATH with a ``param`` stub (as PX4's rcS does, through
/bin/sh), prints what rcS would print, starts a child process (as rcS starts Gazebo) and runs
until signalled.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAUNCH_DIR = REPO / "launch"
if str(LAUNCH_DIR) not in sys.path:
    sys.path.insert(0, str(LAUNCH_DIR))

LAUNCHER = LAUNCH_DIR / "px4_sitl.py"
MISSION = REPO / "missions" / "robot_skies.yaml"
RECORD_NAME = "fake_px4_record.json"

_FAKE_PX4 = r"""
import json, os, signal, subprocess, sys, time

record = {
    "argv": sys.argv,
    "cwd": os.getcwd(),
    "env": {k: v for k, v in os.environ.items() if k.startswith(("PX4_", "DRONECINE_", "GZ_", "HEADLESS"))},
    "path_first": os.environ.get("PATH", "").split(os.pathsep)[0],
    "pid": os.getpid(),
    "pgid": os.getpgid(0),
}
unknown = os.environ.get("FAKE_PX4_UNKNOWN_PARAMS", "").split(",")
sets_file = os.path.join(os.getcwd(), "fake_px4_param_sets.txt")
# rcS: `. px4-rc.params`, found through PATH; `param` is PX4's command (stubbed here).
stub = (
    'param() {\n'
    '  case "$1" in\n'
    '    find) return 0 ;;\n'
    '    set) for u in ' + " ".join(u for u in unknown if u) + '; do\n'
    '           if [ "$u" = "$2" ]; then echo "ERROR [param] Parameter $2 not found."\n'
    '             [ "$4" = fail ] && return 1; return 0; fi\n'
    '         done\n'
    '         echo "$2 $3" >> "' + sets_file + '" ;;\n'
    '  esac\n'
    '}\n'
    '. px4-rc.params\n'
)
status = subprocess.call(["/bin/sh", "-c", stub])
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
record["child_pid"] = child.pid
record["rc_status"] = status
with open("fake_px4_record.json", "w") as f:
    json.dump(record, f)
if status != 0:
    print("ERROR [init] Startup script returned with return value:", status, flush=True)
    child.terminate()
    sys.exit(1)
print("INFO  [init] startup script returned successfully", flush=True)
if os.environ.get("FAKE_PX4_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    time.sleep(0.2)
"""


def make_fake_px4_build(root: Path, *, gazebo: bool = True) -> Path:
    """A PX4-Autopilot tree with a fake SITL build; returns the PX4_DIR."""
    px4_dir = root / "PX4-Autopilot"
    build = px4_dir / "build" / "px4_sitl_default"
    airframes = build / "etc" / "init.d-posix" / "airframes"
    airframes.mkdir(parents=True)
    (build / "etc" / "init.d-posix" / "rcS").write_text("#!/bin/sh\n", encoding="utf-8")
    for name in ("10040_sihsim_quadx", "4001_gz_x500", "4019_gz_x500_gimbal"):
        (airframes / name).write_text("#!/bin/sh\n", encoding="utf-8")
    binary = build / "bin" / "px4"
    binary.parent.mkdir(parents=True)
    binary.write_text(f"#!{sys.executable}\n" + textwrap.dedent(_FAKE_PX4), encoding="utf-8")
    binary.chmod(0o755)
    if gazebo:
        rootfs = build / "rootfs"
        rootfs.mkdir()
        (rootfs / "gz_env.sh").write_text(
            "#!/usr/bin/env bash\n\n"
            f"export PX4_GZ_MODELS={px4_dir}/Tools/simulation/gz/models\n"
            f"export PX4_GZ_WORLDS={px4_dir}/Tools/simulation/gz/worlds\n\n"
            "export GZ_SIM_RESOURCE_PATH=$GZ_SIM_RESOURCE_PATH:$PX4_GZ_MODELS:$PX4_GZ_WORLDS\n",
            encoding="utf-8",
        )
    return px4_dir


def read_record(work_dir: Path, timeout_s: float = 20.0) -> dict:
    """The fake px4's record of how it was started (waits for it to be written)."""
    path = work_dir / RECORD_NAME
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                pass  # being written
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def param_sets(work_dir: Path) -> dict[str, str]:
    path = work_dir / "fake_px4_param_sets.txt"
    return dict(line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines())


def process_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return False
    return text[text.rindex(")") + 2 :].split()[0] not in {"Z", "X"}


def launcher_env(px4_dir: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PX4_DIR"}
    if px4_dir is not None:
        env["PX4_DIR"] = str(px4_dir)
    env.update(extra)
    return env
