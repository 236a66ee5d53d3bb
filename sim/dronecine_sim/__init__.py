"""dronecine's simulator: vehicles and gimbals, subjects and their motion, the world, the
renderer, the perception noise model and the Gymnasium environments.

Installed from ``sim/`` under the name ``dronecine_sim`` so it cannot clash with any other
package called ``sim``. It may import ``dronecine``; ``dronecine`` never imports it.
"""

from dronecine_sim.envs.registration import register_envs

register_envs()
