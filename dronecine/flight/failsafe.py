"""The onboard failsafes: low battery, stale perception and a silent ground link.

One ``FailsafeMonitor`` per drone. Each control step ``update`` takes what the agent knows (the time,
the battery's remaining percent, the age of the last ground-station message, whether the tracker
detects the subject, whether a shot is being filmed) and returns a ``FailsafeStatus``: the decision
the agent must carry out, the rule behind it and why. The rules:

- **Battery** (``BATTERY``): remaining percent at or below ``battery_return_percent`` for
  ``battery_confirm_s`` (a climb's voltage sag dips the gauge for a moment) -> ``RETURN``. Latches:
  a battery that reads higher again (it recovers a little once the load drops) never cancels it.
- **Ground link** (``DATALINK``): no ground-station message for ``datalink_loss_timeout_s`` -> the
  mission's ``datalink_loss_action``. ``HOLD`` ends when a message arrives again; ``RETURN`` and
  ``LAND`` latch (a drone half way home, or half way down, finishes).
- **Perception** (``PERCEPTION``): filming, and the tracker has not detected the subject for
  ``perception_stale_s`` -> ``HOLD_AND_SEARCH`` (hold position, look for the subject). Ends as soon
  as the tracker detects it again, or the shot ends.

Priority: the most conservative decision wins, ``LAND`` > ``RETURN`` > ``HOLD`` > ``HOLD_AND_SEARCH``
> ``NONE``; between rules asking for the same decision, battery > ground link > perception (the
reason reported). So a low battery turns a link-loss hold into a return, a link-loss landing is
never turned back into a flight home, and a search never overrides a hold, a return or a landing.
Latched rules only ever escalate: a returning drone may still be told to land where it is.

Unknown inputs disable their rule: battery ``None`` (or NaN, or MAVLink's ``-1``), link age ``None``
(no ground station, as in the simulated shoot). Each change of decision is logged (WARNING when a
failsafe engages, INFO when it ends) and counted per rule in ``counts``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real
from typing import TYPE_CHECKING, Any

from dronecine.flight.errors import FlightError
from dronecine.mission.safety import FailsafeAction

if TYPE_CHECKING:
    from dronecine.mission.safety import Safety

_log = logging.getLogger(__name__)

__all__ = [
    "FailsafeDecision",
    "FailsafeError",
    "FailsafeMonitor",
    "FailsafeReason",
    "FailsafeSettings",
    "FailsafeStatus",
]


class FailsafeError(FlightError, ValueError):
    """Failsafe settings that cannot protect a drone, or a monitor fed malformed inputs.

    ``field`` names the offending setting or input.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FailsafeDecision(StrEnum):
    """What the agent must do, from the least to the most conservative."""

    NONE = "none"  # fly as planned
    HOLD_AND_SEARCH = "hold_and_search"  # hold position, sweep the camera for the lost subject
    HOLD = "hold"  # hold position, camera on the subject's estimate
    RETURN = "return"  # fly home and land there
    LAND = "land"  # descend where the drone is

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {decision: i for i, decision in enumerate(FailsafeDecision)}
_FROM_ACTION = {
    FailsafeAction.HOLD: FailsafeDecision.HOLD,
    FailsafeAction.RETURN: FailsafeDecision.RETURN,
    FailsafeAction.LAND: FailsafeDecision.LAND,
}


class FailsafeReason(StrEnum):
    """The rule behind a decision, in priority order between rules asking for the same decision."""

    BATTERY = "battery"
    DATALINK = "datalink"
    PERCEPTION = "perception"


_RULE_ORDER = {reason: i for i, reason in enumerate(FailsafeReason)}

# (field, unit, lowest, highest): every number is finite and within its range.
_RANGES: tuple[tuple[str, str, float, float], ...] = (
    ("battery_return_percent", "%", 0.0, 100.0),
    ("battery_confirm_s", "s", 0.0, 60.0),
    ("datalink_loss_timeout_s", "s", 0.0, 600.0),
    ("perception_stale_s", "s", 0.0, 60.0),
)


