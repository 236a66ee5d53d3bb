"""The simulator's camera as a frame source: the agent reads rendered frames as it reads a real camera."""

from __future__ import annotations

from collections.abc import Iterable

from dronecine.geometry import CameraPose
from dronecine.perception.frames import ArraySource
from dronecine_sim.render.lighting import Lighting
from dronecine_sim.render.people import People
from dronecine_sim.render.renderer import Renderer


class RendererSource(ArraySource):
    """One rendered frame per ``(pose, people)`` that ``views`` yields, at ``fps``; rendered as they are read."""

    def __init__(
        self,
        renderer: Renderer,
        views: Iterable[tuple[CameraPose, People]],
        fps: float,
        lighting: Lighting | None = None,
    ) -> None:
        super().__init__((renderer.render(pose, people, lighting=lighting) for pose, people in views), fps)
