"""pymavlink's connection with a receive thread that hands decoded messages to an asyncio loop.

pymavlink reads blocking (serial) or polled (UDP) sockets, so one daemon thread per link calls
``recv_match`` and passes each message to the loop with ``call_soon_threadsafe``; everything that
interprets messages then runs on the loop, single-threaded. Sends happen on the loop thread under a
lock (pymavlink's sequence counter is not thread-safe). Undecodable bytes (pymavlink's BAD_DATA)
are counted and dropped here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable

# pymavlink picks its dialect when mavutil is first imported: without MAVLINK20=1 it loads MAVLink 1,
# which has none of the gimbal v2 messages. Set it before the import (an explicit setting wins).
os.environ.setdefault("MAVLINK20", "1")
from pymavlink import mavutil

from dronecine.flight.errors import LinkError
from dronecine.flight.link_url import LinkScheme, LinkUrl
from dronecine.flight.mavlink_common import drop_partial_frame

logger = logging.getLogger(__name__)

mavlink = mavutil.mavlink

_POLL_S = 0.1


def check_mavlink2() -> None:
    """``LinkError`` unless pymavlink runs MAVLink 2 (mavutil imported before MAVLINK20 was set)."""
    if getattr(mavlink, "WIRE_PROTOCOL_VERSION", "1.0") != "2.0" or not hasattr(
        mavlink, "MAVLINK_MSG_ID_GIMBAL_MANAGER_SET_PITCHYAW"
    ):
        raise LinkError(
            "pymavlink was loaded with MAVLink 1 (mavutil imported before MAVLINK20=1 was set): "
            "set MAVLINK20=1 in the environment before anything imports pymavlink.mavutil"
        )


class MavlinkIo:
    """One open pymavlink connection, its receive thread, and a lock for sends."""

    def __init__(self, url: LinkUrl, source_system: int, source_component: int) -> None:
        check_mavlink2()
        kwargs: dict[str, object] = {"source_system": source_system, "source_component": source_component}
        if url.scheme is LinkScheme.SERIAL:
            kwargs["baud"] = url.baud
        try:
            self.conn = mavutil.mavlink_connection(url.pymavlink_device(), **kwargs)
        except (OSError, ValueError) as exc:
            raise LinkError(f"cannot open {url}: {exc}") from exc
        if url.scheme is not LinkScheme.SERIAL:
            self._frame_by_datagram()
        self.url = url
        self.bad_data = 0
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _frame_by_datagram(self) -> None:
        """Parse UDP as datagrams, not as one byte stream: before each datagram, a frame the last one
        left unfinished is dropped (``drop_partial_frame``), so garbage cannot swallow the next frames."""
        receive = self.conn.recv

        def recv(n=None):
            data = receive(n)
            if data:
                drop_partial_frame(self.conn.mav)  # mavutil may swap its parser (version detection)
            return data

        self.conn.recv = recv

    @property
    def local_port(self) -> int | None:
        """The UDP port bound locally (useful with ``udpin://...:0``)."""
        port = getattr(self.conn, "port", None)
        try:
            return int(port.getsockname()[1]) if port is not None and hasattr(port, "getsockname") else None
        except OSError:
            return None

    def start(self, loop: asyncio.AbstractEventLoop, on_message: Callable[[object], None]) -> None:
        def run() -> None:
            while not self._stop.is_set():
                try:
                    msg = self.conn.recv_match(blocking=True, timeout=_POLL_S)
                except (OSError, ValueError) as exc:  # a closed or failing port: report, keep trying until stopped
                    if self._stop.is_set():
                        return
                    logger.warning("link %s: receive failed: %s", self.url, exc)
                    self._stop.wait(_POLL_S)
                    continue
                if msg is None:
                    continue
                if msg.get_type() == "BAD_DATA":
                    self.bad_data += 1
                    continue
                try:
                    loop.call_soon_threadsafe(on_message, msg)
                except RuntimeError:  # the loop closed under us
                    return

        self._thread = threading.Thread(target=run, name=f"mavlink-rx-{self.url}", daemon=True)
        self._thread.start()

    def send(self, msg) -> None:
        """Send one message (an OSError, e.g. a full buffer, propagates to the caller)."""
        with self._send_lock:
            self.conn.mav.send(msg)

    async def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 2.0)
            self._thread = None
        self.conn.close()
