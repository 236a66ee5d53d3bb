"""What each PX4 SITL instance gets: instance number, system id, ports, home, environment, params.

The conventions are PX4's own (see ROMFS/px4fmu_common/init.d-posix/rcS and px4-rc.mavlink):
instance ``i`` runs with ``MAV_SYS_ID = i + 1``; its onboard/offboard-API MAVLink link sends to
127.0.0.1:``14540 + i`` (instances above 9 all send to 14549) from local port ``14580 + i``; its
GCS link listens on ``18570 + i`` and sends to 14550.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dronecine.mission import Mission
from dronecine.mission.drones import Drone
from dronecine.mission.geo import Origin
from dronecine.mission.safety import FailsafeAction
from sitl_launch.errors import LaunchError
from sitl_launch.px4_build import Px4Build, Simulator, simulator_of

logger = logging.getLogger(__name__)

OFFBOARD_PORT_BASE = 14540  # px4-rc.mavlink: udp_offboard_port_remote=$((14540+px4_instance))
SHARED_OFFBOARD_PORT = 14549  # px4-rc.mavlink: instances above 9 all send here
GCS_PORT = 14550  # mavlink's default remote port for the GCS link (no -o in px4-rc.mavlink)
MAX_SYS_ID = 254  # MAVLink system ids 1..255; 255 is by convention a ground station
PX4_EARTH_RADIUS_M = 6_371_000.0  # CONSTANTS_RADIUS_OF_EARTH in PX4's src/lib/geo
GEOFENCE_MARGIN_M = 20.0  # PX4's cylinder sits outside the mission polygon the agent enforces
CEILING_MARGIN_M = 10.0
RTL_BELOW_CEILING_M = 5.0
_DLL_ACTION = {FailsafeAction.HOLD: 1, FailsafeAction.RETURN: 2, FailsafeAction.LAND: 3}  # NAV_DLL_ACT values
_MIN_DL_LOSS_T_S = 5  # COM_DL_LOSS_T minimum in PX4's metadata


@dataclass(frozen=True)
class GeoPoint:
    latitude_deg: float
    longitude_deg: float
    altitude_m: float


def local_to_geo(origin: Origin, north_m: float, east_m: float) -> GeoPoint:
    """The WGS84 point ``north_m``/``east_m`` from ``origin``, with PX4's own projection.

    PX4 maps its local NED frame with an azimuthal equidistant projection on a sphere
    (MapProjection::reproject in src/lib/geo), so a home computed this way lands exactly where
    PX4 puts local (north_m, east_m) relative to the same reference.
    """
    lat0 = math.radians(origin.latitude_deg)
    lon0 = math.radians(origin.longitude_deg)
    x_rad = north_m / PX4_EARTH_RADIUS_M
    y_rad = east_m / PX4_EARTH_RADIUS_M
    c = math.hypot(x_rad, y_rad)
    if c == 0.0:
        return GeoPoint(origin.latitude_deg, origin.longitude_deg, origin.altitude_m)
    sin_c, cos_c = math.sin(c), math.cos(c)
    lat = math.asin(cos_c * math.sin(lat0) + x_rad * sin_c * math.cos(lat0) / c)
    lon = lon0 + math.atan2(y_rad * sin_c, c * math.cos(lat0) * cos_c - x_rad * math.sin(lat0) * sin_c)
    return GeoPoint(math.degrees(lat), math.degrees(lon), origin.altitude_m)


@dataclass(frozen=True)
class Ports:
    offboard_remote: int  # where the instance sends its onboard/offboard-API link: the agent binds it
    offboard_local: int
    gcs_remote: int
    gcs_local: int

    @property
    def agent_url(self) -> str:
        return f"udpin://0.0.0.0:{self.offboard_remote}"


def px4_ports(instance: int, offboard_base: int = OFFBOARD_PORT_BASE, gcs_port: int = GCS_PORT) -> Ports:
    """The MAVLink ports of SITL instance ``instance`` (px4-rc.mavlink), with a movable base for tests."""
    remote = offboard_base + instance if instance <= 9 else offboard_base + 9
    return Ports(
        offboard_remote=remote, offboard_local=14580 + instance, gcs_remote=gcs_port, gcs_local=18570 + instance
    )


def mission_param_overrides(mission: Mission, drone: Drone, base: Mapping[str, float]) -> dict[str, int | float]:
    """Camera-drone parameters that depend on the mission: fence, ceiling, ground-link loss.

    ``base`` holds the file's values (for RTL altitudes, which must stay under the ceiling).
    """
    safety = mission.safety
    home_n, home_e = drone.home.as_tuple
    farthest_m = max(math.hypot(v.north_m - home_n, v.east_m - home_e) for v in safety.geofence)
    overrides: dict[str, int | float] = {
        "GF_MAX_HOR_DIST": float(math.ceil(farthest_m + GEOFENCE_MARGIN_M)),
        "GF_MAX_VER_DIST": float(math.ceil(safety.ceiling_m + CEILING_MARGIN_M)),
        "NAV_DLL_ACT": _DLL_ACTION[safety.datalink_loss_action],
        "COM_DL_LOSS_T": max(_MIN_DL_LOSS_T_S, math.ceil(safety.datalink_loss_timeout_s)),
    }
    if math.ceil(safety.datalink_loss_timeout_s) < _MIN_DL_LOSS_T_S:
        logger.warning(
            "drone %s: datalink_loss_timeout_s %.1f s is below PX4's minimum COM_DL_LOSS_T (5 s); PX4 uses 5 s, "
            "the agent keeps the mission's timeout",
            drone.id,
            safety.datalink_loss_timeout_s,
        )
    rtl_alt = base.get("RTL_RETURN_ALT")
    if rtl_alt is not None and rtl_alt > safety.ceiling_m - RTL_BELOW_CEILING_M:
        overrides["RTL_RETURN_ALT"] = max(0.0, safety.ceiling_m - RTL_BELOW_CEILING_M)
        descend = base.get("RTL_DESCEND_ALT")
        if descend is not None and descend > overrides["RTL_RETURN_ALT"]:
            overrides["RTL_DESCEND_ALT"] = overrides["RTL_RETURN_ALT"]
    return overrides


@dataclass(frozen=True)
class InstancePlan:
    """Everything needed to start (and later recognise) one PX4 SITL instance."""

    instance: int
    drone_id: str
    sys_id: int
    model: str
    simulator: Simulator
    autostart: int
    home_north_m: float
    home_east_m: float
    home: GeoPoint
    ports: Ports
    work_dir: Path
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)  # added to the launcher's environment
    argv: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        return {
            "instance": self.instance,
            "drone_id": self.drone_id,
            "sys_id": self.sys_id,
            "model": self.model,
            "home": {"north_m": self.home_north_m, "east_m": self.home_east_m, **self.home.__dict__},
            "agent_url": self.ports.agent_url,
            "gcs_port": self.ports.gcs_remote,
            "work_dir": str(self.work_dir),
            "log": str(self.log_path),
        }


def select_drones(mission: Mission, only: Sequence[str] | None) -> tuple[Drone, ...]:
    if not only:
        return tuple(mission.drones)
    by_id = {d.id: d for d in mission.drones}
    unknown = [d for d in only if d not in by_id]
    if unknown:
        raise LaunchError(f"--only {', '.join(unknown)}: not a drone of the mission (drones: {', '.join(by_id)})")
    return tuple(by_id[d] for d in dict.fromkeys(only))


def plan_instances(
    mission: Mission,
    drones: Sequence[Drone],
    build: Px4Build,
    model: str,
    run_dir: Path,
    *,
    offboard_base: int = OFFBOARD_PORT_BASE,
    gcs_port: int = GCS_PORT,
    gz_world: str = "default",
    gui: bool = False,
    max_instances: int = 20,
) -> tuple[InstancePlan, ...]:
    """One plan per drone, instance numbers in mission order."""
    if not drones:
        raise LaunchError("no drones to launch")
    if len(drones) > min(max_instances, MAX_SYS_ID):
        limit = min(max_instances, MAX_SYS_ID)
        why = (
            "MAV_SYS_ID = instance + 1 must stay within 1..254"
            if limit == MAX_SYS_ID
            else ("each PX4 SITL instance needs about a CPU core; raise --max-instances if this machine has them")
        )
        raise LaunchError(f"too many drones: {len(drones)} to launch, at most {limit} ({why})")
    if len(drones) > 10:
        logger.warning(
            "%d instances: PX4 sends the offboard-API link of instances 10 and above to the same UDP port %d "
            "(px4-rc.mavlink), so their agents must share one link and tell drones apart by system id",
            len(drones),
            offboard_base + 9,
        )
    simulator = simulator_of(model)
    autostart = build.autostart_id(model)
    plans = []
    for instance, drone in enumerate(drones):
        home_n, home_e = drone.home.as_tuple
        home = local_to_geo(mission.origin, home_n, home_e)
        ports = px4_ports(instance, offboard_base, gcs_port)
        env = {
            "PX4_SIM_MODEL": model,
            "PX4_SIMULATOR": simulator.value,
            "PX4_SYS_AUTOSTART": str(autostart),
            # Not read by PX4 (its ports are fixed in px4-rc.mavlink): for test vehicles and agents.
            "DRONECINE_DRONE_ID": drone.id,
            "DRONECINE_INSTANCE": str(instance),
            "DRONECINE_OFFBOARD_PORT": str(ports.offboard_remote),
            "DRONECINE_GCS_PORT": str(ports.gcs_remote),
        }
        if simulator is Simulator.SIH:
            # px4-rc.simulator copies these into SIH_LOC_LAT0 / SIH_LOC_LON0 / SIH_LOC_H0.
            env |= {
                "PX4_HOME_LAT": f"{home.latitude_deg:.9f}",
                "PX4_HOME_LON": f"{home.longitude_deg:.9f}",
                "PX4_HOME_ALT": f"{home.altitude_m:.3f}",
            }
        else:
            # Gazebo worlds are ENU (x east, y north); the world file fixes latitude/longitude.
            env |= {"PX4_GZ_MODEL_POSE": f"{home_e:g},{home_n:g}", "PX4_GZ_WORLD": gz_world}
            if instance > 0:
                env["PX4_GZ_STANDALONE"] = "1"  # only instance 0 may start the Gazebo server
            if not gui:
                env["HEADLESS"] = "1"
        work_dir = run_dir / "px4" / f"{instance}_{drone.id}"
        plans.append(
            InstancePlan(
                instance=instance,
                drone_id=drone.id,
                sys_id=instance + 1,
                model=model,
                simulator=simulator,
                autostart=autostart,
                home_north_m=home_n,
                home_east_m=home_e,
                home=home,
                ports=ports,
                work_dir=work_dir,
                log_path=run_dir / "logs" / f"px4_{instance}_{drone.id}.log",
                env=env,
                # Tools/simulation/sitl_multiple_run.sh: `px4 -i $n -d "$build_path/etc"` from the instance dir.
                argv=(str(build.binary), "-i", str(instance), "-d", str(build.etc_dir)),
            )
        )
    return tuple(plans)
