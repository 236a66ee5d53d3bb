"""The user's PX4 build: where the SITL binary, startup scripts and airframes are.

Follows PX4's own layout and scripts: ``Tools/simulation/sitl_multiple_run.sh`` starts
``build/<target>/bin/px4 -i N -d build/<target>/etc`` from a working directory per instance;
``ROMFS/px4fmu_common/init.d-posix/rcS`` finds the airframe ``etc/init.d-posix/airframes/<id>_<model>``
for ``PX4_SIM_MODEL``; Gazebo's paths come from ``build/<target>/rootfs/gz_env.sh``
(src/modules/simulation/gz_bridge/gz_env.sh.in).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sitl_launch.errors import Px4BuildError

DEFAULT_BUILD_TARGET = "px4_sitl_default"
_EXPORT = re.compile(r"^\s*export\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


class Simulator(StrEnum):
    """PX4_SIMULATOR values px4-rc.simulator understands (the models' name prefixes)."""

    SIH = "sihsim"
    GAZEBO = "gz"


@dataclass(frozen=True)
class Px4Build:
    px4_dir: Path
    build_dir: Path

    @property
    def binary(self) -> Path:
        return self.build_dir / "bin" / "px4"

    @property
    def etc_dir(self) -> Path:
        return self.build_dir / "etc"

    @property
    def airframes_dir(self) -> Path:
        return self.etc_dir / "init.d-posix" / "airframes"

    def autostart_id(self, model: str) -> int:
        """SYS_AUTOSTART of ``model``, found the way rcS does: the airframe file ``<id>_<model>``."""
        try:
            names = sorted(p.name for p in self.airframes_dir.iterdir())
        except OSError as error:
            raise Px4BuildError(
                f"{self.airframes_dir}: cannot list PX4's SITL airframes ({error.strerror or error}); "
                f"rebuild with `make {self.build_dir.name.removeprefix('px4_')}` in {self.px4_dir}"
            ) from error
        pattern = re.compile(rf"^(\d+)_{re.escape(model)}$")
        for name in names:
            if match := pattern.match(name):
                return int(match[1])
        known = sorted({n.split("_", 1)[1] for n in names if re.match(r"^\d+_(sihsim|gz)_[^.]+$", n)})
        raise Px4BuildError(
            f"model {model!r} has no airframe in {self.airframes_dir} (expected a file <id>_{model}); "
            f"models in this build: {', '.join(known) or 'none'}"
        )

    def gazebo_env(self, base_env: Mapping[str, str]) -> dict[str, str]:
        """The variables ``rootfs/gz_env.sh`` exports, expanded against ``base_env``.

        px4-rc.simulator sources ``./gz_env.sh`` or ``../gz_env.sh`` relative to the working
        directory, which our per-instance directories do not have, so the launcher exports them.
        """
        path = self.build_dir / "rootfs" / "gz_env.sh"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise Px4BuildError(
                f"{path}: missing ({error.strerror or error}); this build has no Gazebo support: "
                f"run `make px4_sitl gz_x500` once in {self.px4_dir}"
            ) from error
        env = dict(base_env)
        exported: dict[str, str] = {}
        for line in text.splitlines():
            if match := _EXPORT.match(line):
                value = _expand(match["value"].strip().strip('"'), env)
                env[match["name"]] = value
                exported[match["name"]] = value
        return exported


def _expand(text: str, env: Mapping[str, str]) -> str:
    return _VAR.sub(lambda m: env.get(m["braced"] or m["plain"], ""), text)


def simulator_of(model: str) -> Simulator:
    """The simulator a PX4 SITL model runs in, from its name (``sihsim_quadx``, ``gz_x500``...)."""
    for simulator in Simulator:
        if model.startswith(f"{simulator.value}_"):
            return simulator
    raise Px4BuildError(
        f"model {model!r}: expected a SIH model (sihsim_*, e.g. sihsim_quadx) or a Gazebo one (gz_*, e.g. gz_x500)"
    )


def find_build(px4_dir: str | os.PathLike[str] | None, build_target: str = DEFAULT_BUILD_TARGET) -> Px4Build:
    """The PX4 build under ``px4_dir`` (or $PX4_DIR); one clear error if it is not there."""
    if px4_dir is None or str(px4_dir) == "":
        raise Px4BuildError(
            "PX4_DIR is not set: pass --px4-dir or `export PX4_DIR=/path/to/PX4-Autopilot` "
            "(a checkout where `make px4_sitl` has been run)"
        )
    root = Path(px4_dir).expanduser().resolve()
    if not root.is_dir():
        raise Px4BuildError(f"PX4_DIR {root} is not a directory (expected a PX4-Autopilot checkout)")
    build = Px4Build(root, root / "build" / build_target)
    if not os.access(build.binary, os.X_OK) or not build.binary.is_file():
        target = build_target.removeprefix("px4_").removesuffix("_default")
        raise Px4BuildError(
            f"{root} is not a PX4 SITL build: {build.binary} is missing or not executable; "
            f"build it with `cd {root} && make px4_{target}`"
        )
    if not (build.etc_dir / "init.d-posix" / "rcS").is_file():
        raise Px4BuildError(
            f"{build.etc_dir / 'init.d-posix' / 'rcS'} is missing: the build is incomplete; rerun `make {build_target}`"
        )
    return build
