"""Run the PX4-like test vehicle by hand: ``python -m dronecine_sim.px4 --port 14580 --instance 0``.

Point QGroundControl or mavproxy at it (``mavproxy.py --master udpout:127.0.0.1:14580``), or give
``--remote 127.0.0.1:14540`` to have it send first, as PX4 SITL does. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from dronecine_sim.px4.errors import Px4SimError
from dronecine_sim.px4.telemetry import Origin
from dronecine_sim.px4.vehicle import Px4Vehicle, Px4VehicleConfig


def _remote(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT")
    return host, int(port)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dronecine_sim.px4", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=14580, help="UDP port to listen on (0: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--instance", type=int, default=0, help="SITL instance: MAV_SYS_ID = instance + 1")
    parser.add_argument("--remote", type=_remote, default=None, help="also send to HOST:PORT from boot")
    parser.add_argument("--time-scale", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--home-lat", type=float, default=None, help="home latitude, deg (PX4_HOME_LAT)")
    parser.add_argument("--home-lon", type=float, default=None, help="home longitude, deg (PX4_HOME_LON)")
    parser.add_argument("--home-alt", type=float, default=None, help="home altitude AMSL, m (PX4_HOME_ALT)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="set a PX4 parameter")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every refused command and failsafe")
    return parser


def _params(items: list[str]) -> tuple[tuple[str, float], ...]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        try:
            pairs.append((name.strip(), float(value)))
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise Px4SimError(f"--param {item!r} is not NAME=VALUE with a number")
    return tuple(pairs)


def _origin(args: argparse.Namespace) -> Origin:
    """The home the vehicle boots at (its GPS origin): PX4 SITL's default, or the one given."""
    default = Origin()
    lat = default.latitude_deg if args.home_lat is None else args.home_lat
    lon = default.longitude_deg if args.home_lon is None else args.home_lon
    alt = default.altitude_amsl_m if args.home_alt is None else args.home_alt
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and -500.0 <= alt <= 9000.0):
        raise Px4SimError(f"home {lat}, {lon}, {alt} m is not a place on Earth (lat -90..90, lon -180..180 deg)")
    return Origin(lat, lon, alt)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        config = Px4VehicleConfig(
            instance=args.instance, host=args.host, port=args.port, remote=args.remote,
            time_scale=args.time_scale, params=_params(args.param), origin=_origin(args),
        )  # fmt: skip
        vehicle = Px4Vehicle(config)
        vehicle.start()
    except (Px4SimError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")  # one line, no traceback: a bad option is not a bug
        return 2
    sys.stdout.write(f"PX4-like vehicle sysid {vehicle.sysid} on udp {args.host}:{vehicle.port} (Ctrl-C stops it)\n")
    sys.stdout.flush()
    try:
        while vehicle.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        vehicle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
