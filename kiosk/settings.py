"""Settings: one typed, frozen object built from defaults, ``kiosk.toml`` and ``KIOSK_*``.

The layers, later wins: the defaults declared on :class:`Settings`, the instance config file
``<instance>/kiosk.toml`` (same keys as the environment: ``KIOSK_PRINTER = "network:10.0.0.5"``),
``KIOSK_*`` environment variables, then overrides passed by code (tests, ``create_app``).

A value of the wrong type or outside its choices stops start-up with one line naming the
setting. An unknown ``KIOSK_*`` name only warns, with the nearest known name, since a typo
should be visible but must not keep the door shut. Secrets are never defaults: the session key
and the device token are generated into the instance folder on first run.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import re
import secrets
import socket
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.errors import KioskError
from kiosk.files import private_dir
from kiosk.host_title import UnknownHostTitle, finnish_forms

log = logging.getLogger(__name__)

PREFIX = "KIOSK_"
CONFIG_FILE_NAME = "kiosk.toml"
DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"

# KIOSK_* variables that are not settings: where the instance is, and a password for scripts.
NOT_SETTINGS = {f"{PREFIX}INSTANCE", f"{PREFIX}NEW_PASSWORD"}

SECRET_FILES = {"secret_key": "secret_key", "device_token": "device_token"}


class ConfigError(KioskError, ValueError):
    """A setting has a value the kiosk cannot use; the message names the setting."""


def _setting(default: Any, doc: str, choices: tuple[Any, ...] = ()) -> Any:
    """Declare one setting: its default, what it means, and the values it may take."""
    if isinstance(default, list | tuple):
        return field(
            default_factory=lambda: tuple(default), metadata={"doc": doc, "choices": choices}
        )
    return field(default=default, metadata={"doc": doc, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """Every setting the kiosk knows. Each field is the ``KIOSK_`` variable in lower case."""

    database: str = _setting("", "path of the SQLite file; empty: <instance>/kiosk.db")
    secret_key: str = _setting("", "session signing key; empty: generated into the instance")
    device_token: str = _setting(
        "", "bearer token of scanners and doors; empty: generated into the instance"
    )
    device_tokens_previous: tuple[str, ...] = _setting(
        [], "old device tokens still accepted while devices rotate"
    )
    printer: str = _setting("", "where badges go (preview:DIR, network:HOST…); empty: previews")
    printer_width: int = _setting(80, "paper width in mm", choices=(80, 58))
    printer_cut: bool | None = _setting(
        None, "cut after each badge (true or false); empty: on 80 mm paper only"
    )
    badge_logo: str = _setting("", "path of a logo image printed at the top of badges")
    camera: str = _setting("", "scanner source; empty: the first webcam, or simulated")
    preview_port: int = _setting(8081, "the scanner's MJPEG camera preview port; 0 turns it off")
    preview_host: str = _setting("127.0.0.1", "address the camera preview listens on")
    scan_window_seconds: float = _setting(
        3.0, "the scanner posts a card held in view once in this window"
    )
    scanner_idle_fps: float = _setting(
        10.0, "frames a second the scanner reads while nothing moves; 0: every frame"
    )
    timezone: str = _setting("Europe/Helsinki", "time zone for screens, closing time, reports")
    server_url: str = _setting("http://127.0.0.1:8080", "where the scanner posts its scans")
    preview_url: str = _setting(
        "http://127.0.0.1:8081/preview.mjpg", "the camera preview the door page shows"
    )
    host: str = _setting("127.0.0.1", "address kiosk serve listens on")
    port: int = _setting(8080, "port kiosk serve listens on")
    threads: int = _setting(32, "server threads; live streams hold some of them")
    max_streams: int = _setting(24, "live connections at once; the rest poll")
    persistent_connections: bool = field(
        default=False,
        metadata={"doc": "one database connection per server thread", "internal": True},
    )
    min_stay_seconds: int = _setting(120, "a second scan sooner than this is a repeat")
    repeat_window_seconds: int = _setting(60, "a scan this soon after a check-out is a repeat")
    idle_seconds: int = _setting(45, "the door returns to the welcome screen after this")
    closing_time: str = _setting("22:00", "everyone still in is checked out at this local time")
    capacity: int = _setting(40, "people the space holds; the occupancy charts use it")
    help_topics: tuple[str, ...] = _setting(
        ["rahoitus", "markkinointi", "digi", "verotus", "jaksaminen", "verkostot"],
        "topics a visitor can ask help with at the door",
    )
    member_badge_policy: str = _setting(
        "button",
        "when members get a badge printed",
        ("never", "first_visit_of_day", "button"),
    )
    consent_version: str = _setting("2026-11", "version of the privacy notice guests accept")
    retention_months: int = _setting(
        24, "personal data older than this is anonymised daily; 0 turns it off"
    )
    scan_failure_burst: int = _setting(10, "unknown or revoked scans a device may make in a row")
    scan_failure_refill_seconds: float = _setting(
        3.0, "after the burst, one more failed scan is allowed every this many seconds"
    )
    login_limit_per_ip: int = _setting(20, "failed staff logins from one address in 10 minutes")
    login_limit_per_user: int = _setting(8, "failed logins for one username in 10 minutes")
    min_group_size: int = _setting(5, "smallest group whose moods staff and reports may see")
    demo_data: bool = _setting(True, "seed demo members when the database is empty")
    languages: tuple[str, ...] = _setting(["fi", "sv", "en"], "languages the screens offer")
    default_language: str = _setting("fi", "language of a screen nobody has chosen for")
    session_cookie_secure: bool = _setting(False, "send the staff session cookie over HTTPS only")
    proxy_hops: int = _setting(
        0, "reverse proxies in front of kiosk serve; the client's own address then counts"
    )
    trusted_proxy: str = _setting("127.0.0.1", "the proxy whose X-Forwarded-For is believed")
    trusted_hosts: tuple[str, ...] = _setting(
        [], "host names the server answers to besides its own; * turns the check off"
    )
    channel_timeout_seconds: int = _setting(
        10, "seconds an idle or unfinished connection is kept open"
    )
    max_connections_per_address: int = _setting(
        16, "open connections one client address may hold (the kiosk itself is exempt)"
    )
    connection_limit: int = _setting(400, "open connections the server accepts in all")
    loopback_reserve: int = _setting(
        50, "connections always kept free for the kiosk itself, so its scanner gets through"
    )
    max_door_streams: int = _setting(
        6, "door live streams over all doors; below KIOSK_THREADS minus KIOSK_MAX_STREAMS"
    )
    scan_failure_global_burst: int = _setting(
        60, "failed scans over all devices together before every device is slowed down"
    )
    scan_failure_global_refill_seconds: float = _setting(
        0.5, "after that burst, one more failed scan anywhere every this many seconds"
    )
    guest_signin_burst: int = _setting(5, "guest sign-ins one door may make in a row")
    guest_signin_refill_seconds: float = _setting(
        20.0, "after that burst, one more guest sign-in every this many seconds"
    )
    staff_session_seconds: int = _setting(
        12 * 3600, "a staff login's absolute lifetime, counted from the login"
    )
    smtp_url: str = _setting(
        "", "where email goes out: smtp://HOST:PORT, smtp+starttls://…:587, smtps://…:465"
    )
    mail_from: str = _setting("", "the sender address of every message")
    smtp_timeout_seconds: float = _setting(
        10.0, "one try at the mail server or Teams gives up after this"
    )
    notify_area: tuple[str, ...] = _setting(
        [], "addresses and/or Teams Workflows URLs that receive every host notification"
    )
    notify_reminder_minutes: int = _setting(
        10, "remind once when an alert is still unhandled after this many minutes"
    )
    notify_digest_time: str = _setting("07:30", "local time after which the daily digest goes")
    dashboard_url: str = _setting("", "the link in messages; empty: KIOSK_SERVER_URL + /staff/")
    door_camera: str = _setting(
        "server",
        "where doors scan by default: server, browser or none (per door on the Devices page)",
        ("server", "browser", "none"),
    )
    min_free_disk_mb: int = _setting(
        20, "/healthz is not ok below this much free space (MB) beside the database"
    )
    project_start: str = _setting("2023-09", "the funded project's first month (YYYY-MM)")
    project_end: str = _setting("2025-08", "the funded project's last month (YYYY-MM)")
    host_title: str = _setting(
        "heimopäällikkö", "what the door calls the host, in Finnish (sv and en follow from it)"
    )
    accessibility_feedback: str = _setting(
        "", "where accessibility feedback goes (email or web address); empty: ask the host"
    )
    instance_path: Path = field(default=DEFAULT_INSTANCE, metadata={"doc": "", "internal": True})

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    def host_names(self) -> list[str]:
        """The Host names to accept: the configured ones plus the machine's own; [] for "*"."""
        if "*" in self.trusted_hosts:
            return []
        own = socket.gethostname().lower()
        names = ["localhost", "127.0.0.1", "::1", own, f"{own}.local", *self.trusted_hosts]
        return list(dict.fromkeys(name.strip().lower() for name in names if name.strip()))

    def as_flask_config(self) -> dict[str, Any]:
        """The settings as upper-case keys, for the web layer's ``app.config``."""
        values = {item.name.upper(): getattr(self, item.name) for item in dataclasses.fields(self)}
        values["INSTANCE_PATH"] = str(self.instance_path)
        values["TZ"] = self.tz
        return values

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (lower-case names) applied and checked."""
        return _validated(dataclasses.replace(self, **changes))


def setting_names() -> list[str]:
    """Every public setting's environment name, ``KIOSK_…``, in declaration order."""
    return [
        PREFIX + item.name.upper()
        for item in dataclasses.fields(Settings)
        if not item.metadata.get("internal")
    ]


