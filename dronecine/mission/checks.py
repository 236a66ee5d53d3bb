"""Checks that need the whole mission: references between sections, and the set's geometry."""

from __future__ import annotations

from collections.abc import Iterator

from shapely import LinearRing, Point, Polygon

from dronecine.mission.document import Mission
from dronecine.mission.errors import KeyPath
from dronecine.mission.subjects import Chase, Meet, WalkWith

Finding = tuple[KeyPath, str]
# Scripts that end by themselves when they have no duration_s (others go on for ever).
_SELF_ENDING = ("waypoints", "run", "stop_and_go", "meet", "chase")


def geofence_polygon(mission: Mission) -> Polygon:
    return Polygon([p.as_tuple for p in mission.safety.geofence])


def reference_errors(mission: Mission) -> Iterator[Finding]:
    yield from _unique(mission)
    subjects = [s.id for s in mission.subjects]
    drones = [d.id for d in mission.drones]
    for i, drone in enumerate(mission.drones):
        if drone.character not in mission.characters:
            yield ("drones", i, "character"), _not_one_of(drone.character, "a character", list(mission.characters))
    for i, subject in enumerate(mission.subjects):
        yield from _motion_errors(i, subject, subjects)
    for i, scene in enumerate(mission.scenes):
        seen: dict[str, int] = {}
        for j, shot in enumerate(scene.shots):
            where = ("scenes", i, "shots", j)
            if shot.drone not in drones:
                yield (*where, "drone"), _not_one_of(shot.drone, "a drone", drones)
            elif shot.drone in seen:
                yield (*where, "drone"), f"'{shot.drone}' already films shots[{seen[shot.drone]}] in this scene"
            seen.setdefault(shot.drone, j)
            if shot.subject not in subjects:
                yield (*where, "subject"), _not_one_of(shot.subject, "a subject", subjects)
            for k, other in enumerate(shot.allow_drones_in_frame):
                if other not in drones or other == shot.drone:
                    others = [d for d in drones if d != shot.drone]
                    yield (*where, "allow_drones_in_frame", k), _not_one_of(other, "another drone", others)


def _unique(mission: Mission) -> Iterator[Finding]:
    for section, ids in (
        ("subjects", [s.id for s in mission.subjects]),
        ("drones", [d.id for d in mission.drones]),
        ("scenes", [s.name for s in mission.scenes]),
    ):
        key = "name" if section == "scenes" else "id"
        for i, value in enumerate(ids):
            if value in ids[:i]:
                yield (section, i, key), f"{value!r} is used twice (also {section}[{ids.index(value)}])"


def _motion_errors(i: int, subject, subjects: list[str]) -> Iterator[Finding]:
    for k, segment in enumerate(subject.motion):
        where = ("subjects", i, "motion", k)
        if isinstance(segment, WalkWith | Meet | Chase) and (
            segment.subject not in subjects or segment.subject == subject.id
        ):
            others = [s for s in subjects if s != subject.id]
            yield (*where, "subject"), _not_one_of(segment.subject, "another subject", others)
        if k + 1 < len(subject.motion) and segment.duration_s is None and segment.script not in _SELF_ENDING:
            yield (
                (*where, "duration_s"),
                (f"is needed: a '{segment.script}' segment never ends by itself, so motion[{k + 1}] would never start"),
            )


def geometry_errors(mission: Mission) -> Iterator[Finding]:
    safety = mission.safety
    if safety.ceiling_m <= safety.floor_m:
        yield ("safety", "ceiling_m"), f"{safety.ceiling_m:g} is not above floor_m {safety.floor_m:g}"
    ring = LinearRing([p.as_tuple for p in safety.geofence])
    if not ring.is_simple:
        yield ("safety", "geofence"), "the polygon crosses itself (expected its vertices in order around the set)"
        return
    fence = Polygon(ring)
    if fence.area < 1.0:
        yield ("safety", "geofence"), f"encloses {fence.area:.2g} m² (expected a real area)"
        return
    if not fence.contains(Point(0.0, 0.0)):
        yield ("origin",), "the origin (north 0, east 0) is outside safety.geofence"
    for i, drone in enumerate(mission.drones):
        if not fence.contains(Point(*drone.home.as_tuple)):
            yield (
                ("drones", i, "home"),
                (f"north {drone.home.north_m:g} m, east {drone.home.east_m:g} m is outside safety.geofence"),
            )
        for j, other in enumerate(mission.drones[:i]):
            gap = Point(*drone.home.as_tuple).distance(Point(*other.home.as_tuple))
            if gap < safety.min_separation_m:
                yield (
                    ("drones", i, "home"),
                    (
                        f"is {gap:.1f} m from drones[{j}] ({other.id}); "
                        f"safety.min_separation_m is {safety.min_separation_m:g}"
                    ),
                )


def character_warnings(mission: Mission) -> Iterator[Finding]:
    """Shots that go against the drone's character: allowed, but worth a second look."""
    for i, scene in enumerate(mission.scenes):
        for j, shot in enumerate(scene.shots):
            drone = next((d for d in mission.drones if d.id == shot.drone), None)
            character = mission.characters.get(drone.character) if drone else None
            if character is None:
                continue
            if shot.move not in character.moves:
                yield (
                    ("scenes", i, "shots", j, "move"),
                    (f"'{shot.move}' is not one of {drone.character}'s moves ({', '.join(character.moves)})"),
                )
            if shot.size is not None and shot.size not in character.sizes:
                yield (
                    ("scenes", i, "shots", j, "size"),
                    (f"'{shot.size}' is not one of {drone.character}'s sizes ({', '.join(character.sizes)})"),
                )


def _not_one_of(value: str, noun: str, options: list[str]) -> str:
    expected = ", ".join(options) if options else "none defined"
    return f"{value!r} is not {noun} of this mission (expected one of: {expected})"
