"""Staff logins: hosts and admins, with hashed passwords, a password policy and a lockout."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
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


def authenticate(
    db: sqlite_utils.Database, username: str, password: str, now: datetime
) -> dict[str, Any]:
    """Return the staff user for a correct login; count failures and lock after too many."""
    rows = list(
        db.query(
            "SELECT * FROM staff_users WHERE username = ? AND active = 1",
            [username.strip().lower()],
        )
    )
    if not rows:
        # Hash anyway, so a wrong username takes as long as a wrong password.
        check_password_hash(generate_password_hash("x"), password)
        raise LoginRefused("wrong username or password")
    user = rows[0]
    if user["locked_until"] and from_db(user["locked_until"]) > now:
        raise LoginRefused("too many failed attempts; try again later")
    if not check_password_hash(user["password_hash"], password):
        failures = user["failed_logins"] + 1
        locked = to_db(now + LOCKOUT) if failures >= MAX_FAILED_LOGINS else None
        db["staff_users"].update(
            user["id"], {"failed_logins": 0 if locked else failures, "locked_until": locked}
        )
        raise LoginRefused("wrong username or password")
    db["staff_users"].update(
        user["id"], {"failed_logins": 0, "locked_until": None, "last_login_at": to_db(now)}
    )
    return user


def set_password(db: sqlite_utils.Database, user_id: int, password: str) -> None:
    """Change a staff user's password (the policy applies)."""
    user = db["staff_users"].get(user_id)
    check_password_policy(password, user["username"])
    db["staff_users"].update(user_id, {"password_hash": generate_password_hash(password)})
