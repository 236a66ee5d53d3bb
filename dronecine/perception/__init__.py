"""Perception: what the onboard agent knows about its subject.

``SubjectTrack`` is the tracker's report, the one input the observation builder takes about the
subject. The YOLO detector and the tracker that produce it on real frames come with the
perception issue; the simulator's perception model produces the same report from ground truth.
"""

from dronecine.perception.track import SubjectTrack, TrackStatus

__all__ = ["SubjectTrack", "TrackStatus"]
