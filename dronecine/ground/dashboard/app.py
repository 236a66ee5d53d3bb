"""The dashboard's web application (FastAPI): the page, its JSON API, the live WebSocket and the
commands, over one ``Dashboard`` (docs/dashboard.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import cv2
from fastapi import FastAPI, Header, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict

from dronecine.ground.auth import token_matches
from dronecine.ground.dashboard.control import ControlAction, ControlRefusedError, ShootControl
from dronecine.ground.dashboard.frames import LiveFeed
from dronecine.ground.dashboard.replay import Replay
from dronecine.ground.errors import GroundError

logger = logging.getLogger(__name__)
PUSH_POLL_S = 0.1  # how often the WebSocket looks for a newer frame
COMMAND_TIMEOUT_S = 10.0  # a command the shoot has not answered by then is reported as such
THUMBNAIL_WIDTH_PX = 320
STATIC = resources.files("dronecine.ground.dashboard") / "static"


@dataclass
class Dashboard:
    """What the page shows and commands: the set, the live feed and controls while the shoot runs,
    its replay once it is over (``replay`` may be set while serving); ``token`` guards the commands."""

    set_view: dict[str, Any]
    token: str  # the mission's; a replay, which takes no command, has none ("")
    feed: LiveFeed | None = None
    control: ShootControl | None = None
    replay: Replay | None = None

    @property
    def drone_ids(self) -> list[str]:
        return [d["drone"] for d in self.set_view["drones"]]


class CommandRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: ControlAction
    drone: str | None = None


def create_app(dashboard: Dashboard) -> FastAPI:
    app = FastAPI(title="dronecine dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:]) or 'body'}: {e['msg']}" for e in error.errors())
        return JSONResponse({"detail": f"bad request: {problems}"}, status_code=400)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), headers={"Cache-Control": "no-store"})

    @app.get("/api/set")
    def set_view() -> dict[str, Any]:
        if dashboard.feed is None and dashboard.replay is not None:
            return dashboard.replay.set_view
        return dashboard.set_view | {"mode": "live", "replay_ready": dashboard.replay is not None}

    @app.get("/api/state")
    def state() -> dict[str, Any]:
        if dashboard.feed is None:
            raise HTTPException(404, "no live shoot: this dashboard replays a finished one (GET /api/replay)")
        _, frame = dashboard.feed.latest()
        if frame is None:
            raise HTTPException(503, "the shoot has not published its first frame yet")
        return frame

    @app.get("/api/replay")
    def replay() -> dict[str, Any]:
        if dashboard.replay is None:
            raise HTTPException(404, "the shoot is not over: no replay yet")
        return dashboard.replay.data

    @app.get("/api/drones/{drone_id}/thumbnail.jpg")
    def thumbnail(drone_id: str, t_s: float | None = None) -> Response:
        if drone_id not in dashboard.drone_ids:
            raise HTTPException(404, f"no drone {drone_id!r} in this shoot")
        image = None
        if t_s is not None:
            if dashboard.replay is None:
                raise HTTPException(404, "t_s is for a replay; this shoot is live")
            if not math.isfinite(t_s):
                raise HTTPException(400, f"t_s must be a number of seconds, got {t_s}")
            image = dashboard.replay.thumbnail(drone_id, t_s)
        elif dashboard.feed is not None:
            image = dashboard.feed.view(drone_id)
        if image is None:
            raise HTTPException(404, f"no camera picture of {drone_id} (no video reaches this station)")
        height, width = image.shape[:2]
        if width > THUMBNAIL_WIDTH_PX:
            size = (THUMBNAIL_WIDTH_PX, max(1, round(height * THUMBNAIL_WIDTH_PX / width)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 75])
        if not ok:
            raise HTTPException(500, "could not encode the picture")
        return Response(jpeg.tobytes(), media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.post("/api/command")
    async def command(
        body: CommandRequest, request: Request, authorization: str | None = Header(default=None)
    ) -> dict[str, Any]:
        if dashboard.control is None:
            raise HTTPException(409, "this dashboard replays a finished shoot: there is nothing to command")
        _check_token(authorization, dashboard.token)
        if body.action.per_drone:
            if body.drone is None:
                known = ", ".join(dashboard.drone_ids)
                raise HTTPException(400, f"{body.action.value} needs a 'drone' (one of: {known})")
            if body.drone not in dashboard.drone_ids:
                known = ", ".join(dashboard.drone_ids)
                raise HTTPException(400, f"no drone {body.drone!r} in this shoot (its drones: {known})")
        elif body.drone is not None:
            raise HTTPException(400, f"{body.action.value} is for every drone: leave out 'drone'")
        who = f"dashboard ({request.client.host if request.client else 'unknown'})"
        future = dashboard.control.submit(body.action, body.drone, who)
        try:
            message = await asyncio.wait_for(asyncio.wrap_future(future), COMMAND_TIMEOUT_S)
        except ControlRefusedError as error:
            raise HTTPException(409, str(error)) from error
        except GroundError as error:
            raise HTTPException(400, str(error)) from error
        except TimeoutError as error:
            late = f"the shoot did not answer {body.action.value} in {COMMAND_TIMEOUT_S:g} s"
            raise HTTPException(504, late) from error
        return {"ok": True, "message": message}

    @app.websocket("/ws")
    async def live(websocket: WebSocket) -> None:
        await websocket.accept()
        sent = -1
        try:
            while dashboard.feed is not None:
                version, frame = dashboard.feed.latest()
                if frame is not None and version != sent:
                    await websocket.send_text(json.dumps(frame, separators=(",", ":")))
                    sent = version
                await asyncio.sleep(PUSH_POLL_S)
            await websocket.close(code=1000, reason="no live shoot")
        except WebSocketDisconnect:
            pass  # the page went away: nothing to clean up

    return app


def _check_token(authorization: str | None, token: str) -> None:
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise HTTPException(401, "commands need the mission's token: header 'Authorization: Bearer TOKEN'")
    if not token_matches(given.strip(), token):
        raise HTTPException(401, "wrong token for this mission (see station.token in the run folder)")
