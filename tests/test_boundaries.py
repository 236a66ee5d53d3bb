"""The package boundaries DESIGN.md sets: ``dronecine`` (what flies) never imports the simulator."""

from __future__ import annotations

import ast
from pathlib import Path

import dronecine

PACKAGE_ROOT = Path(dronecine.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_dronecine_never_imports_the_simulator() -> None:
    offenders = {
        str(path.relative_to(PACKAGE_ROOT)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] in {"dronecine_sim", "sim"}
        )
        for path in PACKAGE_ROOT.rglob("*.py")
    }
    offenders = {file: modules for file, modules in offenders.items() if modules}
    assert not offenders, f"dronecine must not import the simulator: {offenders}"


def test_the_boundary_check_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import dronecine_sim.envs\nfrom sim import world\n", encoding="utf-8")
    assert _imported_modules(sample) == {"dronecine_sim.envs", "sim"}


def test_simulator_installs_under_its_own_name() -> None:
    import dronecine_sim

    assert Path(dronecine_sim.__file__).parent.name == "dronecine_sim"
    assert Path(dronecine_sim.__file__).parent.parent.name == "sim"
