"""Serving the dashboard: uvicorn in a thread of its own, beside whatever runs the shoot (the
simulation's loop in the main thread, or the field station's event loop), on a socket bound before
the thread starts so that a busy port is a clear error at once and port 0 gives a known free port."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from dronecine.ground.dashboard.app import Dashboard, create_app
from dronecine.ground.errors import GroundError

logger = logging.getLogger(__name__)
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


class DashboardServer:
    """``start()`` serves ``dashboard`` on ``host``:``port`` (0: any free port) until ``stop()``."""

    def __init__(self, dashboard: Dashboard, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.dashboard = dashboard
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def start(self) -> int:
        """Bind, serve in a daemon thread, wait until it answers; the port it serves on."""
        self._socket = _bind(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.dashboard), log_level="warning", access_log=False, ws_ping_interval=20.0, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="dashboard", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise GroundError(f"the dashboard did not start on {self.host}:{self.port}")
            time.sleep(0.02)
        return self.port

    def url(self, with_token: bool = True) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if host in ("0.0.0.0", "[::]"):
            host = "127.0.0.1"  # served on every interface: this machine's own address works
        fragment = f"#token={self.dashboard.token}" if with_token else ""
        return f"http://{host}:{self.port}/{fragment}"

    def stop(self) -> None:
        """Stop serving, and release the replay's videos (opened for this server's thumbnails)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive():
                logger.warning("the dashboard's server did not stop within %.0f s", STOP_TIMEOUT_S)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        if self.dashboard.replay is not None:
            self.dashboard.replay.close()


def wait_for_interrupt() -> None:
    """Block until Ctrl-C: the server's thread serves meanwhile (a finished shoot's replay)."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise GroundError(
            f"cannot serve the dashboard on {host}:{port} ({error.strerror or error}); pick another --port"
        ) from error
    sock.set_inheritable(True)
    return sock
