"""Connection URLs, in MAVSDK's forms, parsed once so every link accepts the same ones.

Accepted forms:

- ``udpin://HOST:PORT``: listen on HOST:PORT; the autopilot sends there first (PX4 SITL's offboard
  link: ``udpin://0.0.0.0:14540``). PORT 0 picks a free port (the link reports it).
- ``udpout://HOST:PORT``: send to the autopilot at HOST:PORT; it answers to our address.
- ``udp://HOST:PORT``: MAVSDK's older spelling of ``udpin://``.
- ``serial:///dev/ttyUSB0:57600`` (``serial://DEVICE[:BAUD]``, BAUD defaults to 57600): a serial port.

Anything else (another scheme, a missing or out-of-range port, a bad baud rate) is a ``LinkUrlError``
that names the URL and what was expected.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dronecine.flight.errors import LinkUrlError

DEFAULT_BAUD = 57600
_FORMS = "udpin://HOST:PORT, udpout://HOST:PORT or serial:///dev/DEVICE[:BAUD]"


class LinkScheme(enum.Enum):
    UDP_IN = "udpin"
    UDP_OUT = "udpout"
    SERIAL = "serial"


@dataclass(frozen=True)
class LinkUrl:
    scheme: LinkScheme
    host: str = ""
    port: int = 0
    device: str = ""
    baud: int = DEFAULT_BAUD

    def __str__(self) -> str:
        if self.scheme is LinkScheme.SERIAL:
            return f"serial://{self.device}:{self.baud}"
        return f"{self.scheme.value}://{self.host}:{self.port}"

    def pymavlink_device(self) -> str:
        """The device string ``pymavlink.mavutil.mavlink_connection`` takes (the baud goes separately)."""
        if self.scheme is LinkScheme.SERIAL:
            return self.device
        return f"{self.scheme.value}:{self.host}:{self.port}"


def parse_link_url(url: str) -> LinkUrl:
    """``url`` as a ``LinkUrl``; a ``LinkUrlError`` names what is wrong with it."""
    if not isinstance(url, str) or "://" not in url:
        raise LinkUrlError(f"connection URL {url!r} is not a URL (expected {_FORMS})", str(url))
    scheme_text, rest = url.split("://", 1)
    scheme_text = scheme_text.lower()
    if scheme_text == "udp":
        scheme_text = "udpin"
    try:
        scheme = LinkScheme(scheme_text)
    except ValueError:
        raise LinkUrlError(
            f"connection URL {url!r} has the unsupported scheme {scheme_text!r} (expected {_FORMS})", url
        ) from None
    if scheme is LinkScheme.SERIAL:
        return _parse_serial(url, rest)
    host, sep, port_text = rest.rpartition(":")
    if not sep or not host:
        raise LinkUrlError(f"connection URL {url!r} needs HOST:PORT (expected {_FORMS})", url)
    port = _parse_int(url, port_text, "port", 0, 65535)
    if scheme is LinkScheme.UDP_OUT and port == 0:
        raise LinkUrlError(f"connection URL {url!r}: udpout needs the autopilot's port, not 0", url)
    return LinkUrl(scheme, host=host.strip("[]"), port=port)


def _parse_serial(url: str, rest: str) -> LinkUrl:
    device, baud = rest, DEFAULT_BAUD
    head, sep, tail = rest.rpartition(":")
    if sep and tail.isdigit():
        device, baud = head, _parse_int(url, tail, "baud rate", 1, 10_000_000)
    if not device:
        raise LinkUrlError(f"connection URL {url!r} names no serial device (expected {_FORMS})", url)
    return LinkUrl(LinkScheme.SERIAL, device=device, baud=baud)


def _parse_int(url: str, text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise LinkUrlError(f"connection URL {url!r} has {what} {text!r} (expected an integer {low}..{high})", url)
    return int(text)
