"""Fixtures for the flight-link tests: the link factory (one per link implementation) and the vehicle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from dronecine_sim.px4 import Px4Vehicle
from flight_linkkit import FAST_OPTIONS, LINKS, LinkFactory, vehicle_config

from dronecine.flight.link import FlightLink
from dronecine.flight.link_types import LinkOptions


@pytest.fixture(params=sorted(LINKS))
def link_factory(request: pytest.FixtureRequest) -> LinkFactory:
    return LINKS[request.param]


@pytest.fixture
def vehicle() -> Iterator[Px4Vehicle]:
    with Px4Vehicle(vehicle_config()) as v:
        yield v


@pytest.fixture
async def make_link(link_factory: LinkFactory) -> AsyncIterator:
    """``make_link(options)`` builds a link that is closed after the test."""
    links: list[FlightLink] = []

    def make(options: LinkOptions = FAST_OPTIONS) -> FlightLink:
        link = link_factory(options)
        links.append(link)
        return link

    yield make
    for link in links:
        await link.close()


@pytest.fixture
async def link(make_link) -> FlightLink:
    return make_link()
