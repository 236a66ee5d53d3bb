"""Sub-commands other packages add to ``dronecine`` through the ``dronecine.commands`` entry point.

The simulator's commands (``train``, ``eval``) arrive this way, so that ``dronecine`` (what flies)
never imports the simulator, yet one ``dronecine`` command offers them all.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import typer

logger = logging.getLogger(__name__)

GROUP = "dronecine.commands"


def register_plugins(app: typer.Typer) -> list[str]:
    """Let every installed plugin add its commands to ``app``; returns the plugins' names.

    A plugin that fails to import is reported and skipped, so that a broken optional part does not
    take ``dronecine validate`` down with it."""
    loaded = []
    for entry in entry_points(group=GROUP):
        try:
            register = entry.load()
        except ImportError as error:
            logger.warning("dronecine: the %r commands are unavailable (%s: %s)", entry.name, entry.value, error)
            continue
        register(app)
        loaded.append(entry.name)
    return loaded
