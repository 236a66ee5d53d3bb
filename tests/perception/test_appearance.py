"""A subject's look: the ground beside a box does not count, the person's clothes do."""

from __future__ import annotations

import numpy as np

from dronecine.perception.appearance import appearance, similarity

W, H = 200, 120
GRASS, DIRT = (40, 140, 60), (60, 100, 150)  # BGR
COAT, TROUSERS, RED_COAT = (160, 40, 30), (60, 30, 20), (30, 30, 200)


def scene(ground: tuple[int, int, int], coat: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A person 8 px wide and 30 px tall standing on ``ground``, and a detector's box twice their width
    (what the bundled detector draws round small people)."""
    rng = np.random.default_rng(0)
    frame = np.clip(np.array(ground) + rng.normal(0.0, 6.0, (H, W, 3)), 0, 255).astype(np.uint8)
    frame[45:60, 96:104] = coat
    frame[60:75, 96:104] = TROUSERS
    return frame, np.array([92.0, 45.0, 108.0, 75.0])


def test_the_same_person_on_grass_and_on_dirt_looks_the_same():
    """A subject walking from grass onto dirt behind a pillar came back scoring 0.3-0.5 against their own
    look when the ground inside the box counted (the lock needs 0.4 and more)."""
    on_grass, box = scene(GRASS, COAT)
    on_dirt, _ = scene(DIRT, COAT)
    assert similarity(appearance(on_grass, box), appearance(on_dirt, box)) > 0.8


def test_people_in_different_clothes_on_the_same_ground_look_different():
    blue, box = scene(GRASS, COAT)
    red, _ = scene(GRASS, RED_COAT)
    assert similarity(appearance(blue, box), appearance(red, box)) < 0.6


def test_a_person_dressed_like_the_ground_keeps_a_look():
    """Taking the ground away leaves almost nothing: the raw histogram of the box's middle stands in."""
    frame, box = scene(GRASS, GRASS)
    frame[60:75, 96:104] = GRASS
    look = appearance(frame, box)
    assert look is not None
    assert look.sum() == np.float32(1.0)


def test_a_box_at_the_frame_edge_has_a_look_from_the_side_in_frame():
    frame, _ = scene(GRASS, COAT)
    frame[45:60, 0:8], frame[60:75, 0:8] = COAT, TROUSERS
    look = appearance(frame, np.array([0.0, 45.0, 12.0, 75.0]))
    assert look is not None
    coat_only = appearance(frame, np.array([92.0, 45.0, 108.0, 75.0]))
    assert similarity(look, coat_only) > 0.8


def test_a_box_too_small_or_off_the_frame_has_no_look():
    frame, _ = scene(GRASS, COAT)
    assert appearance(frame, np.array([100.0, 50.0, 102.0, 53.0])) is None
    assert appearance(frame, np.array([W + 10.0, 10.0, W + 30.0, 50.0])) is None
