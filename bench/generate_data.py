"""Write a realistic kiosk database for benchmarks: by default 10 years at ~500 visits a day.

    .venv/bin/python bench/generate_data.py /tmp/tankkaamo-bench/kiosk-1.8M.db
    .venv/bin/python bench/generate_data.py /tmp/tankkaamo-bench/kiosk-10k.db --visits 10000

Both end on the same day (``--end``, the benchmark's "now"), so the dashboard's queries ask
about the same recent weeks in a small and in a large database. Busy weekdays, quiet weekends,
a summer dip, arrivals around 9 and 13, stays of one to six hours, automatic check-out at
22:00, members who come back and guests who mostly do not, mood answers, host alerts, events
with registrations, anonymised guests past retention and a few forgotten members.
The file is written outside the repository; it is never committed.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.db import connect

TZ = ZoneInfo("Europe/Helsinki")
FIRST = "Aino Eino Mikko Sanna Jyrki Päivi Tuomas Åsa Östen Helmi Väinö Kaisa Jääskö Riikka".split()
LAST = "Virtanen Mäkinen Nieminen Hämäläinen Koskinen Järvinen Lehtonen Åberg Söderström".split()
TRADES = "Puu Sähkö Kahvila Tilitoimisto Kuva Rakennus Media Hyvinvointi Koodi Kello".split()
TOPICS = ["rahoitus", "markkinointi", "digi", "verotus", "jaksaminen", "verkostot"]
WEEKDAY_WEIGHT = (1.25, 1.25, 1.25, 1.25, 1.0, 0.45, 0.15)
MONTH_WEIGHT = {6: 0.8, 7: 0.5, 8: 0.9, 12: 0.8}
MOOD_WEIGHTS = (0.25, 0.35, 0.25, 0.1, 0.05)
BATCH = 50_000


def business_id(rng: random.Random) -> str:
    """A Y-tunnus with a valid check digit."""
    while True:
        digits = [rng.randrange(10) for _ in range(7)]
        remainder = sum(d * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if remainder != 1:
            check = 0 if remainder == 0 else 11 - remainder
            return "".join(map(str, digits)) + f"-{check}"


def ts(epoch: float) -> str:
    """The stored timestamp text for epoch seconds."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds")


def person_name(rng: random.Random) -> tuple[str, str]:
    first = rng.choice(FIRST)
    return f"{first} {rng.choice(LAST)}", first


