"""An OpenCV renderer for the simulator: sky, textured ground, shaded box buildings and walking people.

``Renderer(world, camera).render(pose, people)`` returns an (H, W, 3) uint8 BGR frame, fast enough
(well over 100 frames/s at 640x360 on one core) to train policies on pixels and to make detector
datasets. Frames follow ``dronecine.geometry``'s camera exactly, and a person's drawn pixels fill the
box ``project_person_boxes`` gives them (IoU >= 0.7 from level to 45 degrees down; looser from steeply
above or side-on, where a real body is slimmer than the 0.25 m cylinder the box is made from).

How a frame is made: the sky gradient; the ground tile warped into perspective with one homography,
on the rows below the horizon only, darkened where buildings cast shadows, faded into the haze with
distance; then buildings and people far to near (painter's algorithm over their bounding boxes),
faces clipped against the near plane. ``Lighting`` varies the sun, exposure, colour cast and haze.
"""

from dronecine_sim.render.errors import RenderError
from dronecine_sim.render.lighting import Lighting
from dronecine_sim.render.people import People
from dronecine_sim.render.renderer import Renderer

__all__ = ["Lighting", "People", "RenderError", "Renderer"]
