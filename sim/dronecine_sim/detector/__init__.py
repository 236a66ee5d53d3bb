"""Tools for the bundled person detector: a dataset rendered by the simulator, and its YOLO training."""

from dronecine_sim.detector.dataset import DatasetSettings, DatasetSummary, make_dataset
from dronecine_sim.detector.errors import DetectorToolError

__all__ = ["DatasetSettings", "DatasetSummary", "DetectorToolError", "make_dataset"]