class Writer:
    """Collects rows per table and writes them with executemany in big batches."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows: dict[str, list[tuple[object, ...]]] = {}
        self.sql: dict[str, str] = {}

    def add(self, table: str, columns: str, row: tuple[object, ...]) -> None:
        if table not in self.sql:
            marks = ",".join("?" * len(row))
            self.sql[table] = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            self.rows[table] = []
        self.rows[table].append(row)
        if len(self.rows[table]) >= BATCH:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            self.conn.executemany(self.sql[name], self.rows[name])
            self.rows[name].clear()


def generate(path: Path, visits: int, per_day: int, end: date, seed: int) -> dict[str, int]:
    """Write the database at ``path`` and return how many rows each table got."""
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    connect(path, migrate=True).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    conn.execute("BEGIN")
    out = Writer(conn)

    days = max(1, round(visits / per_day))
    first_day = end - timedelta(days=days - 1)
    all_days = [first_day + timedelta(days=n) for n in range(days)]
    weights = [WEEKDAY_WEIGHT[d.weekday()] * MONTH_WEIGHT.get(d.month, 1.0) for d in all_days]
    scale = visits / sum(weights)
    now = datetime.combine(end, datetime.min.time(), tzinfo=TZ).replace(hour=12).timestamp()
    retention_cut = now - 730 * 86_400

    members: list[int] = []
    member_cols = "id, name, first_name, company, business_id, language, created_at, updated_at"
    guest_cols = "id, name, first_name, company, language, consent_version, consent_at, created_at"
    visit_cols = (
        "id, member_id, guest_id, checked_in_at, checked_out_at, checkin_method, "
        "checkout_method, event_id, anonymised_at"
    )
    guests_made = visit_id = event_id = 0
    forgotten: set[int] = set()
    recent_guests: list[tuple[int, float]] = []
    counts = {"visits": 0, "moods": 0, "alerts": 0, "events": 0, "registrations": 0}

    def add_member(created: float) -> None:
        member_id = len(members) + 1
        name, first = person_name(rng)
        company = f"{rng.choice(LAST)} {rng.choice(TRADES)} Oy"
        if rng.random() < 0.01:
            company = "=Laskenta " + company  # real data has such names; reports must cope
        out.add(
            "members",
            member_cols,
            (member_id, name, first, company, business_id(rng), "fi", ts(created), ts(created)),
        )
        members.append(member_id)

    for _ in range(60):
        add_member(datetime(first_day.year, first_day.month, first_day.day, tzinfo=TZ).timestamp())

    for day, weight in zip(all_days, weights, strict=True):
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=TZ).timestamp()
        # The membership grows by about one a day on weekdays.
        if day.weekday() < 5 and rng.random() < 0.35:
            add_member(midnight + 9 * 3600)
        today_events = []
        if day.weekday() in (1, 3) or (day.weekday() == 4 and day.day <= 7):
            start_hour = {1: 17, 3: 13, 4: 9}[day.weekday()]
            kind = {1: "valmennus", 3: "työpaja", 4: "vertaisryhmä"}[day.weekday()]
            event_id += 1
            starts, ends = midnight + start_hour * 3600, midnight + (start_hour + 2) * 3600
            out.add(
                "events",
                "id, title, kind, starts_at, ends_at, room, capacity, host, created_at",
                (
                    event_id,
                    f"{kind.capitalize()}: {rng.choice(TRADES)}",
                    kind,
                    ts(starts),
                    ts(ends),
                    "Iso sali",
                    20,
                    "Heimopäällikkö",
                    ts(starts - 14 * 86_400),
                ),
            )
            counts["events"] += 1
            for member_id in rng.sample(members, min(len(members), rng.randint(6, 15))):
                attended = ts(starts + 300) if rng.random() < 0.8 and starts < now else None
                out.add(
                    "event_registrations",
                    "event_id, member_id, registered_at, attended_at",
                    (event_id, member_id, ts(starts - 3 * 86_400), attended),
                )
                counts["registrations"] += 1
            today_events.append((event_id, starts, ends))

        for _ in range(int(weight * scale * rng.uniform(0.85, 1.15) + rng.random())):
            peak = 9.5 if rng.random() < 0.6 else 13.0
            arrive = midnight + max(7.5, min(21.0, rng.gauss(peak, 1.6))) * 3600
            if arrive > now:
                continue
            stay = min(rng.lognormvariate(0.9, 0.6), 12.0) * 3600
            leave = arrive + stay
            closing = midnight + 22 * 3600
            checkout_method = "card" if rng.random() < 0.9 else "manual"
            if leave >= closing:
                leave, checkout_method = closing, "automatic"
            open_visit = leave > now
            member_id = guest_id = None
            method = "card"
            if rng.random() < 0.15:
                method = "guest"
                if recent_guests and rng.random() < 0.2:
                    guest_id = rng.choice(recent_guests)[0]
                else:
                    guests_made += 1
                    guest_id = guests_made
                    name, first = person_name(rng)
                    company = (
                        f"{rng.choice(TRADES)} {rng.choice(LAST)} Tmi"
                        if rng.random() < 0.5
                        else None
                    )
                    out.add(
                        "guests",
                        guest_cols,
                        (guest_id, name, first, company, "fi", "2026-11", ts(arrive), ts(arrive)),
                    )
                    recent_guests.append((guest_id, arrive))
                    if len(recent_guests) > 200:
                        recent_guests.pop(0)
            else:
                # Regulars: the longer someone has been a member, the likelier the visit.
                member_id = members[int(len(members) * rng.random() ** 2)]
                if rng.random() < 0.03:
                    method = "manual"
            anonymised = None
            if member_id is not None and member_id % 97 == 0:
                forgotten.add(member_id)
                member_id, anonymised = None, ts(now - 86_400)
            at_event = None
            for eid, starts, ends in today_events:
                if arrive < ends and leave > starts and rng.random() < 0.05:
                    at_event = eid
            visit_id += 1
            out.add(
                "visits",
                visit_cols,
                (
                    visit_id,
                    member_id,
                    guest_id,
                    ts(arrive),
                    None if open_visit else ts(leave),
                    method,
                    None if open_visit else checkout_method,
                    at_event,
                    anonymised,
                ),
            )
            counts["visits"] += 1
            if rng.random() < 0.35:
                mood = rng.choices((1, 2, 3, 4, 5), MOOD_WEIGHTS)[0]
                out.add(
                    "mood_answers", "visit_id, answered_at, mood", (visit_id, ts(arrive + 60), mood)
                )
                counts["moods"] += 1
            if rng.random() < 0.03:
                chosen = rng.sample(TOPICS, rng.randint(0, 2))
                out.add(
                    "host_alerts",
                    "visit_id, created_at, wants_chat, topics, handled_at",
                    (
                        visit_id,
                        ts(arrive + 90),
                        int(rng.random() < 0.5),
                        json.dumps(chosen),
                        ts(arrive + 900),
                    ),
                )
                counts["alerts"] += 1
    out.flush()
    # Past retention, guests keep their visits but lose their names; forgotten members too.
    conn.execute(
        "UPDATE guests SET name = '', first_name = '', company = NULL, anonymised_at = ? "
        "WHERE created_at < ?",
        (ts(now), ts(retention_cut)),
    )
    conn.executemany(
        "UPDATE members SET name = '', first_name = '', email = NULL, forgotten_at = ? "
        "WHERE id = ?",
        [(ts(now - 86_400), member_id) for member_id in sorted(forgotten)],
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    counts["members"], counts["guests"] = len(members), guests_made
    return counts


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("/tmp/tankkaamo-bench/kiosk-10k.db"),  # noqa: S108
        help="where to write the database (default: a 10 k-visit file under /tmp)",
    )
    parser.add_argument("--visits", type=int, default=None, help="about this many visits")
    parser.add_argument("--per-day", type=int, default=500, help="average visits a day")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 26))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    # With no path given (as `make bench` runs it), stay small; ask for 1.8 M by name.
    visits = args.visits or (10_000 if len(argv or sys.argv[1:]) == 0 else 1_825_000)
    args.path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = generate(args.path, visits, args.per_day, args.end, args.seed)
    seconds = time.perf_counter() - started
    size = args.path.stat().st_size / 1e6
    print(f"wrote {args.path} in {seconds:.1f} s ({size:.0f} MB): {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
