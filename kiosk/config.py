"""Settings: embedded defaults, then the instance config file, then ``KIOSK_*`` variables.

The instance config file is ``<instance>/kiosk.toml``; it takes the same keys as the
environment (``KIOSK_PRINTER = "network:10.0.0.5"``). Secrets are never defaults: the session
key and the device token are generated into the instance folder on first run.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.host_title import UnknownHostTitle, finnish_forms

PREFIX = "KIOSK_"
CONFIG_FILE_NAME = "kiosk.toml"
DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"

# Every setting the kiosk knows, with its default. The type of the default decides how an
# environment value is read (int, bool, list of words, or text).
DEFAULTS: dict[str, Any] = {
    "DATABASE": "",  # empty: <instance>/kiosk.db
    "SECRET_KEY": "",  # empty: generated into <instance>/secret_key
    "DEVICE_TOKEN": "",  # empty: generated into <instance>/device_token
    "DEVICE_TOKENS_PREVIOUS": [],  # old device tokens still accepted while devices rotate
    "PRINTER": "",  # empty: preview:<instance>/badges
    "PRINTER_WIDTH": "80",  # paper width in mm: 80 or 58
    "PRINTER_CUT": "",  # empty: cut on 80 mm paper only
    "BADGE_LOGO": "",  # path of a logo image printed at the top of badges
    "CAMERA": "",  # empty: the first webcam, or simulated where there is none
    "PREVIEW_PORT": 8081,  # the scanner's MJPEG camera preview; 0 turns it off
    "PREVIEW_HOST": "127.0.0.1",
    "SCAN_WINDOW_SECONDS": 3.0,  # the scanner posts a card held in view once in this window
    "TIMEZONE": "Europe/Helsinki",
    "SERVER_URL": "http://127.0.0.1:8080",
    "PREVIEW_URL": "http://127.0.0.1:8081/preview.mjpg",  # the scanner's camera preview
    "HOST": "127.0.0.1",
    "PORT": 8080,
    "THREADS": 32,  # up to 28 can be held by live streams; the rest serve requests
    "MAX_STREAMS": 24,  # live connections at once; the rest poll (see README, live updates)
    "MIN_STAY_SECONDS": 120,
    "REPEAT_WINDOW_SECONDS": 60,
    "IDLE_SECONDS": 45,
    "CLOSING_TIME": "22:00",
    "CAPACITY": 40,
    "HELP_TOPICS": ["rahoitus", "markkinointi", "digi", "verotus", "jaksaminen", "verkostot"],
    "MEMBER_BADGE_POLICY": "button",  # never | first_visit_of_day | button
    "CONSENT_VERSION": "2026-11",
    "RETENTION_MONTHS": 24,  # personal data older than this is anonymised daily; 0 turns it off
    "SCAN_FAILURE_BURST": 10,  # unknown/revoked scans a device may make in a row…
    "SCAN_FAILURE_REFILL_SECONDS": 3.0,  # …then one more every this many seconds
    "MIN_GROUP_SIZE": 5,
    "DEMO_DATA": True,  # seed demo members when the database is empty
    "LANGUAGES": ["fi", "sv", "en"],
    "DEFAULT_LANGUAGE": "fi",
    "SESSION_COOKIE_SECURE": False,  # set true behind HTTPS
    # Reverse proxies in front of the server (0: none). Behind one, set 1: the client's own
    # address (X-Forwarded-For) is then used for door devices and rate limits; without it,
    # every request would seem to come from the kiosk itself.
    "PROXY_HOPS": 0,
    # What the door calls the space's host, in Finnish (kiosk.host_title knows its forms;
    # Swedish and English follow from it).
    "HOST_TITLE": "heimopäällikkö",
    # Where accessibility feedback goes (an email address or web address), named in the
    # accessibility statement; empty: the statement asks people to tell the host.
    "ACCESSIBILITY_FEEDBACK": "",
}

# KIOSK_* variables that are not settings: where the instance is, and a password for scripts.
NOT_SETTINGS = {f"{PREFIX}INSTANCE", f"{PREFIX}NEW_PASSWORD"}

SECRET_FILES = {"SECRET_KEY": "secret_key", "DEVICE_TOKEN": "device_token"}


class ConfigError(ValueError):
    """A setting has a value the kiosk cannot use."""


def _coerce(key: str, raw: Any) -> Any:
    default = DEFAULTS.get(key)
    if not isinstance(raw, str):
        return raw
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{PREFIX}{key} must be true or false, not {raw!r}")
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}{key} must be a number, not {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}{key} must be a whole number, not {raw!r}") from None
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return {key.removeprefix(PREFIX): value for key, value in data.items()}


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        key.removeprefix(PREFIX): value
        for key, value in environ.items()
        if key.startswith(PREFIX) and key not in NOT_SETTINGS
    }


def read_or_create_secret(path: Path) -> str:
    """Return the secret stored at ``path``, generating it (mode 600) on first use."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its secret
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def instance_path(environ: Mapping[str, str] | None = None) -> Path:
    """Return the instance folder: ``KIOSK_INSTANCE`` or ``instance/`` beside the code."""
    environ = os.environ if environ is None else environ
    return Path(environ.get(f"{PREFIX}INSTANCE") or DEFAULT_INSTANCE).resolve()


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    instance: Path | None = None,
) -> dict[str, Any]:
    """Return the effective settings.

    Layers, later wins: :data:`DEFAULTS`, ``<instance>/kiosk.toml``, ``KIOSK_*`` variables,
    then ``overrides`` (what tests and embedding code pass to ``create_app``).
    """
    environ = os.environ if environ is None else environ
    instance = instance or instance_path(environ)
    settings: dict[str, Any] = dict(DEFAULTS)
    for layer in (_read_config_file(instance / CONFIG_FILE_NAME), _read_environment(environ)):
        settings.update({key: _coerce(key, value) for key, value in layer.items()})
    if overrides:
        settings.update(overrides)
    settings["INSTANCE_PATH"] = str(instance)
    if not settings["DATABASE"]:
        settings["DATABASE"] = str(instance / "kiosk.db")
    if not settings["PRINTER"]:
        settings["PRINTER"] = f"preview:{instance / 'badges'}"
    for key, filename in SECRET_FILES.items():
        if not settings[key]:
            settings[key] = read_or_create_secret(instance / filename)
    try:
        settings["TZ"] = ZoneInfo(settings["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {settings['TIMEZONE']!r}") from exc
    if settings["MEMBER_BADGE_POLICY"] not in {"never", "first_visit_of_day", "button"}:
        raise ConfigError("KIOSK_MEMBER_BADGE_POLICY must be never, first_visit_of_day or button")
    try:
        finnish_forms(settings["HOST_TITLE"])
    except UnknownHostTitle as exc:
        raise ConfigError(f"KIOSK_HOST_TITLE: {exc}") from None
    return settings
