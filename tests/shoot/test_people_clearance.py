"""The shoot's closest approach to a person: people are upright segments from the feet to the head."""

import math

import numpy as np
import pytest
from dronecine_sim.shoot.measure import closest_to_people_m

PEOPLE = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
HEIGHTS = np.array([1.7, 1.8])


def test_beside_a_person_the_horizontal_distance_counts() -> None:
    assert closest_to_people_m(np.array([[3.0, 4.0, -1.5]]), PEOPLE, HEIGHTS) == pytest.approx(5.0)


def test_above_a_head_the_height_over_it_counts() -> None:
    assert closest_to_people_m(np.array([[0.0, 0.0, -2.5]]), PEOPLE, HEIGHTS) == pytest.approx(0.8)
    assert closest_to_people_m(np.array([[3.0, 0.0, -5.7]]), PEOPLE, HEIGHTS) == pytest.approx(5.0)


def test_the_nearest_drone_and_person_give_the_figure() -> None:
    drones = np.array([[0.0, 20.0, -5.0], [12.0, 0.0, -1.0]])
    assert closest_to_people_m(drones, PEOPLE, HEIGHTS) == pytest.approx(2.0)


def test_no_drone_or_no_person_is_no_figure() -> None:
    assert closest_to_people_m(np.zeros((0, 3)), PEOPLE, HEIGHTS) == math.inf
    assert closest_to_people_m(np.array([[1.0, 1.0, -3.0]]), np.zeros((0, 3)), np.zeros(0)) == math.inf
