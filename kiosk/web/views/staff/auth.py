"""Staff login and logout, the login guards, and rate limits on login attempts.

Three layers stop password guessing: a per-IP and a per-username limit here (in memory,
reset when the server restarts), and the account lockout in :mod:`kiosk.staff_accounts`.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l

from kiosk import audit
from kiosk.staff_accounts import LoginRefused, authenticate, is_known_address
from kiosk.staff_sessions import session_user, start_session
from kiosk.web.db import get_db
from kiosk.web.safe_paths import local_path
from kiosk.web.staff_login import SESSION_KEY, end_staff_session
from kiosk.web.views.context import app_settings, clock

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"staff.auth.login"}
MAX_USERNAME_LENGTH = 40
MAX_PASSWORD_LENGTH = 256


class LoginRateLimiter:
    """Counts failed logins per key in a sliding window; thread-safe, bounded in memory."""

    def __init__(self, limit: int, window: timedelta, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._failures: dict[str, deque[datetime]] = {}

    def _prune(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def allowed(self, key: str, now: datetime) -> bool:
        """Tell whether another attempt for ``key`` may be tried at ``now``."""
        with self._lock:
            return len(self._prune(key, now)) < self.limit

    def fail(self, key: str, now: datetime) -> None:
        """Count one failed attempt for ``key``."""
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                # Forget the quietest keys rather than grow without bound.
                for stale in [k for k, v in self._failures.items() if not self._prune(k, now)]:
                    del self._failures[stale]
                if len(self._failures) >= self.max_keys:
                    self._failures.pop(next(iter(self._failures)))
            times = self._prune(key, now)
            times.append(now)
            self._failures[key] = times

    def reset(self, key: str) -> None:
        """Forget ``key``'s failures (after a successful login)."""
        with self._lock:
            self._failures.pop(key, None)


class AuditThrottle:
    """Writes one audit entry per key and window, counting the rest in memory.

    Refused attempts come at whatever rate an attacker likes; one row per window (carrying
    how many came in the window before) keeps the log readable and its size bounded.
    """

    def __init__(self, window: timedelta, max_keys: int = 10_000) -> None:
        self.window = window
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[datetime, int]] = {}

    def should_record(self, key: str, now: datetime) -> tuple[bool, int]:
        """Whether to write a row for ``key`` now, and how many went unwritten before it."""
        with self._lock:
            started, count = self._windows.get(key, (None, 0))
            if started is not None and now - started < self.window:
                self._windows[key] = (started, count + 1)
                return False, 0
            if len(self._windows) >= self.max_keys:
                self._windows.clear()
            self._windows[key] = (now, 0)
            return True, count


def limiters() -> dict[str, LoginRateLimiter]:
    """The app's login limiters: ``ip`` (20 failures / 10 min) and ``user`` (8 / 10 min)."""
    found = current_app.extensions.get("kiosk.staff.limiters")
    if found is None:
        window = timedelta(minutes=10)
        found = {
            "ip": LoginRateLimiter(app_settings().login_limit_per_ip, window),
            "user": LoginRateLimiter(app_settings().login_limit_per_user, window),
        }
        current_app.extensions["kiosk.staff.limiters"] = found
    return found


def audit_throttle() -> AuditThrottle:
    """The app's throttle for audit entries about refused login attempts."""
    return current_app.extensions.setdefault(
        "kiosk.staff.audit_throttle", AuditThrottle(timedelta(minutes=10))
    )


def current_staff() -> dict[str, Any] | None:
    """The logged-in staff user of this request (id, username, role), or None."""
    return g.get("staff")


def _wants_html() -> bool:
    return (
        request.method == "GET"
        and request.headers.get("X-Requested-With") != "fetch"
        and (request.accept_mimetypes.accept_html or not request.accept_mimetypes)
    )


def _refuse_anonymous():
    if _wants_html() and request.endpoint not in {"staff.present.stream"}:
        return redirect(url_for("staff.auth.login", next=request.full_path.rstrip("?")))
    abort(401)


