"""How instances are planned: PX4's ports, system ids, homes from the mission, mission-derived params."""

from __future__ import annotations

import math

import pytest
from launchkit import MISSION, make_fake_px4_build
from sitl_launch.errors import LaunchError, Px4BuildError
from sitl_launch.plan import local_to_geo, mission_param_overrides, plan_instances, px4_ports
from sitl_launch.px4_build import find_build

from dronecine.mission import load_mission


@pytest.fixture(scope="module")
def mission():
    return load_mission(MISSION).mission


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(a))


def test_ports_follow_px4_rc_mavlink():
    assert [px4_ports(i).offboard_remote for i in (0, 1, 9, 10, 15)] == [14540, 14541, 14549, 14549, 14549]
    assert px4_ports(3).offboard_local == 14583
    assert px4_ports(3).gcs_local == 18573 and px4_ports(3).gcs_remote == 14550
    assert px4_ports(2, offboard_base=30000).agent_url == "udpin://0.0.0.0:30002"


def test_home_is_the_mission_offset_from_the_origin(mission):
    origin = mission.origin
    assert local_to_geo(origin, 0.0, 0.0).latitude_deg == origin.latitude_deg
    for north, east in [(100.0, 0.0), (0.0, -250.0), (-40.0, 75.0)]:
        home = local_to_geo(origin, north, east)
        assert _distance_m(origin.latitude_deg, origin.longitude_deg, home.latitude_deg, home.longitude_deg) == (
            pytest.approx(math.hypot(north, east), abs=0.01)
        )
        if north:
            assert (home.latitude_deg - origin.latitude_deg) * north > 0
        if east:
            assert (home.longitude_deg - origin.longitude_deg) * east > 0
        assert home.altitude_m == origin.altitude_m


def test_plans_number_instances_in_mission_order(mission, tmp_path):
    build = find_build(make_fake_px4_build(tmp_path))
    plans = plan_instances(mission, mission.drones, build, "sihsim_quadx", tmp_path / "run")
    assert [p.drone_id for p in plans] == [d.id for d in mission.drones]
    assert [p.sys_id for p in plans] == [1, 2, 3]
    assert all(p.autostart == 10040 for p in plans)
    assert plans[1].argv == (str(build.binary), "-i", "1", "-d", str(build.etc_dir))
    home = local_to_geo(mission.origin, *mission.drones[1].home.as_tuple)
    assert float(plans[1].env["PX4_HOME_LAT"]) == pytest.approx(home.latitude_deg, abs=1e-9)
    gz = plan_instances(mission, mission.drones, build, "gz_x500", tmp_path / "run")
    north, east = mission.drones[2].home.as_tuple
    assert gz[2].env["PX4_GZ_MODEL_POSE"] == f"{east:g},{north:g}"  # Gazebo is ENU: x east, y north
    assert "PX4_GZ_STANDALONE" not in gz[0].env and gz[2].env["PX4_GZ_STANDALONE"] == "1"


def test_too_many_drones_and_unknown_models_are_refused(mission, tmp_path):
    build = find_build(make_fake_px4_build(tmp_path))
    with pytest.raises(LaunchError, match="too many drones: 3 to launch, at most 2"):
        plan_instances(mission, mission.drones, build, "sihsim_quadx", tmp_path, max_instances=2)
    with pytest.raises(Px4BuildError, match="model 'gz_rc_cessna' has no airframe"):
        plan_instances(mission, mission.drones, build, "gz_rc_cessna", tmp_path)
    with pytest.raises(Px4BuildError, match="expected a SIH model"):
        plan_instances(mission, mission.drones, build, "iris", tmp_path)


def test_mission_sets_fence_ceiling_and_link_loss(mission):
    drone = mission.drones[0]
    overrides = mission_param_overrides(mission, drone, {"RTL_RETURN_ALT": 30.0, "RTL_DESCEND_ALT": 10.0})
    farthest = max(
        math.hypot(v.north_m - drone.home.north_m, v.east_m - drone.home.east_m) for v in mission.safety.geofence
    )
    assert farthest < overrides["GF_MAX_HOR_DIST"] <= farthest + 21
    assert overrides["GF_MAX_VER_DIST"] == mission.safety.ceiling_m + 10
    assert overrides["NAV_DLL_ACT"] == 2 and overrides["COM_DL_LOSS_T"] == 5
    assert "RTL_RETURN_ALT" not in overrides  # 30 m is under the 60 m ceiling
    low = mission.model_copy(update={"safety": mission.safety.model_copy(update={"ceiling_m": 20.0})})
    lowered = mission_param_overrides(low, drone, {"RTL_RETURN_ALT": 30.0, "RTL_DESCEND_ALT": 10.0})
    assert lowered["RTL_RETURN_ALT"] == 15.0 and "RTL_DESCEND_ALT" not in lowered


def test_px4_dir_errors_say_what_to_do(tmp_path):
    with pytest.raises(Px4BuildError, match="PX4_DIR is not set"):
        find_build(None)
    with pytest.raises(Px4BuildError, match="is not a directory"):
        find_build(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(Px4BuildError) as caught:
        find_build(tmp_path / "empty")
    message = str(caught.value)
    assert str(tmp_path / "empty" / "build" / "px4_sitl_default" / "bin" / "px4") in message
    assert "make px4_sitl" in message
