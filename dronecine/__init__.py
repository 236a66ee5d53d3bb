"""dronecine: autonomous drone cinematography.

The onboard agent tracks its subject with YOLO, frames it with a policy learned in
simulation and flies PX4 over MAVLink; a ground station runs multi-drone shoots from a
mission YAML. See DESIGN.md for the flow and the package boundaries.
"""

__version__ = "0.1.0"
