"""The dashboard in a real browser (Debian's headless Chromium driven by Playwright) over a real
simulated shoot (``dronecine shoot --serve`` in a subprocess): the page loads, Start starts the shoot,
the drones move on the page, and "abort all", once confirmed, brings every drone to the mission's
abort action."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ground"))
from plankit import ServedCommand, duet_document, write

CHROMIUM = Path(os.environ.get("DRONECINE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # the machines have no network: no background connections, no sandbox as root
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
sync_api = pytest.importorskip("playwright.sync_api")

if not CHROMIUM.is_file():
    if os.environ.get("CI"):  # CI installs it (.ci/run): missing there is a failure, not a skip
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium for this test")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt install chromium, or set DRONECINE_CHROMIUM)", allow_module_level=True)


@pytest.fixture
def served(tmp_path):
    mission = write(duet_document(scene_s=16.0), tmp_path / "duet.yaml")
    shoot = ServedCommand([
        "shoot", str(mission), "--out", str(tmp_path / "out"), "--serve", "--port", "0", "--speed", "3",
        "--video-width", "240", "--seed", "2",
    ])  # fmt: skip
    yield shoot
    shoot.stop()


@pytest.fixture
def page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        browser.close()


def _positions(page) -> dict[str, str]:
    cards = page.locator(".drone-card")
    return {
        cards.nth(k).get_attribute("data-drone"): cards.nth(k).locator(".position").inner_text()
        for k in range(cards.count())
    }


def _confirm(page) -> None:
    page.locator("#confirm-ok").click()
    sync_api.expect(page.locator("#confirm")).not_to_be_visible()


@pytest.mark.slow
def test_start_watch_the_drones_move_and_abort_all(served, page, tmp_path) -> None:
    page, errors = page
    expect = sync_api.expect
    page.goto(served.url)
    expect(page.locator("#mission")).to_have_text("Duet")
    expect(page.locator("#phase")).to_have_text("waiting")
    expect(page.locator(".drone-card")).to_have_count(2)
    assert "#token" not in page.url  # the token leaves the address bar once read

    page.locator("#start").click()
    expect(page.locator("#confirm")).to_be_visible()
    _confirm(page)
    expect(page.locator("#phase")).to_have_text("running", timeout=10_000)

    # Both drones take off during the pre-roll; their positions on the page change as they fly.
    for drone in ("solo", "duo"):
        card = page.locator(f'.drone-card[data-drone="{drone}"]')
        expect(card.locator(".armed")).to_have_text("armed", timeout=30_000)
    before = _positions(page)
    page.wait_for_timeout(2000)
    after = _positions(page)
    assert all(after[d] != before[d] for d in before), (before, after)
    thumb = page.locator('.drone-card[data-drone="solo"] img.thumb')
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=thumb.element_handle(), timeout=10_000)

    page.locator("#abort-all").click()
    expect(page.locator("#confirm-text")).to_contain_text("hold")  # the mission's abort_action
    _confirm(page)
    expect(page.locator("#aborted")).to_be_visible(timeout=10_000)
    for drone in ("solo", "duo"):
        card = page.locator(f'.drone-card[data-drone="{drone}"]')
        expect(card.locator(".mode")).to_have_text("hold", timeout=10_000)
    expect(page.locator("#commands")).to_contain_text("abort")
    page.screenshot(path=str(tmp_path / "dashboard.png"))
    commands = (tmp_path / "out" / "commands.jsonl").read_text()
    assert commands.count('"action":"abort"') == 2 and "dashboard (127.0.0.1)" in commands

    # The shoot runs to its end, is edited, and the page turns into its replay, with a scrubber.
    expect(page.locator("#phase")).to_have_text("replay", timeout=120_000)
    expect(page.locator("body")).to_have_class(re.compile(r"\breplay\b"))
    page.locator("#scrubber").fill("-15")
    expect(page.locator("#clock")).to_have_text("t = -15.0 s")
    early = _positions(page)
    page.locator("#scrubber").fill("0")
    expect(page.locator("#clock")).to_have_text("t = 0.0 s")
    assert _positions(page) != early
    assert errors == []
