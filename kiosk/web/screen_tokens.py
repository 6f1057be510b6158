"""Short-lived signed tokens for the door's per-person screens.

After a scan the door page is sent to ``/hei/<token>``. The token names the visit and is signed
and time-limited, so nobody can walk the visit ids to see who has been in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from kiosk.errors import KioskError

SALT = "kiosk.door-screen"
MAX_AGE_SECONDS = 15 * 60


class ScreenExpired(KioskError):
    """The token is forged, damaged or too old."""


@dataclass(frozen=True)
class DoorScreen:
    """What a person's door screen knows about them, carried in its signed token.

    On the wire each field has a one-letter key, so that the screen's address stays short.
    ``person`` is not signed: the view looks it up from the visit when the token is read.
    """

    visit_id: int
    result: str  # a ScanResult value
    greeting: str  # a Greeting value: the time of day and the kind of visit
    language: str
    door: str  # the door's address: the screen opens only where the person scanned
    badge_queued: bool = False
    closed_at_closing: bool = False  # a late scan after the automatic check-out
    ask_about_visit: int | None = None  # the visit "Milloin lähdit viimeksi?" corrects
    without_secret: bool = False  # reached by email or phone: the check-in, no more
    person: dict[str, Any] | None = field(default=None, compare=False)

    def to_wire(self) -> dict[str, Any]:
        """The signed form: one-letter keys, and only the fields that are set."""
        data: dict[str, Any] = {
            "v": self.visit_id,
            "r": self.result,
            "g": self.greeting,
            "l": self.language,
            "d": self.door,
        }
        if self.badge_queued:
            data["b"] = True
        if self.closed_at_closing:
            data["c"] = 1
        if self.ask_about_visit is not None:
            data["p"] = self.ask_about_visit
        if self.without_secret:
            data["w"] = 1
        return data

    @classmethod
    def from_wire(cls, data: Any) -> DoorScreen:
        """Read the signed form; raise ScreenExpired when it is not one."""
        try:
            return cls(
                visit_id=int(data["v"]),
                result=str(data["r"]),
                greeting=str(data["g"]),
                language=str(data["l"]),
                door=str(data["d"]),
                badge_queued=bool(data.get("b")),
                closed_at_closing=bool(data.get("c")),
                ask_about_visit=int(data["p"]) if data.get("p") else None,
                without_secret=bool(data.get("w")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ScreenExpired(f"not a door screen: {exc}") from exc

    def replace(self, **changes: Any) -> DoorScreen:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)


@lru_cache(maxsize=8)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    # Building the serializer (and its signer) cost more than signing; one per key is enough.
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_screen_token(secret_key: str, screen: DoorScreen) -> str:
    """Sign ``screen`` into the token of its address."""
    return _serializer(secret_key).dumps(screen.to_wire())


def read_screen_token(secret_key: str, token: str, max_age: int = MAX_AGE_SECONDS) -> DoorScreen:
    """Return the screen the token names, or raise ScreenExpired."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature as exc:
        raise ScreenExpired(str(exc)) from exc
    return DoorScreen.from_wire(data)
