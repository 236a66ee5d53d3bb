"""The test vehicle as any MAVLink client sees it (raw pymavlink, no link): PX4's encodings and its CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from dronecine_sim.px4 import Px4Vehicle
from flight_linkkit import vehicle_config

os.environ.setdefault("MAVLINK20", "1")  # before mavutil: the gimbal v2 messages are MAVLink 2 only
from pymavlink import mavutil

mavlink = mavutil.mavlink


@pytest.fixture
def client():
    with Px4Vehicle(vehicle_config(instance=4)) as vehicle:
        conn = mavutil.mavlink_connection(f"udpout:127.0.0.1:{vehicle.port}", source_system=250, source_component=190)
        conn.mav.heartbeat_send(mavlink.MAV_TYPE_GCS, mavlink.MAV_AUTOPILOT_INVALID, 0, 0, 0)
        yield vehicle, conn
        conn.close()


def recv(conn, kind: str, timeout_s: float = 3.0, **fields):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        msg = conn.recv_match(type=kind, blocking=True, timeout=0.2)
        if msg is not None and all(getattr(msg, k) == v for k, v in fields.items()):
            return msg
    raise AssertionError(f"no {kind} {fields} within {timeout_s} s")


def command(conn, cmd: int, *params: float) -> int:
    values = list(params) + [0.0] * (7 - len(params))
    conn.mav.command_long_send(5, 1, cmd, 0, *values)
    return recv(conn, "COMMAND_ACK", command=cmd).result


def test_heartbeat_is_px4_with_custom_modes_mavutil_decodes(client) -> None:
    _vehicle, conn = client
    hb = recv(conn, "HEARTBEAT")
    assert conn.target_system == 5  # MAV_SYS_ID = instance + 1
    assert (hb.autopilot, hb.type) == (mavlink.MAV_AUTOPILOT_PX4, mavlink.MAV_TYPE_QUADROTOR)
    assert hb.base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
    assert not hb.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    assert mavutil.interpret_px4_mode(hb.base_mode, hb.custom_mode) == "LOITER"
    assert command(conn, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1) == mavlink.MAV_RESULT_ACCEPTED
    custom = mavutil.px4_map["RTL"]
    assert command(conn, mavlink.MAV_CMD_DO_SET_MODE, custom[0], custom[1], custom[2]) == mavlink.MAV_RESULT_ACCEPTED
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        hb = recv(conn, "HEARTBEAT")
        if mavutil.interpret_px4_mode(hb.base_mode, hb.custom_mode) == "RTL":
            break
    assert hb.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    assert mavutil.interpret_px4_mode(hb.base_mode, hb.custom_mode) == "RTL"


def test_command_results_follow_px4(client) -> None:
    _, conn = client
    recv(conn, "HEARTBEAT")
    posctl = mavutil.px4_map["POSCTL"]  # needs RC, which the vehicle has none of
    assert command(conn, mavlink.MAV_CMD_DO_SET_MODE, *posctl) == mavlink.MAV_RESULT_TEMPORARILY_REJECTED
    offboard = mavutil.px4_map["OFFBOARD"]  # no setpoint stream yet
    assert command(conn, mavlink.MAV_CMD_DO_SET_MODE, *offboard) == mavlink.MAV_RESULT_TEMPORARILY_REJECTED
    assert command(conn, mavlink.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW, -10, 0) == mavlink.MAV_RESULT_DENIED
    assert command(conn, mavlink.MAV_CMD_DO_FLIGHTTERMINATION, 1) == mavlink.MAV_RESULT_UNSUPPORTED


def test_requested_messages_and_intervals(client) -> None:
    _, conn = client
    recv(conn, "HEARTBEAT")
    assert command(conn, mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION) == 0
    version = recv(conn, "AUTOPILOT_VERSION")
    assert version.capabilities & mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE
    assert version.flight_sw_version >> 24 == 1
    assert command(conn, mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_GIMBAL_MANAGER_INFORMATION) == 0
    info = recv(conn, "GIMBAL_MANAGER_INFORMATION")
    assert info.pitch_min < 0 < info.pitch_max
    assert command(conn, mavlink.MAV_CMD_SET_MESSAGE_INTERVAL, mavlink.MAVLINK_MSG_ID_BATTERY_STATUS, 50_000) == 0
    recv(conn, "BATTERY_STATUS")
    start = time.monotonic()
    count = 0
    while time.monotonic() - start < 0.5:
        count += conn.recv_match(type="BATTERY_STATUS", blocking=True, timeout=0.1) is not None
    assert count >= 4  # 20 Hz asked instead of 1 Hz


def test_module_runs_standalone_and_rejects_bad_arguments() -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "dronecine_sim.px4", "--port", "70000"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "port 70000" in bad.stderr
    bad_param = subprocess.run(
        [sys.executable, "-m", "dronecine_sim.px4", "--port", "0", "--param", "COM_OF_LOSS_T"],
        check=False, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad_param.returncode == 2 and "NAME=VALUE" in bad_param.stderr
