"""The station over real WebSockets on 127.0.0.1 (a free port): two agents connect and get their
timelines, positions are relayed, commands and the abort reach the agents, and every refusal
(version, token, drone id, malformed message) is answered with a clear error."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import numpy as np
import pytest
from plankit import duet_document, load, make_agent

from dronecine.agent import AgentMode, OnboardAgent
from dronecine.agent.station_client import StationClient
from dronecine.control import OwnState
from dronecine.ground import plan_shoot
from dronecine.ground.auth import new_token
from dronecine.ground.errors import ProtocolError, TransportClosedError
from dronecine.ground.protocol import (
    PROTOCOL_VERSION,
    CommandAction,
    ErrorCode,
    Hello,
    decode_station_message,
    encode,
    mission_digest,
)
from dronecine.ground.station import Station
from dronecine.ground.station_state import DroneStatus, SimClock, StationSettings
from dronecine.ground.transport_ws import connect_websocket, serve_websocket
from dronecine.perception import SubjectTrack

DT_S = 0.1
HOLDING_STATE = {  # a drone's state report, holding 5 m above its home
    "type": "state",
    "t_s": 1.0,
    "position_ned_m": [0, 0, -5],
    "velocity_ned_m_s": [0, 0, 0],
    "yaw_deg": 0,
    "gimbal_pitch_deg": 0,
    "gimbal_yaw_deg": 0,
    "mode": "hold",
}


@pytest.fixture(scope="module")
def duet():
    mission = load(duet_document(scene_s=16.0))
    return mission, plan_shoot(mission)


@pytest.fixture
async def station(duet):
    """A station serving on a free port: (station, url, token, clock); stopped after the test."""
    _, plan = duet
    token, clock = new_token(), SimClock(-5.0)
    station = Station(plan, token, clock, StationSettings(state_period_s=DT_S))
    server, port = await serve_websocket(station.handle, "127.0.0.1", 0)
    yield station, f"ws://127.0.0.1:{port}", token, clock
    server.close()
    await server.wait_closed()


def _agent(mission, timeline) -> OnboardAgent:
    return make_agent(mission, timeline, dt_s=DT_S)


def _own(position) -> OwnState:
    return OwnState(np.array([position], float), np.zeros((1, 3)), np.zeros(1), np.zeros(1), np.zeros(1))


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something the other end does (a deadline only against hanging, not a timing check)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def _raw_hello(url: str, **fields) -> list[dict]:
    """Send one hello on a bare connection; every message the station answers before it closes."""
    transport = await connect_websocket(url)
    hello = {"type": "hello", "version": PROTOCOL_VERSION, "drone_id": "solo", "token": "", "mission_digest": ""}
    await transport.send(json.dumps(hello | fields))
    answers = []
    with pytest.raises(TransportClosedError):
        while True:
            answers.append(json.loads(await transport.recv()))
    return answers


async def test_two_agents_get_their_timelines_relay_positions_and_obey_commands(duet, station) -> None:
    mission, plan = duet
    station, url, token, clock = station
    clients, agents, tasks = {}, {}, []
    try:
        for drone_id in ("solo", "duo"):
            client = StationClient(drone_id, await connect_websocket(url), mission, token, clock)
            timeline = await client.connect()
            assert [s.spec for s in timeline.shots] == [s.spec for s in plan.timeline(drone_id).shots]
            agents[drone_id] = _agent(mission, timeline)
            client.attach(agents[drone_id])
            tasks.append(asyncio.create_task(client.serve()))
            clients[drone_id] = client
        assert {d: live.status for d, live in station.live.items()} == {"solo": "online", "duo": "online"}

        # Both report their state in the air; each learns where the other is.
        await clients["solo"].publish(-5.0, _own([10.0, 0.0, -8.0]))
        await clients["duo"].publish(-5.0, _own([-10.0, 5.0, -5.0]))
        await _until(lambda: station.live["duo"].state is not None, "the station hears the duo")
        await clients["solo"].publish(-4.9, _own([10.0, 0.0, -8.0]))
        await _until(lambda: len(clients["solo"].others_ned_m(-4.9)) == 1, "solo hears of duo")
        np.testing.assert_allclose(clients["solo"].others_ned_m(-4.9), [[-10.0, 5.0, -5.0]])
        assert station.live["duo"].state.position_ned_m == (-10.0, 5.0, -5.0)

        # A hold reaches the solo's agent, which acknowledges it and hovers at its next step.
        record = await station.command("solo", CommandAction.HOLD, "test operator", "checking the link")
        await _until(lambda: station.command_log[0].accepted is not None, "the hold is acknowledged")
        assert station.command_log[0].accepted and station.command_log[0].requested_by == "test operator"
        assert record.delivered
        own = _own([10.0, 0.0, -8.0])
        agents["solo"].mode = AgentMode.TRANSIT  # flying to its marks when the hold comes
        out = agents["solo"].step(-4.8, own, SubjectTrack.unseen(1), np.empty((0, 3)))
        assert out.mode == AgentMode.HOLD and agents["solo"].commanded == "hold"

        # Abort: every agent gets the mission's abort action.
        records = await station.abort("test operator")
        assert {r.drone_id for r in records} == {"solo", "duo"} and station.aborted
        await _until(lambda: all(len(c.commands) == 2 - (d == "duo") for d, c in clients.items()), "both hear abort")
        for client in clients.values():
            assert client.commands[-1].action == CommandAction.ABORT
            assert client.commands[-1].abort_action == mission.safety.abort_action
        await _until(lambda: all(r.accepted for r in station.command_log), "every command acknowledged")
        assert [r.action for r in station.command_log] == ["hold", "abort", "abort"]
    finally:
        for client in clients.values():
            await client.close()
        await asyncio.gather(*tasks, return_exceptions=True)
    await _until(lambda: not any(live.connected for live in station.live.values()), "the station sees them go")


async def test_a_malformed_message_gets_an_error_and_the_station_carries_on(duet, station) -> None:
    mission, _ = duet
    station, url, token, _ = station
    transport = await connect_websocket(url)
    try:
        hello = Hello(version=PROTOCOL_VERSION, drone_id="duo", token=token, mission_digest=mission_digest(mission))
        await transport.send(encode(hello))
        assert decode_station_message(await transport.recv()).type == "welcome"
        assert decode_station_message(await transport.recv()).type == "timeline"
        for bad, code, words in [
            ("{oops", ErrorCode.MALFORMED, "not JSON"),
            ('{"type": "dance"}', ErrorCode.UNKNOWN_TYPE, "'dance'"),
            ('{"type": "state", "t_s": 1.0}', ErrorCode.MALFORMED, "position_ned_m"),
        ]:
            await transport.send(bad)
            error = decode_station_message(await transport.recv())
            assert error.type == "error" and error.code == code and words in error.message and not error.fatal
        await transport.send(json.dumps(HOLDING_STATE))
        assert decode_station_message(await transport.recv()).type == "others"  # still served
        assert station.live["duo"].state.mode == AgentMode.HOLD
    finally:
        await transport.close()


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"version": PROTOCOL_VERSION + 1}, ErrorCode.VERSION_MISMATCH, f"version {PROTOCOL_VERSION + 1}"),
        ({"token": "not-the-token"}, ErrorCode.AUTH_FAILED, "wrong token"),
        ({"drone_id": "stranger"}, ErrorCode.UNKNOWN_DRONE, "drone 'stranger' is not in mission"),
        ({"drone_id": "solo", "mission_digest": "0000"}, ErrorCode.MISSION_MISMATCH, "another version of mission"),
    ],
)
async def test_refused_hellos_get_a_clear_error_and_the_connection_closes(duet, station, fields, code, words) -> None:
    mission, _ = duet
    station, url, token, _ = station
    fields = {"token": token, "mission_digest": mission_digest(mission)} | fields
    answers = await _raw_hello(url, **fields)
    assert len(answers) == 1
    assert answers[0]["type"] == "error" and answers[0]["code"] == code and answers[0]["fatal"]
    assert words in answers[0]["message"]
    assert all(live.status == DroneStatus.WAITING for live in station.live.values())


async def test_a_first_message_that_is_not_a_hello_is_refused(station) -> None:
    _, url, _, _ = station
    transport = await connect_websocket(url)
    await transport.send('{"type": "ack", "command_id": 1, "accepted": true}')
    error = decode_station_message(await transport.recv())
    assert error.code == ErrorCode.HELLO_EXPECTED and "must be a hello" in error.message
    with pytest.raises(TransportClosedError):
        await transport.recv()


async def test_the_client_raises_the_stations_refusal(duet, station) -> None:
    mission, _ = duet
    _, url, _, clock = station
    client = StationClient("solo", await connect_websocket(url), mission, "guessed-token", clock)
    with pytest.raises(ProtocolError, match="the station refused solo: wrong token"):
        await client.connect()


async def test_a_station_told_not_to_answer_states_tells_the_others_only_when_asked(duet) -> None:
    """The simulation's station: each step's states come in unanswered, and one broadcast after them
    tells every drone the others (not twice a step)."""
    mission, plan = duet
    token = new_token()
    station = Station(plan, token, SimClock(-5.0), StationSettings(state_period_s=DT_S, answer_states=False))
    server, port = await serve_websocket(station.handle, "127.0.0.1", 0)
    transport = await connect_websocket(f"ws://127.0.0.1:{port}")
    try:
        hello = Hello(version=PROTOCOL_VERSION, drone_id="duo", token=token, mission_digest=mission_digest(mission))
        await transport.send(encode(hello))
        assert decode_station_message(await transport.recv()).type == "welcome"
        assert decode_station_message(await transport.recv()).type == "timeline"
        await transport.send(json.dumps(HOLDING_STATE))
        await _until(lambda: station.live["duo"].state is not None, "the station has the state")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(transport.recv(), 0.3)  # no answer to the state
        await station.broadcast_others()
        assert decode_station_message(await transport.recv()).type == "others"
    finally:
        await transport.close()
        server.close()
        await server.wait_closed()


async def _raw_agent(url: str, mission, token: str, drone_id: str):
    """A bare connection past the hello: (transport, timeline message)."""
    transport = await connect_websocket(url)
    hello = Hello(version=PROTOCOL_VERSION, drone_id=drone_id, token=token, mission_digest=mission_digest(mission))
    await transport.send(encode(hello))
    assert decode_station_message(await transport.recv()).type == "welcome"
    assert decode_station_message(await transport.recv()).type == "timeline"
    return transport


async def _next(transport, kind: str):
    """The next message of type ``kind`` (skipping the others: timelines, commands)."""
    while (message := decode_station_message(await transport.recv())).type != kind:
        pass
    return message


async def test_a_drone_sent_home_on_a_low_battery_is_out_not_lost_and_is_still_relayed(duet, station) -> None:
    """A low battery takes a drone out of the shoot, but the station still hears it: its status is
    "out" (not "lost"), it is sent home, and the others get its live velocity to keep clear of it.
    A drone that falls silent is "lost", relayed as lost (no velocity to extrapolate)."""
    mission, _ = duet
    station, url, token, clock = station
    clock.t_s = 5.0  # in the first scene
    solo = await _raw_agent(url, mission, token, "solo")
    duo = await _raw_agent(url, mission, token, "duo")
    try:
        low = HOLDING_STATE | {"t_s": 5.0, "battery_percent": mission.safety.battery_return_percent - 1.0}
        await solo.send(json.dumps(low | {"position_ned_m": [10, 0, -8], "velocity_ned_m_s": [0, 3, 0]}))
        await _until(lambda: station.live["solo"].state is not None, "the station hears the solo")
        result = await station.check()
        assert result is not None and result.lost == ("solo",)
        live = station.live["solo"]
        assert live.status == DroneStatus.OUT and "battery at" in live.note
        assert (await _next(solo, "command")).action == CommandAction.RETURN
        assert any("solo is out of the shoot: battery at" in e.message for e in station.events)
        figures = station.figures()
        assert figures["lost"] == {} and set(figures["out"]) == {"solo"}

        await duo.send(json.dumps(HOLDING_STATE | {"t_s": 5.0}))
        [relayed] = (await _next(duo, "others")).drones
        assert relayed.drone_id == "solo" and not relayed.lost and relayed.velocity_ned_m_s == (0.0, 3.0, 0.0)

        # The duo then falls silent past the link timeout: lost, and relayed to the solo as lost.
        clock.t_s = 5.0 + station.link_timeout_s + 1.0
        await station.check()
        assert station.live["duo"].status == DroneStatus.LOST
        assert set(station.figures()["lost"]) == {"duo"} and set(station.figures()["out"]) == {"solo"}
        await solo.send(json.dumps(low | {"t_s": clock.t_s}))
        [relayed] = (await _next(solo, "others")).drones
        assert relayed.drone_id == "duo" and relayed.lost and relayed.velocity_ned_m_s == (0.0, 0.0, 0.0)
    finally:
        await solo.close()
        await duo.close()
