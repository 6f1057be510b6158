"""A realistic month for trying the reports as a coordinator would: people, companies, events.

Forty members from about thirty companies (some with a Y-tunnus, some spelt two ways, most
with the optional profile classes), a handful of guests, visits on weekdays with a few
forgotten check-outs closed at closing time, four events (coaching, a workshop, a peer group
and an outing) with registrations and attendance, and mood answers. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.companies import remember_companies
from kiosk.reports.month import Month
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

FIRST = (
    "Aino",
    "Eero",
    "Helmi",
    "Juho",
    "Kaisa",
    "Lauri",
    "Minna",
    "Niko",
    "Oona",
    "Pekka",
    "Riikka",
    "Sami",
    "Tiina",
    "Ville",
    "Ööli",
    "Åsa",
    "Ilkka",
    "Jenni",
    "Markus",
    "Sanna",
)
LAST = ("Äijälä", "Mäkinen", "Virtanen", "Lehtonen", "Hämäläinen", "Öhman", "Laine", "Koski")
COMPANIES = [
    ("Äänekosken Ääni Oy", "3456789-0"), ("Laukaan Lanka Oy", "1572860-0"),
    ("Puuseppä Mäkinen Tmi", None), ("Kahvila Kuppi", None), ("Kuva ja Kehys Ky", None),
    ("Leppäveden Leipomo Oy", None), ("Metsäpalvelu Koski", None), ("Digipaja Oy", None),
    ("Sähkö-Lehtonen Oy", None), ("Rakennus Laine Oy", None), ("Hyvinvointi Helmi", None),
    ("Kirjanpito Öhman", None), ("Vihreä Vaja Oy", None), ("Tilitoimisto Tase", None),
    ("Kalastus ja Kala Oy", None), ("Pieni Paahtimo", None), ("Ompelimo Ommel", None),
    ("Käsityöläiset Ky", None), ("Kone ja Korjaus Oy", None), ("Iso Tehdas Oyj", None),
]  # fmt: skip
SIZES = ("micro",) * 7 + ("small",) * 2 + ("medium", None)
GENDERS = ("woman",) * 5 + ("man",) * 5 + ("non_binary", "not_said", None)
AGES = ("under_30",) * 3 + ("30_54",) * 6 + ("55_plus",) * 2 + (None,)
EVENTS = [  # title, kind, day, start hour, hours
    ("Valmennus: hinnoittelu", "valmennus", 5, 13, 2),
    ("Työpaja: some-markkinointi", "työpaja", 12, 13, 3),
    ("Yrittäjien vertaisryhmä", "vertaisryhmä", 19, 17, 2),
    ("Pikkujoulut", "virkistys", 26, 18, 3),
]


def seed_month(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, *, seed: int = 18
) -> dict[str, int]:
    """Fill ``month`` (and members created before it) with a realistic month; return counts."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    start = datetime.combine(month.first_day, time(9), tzinfo=tz) - timedelta(days=60)
    created = to_db(start)
    members = []
    # A company is one size and one age, whoever of its people is asked.
    company_size = [rng.choice(SIZES) for _ in COMPANIES]
    company_new = [rng.choice((1, 0, 0, None)) for _ in COMPANIES]
    with write_transaction(db):
        for number in range(40):
            company, business_id = COMPANIES[number % len(COMPANIES)]
            if number % len(COMPANIES) == 0 and number >= len(COMPANIES):
                company, business_id = company.upper(), None  # the same company, shouted
            first = FIRST[number % len(FIRST)]
            row = {
                "name": f"{first} {LAST[number % len(LAST)]}",
                "first_name": first,
                "company": company,
                "business_id": business_id,
                "size_class": company_size[number % len(COMPANIES)],
                "company_new": company_new[number % len(COMPANIES)],
                "gender": rng.choice(GENDERS),
                "age_band": rng.choice(AGES),
                "created_at": created,
                "updated_at": created,
            }
            members.append(int(db["members"].insert(row).last_pk))
        remember_companies(db)
        seen: set[int] = set()
        visits = automatic = 0
        # Most members have been before: one visit each in the fortnight before the month.
        for member_id in members:
            if rng.random() < 0.75:
                day = month.first_day - timedelta(days=rng.randrange(1, 15))
                arrive = datetime.combine(day, time(10), tzinfo=tz)
                db["visits"].insert(
                    {"member_id": member_id, "checked_in_at": to_db(arrive),
                     "checked_out_at": to_db(arrive + timedelta(hours=2)),
                     "checkin_method": "card", "checkout_method": "card", "first_visit": 1}
                )  # fmt: skip
                seen.add(member_id)
        event_ids = {}
        for title, kind, day, hour, hours in EVENTS:
            begins = datetime.combine(date(month.year, month.month, day), time(hour), tzinfo=tz)
            event_ids[day] = int(db["events"].insert(
                {"title": title, "kind": kind, "starts_at": to_db(begins),
                 "ends_at": to_db(begins + timedelta(hours=hours)), "capacity": 20,
                 "room": "Iso sali", "host": "Heimopäällikkö", "created_at": created}
            ).last_pk)  # fmt: skip
        for day in month.days():
            if day.weekday() >= 5 and day.day not in event_ids:
                continue
            comers = [m for m in members if rng.random() < (0.35 if day.weekday() < 4 else 0.2)]
            event_id = event_ids.get(day.day)
            for member_id in comers:
                hour = 17 if event_id and day.weekday() >= 5 else rng.choice((8, 9, 10, 12, 13))
                arrive = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=tz)
                forgot = rng.random() < 0.08
                leave = (
                    datetime.combine(day, time(22), tzinfo=tz)
                    if forgot
                    else arrive + timedelta(minutes=rng.randrange(45, 300))
                )
                attends = event_id is not None and rng.random() < 0.5
                visit_id = int(db["visits"].insert(
                    {"member_id": member_id, "checked_in_at": to_db(arrive),
                     "checked_out_at": to_db(leave), "checkin_method": "card",
                     "checkout_method": "automatic" if forgot else "card",
                     "event_id": event_id if attends else None,
                     "first_visit": int(member_id not in seen)}
                ).last_pk)  # fmt: skip
                seen.add(member_id)
                visits += 1
                automatic += int(forgot)
                if attends:
                    db["event_registrations"].insert(
                        {"event_id": event_id, "member_id": member_id,
                         "registered_at": to_db(arrive - timedelta(days=3)),
                         "attended_at": to_db(arrive)}
                    )  # fmt: skip
                if rng.random() < 0.7:
                    db["mood_answers"].insert(
                        {"visit_id": visit_id, "answered_at": to_db(arrive + timedelta(seconds=40)),
                         "mood": rng.choice((1, 2, 2, 2, 3, 3, 4, 5))}
                    )  # fmt: skip
    return {"members": len(members), "visits": visits, "automatic": automatic}
