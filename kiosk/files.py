"""Private files and folders: the database, backups, secrets and card images.

They hold personal data or keys, so they are made readable by the kiosk's own user only
(files 0600, folders 0700) whatever the process umask is; systemd sets a strict umask, but
`make run`, a shell or cron may not.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def _owned_by_me(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) as a 0700 folder; tighten it if it is ours."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if _owned_by_me(path) and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(DIR_MODE)
    return path


def private_file(path: str | Path) -> Path:
    """Make sure ``path`` exists as a 0600 file (created empty if missing; tightened if ours)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        if _owned_by_me(path) and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(FILE_MODE)
    else:
        os.close(fd)
        path.chmod(FILE_MODE)  # os.open's mode is filtered by the umask; this is not
    return path


def tighten(path: str | Path) -> None:
    """Make an existing file of ours 0600 (a file some library wrote with default modes)."""
    path = Path(path)
    if path.exists() and _owned_by_me(path):
        path.chmod(FILE_MODE)
