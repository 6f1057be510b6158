"""The staff statistics page on the ten-year database, piece by piece, in-process, no CPU limit.

    .venv/bin/python bench/stats_page.py [--db /tmp/tankkaamo-bench/kiosk-1.8M.db] [--repeats 7]

Copies the database into a temporary folder (the original is never written) and migrates the
copy, then, with the clock fixed at Thursday 26 November 2026, 12:00 in Helsinki (the ten-year
database's last day, so today's curve has visits), times each function behind /staff/stats
and then the whole page through Flask's test client, logged in as an admin: best and median
of ``--repeats`` runs. bench/pi.py gives the page under the Pi's CPU limit (about six to
seven times these figures). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk import stats
from kiosk.clock import FixedClock
from kiosk.db import connect

TZ = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=TZ)
LARGE_DB = Path("/tmp/tankkaamo-bench/kiosk-1.8M.db")  # noqa: S108 - bench/pi.py's database
PASSWORD = "Mustikka-7 tilastoissa 2026"  # noqa: S105 - a throwaway login on a temporary copy


def timings(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best and median of ``repeats`` runs, in ms, after one run to warm the caches."""
    function()
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        runs.append((time.perf_counter() - started) * 1000)
    return min(runs), statistics.median(runs)


def copy_and_migrate(source: Path, folder: Path) -> Path:
    """A migrated copy of ``source`` in ``folder``."""
    target = folder / "kiosk.db"
    started = time.perf_counter()
    original = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    original.backup(copy)
    copy.close()
    original.close()
    copied = time.perf_counter()
    connect(target, migrate=True).close()
    print(
        f"copied {source} in {copied - started:.1f} s, migrated the copy in "
        f"{time.perf_counter() - copied:.1f} s"
    )
    return target


def bench_functions(path: Path, repeats: int) -> None:
    db = connect(path)
    calls: dict[str, Callable[[], object]] = {
        "occupancy_now": lambda: stats.occupancy_now(db, NOW, 40),
        "visit_counts": lambda: stats.visit_counts(db, NOW, TZ),
        "unique_visitors (month)": lambda: stats.unique_visitors(db, NOW, TZ, "month"),
        "hourly_occupancy": lambda: stats.hourly_occupancy(db, NOW, TZ),
        "weekday_hour_heatmap (8 w)": lambda: stats.weekday_hour_heatmap(db, NOW, TZ, 8),
        "visits_per_month (12)": lambda: stats.visits_per_month(db, NOW, TZ, 12),
        "mood_trend (12 w)": lambda: stats.mood_trend(db, NOW, TZ, 12, 5),
    }
    try:
        print(f"each statistic, now = {NOW.isoformat()}, best / median of {repeats}:")
        for name, call in calls.items():
            best, median = timings(call, repeats)
            print(f"  {name:28}{best:8.2f} ms {median:8.2f} ms")
        best, median = timings(lambda: [call() for call in calls.values()], repeats)
        print(f"  {'all of them':28}{best:8.2f} ms {median:8.2f} ms")
    finally:
        db.close()


def bench_page(path: Path, folder: Path, repeats: int) -> None:
    from kiosk.staff_accounts import create_staff
    from kiosk.web import create_app

    db = connect(path)
    create_staff(db, "mittari", PASSWORD, "admin", NOW)
    db.close()
    app = create_app(
        {
            "DATABASE": str(path),
            "CLOCK": FixedClock(NOW),
            "INSTANCE_PATH": str(folder / "instance"),
            "DEMO_DATA": False,
            "PRINTER": "none",
        }
    )
    client = app.test_client()
    login = client.get("/staff/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    form = {"csrf_token": token, "username": "mittari", "password": PASSWORD}
    client.post("/staff/login", data=form)

    def page() -> None:
        response = client.get("/staff/stats")
        if response.status_code != 200:
            raise SystemExit(f"/staff/stats answered {response.status_code}")

    best, median = timings(page, repeats)
    print(f"/staff/stats through the test client: best {best:.1f} ms, median {median:.1f} ms")


def main() -> None:
    """Copy, migrate, time, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=LARGE_DB, help="the database to copy")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} is missing: make it with bench/generate_data.py")
    one, five, fifteen = os.getloadavg()
    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, load average")
    print(f"  {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kiosk-stats-") as name:
        folder = Path(name)
        path = copy_and_migrate(args.db, folder)
        bench_functions(path, args.repeats)
        bench_page(path, folder, args.repeats)
    one, five, fifteen = os.getloadavg()
    print(f"after: load average {one:.2f} {five:.2f} {fifteen:.2f}")


if __name__ == "__main__":
    main()
