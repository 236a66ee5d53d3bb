"""The agent protocol: every message survives the wire, timelines round-trip, bad input is refused
with a message that names the problem, and the token is kept private."""

from __future__ import annotations

import json
import stat

import numpy as np
import pytest
from plankit import duet_document, load

from dronecine.agent import AgentMode, EventKind
from dronecine.ground import plan_shoot
from dronecine.ground.auth import new_token, read_token, token_matches, write_token
from dronecine.ground.errors import ProtocolError
from dronecine.ground.protocol import (
    PROTOCOL_VERSION,
    Ack,
    Command,
    CommandAction,
    Error,
    ErrorCode,
    Event,
    Hello,
    MessageError,
    OtherDrone,
    Others,
    ShotRef,
    State,
    TimelineUpdate,
    Welcome,
    decode_agent_message,
    decode_station_message,
    encode,
    mission_digest,
)
from dronecine.ground.timeline_codec import (
    planned_shot_from_dict,
    planned_shot_to_dict,
    timeline_from_dict,
    timeline_to_dict,
)
from dronecine.mission.safety import FailsafeAction


@pytest.fixture(scope="module")
def duet():
    mission = load(duet_document())
    return mission, plan_shoot(mission)


AGENT_MESSAGES = [
    Hello(version=PROTOCOL_VERSION, drone_id="solo", token="t0k", mission_digest="abc"),
    State(
        t_s=12.5,
        position_ned_m=(1.0, -2.5, -8.0),
        velocity_ned_m_s=(0.5, 0.0, -0.1),
        yaw_deg=45.0,
        gimbal_pitch_deg=-20.0,
        gimbal_yaw_deg=3.0,
        mode=AgentMode.FILMING,
        battery_percent=76.0,
        shot=ShotRef(scene_index=0, scene="arrival", subject="ada", move="orbit"),
        framing_error=0.04,
        interventions=2,
        timeline_revision=1,
    ),
    Event(t_s=3.0, kind=EventKind.SHOT_START, message="scene arrival: filming the orbit"),
    Ack(command_id=4, accepted=False, message="landing: it finishes"),
]
STATION_MESSAGES = [
    Welcome(version=PROTOCOL_VERSION, drone_id="solo", mission="Duet", state_period_s=0.2, t_s=-20.0),
    TimelineUpdate(revision=2, t_s=9.0, reason="re-planned", timeline={"drone_id": "solo"}),
    Others(
        t_s=1.0,
        drones=(OtherDrone(drone_id="duo", t_s=0.9, position_ned_m=(3, 4, -5), velocity_ned_m_s=(1, 0, 0)),),
    ),
    Command(command_id=1, action=CommandAction.ABORT, abort_action=FailsafeAction.LAND, requested_by="operator"),
    Error(code=ErrorCode.AUTH_FAILED, message="wrong token", fatal=True),
]


@pytest.mark.parametrize("message", AGENT_MESSAGES, ids=lambda m: m.type)
def test_agent_messages_survive_the_wire(message) -> None:
    assert decode_agent_message(encode(message)) == message


@pytest.mark.parametrize("message", STATION_MESSAGES, ids=lambda m: m.type)
def test_station_messages_survive_the_wire(message) -> None:
    assert decode_station_message(encode(message)) == message


def test_a_timeline_round_trips_through_json(duet) -> None:
    mission, plan = duet
    for timeline in plan.timelines:
        wire = json.loads(json.dumps(timeline_to_dict(timeline)))
        back = timeline_from_dict(wire, mission)
        assert back.drone_id == timeline.drone_id
        np.testing.assert_array_equal(back.home_ned_m, timeline.home_ned_m)
        assert (back.takeoff_s, back.takeoff_height_m, back.return_s, back.landed_s) == (
            timeline.takeoff_s,
            timeline.takeoff_height_m,
            timeline.return_s,
            timeline.landed_s,
        )
        assert len(back.shots) == len(timeline.shots)
        for a, b in zip(back.shots, timeline.shots, strict=True):
            assert (a.scene_index, a.scene, a.pace, a.spec, a.start_s, a.end_s) == (
                b.scene_index,
                b.scene,
                b.pace,
                b.spec,
                b.start_s,
                b.end_s,
            )
            assert (a.transit_s, a.assigned, a.depart_delay_s, a.via_ned_m) == (
                b.transit_s,
                b.assigned,
                b.depart_delay_s,
                b.via_ned_m,
            )
            # The Shot is rebuilt from the mission, with the drone's camera.
            assert a.shot.size == b.shot.size and a.shot.framing == b.shot.framing