def load_staff_user():
    """Before every /staff request: find the logged-in user, or send the visitor to login."""
    g.staff = None
    data = session.get(SESSION_KEY)
    if isinstance(data, dict) and "id" in data:
        # The cookie only names a server-side session: logged out, expired (an absolute
        # lifetime from the login), a changed password or a deactivated account end it.
        user = (
            session_user(get_db(), data["sid"], clock().now())
            if isinstance(data.get("sid"), str)
            else None
        )
        if user and user["id"] == data["id"] and user["username"] == data.get("u"):
            g.staff = user
        else:
            session.pop(SESSION_KEY, None)
    if g.staff is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return _refuse_anonymous()
    return None


def login_required(view):
    """Refuse the view to anyone not logged in (the blueprint also checks; this documents it)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_staff() is None:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Refuse the view to anyone but a logged-in admin (403 for a host)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_staff()["role"] != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def staff_context() -> dict[str, Any]:
    """Values every staff template uses."""
    staff = g.get("staff")
    return {
        "staff": staff,
        "is_admin": bool(staff and staff["role"] == "admin"),
        "languages": app_settings().languages,
    }


def actor() -> str:
    """The name that audit entries carry for this request's staff user."""
    staff = current_staff()
    return f"staff:{staff['username']}" if staff else "staff:?"


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path inside /staff, else the dashboard."""
    return local_path(target or "", default=url_for("staff.present.index"), prefix="/staff")


MESSAGES = {
    "refused": _l("Wrong username or password, or the account is locked for a while."),
    "limited": _l("Too many attempts. Please wait a few minutes and try again."),
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a successful login starts a fresh session."""
    if request.method == "GET" and current_staff() is not None:
        return redirect(safe_next(request.args.get("next")))
    error = None
    status = 200
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")[:MAX_USERNAME_LENGTH].strip().lower()
        password = request.form.get("password", "")[:MAX_PASSWORD_LENGTH]
        now = clock().now()
        limits = limiters()
        address = request.remote_addr or ""
        ip_key, user_key = f"ip:{address}", f"user:{username}"
        db = get_db()
        # The per-user limit stops guessing from many addresses; an address this user has
        # logged in from before is exempt, so nobody can lock the owner out with it.
        known = is_known_address(db, username, address)
        user_ok = known or limits["user"].allowed(user_key, now)
        if not (limits["ip"].allowed(ip_key, now) and user_ok):
            error, status = MESSAGES["limited"], 429
            record, earlier = audit_throttle().should_record(f"limited:{address}", now)
            if record:  # one entry per address and window, never the names tried
                audit.record(
                    db, now, "staff:?", "staff.login_limited", address, earlier_attempts=earlier
                )
        else:
            try:
                user = authenticate(db, username, password, now, address)
            except LoginRefused:
                limits["ip"].fail(ip_key, now)
                if not known:
                    limits["user"].fail(user_key, now)
                error, status = MESSAGES["refused"], 401
                # A name that is no login is not recorded: it is whatever the sender typed.
                exists = bool(
                    list(db.query("SELECT 1 FROM staff_users WHERE username = ?", [username]))
                )
                audit.record(
                    db,
                    now,
                    f"staff:{username}" if exists else "staff:?",
                    "staff.login_failed",
                    address,
                )
            else:
                limits["user"].reset(user_key)
                language = session.get("lang")
                # A fresh session on login: nothing set before it (by anyone) survives.
                session.clear()
                if language:
                    session["lang"] = language
                lifetime = timedelta(seconds=app_settings().staff_session_seconds)
                session_id = start_session(db, user["id"], now, lifetime)
                session[SESSION_KEY] = {"id": user["id"], "u": user["username"], "sid": session_id}
                session.permanent = True
                audit.record(db, now, f"staff:{user['username']}", "staff.login", None)
                return redirect(safe_next(request.args.get("next")))
    return render_template("staff/login.html", error=error, username=username), status


@bp.post("/logout")
@login_required
def logout():
    """End the staff session (POST only, with the CSRF token)."""
    audit.record(get_db(), clock().now(), actor(), "staff.logout", None)
    end_staff_session()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    return redirect(url_for("staff.auth.login"))
