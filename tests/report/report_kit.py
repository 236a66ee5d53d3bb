"""The report tests' helpers: the shoot fixture of tests/edit (one definition of the test shoot).

pytest puts each rootdir-less test folder on ``sys.path``; this adds ``tests/edit`` too, so
``shoot_fixture`` is the same module whichever folder runs first.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROBOT_SKIES = REPO / "missions" / "robot_skies.yaml"
_EDIT_TESTS = str(Path(__file__).resolve().parents[1] / "edit")
if _EDIT_TESTS not in sys.path:
    sys.path.append(_EDIT_TESTS)

from shoot_fixture import DRONES, SAFETY_STEPS, write_shoot  # noqa: E402

__all__ = ["DRONES", "REPO", "ROBOT_SKIES", "SAFETY_STEPS", "write_shoot"]