def test_a_planned_shot_round_trips_and_its_shot_is_rebuilt(duet) -> None:
    mission, plan = duet
    shot = plan.timeline("duo").shots[0]
    back = planned_shot_from_dict(planned_shot_to_dict(shot), mission)
    assert back.spec == shot.spec and back.start_s == shot.start_s
    assert back.shot.camera == shot.shot.camera and back.shot.move == shot.shot.move


def test_a_timeline_from_another_mission_is_refused(duet) -> None:
    mission, plan = duet
    data = timeline_to_dict(plan.timeline("solo"))
    data["shots"][0]["scene"] = "somewhere_else"
    with pytest.raises(ProtocolError, match="different missions"):
        timeline_from_dict(data, mission)
    data = timeline_to_dict(plan.timeline("solo"))
    data["shots"][0]["spec"]["move"] = "teleport"
    with pytest.raises(ProtocolError, match="teleport"):
        timeline_from_dict(data, mission)
    data = timeline_to_dict(plan.timeline("solo"))
    del data["return_s"]
    with pytest.raises(ProtocolError, match="return_s"):
        timeline_from_dict(data, mission)


def test_a_hello_of_another_version_is_refused_naming_both_versions() -> None:
    text = json.dumps({"type": "hello", "version": PROTOCOL_VERSION + 1, "drone_id": "solo"})
    with pytest.raises(MessageError) as caught:
        decode_agent_message(text)
    assert caught.value.code == ErrorCode.VERSION_MISMATCH
    assert f"version {PROTOCOL_VERSION + 1}" in str(caught.value) and f"version {PROTOCOL_VERSION}" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("{not json", ErrorCode.MALFORMED, "not JSON"),
        ("[1, 2]", ErrorCode.MALFORMED, "JSON object, not a list"),
        ('{"t_s": 1}', ErrorCode.MALFORMED, "no 'type'"),
        ('{"type": "teleport"}', ErrorCode.UNKNOWN_TYPE, "unknown message type 'teleport'"),
        ('{"type": "welcome"}', ErrorCode.UNEXPECTED, "go the other way"),
        ('{"type": "event", "t_s": 1, "kind": "party", "message": ""}', ErrorCode.MALFORMED, "kind"),
        ('{"type": "state", "t_s": 1}', ErrorCode.MALFORMED, "position_ned_m"),
        ('{"type": "ack", "command_id": 1, "accepted": true, "extra": 1}', ErrorCode.MALFORMED, "extra"),
    ],
)
def test_bad_agent_messages_name_the_problem(text, code, words) -> None:
    with pytest.raises(MessageError) as caught:
        decode_agent_message(text)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_a_state_with_a_non_finite_position_is_refused() -> None:
    good = json.loads(encode(AGENT_MESSAGES[1]))
    good["position_ned_m"] = [float("nan"), 0.0, 0.0]
    with pytest.raises(MessageError, match="position_ned_m"):
        decode_agent_message(json.dumps(good))


def test_the_mission_digest_tells_missions_apart(duet) -> None:
    mission, _ = duet
    other = duet_document()
    other["name"] = "Duet, take two"
    assert mission_digest(mission) == mission_digest(load(duet_document()))
    assert mission_digest(mission) != mission_digest(load(other))


def test_the_token_is_written_for_its_owner_only_and_compared_exactly(tmp_path) -> None:
    token = new_token()
    assert len(token) >= 32 and token != new_token()
    path = write_token(tmp_path, token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token(path) == token
    last_changed = token[:-1] + ("y" if token.endswith("x") else "x")  # one character off, whatever the last was
    assert token_matches(token, token) and not token_matches(last_changed, token)
    assert not token_matches("", token)
