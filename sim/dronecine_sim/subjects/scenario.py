"""Random episodes for the environments: per env a filmed subject and a partner, with their scripts.

For N envs, person i (0 <= i < N) is env i's subject and person N + i its partner. The subject's
script is drawn uniformly from all nine; if it needs a partner (walk_with, meet, chase) it is
the partner, who then walks a path, runs, stops and goes, wanders, turns suddenly or stands (or,
for a meeting, comes to meet too). Otherwise the partner draws a script of its own: it walks
with, meets or chases the subject, or passes by as a look-alike on its own path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dronecine_sim.subjects.errors import SubjectError
from dronecine_sim.subjects.population import Subjects
from dronecine_sim.subjects.scripts import PARTNER_SCRIPTS, Script, ScriptParams

FloatArray = NDArray[np.float64]

SCENARIO_WAYPOINTS = 4
_LEADS = np.array(
    [
        Script.WAYPOINTS,
        Script.RUN,
        Script.STOP_AND_GO,
        Script.RANDOM_WALK,
        Script.SUDDEN_TURNS,
        Script.STAND,
        Script.MEET,
    ]
)
_OTHERS = np.array([*PARTNER_SCRIPTS, Script.WAYPOINTS, Script.WAYPOINTS, Script.STOP_AND_GO, Script.RANDOM_WALK])


@dataclass(frozen=True, eq=False)
class Scenario:
    """2N people for N envs: subjects 0..N-1, partners N..2N-1 (partner indices in that numbering).

    ``position_ne_m`` (2N, 2) start points (north, east, m), ``heading_deg`` (2N,), ``height_m`` (2N,).
    """

    params: ScriptParams
    position_ne_m: FloatArray
    heading_deg: FloatArray
    height_m: FloatArray

    @property
    def n_envs(self) -> int:
        return self.params.m // 2

    def apply(self, subjects: Subjects, rng: np.random.Generator, env_indices: ArrayLike | None = None) -> None:
        """Reset, in ``subjects`` laid out as 2 x (its M / 2) envs, the envs ``env_indices`` (default:
        the first ``n_envs``) to this scenario: their subjects and partners, partners re-indexed."""
        total = subjects.m // 2
        k = self.n_envs
        envs = np.arange(k) if env_indices is None else np.atleast_1d(np.asarray(env_indices, dtype=np.intp))
        if subjects.m % 2 or envs.shape != (k,) or ((envs < 0) | (envs >= total)).any():
            raise SubjectError(f"a scenario of {k} envs needs {k} env indices within 0..{total - 1} of an even batch")
        places = np.concatenate([envs, total + envs])  # local person j -> global index
        partner = self.params.partner
        params = self.params.with_partner(np.where(partner >= 0, places[np.maximum(partner, 0)], -1))
        subjects.reset(places, params, self.position_ne_m, self.heading_deg, rng, self.height_m)


def random_scenario(
    rng: np.random.Generator, n_envs: int, extent_m: float = 40.0, subject_scripts: ArrayLike | None = None
) -> Scenario:
    """Draw N envs' subjects and partners: scripts (all appear, or the subjects' ``subject_scripts``),
    their parameters and start points within the square ``[-extent_m, extent_m]`` of north and east
    (the env's own frame)."""
    if n_envs < 1 or not 5.0 <= extent_m <= 10_000.0:
        raise SubjectError(f"need n_envs >= 1 and extent_m within 5..10000 m, got {n_envs} and {extent_m}")
    n = int(n_envs)
    subject = rng.integers(0, len(Script), n)
    if subject_scripts is not None:
        subject = np.asarray(subject_scripts, dtype=np.int64)
        if subject.shape != (n,) or not np.isin(subject, list(Script)).all():
            raise SubjectError(f"subject_scripts must be {n} Script values, got {subject_scripts!r}")
    lead = rng.choice(_LEADS, n)
    other = rng.choice(_OTHERS, n)
    needs = np.isin(subject, PARTNER_SCRIPTS)
    partner_script = np.where(needs, lead, other)
    # A partner asked to meet answers by meeting only a meeting; otherwise it walks a path.
    partner_script = np.where(
        needs & (lead == Script.MEET) & (subject != Script.MEET), Script.WAYPOINTS, partner_script
    )
    scripts = np.concatenate([subject, partner_script])
    m = 2 * n
    own = np.arange(m)
    partner = np.where(np.isin(scripts, PARTNER_SCRIPTS), (own + n) % m, -1)
    running = np.isin(scripts, (Script.RUN, Script.CHASE))
    speed = np.where(running, rng.uniform(3.0, 5.0, m), rng.uniform(1.0, 1.7, m))
    chaser = scripts == Script.CHASE
    speed[chaser] = np.maximum(speed[chaser], speed[(own[chaser] + n) % m] + 0.3)  # a chaser can catch up
    speed = np.minimum(speed, 6.0)
    start = rng.uniform(-extent_m, extent_m, (m, 2))
    # Start partners where their scripts make sense: beside for walk_with, some way off to meet or chase.
    bearing = rng.uniform(-np.pi, np.pi, m)
    ring = np.column_stack([np.cos(bearing), np.sin(bearing)])
    near = np.where(scripts == Script.WALK_WITH, rng.uniform(1.0, 3.0, m), rng.uniform(6.0, 20.0, m))
    followers = np.isin(scripts, PARTNER_SCRIPTS) & (own >= n)  # partners following their subject
    start[followers] = start[own[followers] - n] + near[followers, None] * ring[followers]
    leaders = np.isin(scripts, PARTNER_SCRIPTS) & (own < n)  # subjects following their partner
    start[own[leaders] + n] = start[leaders] + near[leaders, None] * ring[leaders]
    start = np.clip(start, -extent_m, extent_m)
    waypoints = start[:, None, :] + rng.uniform(-extent_m, extent_m, (m, SCENARIO_WAYPOINTS, 2)) * 0.75
    params = ScriptParams.make(
        scripts,
        speed_m_s=speed,
        radius_m=rng.uniform(4.0, 15.0, m),
        turn_every_s=rng.uniform(2.0, 6.0, m),
        max_turn_deg=rng.uniform(60.0, 150.0, m),
        walk_s=rng.uniform(3.0, 10.0, m),
        stop_s=rng.uniform(1.0, 5.0, m),
        partner=partner,
        side_m=rng.choice([-1.0, 1.0], m) * rng.uniform(0.8, 2.0, m),
        stop_distance_m=np.where(chaser, rng.uniform(0.8, 1.5, m), rng.uniform(0.8, 2.0, m)),
        waypoints_ne_m=waypoints,
        loop=rng.random(m) < 0.5,
    )
    return Scenario(params, start, rng.uniform(-180.0, 180.0, m), rng.uniform(1.55, 1.92, m))
