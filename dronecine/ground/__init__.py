"""The ground station: plans the shoot from the mission (``plan_shoot``) and runs it."""

from dronecine.ground.errors import GroundError, PlanError
from dronecine.ground.planner import PlanSettings, plan_shoot
from dronecine.ground.timeline import DroneTimeline, PlannedShot, ShootPlan

__all__ = ["DroneTimeline", "GroundError", "PlanError", "PlanSettings", "PlannedShot", "ShootPlan", "plan_shoot"]
