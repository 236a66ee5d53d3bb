"""Mission time on the drone (t = 0 is action), set from the station's clock.

The agent protocol carries the station's mission time in its ``welcome`` (``t_s``), and nowhere
as a clock service. The agent syncs once, at the welcome, with half the hello/welcome round trip
as the transit time, and then counts its own monotonic time: both ends run on monotonic clocks that
drift by parts per million (milliseconds in an hour), far below a control step, while re-syncing on
every message would make the drone's time jump back and forth by the network's jitter.
"""

from __future__ import annotations

import time


class SyncedClock:
    """``now_s()``: the station's mission time as this drone knows it (a ``ground.station_state.Clock``)."""

    def __init__(self, time_scale: float = 1.0) -> None:
        self.time_scale = time_scale  # mission seconds per monotonic second: 1 but against a sped-up test vehicle
        self._station_t_s = 0.0  # before the sync: seconds since the clock was made
        self._at_s = time.monotonic()
        self.synced = False

    def sync(self, station_t_s: float, received_monotonic_s: float, round_trip_s: float = 0.0) -> None:
        """The station said ``station_t_s`` in a message that arrived at ``received_monotonic_s``
        (``time.monotonic()``) after a round trip of ``round_trip_s``."""
        self._station_t_s = station_t_s + round_trip_s / 2.0 * self.time_scale
        self._at_s = received_monotonic_s
        self.synced = True

    def now_s(self) -> float:
        return self._station_t_s + (time.monotonic() - self._at_s) * self.time_scale