@dataclass(frozen=True)
class FailsafeSettings:
    """The failsafes' thresholds (defaults: the mission's safety block's and the onboard ones)."""

    battery_return_percent: float = 30.0  # return at or below this remaining charge
    battery_confirm_s: float = 1.0  # ... once it has read so for this long
    datalink_loss_action: FailsafeAction = FailsafeAction.RETURN
    datalink_loss_timeout_s: float = 5.0  # no ground message for this long: the action above
    # Filming without a detection for this long: hold and search. The policy recovers most losses
    # shorter than this by itself (it flies on the estimator's prediction), and holding still while
    # a subject runs on costs more than it finds (measured on the simulated shoot: docs/failsafes.md).
    perception_stale_s: float = 3.0

    def __post_init__(self) -> None:
        for name, unit, lowest, highest in _RANGES:
            value = getattr(self, name)
            ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or not lowest <= value <= highest:
                raise FailsafeError(
                    f"failsafe setting {name} = {value!r} is out of range (expected {lowest:g}..{highest:g} {unit})",
                    name,
                )
            object.__setattr__(self, name, float(value))
        if self.datalink_loss_timeout_s <= 0.0:
            raise FailsafeError("failsafe setting datalink_loss_timeout_s must be > 0 s", "datalink_loss_timeout_s")
        try:
            action = FailsafeAction(self.datalink_loss_action)
        except ValueError as error:
            raise FailsafeError(
                f"failsafe setting datalink_loss_action = {self.datalink_loss_action!r} is not one of "
                f"{', '.join(a.value for a in FailsafeAction)}",
                "datalink_loss_action",
            ) from error
        object.__setattr__(self, "datalink_loss_action", action)

    @classmethod
    def from_mission(cls, safety: Safety, **overrides: Any) -> FailsafeSettings:
        """The settings of a mission's ``safety`` block; ``overrides`` set the onboard ones
        (``battery_confirm_s``, ``perception_stale_s``) or replace any other."""
        values: dict[str, Any] = {
            "battery_return_percent": safety.battery_return_percent,
            "datalink_loss_action": safety.datalink_loss_action,
            "datalink_loss_timeout_s": safety.datalink_loss_timeout_s,
        }
        unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise FailsafeError(f"unknown failsafe setting(s) {', '.join(unknown)}", unknown[0])
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class FailsafeStatus:
    """One step's decision: what to do, the rule behind it (None with ``NONE``), why, and whether it
    changed this step."""

    decision: FailsafeDecision
    reason: FailsafeReason | None
    message: str
    changed: bool = False

    @property
    def active(self) -> bool:
        return self.decision is not FailsafeDecision.NONE


_CLEAR = FailsafeStatus(FailsafeDecision.NONE, None, "no failsafe")


