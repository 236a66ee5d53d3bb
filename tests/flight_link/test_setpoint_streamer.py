"""The setpoint streamer on its own: rate on a monotonic schedule, the watchdog's hold, restarts."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from dronecine.flight.errors import LinkConfigError
from dronecine.flight.link_types import HOLD_SETPOINT, VelocityBodySetpoint
from dronecine.flight.setpoint_stream import SetpointStreamer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


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


async def test_a_blocked_event_loop_does_not_delay_the_stream() -> None:
    recorder = Recorder()
    streamer = SetpointStreamer(recorder, rate_hz=20.0, setpoint_timeout_s=5.0)
    streamer.start()
    await asyncio.sleep(0.3)
    blocked_from = time.monotonic()
    time.sleep(0.4)  # the caller's loop is stuck: the stream is on its own thread and goes on
    blocked_to = time.monotonic()
    await asyncio.sleep(0.3)
    await streamer.stop()
    during = [t for t, _ in recorder.sent if blocked_from < t < blocked_to]
    assert len(during) >= 4  # 8 due in 0.4 s at 20 Hz; loose: machines are noisy
    times = [t for t, _ in recorder.sent]
    assert len(times) <= 22  # never more than one per period over ~1 s


def test_schedule_skips_missed_sends_instead_of_bursting() -> None:
    clock = FakeClock()
    recorder = Recorder()
    streamer = SetpointStreamer(recorder, rate_hz=10.0, setpoint_timeout_s=50.0, release_after_s=100.0, clock=clock)
    stop = threading.Event()
    waits: list[float] = []

    def wait(timeout: float) -> bool:
        waits.append(timeout)
        clock.now += timeout
        if len(waits) == 3:
            clock.now += 1.0  # the thread was descheduled for 1 s (ten periods)
        if len(waits) == 6:
            stop.set()
        return stop.is_set()

    stop.wait = wait  # type: ignore[method-assign]
    streamer.set(VelocityBodySetpoint(forward_m_s=1.0))
    streamer._run(stop)  # the schedule itself, on a fake clock, without a thread
    rounded = [round(w, 6) for w in waits]
    assert rounded[:3] == [0.1, 0.1, 0.1]
    assert rounded[3] <= 0.1  # right after the stall: one send, then back on the schedule
    assert rounded[4:] == [0.1, 0.1]  # not ten catch-up sends in a row
    assert len(recorder.sent) == 6


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
    with pytest.raises(LinkConfigError, match="longer than setpoint_timeout_s"):
        SetpointStreamer(Recorder(), setpoint_timeout_s=1.0, release_after_s=1.0)


def test_a_frozen_process_is_not_the_callers_silence() -> None:
    clock = FakeClock()
    streamer = SetpointStreamer(Recorder(), rate_hz=10.0, setpoint_timeout_s=0.5, release_after_s=3.0, clock=clock)
    moving = VelocityBodySetpoint(forward_m_s=2.0)
    streamer.set(moving)
    assert streamer.current(clock.now) == moving
    clock.now += 5.0  # the whole process, streamer thread included, was frozen for 5 s
    assert streamer.current(clock.now) == moving  # the first send after the thaw: no release, no hold
    assert not streamer.stats().released and streamer.stats().stalls == 0
    # A caller that stays silent while the thread is awake is released after 3 s of ticks.
    sent = []
    for _ in range(40):
        clock.now += 0.1
        sent.append(streamer.current(clock.now))
    assert sent[:3] == [moving] * 3  # the freeze counted two periods (0.2 s): 0.3, 0.4, 0.5 s are in time
    assert HOLD_SETPOINT in sent and sent[-1] is None
    assert 28 <= sent.index(None) <= 30  # about 3 s of awake silence
    assert streamer.stats().released


async def test_a_long_silence_releases_the_stream_to_px4s_failsafe(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    streamer = SetpointStreamer(recorder, rate_hz=50.0, setpoint_timeout_s=0.1, release_after_s=0.4)
    with caplog.at_level("WARNING", logger="dronecine.flight.setpoint_stream"):
        streamer.start(VelocityBodySetpoint(forward_m_s=2.0))
        time.sleep(0.7)  # even with the caller's loop stuck, the thread holds, then lets go
        assert not streamer.running
        count = len(recorder.sent)
        streamer.set(VelocityBodySetpoint(forward_m_s=2.0))  # a late caller does not revive it
        await asyncio.sleep(0.1)
    assert len(recorder.sent) == count
    stats = streamer.stats()
    assert stats.released and stats.stalls == 1 and stats.hold_sent > 0
    assert recorder.sent[-1][1] is HOLD_SETPOINT  # the last thing PX4 heard was the hold
    assert any("offboard-loss failsafe" in r.message for r in caplog.records)
    streamer.start()  # a new start streams again
    await asyncio.sleep(0.1)
    assert streamer.running and not streamer.stats().released and len(recorder.sent) > count
    await streamer.stop()


async def test_an_unexpected_error_in_send_ends_the_stream_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_setpoint: object) -> None:
        raise KeyError("bug")

    streamer = SetpointStreamer(broken, rate_hz=50.0)
    with caplog.at_level("ERROR", logger="dronecine.flight.setpoint_stream"):
        streamer.start()
        await asyncio.sleep(0.1)
    assert not streamer.running and streamer.stats().sent == 0
    assert any(r.exc_info and "unexpected error" in r.message for r in caplog.records)
    await streamer.stop()


async def test_a_failed_datagram_is_logged_and_the_stream_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def flaky(setpoint: object) -> None:
        calls.append(setpoint)
        if len(calls) == 2:
            raise OSError("No buffer space available")

    streamer = SetpointStreamer(flaky, rate_hz=50.0)
    with caplog.at_level("WARNING", logger="dronecine.flight.setpoint_stream"):
        streamer.start()
        await asyncio.sleep(0.2)
        await streamer.stop()
    assert len(calls) >= 4 and streamer.stats().sent == len(calls) - 1
    assert any("No buffer space" in r.message for r in caplog.records)
