#!/usr/bin/env python3
"""Start, list and stop PX4 SITL instances for a dronecine mission: `px4_sitl.py --help`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sitl_launch package beside this file

try:
    import dronecine  # noqa: F401 (the launcher reads missions through dronecine.mission)
except ImportError:
    sys.stderr.write(
        f"dronecine is not installed for {sys.executable}: run `pip install -e .` in the repository, "
        "or start this script with the Python that has it (PYTHON=... for px4_sitl.sh)\n"
    )
    sys.exit(2)

from sitl_launch.cli import main

if __name__ == "__main__":
    sys.exit(main())
