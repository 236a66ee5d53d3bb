"""The per-mission token that authenticates agents (and, later, the dashboard's commands).

The station makes a fresh token for every shoot, shows it to the operator and writes it into the
run folder readable by its owner only (0600); agents present it in their ``hello``. Tokens are
compared in constant time.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from dronecine.ground.errors import GroundError

TOKEN_FILE = "station.token"
_TOKEN_BYTES = 24  # 32 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison (a timing side channel must not reveal the token)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def write_token(folder: Path, token: str) -> Path:
    """Write ``token`` to ``folder/station.token``, readable and writable by the owner only."""
    path = folder / TOKEN_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        os.chmod(path, 0o600)  # an older file kept its mode through O_TRUNC
    except OSError as error:
        raise GroundError(f"{path}: cannot write the station's token ({error.strerror or error})") from error
    return path


def read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise GroundError(f"{path}: cannot read the station's token ({error.strerror or error})") from error
    if not token:
        raise GroundError(f"{path}: the token file is empty")
    return token
