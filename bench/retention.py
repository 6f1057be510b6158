"""The daily retention on the ten-year database: how long it holds the write lock, and what a
check-in at the door waits meanwhile.

    .venv/bin/python bench/retention.py [--source /tmp/tankkaamo-bench/kiosk-1.8M.db]
        [--work DIR] [--months 24] [--batch-size N] [--pause SECONDS]

The source is copied (opened read-only, through SQLite's backup) into ``--work`` (a new
temporary folder by default, deleted afterwards unless ``--work`` is given), migrated (each
step timed), and given a few members with cards. Then three passes of
``kiosk.privacy.retention.anonymise_expired``, as ``kiosk serve``'s daily task calls it:

1. the first pass: the generated data has never had one, so years of visits are due;
2. the same day again: nothing is due;
3. a day later: one day's visits are due, an ordinary daily pass.

Each prints its time (and the CPU time of the thread that ran it) and the counts.

During each pass:

- the app's write lock (``kiosk.transactions._WRITE_LOCK``, which every write transaction in
  the process holds from before BEGIN IMMEDIATE to after COMMIT) is timed while the retention
  holds it: how many times, the longest, and the retention connection's ``total_changes``;
- a probe *process* tries ``BEGIN IMMEDIATE`` with ``busy_timeout = 0`` every 2 ms and
  commits at once: the longest run of refusals is the longest the write lock was held as
  another process sees it (WAL checkpoints that block writers included; the door's own
  check-ins are refused stretches too, of a millisecond or so);
- a door thread in this process (as in ``kiosk serve``, sharing the app's write lock) checks a
  member in or out with ``kiosk.check_in.check_in_by_code`` every 50 ms; the worst wait, the
  95th percentile, and how many failed ("database is busy").

Works with any kiosk version that has ``anonymise_expired(db, now, months)``: for a "before"
figure, run this file with ``PYTHONPATH`` pointing at an older checkout. ``--batch-size`` and
``--pause`` are passed on when that version takes them. Prints figures; asserts nothing. The
machine's load averages are printed with each pass, as its cores may be shared.
"""

from __future__ import annotations

import argparse
import inspect
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH, so an older checkout there wins

SOURCE = Path("/tmp/tankkaamo-bench/kiosk-1.8M.db")  # noqa: S108 - bench/pi.py's database
CARDS = 40
DOOR_INTERVAL = 0.05
PROBE_INTERVAL = 0.002


def percentile(values: list[float], share: float) -> float:
    """The value ``share`` of the way up the sorted ``values`` (0 when there are none)."""
    return values[min(int(len(values) * share), len(values) - 1)] if values else 0.0


def load() -> str:
    """Load averages, printed beside figures from shared cores."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` without writing to it: read-only open, SQLite's online backup."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def migrate(path: Path) -> None:
    """Apply the pending migration steps one by one, printing each one's time."""
    from kiosk.db import connect
    from kiosk.migrations import migrations

    db = connect(path)
    try:
        pending = [m.name for m in migrations.pending(db)]
        for index, name in enumerate(pending):
            following = pending[index + 1] if index + 1 < len(pending) else None
            started = time.perf_counter()
            if following is None:
                migrations.apply(db)
            else:
                migrations.apply(db, stop_before=following)
            print(f"  migration {name}: {time.perf_counter() - started:.2f} s")
    finally:
        db.close()


def add_cards(path: Path, now: datetime) -> list[str]:
    """Members with cards for the door thread."""
    from kiosk.db import connect
    from kiosk.members import NewMember, add_member

    db = connect(path)
    try:
        return [add_member(db, NewMember(name=f"Ovi Mittaaja{n}"), now)[1] for n in range(CARDS)]
    finally:
        db.close()


