"""Report and dashboard figures on a small and a ten-year database; prints, never asserts.

    .venv/bin/python bench/generate_data.py /tmp/tankkaamo-bench/kiosk-1.8M.db
    .venv/bin/python bench/generate_data.py /tmp/tankkaamo-bench/kiosk-10k.db --visits 10000
    .venv/bin/python bench/reports.py [--large PATH] [--small PATH] [--month 2026-10]

Missing databases are generated first (the large one takes about a minute and a half).
1. One month's ``visits`` report, written to a file, against the ``sqlite3`` command-line
   tool exporting the same rows as CSV (target: at most 1.5 times the tool's time).
2. Peak Python memory while streaming that month, and a whole year, to show it is flat.
3. Each dashboard statistic on the small and on the large database (target: nearly flat).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate_data import main as generate  # noqa: E402
from kiosk import stats  # noqa: E402
from kiosk.db import connect  # noqa: E402
from kiosk.reports import Month, build_report, parse_month, write_report  # noqa: E402
from kiosk.reports.columns import label  # noqa: E402
from kiosk.reports.visits import visits_sql  # noqa: E402

TZ = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=TZ)
OUT = Path("/tmp/tankkaamo-bench")  # noqa: S108
REPEATS = 5

# The same rows the visits report holds, straight from the stored columns.
CLI_SQL = """
SELECT v.id, v.checked_in_at, v.checked_out_at,
       (julianday(v.checked_out_at) - julianday(v.checked_in_at)) * 1440,
       v.member_id, v.guest_id, coalesce(m.name, g.name), coalesce(m.company, g.company),
       m.business_id, v.checkin_method, v.checkout_method, e.title
