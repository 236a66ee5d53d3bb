"""The agent protocol over WebSockets (the ``websockets`` library): the station serves, agents
connect by URL (``ws://HOST:PORT``). One text frame is one message."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from websockets.asyncio.client import connect
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from dronecine.ground.errors import TransportClosedError, TransportError
from dronecine.ground.transport import Transport

logger = logging.getLogger(__name__)
OPEN_TIMEOUT_S = 10.0


class WebSocketTransport:
    """A ``Transport`` over one WebSocket connection (either end)."""

    def __init__(self, connection: Connection, peer: str) -> None:
        self._connection = connection
        self._peer = peer

    @property
    def peer(self) -> str:
        return self._peer

    async def send(self, text: str) -> None:
        try:
            await self._connection.send(text)
        except ConnectionClosed as error:
            raise TransportClosedError(f"the connection to {self._peer} is closed ({error})") from error

    async def recv(self) -> str:
        try:
            message = await self._connection.recv()
        except ConnectionClosed as error:
            raise TransportClosedError(f"{self._peer} closed the connection ({error})") from error
        # A binary frame is passed on as it is: the protocol's decoder says it is not JSON text.
        return message if isinstance(message, str) else message.decode("utf-8", errors="replace")

    async def close(self) -> None:
        await self._connection.close()


async def serve_websocket(
    handle: Callable[[Transport], Awaitable[None]], host: str = "127.0.0.1", port: int = 0
) -> tuple[Server, int]:
    """Serve ``handle`` (e.g. ``Station.handle``) for every connection; returns the server (close it
    with ``server.close(); await server.wait_closed()``) and the port it listens on (``port`` 0: any
    free one)."""

    async def on_connection(connection: ServerConnection) -> None:
        address = connection.remote_address
        peer = f"{address[0]}:{address[1]}" if address else "an agent"
        await handle(WebSocketTransport(connection, peer))

    try:
        server = await serve(on_connection, host, port)
    except OSError as error:
        raise TransportError(f"cannot serve on {host}:{port} ({error.strerror or error})") from error
    bound = server.sockets[0].getsockname()[1] if server.sockets else port
    logger.info("the station listens on ws://%s:%d", host, bound)
    return server, int(bound)


async def connect_websocket(url: str, open_timeout_s: float = OPEN_TIMEOUT_S) -> WebSocketTransport:
    """Connect to a station at ``url`` (``ws://host:port``); ``TransportError`` saying why not."""
    try:
        connection = await connect(url, open_timeout=open_timeout_s, proxy=None)
    except InvalidURI as error:
        raise TransportError(f"{url!r} is not a WebSocket URL (expected ws://HOST:PORT)") from error
    except (OSError, InvalidHandshake, TimeoutError) as error:
        raise TransportError(f"cannot connect to the station at {url} ({error})") from error
    return WebSocketTransport(connection, url)