_TYPES = get_type_hints(Settings, localns={"Path": Path})
FIELDS = {item.name: item for item in dataclasses.fields(Settings)}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(key: str, raw: Any) -> Any:
    """Turn a raw value (text from the environment, or a TOML value) into the field's type."""
    kind = _TYPES[key]
    name = PREFIX + key.upper()
    if kind == bool | None:
        if raw is None or str(raw).strip() == "":
            return None
        kind = bool
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        lowered = str(raw).strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise ConfigError(f"{name} must be true or false, not {raw!r}")
    if kind is int:
        if isinstance(raw, bool):
            raise ConfigError(f"{name} must be a whole number, not {raw!r}")
        try:
            return int(str(raw).strip().lower().removesuffix("mm"))
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if kind is float:
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if kind is Path:
        return Path(raw)
    if isinstance(kind, types.GenericAlias) and kind.__origin__ is tuple:
        parts = raw.split(",") if isinstance(raw, str) else list(raw)
        return tuple(str(part).strip() for part in parts if str(part).strip())
    return str(raw)


def _validated(settings: Settings) -> Settings:
    for key, item in FIELDS.items():
        choices = item.metadata.get("choices")
        value = getattr(settings, key)
        if choices and value not in choices:
            allowed = ", ".join(str(choice) for choice in choices if choice != "")
            raise ConfigError(f"{PREFIX}{key.upper()} must be one of {allowed}, not {value!r}")
        if _TYPES[key] is int and value is not None and value < 0:
            raise ConfigError(f"{PREFIX}{key.upper()} must not be negative, not {value!r}")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{PREFIX}TIMEZONE: unknown time zone {settings.timezone!r}") from None
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", settings.closing_time):
        raise ConfigError(
            f"{PREFIX}CLOSING_TIME must be a time like 22:00, not {settings.closing_time!r}"
        )
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", settings.notify_digest_time):
        raise ConfigError(
            f"{PREFIX}NOTIFY_DIGEST_TIME must be a time like 07:30, "
            f"not {settings.notify_digest_time!r}"
        )
    for name in ("project_start", "project_end"):
        value = getattr(settings, name)
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ConfigError(f"{PREFIX}{name.upper()} must be a month like 2023-09, not {value!r}")
    try:
        finnish_forms(settings.host_title)
    except UnknownHostTitle as exc:
        raise ConfigError(f"{PREFIX}HOST_TITLE: {exc}") from None
    if settings.default_language not in settings.languages:
        raise ConfigError(
            f"{PREFIX}DEFAULT_LANGUAGE must be one of KIOSK_LANGUAGES "
            f"({', '.join(settings.languages)}), not {settings.default_language!r}"
        )
    return settings


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


