"""Short-lived signed tokens for the door's per-person screens.

After a scan the door page is sent to ``/hei/<token>``. The token names the visit and is signed
and time-limited, so nobody can walk the visit ids to see who has been in.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from kiosk.errors import KioskError

SALT = "kiosk.door-screen"
MAX_AGE_SECONDS = 15 * 60


class ScreenExpired(KioskError):
    """The token is forged, damaged or too old."""


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    # Building the serializer (and its signer) cost more than signing; one per key is enough.
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_screen_token(secret_key: str, data: dict[str, Any]) -> str:
    """Sign ``data`` (visit id, result, greeting kind, language)."""
    return _serializer(secret_key).dumps(data)


def read_screen_token(
    secret_key: str, token: str, max_age: int = MAX_AGE_SECONDS
) -> dict[str, Any]:
    """Return the signed data, or raise ScreenExpired."""
    try:
        return _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature as exc:
        raise ScreenExpired(str(exc)) from exc
