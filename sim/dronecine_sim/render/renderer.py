"""The renderer: a world, a camera and people in, a BGR frame out."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dronecine.geometry import CameraPose, PinholeCamera
from dronecine_sim.render.boxes import BuildingPainter, painter_order, visible_in_frustum
from dronecine_sim.render.errors import RenderError
from dronecine_sim.render.figure import ProjectedPeople, person_half_width_m
from dronecine_sim.render.ground import GroundPainter
from dronecine_sim.render.lighting import Lighting
from dronecine_sim.render.people import People
from dronecine_sim.render.view import View
from dronecine_sim.world import World


class Renderer:
    """Draws ``world`` as ``camera`` sees it from a pose, with people in it, using OpenCV on one core.

    Building it makes the ground texture (about half a second for the default 400 m tile): keep one per
    camera and reuse it; ``set_world`` swaps the buildings and keeps the texture when it can. It keeps
    scratch buffers, so one instance must not render from two threads at once. Output is deterministic:
    the same world, camera, pose, people and lighting give the same pixels.
    """

    def __init__(self, world: World, camera: PinholeCamera, lighting: Lighting | None = None) -> None:
        self.world = world
        self.camera = camera
        self.lighting = lighting or Lighting()
        self._ground = GroundPainter(world, camera)
        self._buildings = BuildingPainter(world.buildings)

    def set_world(self, world: World) -> None:
        """Render ``world`` from now on; the ground texture is remade only if its style or seed changed, so
        an environment can keep one renderer across episodes that draw new buildings on the same ground."""
        if (world.ground, world.seed) != (self.world.ground, self.world.seed):
            self._ground = GroundPainter(world, self.camera)
        self._buildings = BuildingPainter(world.buildings)
        self.world = world

    def render(
        self,
        pose: CameraPose,
        people: People | None = None,
        *,
        lighting: Lighting | None = None,
        out: NDArray[np.uint8] | None = None,
    ) -> NDArray[np.uint8]:
        """The frame (H, W, 3) uint8 BGR seen from ``pose`` (one camera: position (3,), rotation (3, 3)).

        ``lighting`` overrides the renderer's own for this frame; ``out``, a C-contiguous (H, W, 3) uint8
        array, is filled and returned instead of a new array.
        """
        view = View.of(self.camera, pose)
        lighting = lighting or self.lighting
        image = self._output(out)
        if self._buildings.eye_inside(view):
            self._buildings.fill_interior(image, lighting)
            return image
        self._ground.paint(image, view, lighting, self._buildings.shade_shadows)
        people = people if people is not None else People.none()
        buildings = self.world.buildings
        lo = [buildings.min_ned_m]
        hi = [buildings.max_ned_m]
        if len(people):
            half = person_half_width_m(people.height_m)[:, None]
            feet = people.position_ned_m
            top = feet[:, 2:3] - people.height_m[:, None]
            lo.append(np.column_stack([feet[:, :2] - half, top]))
            hi.append(np.column_stack([feet[:, :2] + half, feet[:, 2:3]]))
        lo_all, hi_all = np.concatenate(lo), np.concatenate(hi)
        shown = np.flatnonzero(visible_in_frustum(view, lo_all, hi_all))
        if not len(shown):
            return image
        figures = ProjectedPeople(view, people, lighting) if len(people) else None
        count = len(buildings)
        for i in painter_order(lo_all[shown], hi_all[shown], view.eye_ned_m):
            item = int(shown[i])
            if item < count:
                self._buildings.draw(image, view, item, lighting)
            elif figures is not None:
                figures.draw(image, item - count)
        return image

    def _output(self, out: NDArray[np.uint8] | None) -> NDArray[np.uint8]:
        shape = (self.camera.height_px, self.camera.width_px, 3)
        if out is None:
            return np.empty(shape, dtype=np.uint8)
        if out.shape != shape or out.dtype != np.uint8 or not out.flags.c_contiguous:
            raise RenderError(f"out must be a C-contiguous uint8 array of shape {shape}, got {out.dtype} {out.shape}")
        return out
