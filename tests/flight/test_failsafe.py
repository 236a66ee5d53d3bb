"""The failsafe monitor's rules: thresholds, priorities, latching, recovery and counts."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronecine.flight.failsafe import (
    FailsafeDecision,
    FailsafeError,
    FailsafeMonitor,
    FailsafeReason,
    FailsafeSettings,
)
from dronecine.mission.safety import FailsafeAction, Safety

DT_S = 0.1
NONE, SEARCH, HOLD, RETURN, LAND = (
    FailsafeDecision.NONE,
    FailsafeDecision.HOLD_AND_SEARCH,
    FailsafeDecision.HOLD,
    FailsafeDecision.RETURN,
    FailsafeDecision.LAND,
)


def _monitor(**overrides) -> FailsafeMonitor:
    return FailsafeMonitor(FailsafeSettings(**overrides))


def _run(monitor: FailsafeMonitor, steps: list[dict], t0_s: float = 0.0) -> list[FailsafeDecision]:
    """Feed one dict of inputs per step (DT_S apart); the decisions."""
    return [monitor.update(t0_s + k * DT_S, **inputs).decision for k, inputs in enumerate(steps)]


# --- settings ----------------------------------------------------------------------------------


def _safety(**values) -> Safety:
    document = {
        "geofence": [{"north_m": -50, "east_m": -50}, {"north_m": -50, "east_m": 50}, {"north_m": 50, "east_m": 0}],
        "ceiling_m": 60,
        "floor_m": 3,
        "min_separation_m": 8,
    }
    return Safety.model_validate(document | values)


def test_settings_come_from_the_missions_safety_block() -> None:
    safety = _safety(datalink_loss_action="land", datalink_loss_timeout_s=7, battery_return_percent=25)
    settings = FailsafeSettings.from_mission(safety, perception_stale_s=2.0)
    assert settings.datalink_loss_action is FailsafeAction.LAND
    assert settings.datalink_loss_timeout_s == 7.0 and settings.battery_return_percent == 25.0
    assert settings.perception_stale_s == 2.0
    with pytest.raises(FailsafeError) as raised:
        FailsafeSettings.from_mission(safety, stale_s=2.0)
    assert raised.value.field == "stale_s"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("battery_return_percent", 120.0),
        ("battery_return_percent", float("nan")),
        ("perception_stale_s", -1.0),
        ("datalink_loss_timeout_s", 0.0),
        ("battery_confirm_s", True),
        ("datalink_loss_action", "panic"),
    ],
)
def test_bad_settings_are_refused_and_named(name: str, value: object) -> None:
    with pytest.raises(FailsafeError) as raised:
        FailsafeSettings(**{name: value})
    assert raised.value.field == name


def test_bad_inputs_are_refused() -> None:
    monitor = _monitor()
    monitor.update(1.0)
    with pytest.raises(FailsafeError, match="backwards"):
        monitor.update(0.5)
    with pytest.raises(FailsafeError, match="ground_link_age_s"):
        monitor.update(2.0, ground_link_age_s=float("nan"))
    with pytest.raises(FailsafeError, match="battery_percent"):
        monitor.update(2.0, battery_percent="low")


# --- battery -----------------------------------------------------------------------------------


def test_battery_returns_at_the_threshold_once_confirmed_and_not_before() -> None:
    monitor = _monitor(battery_return_percent=30.0, battery_confirm_s=1.0)
    decisions = _run(monitor, [{"battery_percent": 30.1}] * 20 + [{"battery_percent": 30.0}] * 12)
    assert decisions[:30] == [NONE] * 30  # above it, then at it for less than the confirmation
    assert decisions[30:] == [RETURN, RETURN]  # at it for 1.0 s
    assert monitor.status.reason is FailsafeReason.BATTERY


def test_a_dip_shorter_than_the_confirmation_is_forgotten() -> None:
    monitor = _monitor(battery_return_percent=30.0, battery_confirm_s=1.0)
    steps = ([{"battery_percent": 29.0}] * 8 + [{"battery_percent": 31.0}]) * 5
    assert set(_run(monitor, steps)) == {NONE}


def test_battery_return_latches_even_when_the_gauge_reads_higher_again() -> None:
    monitor = _monitor(battery_return_percent=30.0, battery_confirm_s=0.0)
    decisions = _run(monitor, [{"battery_percent": 29.0}] + [{"battery_percent": 80.0}] * 5 + [{}] * 5)
    assert decisions == [RETURN] * 11


@pytest.mark.parametrize("unknown", [None, float("nan"), -1.0])
def test_an_unknown_battery_never_triggers(unknown) -> None:
    monitor = _monitor(battery_confirm_s=0.0)
    assert set(_run(monitor, [{"battery_percent": unknown}] * 30)) == {NONE}


@settings(max_examples=60, deadline=None)
@given(
    trace=st.lists(st.floats(min_value=0.0, max_value=100.0), min_size=1, max_size=60),
    threshold=st.floats(min_value=5.0, max_value=90.0),
    confirm_steps=st.integers(min_value=0, max_value=5),
)
def test_any_battery_trace_that_stays_below_long_enough_ends_in_return_and_never_leaves(
    trace: list[float], threshold: float, confirm_steps: int
) -> None:
    monitor = _monitor(battery_return_percent=threshold, battery_confirm_s=confirm_steps * DT_S)
    decisions = _run(monitor, [{"battery_percent": p} for p in trace])
    # the first step at which the trace has been at or below the threshold for the confirmation
    run, first = 0, None
    for k, percent in enumerate(trace):
        run = run + 1 if percent <= threshold else 0
        if run > confirm_steps and first is None:
            first = k
    if first is None:
        assert set(decisions) == {NONE}
    else:
        assert decisions[:first] == [NONE] * first
        assert decisions[first:] == [RETURN] * (len(trace) - first)


# --- ground link -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "decision"), [(FailsafeAction.HOLD, HOLD), (FailsafeAction.RETURN, RETURN), (FailsafeAction.LAND, LAND)]
)
def test_link_loss_takes_the_missions_action_at_the_timeout_and_not_before(action, decision) -> None:
    monitor = _monitor(datalink_loss_action=action, datalink_loss_timeout_s=5.0)
    ages = [4.0, 4.9, 4.99, 5.0, 6.0]
    assert _run(monitor, [{"ground_link_age_s": a} for a in ages]) == [NONE, NONE, NONE, decision, decision]
    assert monitor.status.reason is FailsafeReason.DATALINK


def test_a_link_loss_hold_ends_when_the_link_comes_back() -> None:
    monitor = _monitor(datalink_loss_action=FailsafeAction.HOLD, datalink_loss_timeout_s=2.0)
    ages = [0.1, 2.5, 3.0, 0.0, 0.1]
    assert _run(monitor, [{"ground_link_age_s": a} for a in ages]) == [NONE, HOLD, HOLD, NONE, NONE]
    assert monitor.counts[FailsafeReason.DATALINK] == 1


@pytest.mark.parametrize(("action", "decision"), [(FailsafeAction.RETURN, RETURN), (FailsafeAction.LAND, LAND)])
def test_a_link_loss_return_or_landing_latches(action, decision) -> None:
    monitor = _monitor(datalink_loss_action=action, datalink_loss_timeout_s=2.0)
    ages = [2.0, 0.0, 0.1, None]
    assert _run(monitor, [{"ground_link_age_s": a} for a in ages]) == [decision] * 4


def test_no_ground_link_to_watch_never_triggers() -> None:
    assert set(_run(_monitor(), [{"ground_link_age_s": None}] * 100)) == {NONE}


# --- perception --------------------------------------------------------------------------------


def test_search_starts_once_the_subject_is_unseen_for_the_stale_time_and_not_before() -> None:
    monitor = _monitor(perception_stale_s=1.5)
    lost = {"filming": True, "subject_detected": False}
    decisions = _run(monitor, [{"filming": True}] * 3 + [lost] * 17)
    assert decisions[:18] == [NONE] * 18  # unseen from step 3: 1.4 s at step 17
    assert decisions[18:] == [SEARCH, SEARCH]  # 1.5 s at step 18


def test_short_losses_never_start_a_search() -> None:
    monitor = _monitor(perception_stale_s=1.5)
    lost, seen = {"filming": True, "subject_detected": False}, {"filming": True}
    assert set(_run(monitor, ([lost] * 14 + [seen]) * 10)) == {NONE}


def test_search_ends_when_the_subject_is_detected_or_the_shot_ends() -> None:
    monitor = _monitor(perception_stale_s=1.0)
    lost = {"filming": True, "subject_detected": False}
    decisions = _run(monitor, [lost] * 12 + [{"filming": True}] + [lost] * 12 + [{"filming": False}] * 2)
    assert decisions[10:13] == [SEARCH, SEARCH, NONE]
    assert decisions[-3:] == [SEARCH, NONE, NONE]
    assert monitor.counts[FailsafeReason.PERCEPTION] == 2


def test_a_lost_subject_outside_a_shot_is_no_failsafe() -> None:
    monitor = _monitor(perception_stale_s=0.5)
    assert set(_run(monitor, [{"filming": False, "subject_detected": False}] * 50)) == {NONE}


# --- priorities and counts ---------------------------------------------------------------------


def test_the_most_conservative_decision_wins_and_battery_outranks_the_link_for_the_same_decision() -> None:
    monitor = _monitor(
        datalink_loss_action=FailsafeAction.HOLD,
        datalink_loss_timeout_s=1.0,
        battery_confirm_s=0.0,
        perception_stale_s=1.5,
    )
    lost = {"filming": True, "subject_detected": False}
    steps = (
        [lost] * 20  # search
        + [lost | {"ground_link_age_s": 2.0}] * 3  # the link-loss hold outranks the search
        + [lost | {"ground_link_age_s": 2.0, "battery_percent": 10.0}] * 3  # the battery's return outranks the hold
        + [lost | {"battery_percent": 90.0, "ground_link_age_s": 0.0}] * 3  # the return latches over the search
    )
    decisions = _run(monitor, steps)
    assert decisions[19] == SEARCH and decisions[20:23] == [HOLD] * 3 and decisions[23:] == [RETURN] * 6
    assert monitor.status.reason is FailsafeReason.BATTERY


def test_a_link_loss_landing_outranks_a_battery_return_and_a_return_can_still_become_a_landing() -> None:
    monitor = _monitor(datalink_loss_action=FailsafeAction.LAND, datalink_loss_timeout_s=3.0, battery_confirm_s=0.0)
    decisions = _run(monitor, [{"battery_percent": 20.0}] * 3 + [{"battery_percent": 20.0, "ground_link_age_s": 3.5}])
    assert decisions == [RETURN, RETURN, RETURN, LAND]
    assert monitor.status.reason is FailsafeReason.DATALINK


def test_the_same_decision_from_two_rules_reports_the_higher_priority_one() -> None:
    monitor = _monitor(datalink_loss_action=FailsafeAction.RETURN, datalink_loss_timeout_s=1.0, battery_confirm_s=0.0)
    first = monitor.update(0.0, ground_link_age_s=1.5)
    both = monitor.update(0.1, ground_link_age_s=1.6, battery_percent=10.0)
    assert (first.decision, first.reason) == (RETURN, FailsafeReason.DATALINK)
    assert (both.decision, both.reason, both.changed) == (RETURN, FailsafeReason.BATTERY, True)


def test_each_change_is_logged_and_counted_per_rule(caplog) -> None:
    monitor = _monitor(perception_stale_s=0.5, datalink_loss_action=FailsafeAction.HOLD, datalink_loss_timeout_s=1.0)
    lost = {"filming": True, "subject_detected": False}
    steps = [lost] * 6 + [{"filming": True}] + [lost] * 6 + [{"ground_link_age_s": 2.0}] * 2 + [{}] * 2
    with caplog.at_level(logging.INFO, logger="dronecine.flight.failsafe"):
        statuses = [monitor.update(k * DT_S, **inputs) for k, inputs in enumerate(steps)]
    assert monitor.counts == {FailsafeReason.BATTERY: 0, FailsafeReason.DATALINK: 1, FailsafeReason.PERCEPTION: 2}
    changes = [s for s in statuses if s.changed]
    assert [s.decision for s in changes] == [SEARCH, NONE, SEARCH, HOLD, NONE]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3 and "perception" in warnings[0].getMessage() and "datalink" in warnings[2].getMessage()
    assert len([r for r in caplog.records if r.levelno == logging.INFO]) == 2