def _known_layer(layer: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Keep the known settings of one layer, warning about each unknown name."""
    known: dict[str, Any] = {}
    public = [name.removeprefix(PREFIX) for name in setting_names()]
    for key, value in layer.items():
        field_name = key.lower()
        if (
            key.upper() != key
            or field_name not in FIELDS
            or FIELDS[field_name].metadata.get("internal")
        ):
            nearest = difflib.get_close_matches(key.upper(), public, n=1)
            hint = f"; did you mean {PREFIX}{nearest[0]}?" if nearest else ""
            log.warning("unknown setting %s%s in %s, ignored%s", PREFIX, key, source, hint)
            continue
        known[field_name] = _parse(field_name, value)
    return known


def read_or_create_secret(path: Path) -> str:
    """Return the secret stored at ``path``, generating it (mode 600) on first use."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    private_dir(path.parent)
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
) -> Settings:
    """Build the effective :class:`Settings`.

    Layers, later wins: the declared defaults, ``<instance>/kiosk.toml``, ``KIOSK_*``
    variables, then ``overrides`` (upper- or lower-case setting names, as code passes them;
    only code may set the internal ones, such as ``kiosk serve``'s persistent connections).
    Raises :class:`ConfigError` with one line naming the setting when a value is unusable.
    """
    environ = os.environ if environ is None else environ
    instance = instance or instance_path(environ)
    values: dict[str, Any] = {}
    values.update(_known_layer(_read_config_file(instance / CONFIG_FILE_NAME), CONFIG_FILE_NAME))
    values.update(_known_layer(_read_environment(environ), "the environment"))
    for key, value in (overrides or {}).items():
        field_name = key.lower()
        if field_name in FIELDS and field_name != "instance_path":
            values[field_name] = _parse(field_name, value)
    values["instance_path"] = instance
    if not values.get("database"):
        values["database"] = str(instance / "kiosk.db")
    if not values.get("printer"):
        values["printer"] = f"preview:{instance / 'badges'}"
    for key, filename in SECRET_FILES.items():
        if not values.get(key):
            values[key] = read_or_create_secret(instance / filename)
    return _validated(Settings(**values))
