"""Many drones' shot references at once, for a simulator that steps a batch of drones.

Drones are grouped by move class; each group's parameters are stacked into one "move
batch" (the move's own dataclass with (n,) arrays as fields), so a step costs one call of
each move's ``offset_ned_m`` on arrays plus one shared ``camera_references`` for all drones:
the same code ``Shot.reference`` runs for a single drone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine.geometry import PERSON_HEIGHT_M, PinholeCamera
from dronecine.shots.moves import MOVES, CameraMove
from dronecine.shots.params import ShotError, param_specs
from dronecine.shots.reference import CameraReferences, ImageTargets, ShotSettings, camera_references, image_targets
from dronecine.shots.shot import Shot
from dronecine.shots.subject import SubjectState

_MOVE_TYPES: tuple[type[CameraMove], ...] = tuple(MOVES.values())
_TYPE_INDEX = {move_type: i for i, move_type in enumerate(_MOVE_TYPES)}
_SETTINGS = tuple(f.name for f in dataclasses.fields(ShotSettings))
_FIELDS = {move_type: tuple(spec.name for spec in param_specs(move_type)) for move_type in _MOVE_TYPES}


@dataclass(frozen=True)
class _Group:
    """The drones ``order[start:stop]``, all flying ``move`` (a move batch, in that order)."""

    start: int
    stop: int
    move: CameraMove


def _resolved_only(height_m: float) -> float:
    raise ShotError("a shot batch's moves have no 'auto' distance left")  # set_shots resolves them


class ShotBatch:
    """The shots of N drones (any moves, sizes and framings; one camera model), referenced together.

    'Auto' distances are resolved when a shot is set, for the subject height given then (they
    are what ``Shot.reference`` gives for a subject of that height). ``set_shots`` replaces
    the shots of some drones: cheap when their move classes stay, else the groups are rebuilt
    on the next ``reference``.
    """

    def __init__(self, shots: Sequence[Shot], subject_height_m: ArrayLike = PERSON_HEIGHT_M) -> None:
        if not shots:
            raise ShotError("a shot batch needs at least one shot")
        n = len(shots)
        self._camera = shots[0].camera
        self._shots: list[Shot] = list(shots)
        self._type_index = np.full(n, -1, dtype=np.intp)
        # Per move class, each parameter for every drone (meaningful where the drone flies that move).
        self._tables: dict[type[CameraMove], dict[str, NDArray[np.float64]]] = {}
        self._settings = ShotSettings(
            target_height=np.zeros(n),
            keeps_range=np.zeros(n, dtype=bool),
            composition_u=np.zeros(n),
            lead_room=np.zeros(n),
            lead_speed_m_s=np.ones(n),
            headroom=np.zeros(n),
        )
        self._groups: list[_Group] | None = None
        self._order = np.arange(n)  # drones sorted by move class
        self._rank = np.arange(n)  # each drone's place in that order
        self._sorted = True  # order is the identity: no permutation needed
        self.set_shots(np.arange(n), shots, subject_height_m)

    def __len__(self) -> int:
        return len(self._shots)

    @property
    def camera(self) -> PinholeCamera:
        return self._camera

    @property
    def shots(self) -> tuple[Shot, ...]:
        """Each drone's shot, as given (before resolving its 'auto' distances)."""
        return tuple(self._shots)

    def set_shots(
        self, indices: ArrayLike, shots: Sequence[Shot], subject_height_m: ArrayLike = PERSON_HEIGHT_M
    ) -> None:
        """Give drones ``indices`` the ``shots`` (one each), for subjects ``subject_height_m`` tall."""
        drones = np.arange(len(self))[np.asarray(indices, dtype=np.intp)].reshape(-1)  # IndexError if out of range
        if len(drones) != len(shots):
            raise ShotError(f"{len(drones)} drones but {len(shots)} shots: give one shot per drone")
        heights = np.broadcast_to(np.asarray(subject_height_m, dtype=float), drones.shape)
        for drone, shot in zip(drones.tolist(), shots, strict=True):  # check all before changing any
            if shot.camera != self._camera:
                raise ShotError(f"drone {drone}'s camera {shot.camera} differs from the batch's {self._camera}")
        settings = self._settings
        for drone, shot, height_m in zip(drones.tolist(), shots, heights.tolist(), strict=True):
            move = shot.resolve_auto(height_m).move
            move_type = type(move)
            if move_type not in self._tables:
                self._tables[move_type] = {name: np.zeros(len(self)) for name in _FIELDS[move_type]}
            table = self._tables[move_type]
            same_group = self._groups is not None and self._type_index[drone] == _TYPE_INDEX[move_type]
            for name in _FIELDS[move_type]:
                table[name][drone] = getattr(move, name)
            if same_group:  # write through to the drone's place in its group's move batch
                group = next(g for g in self._groups if g.start <= self._rank[drone] < g.stop)
                for name in _FIELDS[move_type]:
                    getattr(group.move, name)[self._rank[drone] - group.start] = table[name][drone]
            else:
                self._groups = None
            self._type_index[drone] = _TYPE_INDEX[move_type]
            self._shots[drone] = shot
            shot_settings = shot.settings
            for name in _SETTINGS:
                getattr(settings, name)[drone] = getattr(shot_settings, name)

    def reference(self, t_s: ArrayLike, subject: SubjectState, anchor: SubjectState) -> CameraReferences:
        """Every drone's camera reference, drone i at ``t_s[i]`` into its shot.

        ``subject`` and ``anchor`` are batches (positions (N, 3), headings (N,)...): drone i's
        subject now and when its shot started. A scalar ``t_s`` or height is shared by all.
        """
        return camera_references(self._camera, self._offsets(t_s, subject, anchor), subject, self._settings)

    def image_targets(self, t_s: ArrayLike, subject: SubjectState, anchor: SubjectState) -> ImageTargets:
        """``reference`` without the pointing: where each camera should be and where its subject's box
        should sit (about a third of the cost)."""
        return image_targets(self._camera, self._offsets(t_s, subject, anchor), subject, self._settings)

    def _offsets(self, t_s: ArrayLike, subject: SubjectState, anchor: SubjectState) -> NDArray[np.float64]:
        """(N, 3) every drone's camera offset from its subject, each move class computed at once."""
        groups = self._groups if self._groups is not None else self._regroup()
        n = len(self)
        order = None if self._sorted else self._order
        t = _by_drone(t_s, (n,), order)
        now = _sorted_subject(subject, n, order)
        start = _sorted_subject(anchor, n, order)
        offsets = np.empty((n, 3))
        for g in groups:
            part = slice(g.start, g.stop)
            offsets[part] = g.move.offset_ned_m(t[part], _part(now, part), _part(start, part), _resolved_only)
        if order is not None:
            offsets = offsets.take(self._rank, axis=0)  # back to drone order (take: far faster than fancy indexing)
        return offsets

    def _regroup(self) -> list[_Group]:
        """Sort the drones by move class and stack each class's parameters into a move batch."""
        n = len(self)
        order = np.argsort(self._type_index, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(np.bincount(self._type_index, minlength=len(_MOVE_TYPES)))]).tolist()
        groups = []
        for i, move_type in enumerate(_MOVE_TYPES):
            start, stop = bounds[i], bounds[i + 1]
            if start == stop:
                continue
            drones = order[start:stop]
            table = self._tables[move_type]
            move = move_type(**{name: table[name][drones] for name in _FIELDS[move_type]})
            groups.append(_Group(start, stop, move))
        self._order = order
        self._rank = np.empty(n, dtype=np.intp)
        self._rank[order] = np.arange(n)
        self._sorted = bool((order == np.arange(n)).all())
        self._groups = groups
        return groups


def _by_drone(values: ArrayLike, shape: tuple[int, ...], order: NDArray[np.intp] | None) -> NDArray[np.float64]:
    """``values`` broadcast to one per drone, in ``order`` (None: as they are)."""
    per_drone = np.asarray(values, dtype=float)
    if per_drone.shape != shape:
        per_drone = np.broadcast_to(per_drone, shape)
    return per_drone if order is None else per_drone.take(order, axis=0)


def _sorted_subject(subject: SubjectState, n: int, order: NDArray[np.intp] | None) -> SubjectState:
    return SubjectState(
        _by_drone(subject.position_ned_m, (n, 3), order),
        _by_drone(subject.velocity_ned_m_s, (n, 3), order),
        _by_drone(subject.heading_deg, (n,), order),
        _by_drone(subject.height_m, (n,), order),
    )


def _part(subject: SubjectState, part: slice) -> SubjectState:
    return SubjectState(
        subject.position_ned_m[part], subject.velocity_ned_m_s[part], subject.heading_deg[part], subject.height_m[part]
    )