FROM visits AS v
LEFT JOIN members AS m ON m.id = v.member_id
LEFT JOIN guests AS g ON g.id = v.guest_id
LEFT JOIN events AS e ON e.id = v.event_id
WHERE v.checked_in_at >= '{start}' AND v.checked_in_at < '{end}'
ORDER BY v.checked_in_at, v.id;
"""


def best_of(function: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def report_to_file(path: Path, month: Month, target: Path) -> int:
    """Write the month's visits report with a fresh connection; return the file's size."""
    db = connect(path)
    try:
        with target.open("wb") as stream:
            write_report(build_report(db, "visits", month, TZ, "fi"), stream, delimiter=";")
    finally:
        db.close()
    return target.stat().st_size


def bench_report(path: Path, month: Month) -> None:
    target = OUT / f"visits-{month}.csv"
    ours = best_of(lambda: report_to_file(path, month, target))
    rows = sum(1 for _ in target.open(encoding="utf-8-sig")) - 1
    print(f"visits report {month}: {rows} rows, {target.stat().st_size / 1e6:.1f} MB")
    print(f"  kiosk (build + write CSV, fresh connection): {ours * 1000:8.1f} ms")
    tool = shutil.which("sqlite3")
    if tool is None:
        print("  sqlite3 command-line tool not found: apt-get install sqlite3")
        return
    start, end = month.db_bounds(TZ)
    sql = CLI_SQL.format(start=start, end=end)
    cli_out = OUT / f"visits-{month}-sqlite3.csv"

    def run_cli() -> None:
        with cli_out.open("wb") as handle:
            subprocess.run([tool, "-csv", "-header", str(path), sql], stdout=handle, check=True)

    theirs = best_of(run_cli)
    print(f"  sqlite3 -csv, same rows as stored (UTC text): {theirs * 1000:7.1f} ms")
    print(f"  ratio: {ours / theirs:.2f}x (target <= 1.5x)")

    # The report's own SELECT (labels, neutralising, durations) run by the tool: what is left
    # between the two is Python's share (row objects, local times, the csv module).
    values = {"start": start, "end": end, "guest_form": "vieraslomake"}
    values |= {w: label(w, "fi") for w in ("member", "guest", "anonymised", "card", "manual")}
    values["automatic"] = label("automatic", "fi")
    script = "".join(f".parameter set :{k} '{v}'\n" for k, v in values.items())
    script += visits_sql() + ";\n"

    def run_cli_report_sql() -> None:
        with cli_out.open("wb") as handle:
            subprocess.run([tool, "-csv", str(path)], input=script.encode(), stdout=handle,
                           check=True)  # fmt: skip

    same_sql = best_of(run_cli_report_sql)
    print(f"  sqlite3 -csv, the report's own SELECT:       {same_sql * 1000:7.1f} ms")
    print(f"  ratio: {ours / same_sql:.2f}x")


def bench_memory(path: Path, months: list[Month]) -> None:
    print("peak Python memory while streaming the visits report (tracemalloc):")
    for month in months:
        tracemalloc.start()
        report_to_file(path, month, OUT / "memory.csv")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = (OUT / "memory.csv").stat().st_size
        print(f"  {month}: {size / 1e6:6.1f} MB of CSV, peak {peak / 1e3:7.0f} kB")
    db = connect(path)
    try:
        tracemalloc.start()
        total = 0
        for number in range(1, 13):
            with (OUT / "memory.csv").open("wb") as stream:
                write_report(build_report(db, "visits", Month(2025, number), TZ, "fi"), stream)
            total += (OUT / "memory.csv").stat().st_size
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        db.close()
    print(f"  all of 2025, month by month: {total / 1e6:6.1f} MB of CSV, peak {peak / 1e3:7.0f} kB")


def bench_stats(small: Path, large: Path) -> None:
    calls: dict[str, Callable[..., object]] = {
        "occupancy_now": lambda db: stats.occupancy_now(db, NOW, 40),
        "visit_counts": lambda db: stats.visit_counts(db, NOW, TZ),
        "unique_visitors(month)": lambda db: stats.unique_visitors(db, NOW, TZ, "month"),
        "hourly_occupancy": lambda db: stats.hourly_occupancy(db, NOW, TZ),
        "weekday_hour_heatmap(8 w)": lambda db: stats.weekday_hour_heatmap(db, NOW, TZ, 8),
        "visits_per_month(12)": lambda db: stats.visits_per_month(db, NOW, TZ, 12),
        "mood_trend(12 w)": lambda db: stats.mood_trend(db, NOW, TZ, 12, 5),
    }
    databases = {name: connect(path) for name, path in (("small", small), ("large", large))}
    try:
        sizes = {
            name: db.conn.execute("SELECT count(*) FROM visits").fetchone()[0]
            for name, db in databases.items()
        }
        print(f"dashboard stats, best of {REPEATS}, now = {NOW.isoformat()}:")
        print(f"  {'':28}{sizes['small']:>10,} visits{sizes['large']:>12,} visits   ratio")
        for name, call in calls.items():
            timings = [
                best_of(lambda db=db, call=call: call(db)) * 1000 for db in databases.values()
            ]
            ratio = timings[1] / timings[0] if timings[0] else float("nan")
            print(f"  {name:28}{timings[0]:10.2f} ms{timings[1]:13.2f} ms   {ratio:5.2f}x")
        total = [
            best_of(lambda db=db: [c(db) for c in calls.values()]) for db in databases.values()
        ]
        print(f"  {'all of them':28}{total[0] * 1000:10.2f} ms{total[1] * 1000:13.2f} ms")
    finally:
        for db in databases.values():
            db.close()


def main(argv: list[str] | None = None) -> int:
    """Generate what is missing, then print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", type=Path, default=OUT / "kiosk-1.8M.db")
    parser.add_argument("--small", type=Path, default=OUT / "kiosk-10k.db")
    parser.add_argument("--month", type=parse_month, default=Month(2026, 10))
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.small.exists():
        generate([str(args.small), "--visits", "10000"])
    if not args.large.exists():
        generate([str(args.large), "--visits", "1825000"])
    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {args.large}")
    bench_report(args.large, args.month)
    bench_memory(args.large, [Month(2017, 2), args.month])
    bench_stats(args.small, args.large)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
