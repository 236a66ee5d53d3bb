"""The setpoint streamer on its own: rate on a monotonic schedule, the watchdog's hold, restarts."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from dronecine.flight.errors import LinkConfigError
from dronecine.flight.link_types import HOLD_SETPOINT, VelocityBodySetpoint
from dronecine.flight.setpoint_stream import SetpointStreamer


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[float, object]] = []

    def __call__(self, setpoint: object) -> None:
        self.sent.append((time.monotonic(), setpoint))


async def test_streams_the_latest_setpoint_at_the_rate() -> None:
    recorder = Recorder()
    streamer = SetpointStreamer(recorder, rate_hz=50.0, setpoint_timeout_s=5.0)
    forward = VelocityBodySetpoint(forward_m_s=1.0)
    streamer.start(forward)
    await asyncio.sleep(0.5)
    later = VelocityBodySetpoint(forward_m_s=2.0)
    streamer.set(later)
    await asyncio.sleep(0.5)
    await streamer.stop()
    count = len(recorder.sent)
    assert 0.6 * 50 <= count <= 1.2 * 50 + 2  # loose: machines are noisy
    assert recorder.sent[0][1] == forward
    assert recorder.sent[-1][1] == later
    assert streamer.stats().sent == count
    assert streamer.stats().stalls == 0
    await asyncio.sleep(0.1)
    assert len(recorder.sent) == count  # stopped means stopped


async def test_schedule_does_not_accumulate_a_late_start() -> None:
    recorder = Recorder()
    streamer = SetpointStreamer(recorder, rate_hz=20.0, setpoint_timeout_s=5.0)
    streamer.start()
    await asyncio.sleep(0.3)
    time.sleep(0.2)  # block the loop: the streamer skips what it missed instead of bursting
    await asyncio.sleep(0.5)
    await streamer.stop()
    times = [t for t, _ in recorder.sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    burst = sum(1 for g in gaps if g < 0.01)
    assert burst <= 1
    assert len(times) <= 21  # at most one per period over ~1 s


async def test_watchdog_streams_hold_when_the_caller_stalls_and_counts_each_stall(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    streamer = SetpointStreamer(recorder, rate_hz=50.0, setpoint_timeout_s=0.2)
    moving = VelocityBodySetpoint(forward_m_s=3.0, yaw_rate_deg_s=20.0)
    with caplog.at_level("WARNING", logger="dronecine.flight.setpoint_stream"):
        streamer.start(moving)
        await asyncio.sleep(0.5)  # the caller stalls
        assert streamer.stats().stalled
        assert recorder.sent[-1][1] is HOLD_SETPOINT
        streamer.set(moving)  # resumes
        await asyncio.sleep(0.1)
        assert recorder.sent[-1][1] == moving
        await asyncio.sleep(0.4)  # stalls again
        await streamer.stop()
    stats = streamer.stats()
    assert stats.stalls == 2
    holds = sum(1 for _, s in recorder.sent if s is HOLD_SETPOINT)
    assert stats.hold_sent == holds > 0
    assert sum("streaming hold" in r.message for r in caplog.records) == 2  # once per stall


def test_rate_and_timeout_are_checked() -> None:
    with pytest.raises(LinkConfigError):
        SetpointStreamer(Recorder(), rate_hz=0.0)
    with pytest.raises(LinkConfigError):
        SetpointStreamer(Recorder(), rate_hz=1000.0)
    with pytest.raises(LinkConfigError):
        SetpointStreamer(Recorder(), setpoint_timeout_s=0.0)
