"""The flight capability's typed errors."""

from __future__ import annotations

from dronecine.errors import DronecineError


class FlightError(DronecineError):
    """Something the flight layer (link, safety supervisor) cannot do as asked."""


class SafetyError(FlightError, ValueError):
    """Safety limits that cannot protect a drone, or a supervisor used with malformed inputs.

    ``field`` names the offending limit or argument (``None`` when no single one is to blame).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class LinkError(FlightError):
    """The flight link cannot do what was asked: no connection, an autopilot that refused, a timeout."""


class LinkUrlError(LinkError, ValueError):
    """A connection URL the links do not accept; ``url`` is what was given."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class ConnectionTimeout(LinkError):  # noqa: N818 - the protocol's names read as events
    """Waited ``timeout_s`` for something the autopilot never delivered; ``missing`` names each thing."""

    def __init__(self, message: str, timeout_s: float, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.timeout_s = timeout_s
        self.missing = missing


class LinkClosed(LinkError):  # noqa: N818
    """The link was used before ``connect`` or after ``close``."""


class CommandDenied(LinkError):  # noqa: N818
    """The autopilot answered a command with something other than ACCEPTED.

    ``command`` is the MAV_CMD name (``MAV_CMD_COMPONENT_ARM_DISARM``), ``result`` the MAV_RESULT
    name the autopilot answered (``MAV_RESULT_DENIED``, ``MAV_RESULT_TEMPORARILY_REJECTED``, ...).
    """

    def __init__(self, command: str, result: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(f"{command} refused by the autopilot: {result}{extra}")
        self.command = command
        self.result = result


class CommandTimeout(LinkError):  # noqa: N818
    """No COMMAND_ACK for ``command`` after ``attempts`` sends."""

    def __init__(self, command: str, attempts: int, timeout_s: float) -> None:
        super().__init__(f"{command}: no answer from the autopilot after {attempts} attempts ({timeout_s:g} s each)")
        self.command = command
        self.attempts = attempts
        self.timeout_s = timeout_s


class OffboardError(LinkError):
    """Offboard control could not be started or used; the cause (``__cause__``) says why when known."""


class GimbalError(LinkError):
    """The gimbal manager refused or did not answer; the cause (``__cause__``) says what it answered."""


class ParamError(LinkError):
    """A parameter could not be read or written; ``name`` is the parameter."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class SetpointError(LinkError, ValueError):
    """A setpoint the link cannot send (a non-finite number, a rate out of range)."""


class LinkConfigError(LinkError, ValueError):
    """Link options out of range (a setpoint rate of 0, a negative timeout)."""
