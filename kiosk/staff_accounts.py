"""Staff logins: hosts and admins, with hashed passwords, a password policy and a lockout."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.errors import InvalidInput, KioskError
from kiosk.timeutil import from_db, to_db

ROLES = ("host", "admin")
MIN_PASSWORD_LENGTH = 12
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class LoginRefused(KioskError):
    """Wrong username or password, or a locked account; the message never says which."""


def check_password_policy(password: str, username: str) -> None:
    """Refuse passwords that are short, all one kind of character, or contain the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters", "password"
        )
    if username.lower() in password.lower():
        raise InvalidInput("the password must not contain the username", "password")
    if len(set(password)) < 5:
        raise InvalidInput("the password is too repetitive", "password")


def create_staff(
    db: sqlite_utils.Database, username: str, password: str, role: str, now: datetime
) -> int:
    """Create a staff login; return its id."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            "a username is 2-40 characters: lowercase letters, digits, '.', '_' or '-'",
            "username",
        )
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", "role")
    if list(db.query("SELECT 1 FROM staff_users WHERE username = ?", [username])):
        raise InvalidInput(f"the username {username!r} is taken", "username")
    check_password_policy(password, username)
    return (
        db["staff_users"]
        .insert(
            {
                "username": username,
                "password_hash": generate_password_hash(password),
                "role": role,
                "created_at": to_db(now),
            }
        )
        .last_pk
    )


# Checked when there is no such user, so that every refusal costs one password hash. Written
# out rather than made at import: a scrypt hash needs 32 MB for a moment, which every process
# importing this module (the web app, each CLI command, the scanner) paid at start. Same
# method and cost as generate_password_hash's default (tests/test_password_costs.py).
DUMMY_HASH = (
    "scrypt:32768:8:1$JVS8g7ag9xapDg6n$86d51dca94d0eb3eb16de5d07cf5b453e5fed6b82121ad0eac504d0c"
    "c635819f326d56a8d02f2166488bf919bf93f3239c9c6fccde0af973a9172e61e2167680"
)


def _failure_row(db: sqlite_utils.Database, username: str, address: str) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT * FROM staff_login_failures WHERE username = ? AND address = ?",
            [username, address],
        )
    )
    return rows[0] if rows else None


def is_known_address(db: sqlite_utils.Database, username: str, address: str) -> bool:
    """Tell whether ``username`` has logged in from ``address`` before."""
    return bool(
        list(
            db.query(
                "SELECT 1 FROM staff_known_addresses k JOIN staff_users u ON u.id = k.staff_id "
                "WHERE u.username = ? AND k.address = ?",
                [username.strip().lower(), address],
            )
        )
    )


def authenticate(
    db: sqlite_utils.Database, username: str, password: str, now: datetime, address: str = ""
) -> dict[str, Any]:
    """Return the staff user for a correct login; count failures and lock after too many.

    Failures are counted per username *and* address: five wrong passwords from one address
    lock that address out of that account for :data:`LOCKOUT`, while the owner elsewhere
    still gets in. Every path (no such user, wrong password, locked) checks exactly one
    password hash, so the time taken does not tell them apart.
    """
    username = username.strip().lower()
    rows = list(db.query("SELECT * FROM staff_users WHERE username = ? AND active = 1", [username]))
    user = rows[0] if rows else None
    matches = check_password_hash(user["password_hash"] if user else DUMMY_HASH, password)
    if user is None:
        raise LoginRefused("wrong username or password")
    failure = _failure_row(db, username, address)
    if failure and failure["locked_until"] and from_db(failure["locked_until"]) > now:
        raise LoginRefused("too many failed attempts; try again later")
    if not matches:
        failures = (failure["failures"] if failure else 0) + 1
        locked = to_db(now + LOCKOUT) if failures >= MAX_FAILED_LOGINS else None
        db["staff_login_failures"].upsert(
            {
                "username": username,
                "address": address,
                "failures": 0 if locked else failures,
                "locked_until": locked,
                "updated_at": to_db(now),
            },
            pk=("username", "address"),
        )
        raise LoginRefused("wrong username or password")
    db.execute(
        "DELETE FROM staff_login_failures WHERE username = ? AND address = ?", [username, address]
    )
    db["staff_known_addresses"].upsert(
        {"staff_id": user["id"], "address": address, "last_login_at": to_db(now)},
        pk=("staff_id", "address"),
    )
    db["staff_users"].update(
        user["id"], {"failed_logins": 0, "locked_until": None, "last_login_at": to_db(now)}
    )
    return user


def _user_by_name(db: sqlite_utils.Database, username: str) -> dict[str, Any]:
    rows = list(
        db.query("SELECT * FROM staff_users WHERE username = ?", [username.strip().lower()])
    )
    if not rows:
        raise InvalidInput(f"no staff login {username!r}", "username")
    return rows[0]


def unlock_staff(db: sqlite_utils.Database, username: str) -> None:
    """Lift every lockout of ``username``, from every address."""
    user = _user_by_name(db, username)
    db.execute("DELETE FROM staff_login_failures WHERE username = ?", [user["username"]])
    db["staff_users"].update(user["id"], {"failed_logins": 0, "locked_until": None})


def disable_staff(db: sqlite_utils.Database, username: str, now: datetime) -> None:
    """Turn a login off and end its sessions."""
    from kiosk.staff_sessions import end_all_sessions

    user = _user_by_name(db, username)
    db["staff_users"].update(user["id"], {"active": 0})
    end_all_sessions(db, user["id"], now)


def set_password_by_name(
    db: sqlite_utils.Database, username: str, password: str, now: datetime
) -> None:
    """Set a new password for ``username`` (the policy applies) and end their sessions."""
    user = _user_by_name(db, username)
    set_password(db, user["id"], password, now)


def list_staff(db: sqlite_utils.Database, now: datetime) -> list[dict[str, Any]]:
    """Every staff login: username, role, email (when known), locked, disabled, last login."""
    locked = {
        row["username"]
        for row in db.query(
            "SELECT DISTINCT username FROM staff_login_failures WHERE locked_until > ?",
            [to_db(now)],
        )
    }
    return [
        {
            "username": row["username"],
            "role": row["role"],
            "email": row.get("email"),
            "locked": row["username"] in locked,
            "disabled": not row["active"],
            "last_login_at": row["last_login_at"],
        }
        for row in db.query("SELECT * FROM staff_users ORDER BY username")
    ]


def set_password(
    db: sqlite_utils.Database, user_id: int, password: str, now: datetime | None = None
) -> None:
    """Change a staff user's password (the policy applies) and end all their sessions."""
    from kiosk.staff_sessions import end_all_sessions

    user = db["staff_users"].get(user_id)
    check_password_policy(password, user["username"])
    db["staff_users"].update(user_id, {"password_hash": generate_password_hash(password)})
    end_all_sessions(db, user_id, now or datetime.now(UTC))
