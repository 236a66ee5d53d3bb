"""``python -m dronecine_sim.px4``: the test vehicle by hand boots at the home it is given, as PX4 SITL
does with PX4_HOME_LAT/LON/ALT, and refuses a home that is not on Earth in one line."""

from __future__ import annotations

from dronecine_sim.px4.__main__ import _origin, _parser, main
from dronecine_sim.px4.telemetry import Origin


def test_the_home_options_set_the_vehicles_gps_origin() -> None:
    args = _parser().parse_args(["--home-lat", "48.1", "--home-lon", "11.5", "--home-alt", "520"])
    assert _origin(args) == Origin(48.1, 11.5, 520.0)
    assert _origin(_parser().parse_args([])) == Origin()  # PX4 SITL's default home


def test_a_home_off_the_earth_is_a_one_line_error(capsys) -> None:
    assert main(["--port", "0", "--home-lat", "147.4"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: home 147.4,") and "lat -90..90" in err and err.count("\n") == 1