class FailsafeMonitor:
    """One drone's failsafe rules (see the module docstring); synchronous and pure but for its state."""

    def __init__(self, settings: FailsafeSettings | None = None) -> None:
        settings = FailsafeSettings() if settings is None else settings
        if not isinstance(settings, FailsafeSettings):
            raise FailsafeError(f"settings must be FailsafeSettings, got {type(settings).__name__}", "settings")
        self._settings = settings
        self._status = _CLEAR
        self._counts = dict.fromkeys(FailsafeReason, 0)
        self._battery_low_since_s: float | None = None
        self._battery_latched = False
        self._battery_message = ""
        self._datalink_latched: FailsafeDecision | None = None  # RETURN or LAND once taken
        self._unseen_since_s: float | None = None
        self._last_t_s = -math.inf

    @property
    def settings(self) -> FailsafeSettings:
        return self._settings

    @property
    def status(self) -> FailsafeStatus:
        """The last decision (``NONE`` before the first update)."""
        return self._status

    @property
    def counts(self) -> dict[FailsafeReason, int]:
        """How many times each rule engaged (a decision change to one it drove), a copy."""
        return dict(self._counts)

    def update(
        self,
        t_s: float,
        *,
        battery_percent: float | None = None,
        ground_link_age_s: float | None = None,
        subject_detected: bool = True,
        filming: bool = False,
    ) -> FailsafeStatus:
        """The decision at time ``t_s`` (non-decreasing). ``battery_percent``: remaining charge
        (None, NaN or negative: unknown); ``ground_link_age_s``: seconds since the last ground-station
        message (None: no ground link to watch); ``subject_detected``: the tracker matched a detection
        to the subject this step; ``filming``: a shot is being filmed (or searched for)."""
        t_s = _number(t_s, "t_s")
        if t_s < self._last_t_s:
            raise FailsafeError(f"t_s went backwards: {t_s:g} s after {self._last_t_s:g} s", "t_s")
        self._last_t_s = t_s
        candidates = [
            self._battery(t_s, battery_percent),
            self._datalink(ground_link_age_s),
            self._perception(t_s, subject_detected, filming),
        ]
        chosen = max(
            (c for c in candidates if c is not None),
            key=lambda c: (c.decision.severity, -_RULE_ORDER[c.reason]),  # type: ignore[index]
            default=_CLEAR,
        )
        changed = (chosen.decision, chosen.reason) != (self._status.decision, self._status.reason)
        if changed:
            if chosen.active:
                self._counts[chosen.reason] += 1  # type: ignore[index]
                _log.warning("failsafe %s (%s) at t=%.2f s: %s", chosen.decision, chosen.reason, t_s, chosen.message)
            else:
                _log.info("failsafe %s ended at t=%.2f s: flying as planned", self._status.decision, t_s)
        self._status = dataclasses.replace(chosen, changed=changed)
        return self._status

    # --- the rules: each returns its wish, or None ----------------------------------------------

    def _battery(self, t_s: float, percent: float | None) -> FailsafeStatus | None:
        s = self._settings
        known = percent is not None and math.isfinite(_number(percent, "battery_percent")) and percent >= 0.0
        if known and percent <= s.battery_return_percent:
            if self._battery_low_since_s is None:
                self._battery_low_since_s = t_s
            if not self._battery_latched and t_s - self._battery_low_since_s >= s.battery_confirm_s - 1e-9:
                self._battery_latched = True
                self._battery_message = f"battery {percent:.0f}% at or below {s.battery_return_percent:g}%: flying home"
        elif known:
            self._battery_low_since_s = None  # a dip shorter than the confirmation: forgotten
        # Unknown (a gauge dropping out): the confirmation timer neither runs on nor restarts.
        if self._battery_latched:
            return FailsafeStatus(FailsafeDecision.RETURN, FailsafeReason.BATTERY, self._battery_message)
        return None

    def _datalink(self, age_s: float | None) -> FailsafeStatus | None:
        s = self._settings
        lost = age_s is not None and _number(age_s, "ground_link_age_s") >= s.datalink_loss_timeout_s
        if self._datalink_latched is not None:
            decision = self._datalink_latched
        elif lost:
            decision = _FROM_ACTION[s.datalink_loss_action]
            if decision is not FailsafeDecision.HOLD:
                self._datalink_latched = decision
        else:
            return None
        message = f"no ground-station message for {s.datalink_loss_timeout_s:g} s: {decision.value}"
        return FailsafeStatus(decision, FailsafeReason.DATALINK, message)

    def _perception(self, t_s: float, detected: bool, filming: bool) -> FailsafeStatus | None:
        if not filming or detected:
            self._unseen_since_s = None
            return None
        if self._unseen_since_s is None:
            self._unseen_since_s = t_s
        unseen_s = t_s - self._unseen_since_s
        if unseen_s < self._settings.perception_stale_s - 1e-9:
            return None
        message = f"subject not detected for {self._settings.perception_stale_s:g} s while filming: searching"
        return FailsafeStatus(FailsafeDecision.HOLD_AND_SEARCH, FailsafeReason.PERCEPTION, message)


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise FailsafeError(f"{name} must be a number, got {value!r}", name)
    number = float(value)
    if name != "battery_percent" and not math.isfinite(number):
        raise FailsafeError(f"{name} must be finite, got {value!r}", name)
    return number
