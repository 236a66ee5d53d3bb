"""The PX4 parameter files: every name known to PX4's metadata, every value in range, the
QGroundControl file in step with the commented source, and the safety-relevant choices."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import pytest
from launchkit import REPO
from sitl_launch.errors import ParamFileError
from sitl_launch.param_outputs import parse_qgc_params, px4_rc_params_text, qgc_params_text
from sitl_launch.px4_params import (
    CAMERA_DRONE_FILE,
    COMPANION_LINK_FILE,
    MAV_PARAM_TYPE,
    QGC_FILE,
    ParamType,
    camera_drone_settings,
    load_meta,
    merge_settings,
    parse_airframe_file,
)


@pytest.fixture(scope="module")
def meta():
    return load_meta()


@pytest.fixture(scope="module")
def values(meta):
    return {s.name: s.value for s in camera_drone_settings(meta, with_companion_link=True)}


def test_metadata_cites_px4_sources(meta):
    assert len(meta) >= 40
    for entry in meta.values():
        assert entry.description
        if entry.values is not None:
            assert entry.type is ParamType.INT32


@pytest.mark.parametrize("path", [CAMERA_DRONE_FILE, COMPANION_LINK_FILE])
def test_every_setting_is_known_in_range_and_explained(meta, path):
    settings = parse_airframe_file(path, meta)
    assert settings, f"{path} sets nothing"
    for setting in settings:
        assert meta[setting.name].problem(setting.value) is None
        assert len(setting.comment) >= 15, f"{path}:{setting.line}: {setting.name} has no comment saying why"


def test_no_parameter_is_set_in_both_files(meta):
    merged = merge_settings(
        [parse_airframe_file(CAMERA_DRONE_FILE, meta), parse_airframe_file(COMPANION_LINK_FILE, meta)]
    )
    assert {s.name for s in merged} == set(meta)  # and the metadata holds nothing unused


def test_qgc_file_agrees_with_the_airframe_files(meta, values):
    rows = parse_qgc_params(QGC_FILE, meta)
    assert {r.name: r.value for r in rows} == values
    for row in rows:
        assert row.type_code == MAV_PARAM_TYPE[meta[row.name].type]
        assert (row.sys_id, row.component_id) == (1, 1)


def test_qgc_file_is_regenerated_from_the_source(meta):
    settings = camera_drone_settings(meta, with_companion_link=True)
    source = "firmware_configs/px4/dronecine_camera_drone + dronecine_companion_link"
    assert QGC_FILE.read_text(encoding="utf-8") == qgc_params_text(settings, meta, source=source)
    done = subprocess.run(
        [sys.executable, str(REPO / "firmware_configs" / "make_qgc_params.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_gimbal_is_managed_by_px4_with_protocol_v2(values):
    assert values["MNT_MODE_IN"] == 4
    assert values["MNT_MODE_OUT"] in {0, 2}  # AUX servos or a MAVLink v2 gimbal device, never v1
    assert values["MNT_MAN_PITCH"] == 0 and values["MNT_MAN_YAW"] == 0


def test_failsafes_never_keep_flying_the_shot(values):
    assert 0 < values["COM_OF_LOSS_T"] <= 1.0
    assert values["COM_OBL_RC_ACT"] in {3, 4, 5}  # Return, Land, Hold: not a stick-driven mode
    assert values["NAV_DLL_ACT"] in {1, 2, 3}  # never disabled
    assert values["NAV_RCL_ACT"] in {1, 2, 3}
    assert values["GF_ACTION"] in {2, 3, 5}  # not none, not warning only, not termination
    assert values["GF_MAX_HOR_DIST"] > 0 and values["GF_MAX_VER_DIST"] > 0  # 0 disables the fence
    assert values["COM_LOW_BAT_ACT"] == 3
    assert values["COM_OBL_RC_ACT"] != 0 and values["COM_RCL_EXCEPT"] & 0b100 == 0


def test_limits_are_consistent(values):
    assert values["BAT_LOW_THR"] > values["BAT_CRIT_THR"] > values["BAT_EMERGEN_THR"]
    assert values["RTL_DESCEND_ALT"] <= values["RTL_RETURN_ALT"] < values["GF_MAX_VER_DIST"]
    assert values["MPC_XY_CRUISE"] <= values["MPC_XY_VEL_MAX"]
    assert values["MPC_ACC_HOR"] <= values["MPC_ACC_HOR_MAX"]
    assert values["SYS_VEHICLE_RESP"] < 0  # otherwise PX4 overwrites the gentle limits


def test_sys_id_is_left_to_each_vehicle(values):
    assert "MAV_SYS_ID" not in values


BAD_FILE = """\
# why: a comment long enough
param set-default COM_OF_LOSS_T 0.5
param set-default COM_OF_LOSS_T 0.7
param set-default NOT_A_PARAM 1
param set-default MNT_MODE_IN 4.5
param set-default GF_ACTION 9
param set-default COM_DL_LOSS_T 2
param set COM_RC_LOSS_T 0.5
"""


def test_a_bad_file_is_refused_naming_file_line_and_parameter(meta, tmp_path):
    path = tmp_path / "bad_airframe"
    path.write_text(BAD_FILE, encoding="utf-8")
    with pytest.raises(ParamFileError) as caught:
        parse_airframe_file(path, meta)
    problems = caught.value.problems
    assert len(problems) == 6
    assert problems[0] == f"{path}:3: COM_OF_LOSS_T: set twice (first on line 2)"
    assert problems[1].startswith(f"{path}:4: NOT_A_PARAM: unknown parameter")
    assert problems[2] == f"{path}:5: MNT_MODE_IN: '4.5' is not a valid INT32 value"
    assert problems[3].startswith(f"{path}:6: GF_ACTION: 9 is above PX4's maximum 5")
    assert problems[4] == f"{path}:7: COM_DL_LOSS_T: 2 is below PX4's minimum 5 s"
    assert problems[5].startswith(f"{path}:8: expected 'param set-default NAME VALUE'")


def test_a_bad_qgc_file_is_refused(meta, tmp_path):
    path = tmp_path / "bad.params"
    path.write_text("1\t1\tCOM_OF_LOSS_T\t0.5\t6\n1\t1\tNAV_DLL_ACT\t4\t6\n1\t1\tGF_ACTION 3 6\n", encoding="utf-8")
    with pytest.raises(ParamFileError) as caught:
        parse_qgc_params(path, meta)
    assert caught.value.problems[0] == f"{path}:1: COM_OF_LOSS_T: type code 6 but PX4 declares FLOAT"
    assert caught.value.problems[1].startswith(f"{path}:2: NAV_DLL_ACT: 4 is not one of PX4's values")
    assert caught.value.problems[2].startswith(f"{path}:3: expected 5 tab-separated fields")


def test_px4_rc_params_fail_on_unknown_required_and_skip_version_dependent(meta):
    settings = camera_drone_settings(meta)
    text = px4_rc_params_text(settings, meta, header="test")
    assert "param set COM_OF_LOSS_T 0.5 fail || {" in text
    assert "param set MNT_MODE_IN 4 fail" in text
    assert "if param find MNT_RANGE_PITCH >/dev/null 2>&1; then param set MNT_RANGE_PITCH 180.0; fi" in text
    assert "MAV_1_CONFIG" not in text  # serial ports do not exist in SITL


def test_mavlink_router_routes_the_autopilot_to_agent_and_gcs():
    config = configparser.ConfigParser()
    read = config.read(REPO / "firmware_configs" / "mavlink-router" / "main.conf", encoding="utf-8")
    assert read
    uarts = [s for s in config.sections() if s.startswith("UartEndpoint")]
    udps = {s: config[s] for s in config.sections() if s.startswith("UdpEndpoint")}
    assert len(uarts) == 1 and config[uarts[0]]["Device"].startswith("/dev/")
    assert int(config[uarts[0]]["Baud"]) == 921600
    ports = {(e["Address"], int(e["Port"])) for e in udps.values()}
    assert ("127.0.0.1", 14540) in ports
    assert any(port == 14550 for _, port in ports)


def test_readme_documents_every_file():
    readme = (REPO / "firmware_configs" / "README.md").read_text(encoding="utf-8")
    for path in (CAMERA_DRONE_FILE, COMPANION_LINK_FILE, QGC_FILE, Path("px4_param_meta.yaml"), Path("main.conf")):
        assert path.name in readme
