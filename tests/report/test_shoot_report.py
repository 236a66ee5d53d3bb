"""The shoot report: an HTML page whose pictures and links exist, naming every drone and intervention."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_kit import DRONES, ROBOT_SKIES, SAFETY_STEPS, write_shoot

from dronecine.edit import ShootRecording, choose_takes, render_rough_cut, write_otio
from dronecine.mission import Mission, load_mission
from dronecine.report import write_report
from dronecine.report.contact_sheet import contact_frames

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def mission() -> Mission:
    return load_mission(ROBOT_SKIES).mission


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory, mission: Mission) -> tuple[ShootRecording, str]:
    recording = ShootRecording.load(write_shoot(tmp_path_factory.mktemp("shoot")))
    takes = choose_takes(recording)
    write_otio(takes, recording)
    render_rough_cut(takes, recording)
    path = write_report(recording, mission)
    assert path == recording.out_dir / "report.html"
    return recording, path.read_text(encoding="utf-8")


def _sources(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def _links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


def test_the_report_shows_pictures_that_exist(reported) -> None:
    recording, html = reported
    sources = _sources(html)
    assert {Path(s).name for s in sources} == {"top_down.png", "framing_error.png", "contact_sheet.png"}
    for source in sources:
        assert source.startswith("report/")
        picture = recording.out_dir / source
        assert picture.read_bytes()[:8] == PNG_MAGIC
        assert picture.stat().st_size > 10_000


def test_the_report_names_every_drone_and_its_figures(reported) -> None:
    recording, html = reported
    for drone in DRONES:
        assert f'<td class="text">{drone}</td>' in html
    assert "In the Robot Skies" in html
    assert "10.8× real time" in html  # 27 s simulated in 2.5 s
    assert "<td>9.5</td>" in html  # the closest the drones came
    for shot in recording.shots:
        assert f'<td class="text">{shot.move}</td>' in html


def test_the_report_lists_the_safety_interventions(reported) -> None:
    _, html = reported
    assert html.count("command limited") == len(SAFETY_STEPS)
    assert re.search(r'<td class="text">separation</td><td>0</td><td>0</td><td>2</td><td>2</td>', html)
    assert re.search(r'<td class="text">speed</td><td>1</td><td>0</td><td>0</td><td>1</td>', html)


def test_the_report_links_the_videos_and_the_edit(reported) -> None:
    recording, html = reported
    links = _links(html)
    for expected in [*(f"video/{d}.mp4" for d in DRONES), "edit.otio", "rough_cut.mp4"]:
        assert expected in links
    for link in links:
        assert (recording.out_dir / link).is_file(), link
    assert "(not written)" not in html


def test_a_report_elsewhere_links_back_to_the_shoot(tmp_path: Path, mission: Mission) -> None:
    recording = ShootRecording.load(write_shoot(tmp_path / "shoot"))
    path = write_report(recording, mission, tmp_path / "elsewhere")
    html = path.read_text(encoding="utf-8")
    for source in _sources(html):
        assert (path.parent / source).is_file()
    for link in _links(html):
        assert link.startswith("../shoot/") and (path.parent / link).is_file()
    assert html.count("(not written)") == 2  # no edit, no rough cut yet


def test_the_contact_sheet_takes_each_drone_mid_filming(reported) -> None:
    recording, _ = reported
    cells = contact_frames(recording)
    assert [(c.scene_index, c.drone) for c in cells] == [(s, d) for s in (0, 1) for d in DRONES]
    for cell in cells:
        assert cell.image is not None and cell.frame is not None
        telemetry = recording.telemetry(cell.drone)
        assert telemetry.filming[cell.frame] and telemetry.scene_index[cell.frame] == cell.scene_index


def test_a_missing_video_leaves_a_labelled_gap(tmp_path: Path, mission: Mission) -> None:
    recording = ShootRecording.load(write_shoot(tmp_path / "shoot"))
    (tmp_path / "shoot" / "video" / "watcher.mp4").unlink()
    cells = {(c.scene_index, c.drone): c for c in contact_frames(recording)}
    assert cells[0, "watcher"].image is None and "missing" in cells[0, "watcher"].note
    assert cells[0, "companion"].image is not None
    assert write_report(recording, mission).is_file()
