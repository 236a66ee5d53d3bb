"""Import ultralytics so that it never reaches the network: no downloads, no auto-install, no telemetry.

ultralytics reads ``YOLO_OFFLINE`` and ``YOLO_AUTOINSTALL`` once, when it is first imported, so every
import of it in dronecine goes through ``ultralytics_offline()``. A user who has set them keeps theirs.
"""

from __future__ import annotations

import os
from types import ModuleType


def ultralytics_offline() -> ModuleType:
    """The ``ultralytics`` module, imported offline (its ``ONLINE`` is False: no hub, no events, no pip)."""
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "False")
    import ultralytics

    return ultralytics
