"""The observation and action vectors a policy sees and emits: named fields, units, scales.

One table per vector, read by the observation builder, the simulator's Gymnasium spaces, the docs
and the policy file's specification check, so that no code indexes these vectors by magic numbers.
Bump ``SPEC_VERSION`` whenever a field, its order or its scaling changes: a policy trained on one
version is refused by the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from dronecine.shots import MoveName

SPEC_VERSION = 1


@dataclass(frozen=True)
class Field:
    """``size`` consecutive entries of a vector; ``scaling`` says how the raw value was normalised."""

    name: str
    size: int
    scaling: str
    description: str


@dataclass(frozen=True)
class Layout:
    """Fields laid end to end; ``slice_of(name)`` gives where a field lives in the vector."""

    fields: tuple[Field, ...]

    @property
    def size(self) -> int:
        return sum(field.size for field in self.fields)

    def slice_of(self, name: str) -> slice:
        start = 0
        for field in self.fields:
            if field.name == name:
                return slice(start, start + field.size)
            start += field.size
        raise KeyError(f"no field {name!r} (fields: {', '.join(f.name for f in self.fields)})")

    def table(self) -> str:
        """A Markdown table of the fields, for the docs (Gymnasium style)."""
        rows = ["| index | field | scaling | description |", "| --- | --- | --- | --- |"]
        start = 0
        for field in self.fields:
            index = str(start) if field.size == 1 else f"{start}..{start + field.size - 1}"
            rows.append(f"| {index} | `{field.name}` | {field.scaling} | {field.description} |")
            start += field.size
        return "\n".join(rows)


MOVE_ORDER: tuple[MoveName, ...] = tuple(MoveName)

OBSERVATION = Layout(
    (
        Field("box_offset", 2, "u - u*, v - v*", "tracked box centre minus the shot's target point; 0 without a box"),
        Field("box_size", 1, "clip(ln(h / h*), -2, 2)", "tracked box height against the target; 0 without a box"),
        Field("track_detected", 1, "0 or 1", "the tracker matched a detection this frame"),
        Field("track_lost", 1, "0 or 1", "the tracker has given the subject up"),
        Field("track_age", 1, "min(age_s, 2) / 2", "time since the last detection"),
        Field("target", 3, "u* - 0.5, v* - 0.5, h*", "where the shot wants the box, and how tall"),
        Field("reference_offset", 3, "tanh(frd_m / 10)", "the move's camera position minus the drone's, body FRD"),
        Field("reference_velocity", 3, "frd_m_s / 5", "the move's camera velocity, body FRD"),
        Field("velocity", 3, "frd_m_s / 5", "the drone's ground velocity, body FRD"),
        Field("pointing_error", 2, "yaw_deg / 180, pitch_deg / 90", "the shot's camera yaw, pitch minus the camera's"),
        Field("gimbal", 2, "pitch_deg / 90, yaw_deg / 90", "gimbal pitch (above the horizon) and yaw (from the body)"),
        Field("height", 1, "tanh(height_m / 30)", "height above the ground"),
        Field("fence_margin", 1, "tanh(margin_m / 20)", "distance to the geofence, negative outside"),
        Field("obstacle_clearance", 1, "tanh(clearance_m / 10)", "distance to the nearest known obstacle"),
        Field("previous_action", 6, "as the action", "the action of the previous step"),
        Field("move", len(MOVE_ORDER), "one-hot", "the shot's camera move, in MoveName order"),
    )
)

ACTION = Layout(
    (
        Field("velocity", 3, "frd_m_s / (6, 6, 3)", "body velocity setpoint: forward, right, down"),
        Field("yaw_rate", 1, "deg_s / 60", "body yaw rate, positive clockwise seen from above"),
        Field("gimbal_pitch_rate", 1, "deg_s / 60", "gimbal pitch rate, positive up"),
        Field("gimbal_yaw_rate", 1, "deg_s / 60", "gimbal yaw rate relative to the body"),
    )
)