def probe(path: str, stop, out) -> None:  # a separate process
    """Try to take the write lock every few ms; send back the refused stretches (seconds)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 0")
    stretches: list[float] = []
    refused_since: float | None = None
    attempts = 0
    while not stop.is_set():
        attempts += 1
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError:
            if refused_since is None:
                refused_since = time.perf_counter()
        else:
            if refused_since is not None:
                stretches.append(time.perf_counter() - refused_since)
                refused_since = None
        time.sleep(PROBE_INTERVAL)
    if refused_since is not None:
        stretches.append(time.perf_counter() - refused_since)
    conn.close()
    out.send((attempts, stretches))


class Door(threading.Thread):
    """Checks members in and out every DOOR_INTERVAL; keeps each wait and each failure."""

    def __init__(self, path: Path, cards: list[str], start: datetime) -> None:
        super().__init__(name="door", daemon=True)
        self.path, self.cards, self.moment = path, cards, start
        self.waits: list[float] = []
        self.failures = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        from kiosk.check_in import check_in_by_code
        from kiosk.db import DatabaseUnavailable, connect
        from kiosk.settings import Settings
        from kiosk.visits import ScanRules

        db = connect(self.path)
        settings, rules = Settings(database=str(self.path)), ScanRules()
        scan = 0
        while not self.stopping.is_set():
            # Three minutes apart on the door's own clock: every scan checks in or out.
            self.moment += timedelta(minutes=3)
            code = self.cards[scan % len(self.cards)]
            scan += 1
            started = time.perf_counter()
            try:
                check_in_by_code(db, code, self.moment, settings, rules, device="bench-door")
            except DatabaseUnavailable:
                self.failures += 1
            self.waits.append(time.perf_counter() - started)
            self.stopping.wait(DOOR_INTERVAL)
        db.close()


class WatchedLock:
    """Stands in for the app's write lock (``kiosk.transactions._WRITE_LOCK``) and times how
    long this process's main thread, which runs the retention, holds it each time."""

    def __init__(self, lock) -> None:
        self.lock = lock
        self.holds: list[float] = []
        self._since: float | None = None

    def acquire(self, *args, **kwargs) -> bool:
        got = self.lock.acquire(*args, **kwargs)
        if got and threading.current_thread() is threading.main_thread():
            self._since = time.perf_counter()
        return got

    def release(self) -> None:
        if self._since is not None and threading.current_thread() is threading.main_thread():
            self.holds.append(time.perf_counter() - self._since)
            self._since = None
        self.lock.release()


def run_pass(
    path: Path, now: datetime, args, cards: list[str], door_clock: datetime, title: str
) -> datetime:
    """One retention pass with the probe and the door running; print what they saw.

    Returns where the door's clock stopped, for the next pass's door to go on from.
    """
    from kiosk import transactions
    from kiosk.db import connect
    from kiosk.privacy.retention import anonymise_expired

    options = {}
    accepted = inspect.signature(anonymise_expired).parameters
    if args.batch_size and "batch_size" in accepted:
        options["batch_size"] = args.batch_size
    if args.pause is not None and "pause" in accepted:
        options["pause"] = lambda *_: time.sleep(args.pause)

    db = connect(path)
    watched = WatchedLock(transactions._WRITE_LOCK)
    transactions._WRITE_LOCK = watched
    changes_before = db.conn.total_changes
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    receive, send = spawn.Pipe(duplex=False)
    prober = spawn.Process(target=probe, args=(str(path), stop, send), daemon=True)
    prober.start()
    door = Door(path, cards, door_clock)
    door.start()
    time.sleep(0.5)  # both running before the pass starts
    print(f"{title} ({load()})")
    started, cpu = time.perf_counter(), time.thread_time()
    result = anonymise_expired(db, now, args.months, **options)
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    time.sleep(0.3)
    door.stopping.set()
    stop.set()
    door.join()
    attempts, refused = receive.recv()
    prober.join()
    transactions._WRITE_LOCK = watched.lock
    changes = db.conn.total_changes - changes_before
    db.close()

    print(
        f"  pass: {elapsed:.2f} s ({cpu:.2f} s of CPU), {result.visits} visits and "
        f"{result.guests} guests anonymised"
    )
    holds = sorted(watched.holds)
    print(
        f"  write transactions: {len(holds)}, app write lock held longest "
        f"{max(holds, default=0.0) * 1000:.1f} ms (p99 {percentile(holds, 0.99) * 1000:.1f}, "
        f"median {percentile(holds, 0.5) * 1000:.1f}), rows changed {changes}"
    )
    print(
        f"  probe (other process, {attempts} tries): refused {len(refused)} time(s), "
        f"longest {max(refused, default=0.0) * 1000:.1f} ms"
    )
    waits = sorted(door.waits)
    print(
        f"  door check-ins: {len(waits)}, median {percentile(waits, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(waits, 0.95) * 1000:.1f} ms, worst {waits[-1] * 1000:.1f} ms, "
        f"failed {door.failures}"
    )
    print(f"  ({load()})")
    return door.moment


def main(argv: list[str] | None = None) -> None:
    """Copy, migrate, then run the three passes and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--work", type=Path, default=None, help="kept afterwards when given")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--pause", type=float, default=None, help="seconds between batches")
    args = parser.parse_args(argv)

    import kiosk

    print(f"kiosk from {Path(kiosk.__file__).parent}; sqlite {sqlite3.sqlite_version}; {load()}")
    work = args.work or Path(tempfile.mkdtemp(prefix="retention-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "kiosk.db"
    try:
        started = time.perf_counter()
        copy_database(args.source, path)
        print(f"copied {args.source} in {time.perf_counter() - started:.1f} s")
        migrate(path)
        now = datetime.now(UTC)
        cards = add_cards(path, now)
        door = now + timedelta(days=2)  # the door's scans stay clear of the passes' cut-offs
        door = run_pass(path, now, args, cards, door, "1. first pass on years of old data")
        door = run_pass(path, now, args, cards, door, "2. the same day again: nothing due")
        day_later = now + timedelta(days=1)
        run_pass(path, day_later, args, cards, door, "3. a day later: one day's data")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
